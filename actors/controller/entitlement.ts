/**
 * The controller's entitlement for invocations: the per-minute and concurrent limits of
 * the caller's namespace (identity limits override the configured defaults) and the
 * throttling flags the schedulers publish in etcd, read from a watch-fed cache so the
 * check is synchronous and touches no etcd.
 *
 * Mirrors `core/controller/.../entitlement/FPCEntitlement.scala` (`FPCEntitlementProvider`)
 * with the classic `RateThrottler` and `ActivationThrottler` of `EntitlementProvider.scala`:
 * per-minute first (when `usePerMinThrottles`), then concurrent, then the flags; only
 * `ACTIVATE` is throttled. Differences: the concurrent count is this controller's own
 * in-flight activations of the namespace (counted by `invoke` and freed by the
 * completions actor), as upstream's `activeActivationsFor`; the flags' 429 carries
 * upstream's plain "Too many requests".
 *
 * Not an actor on purpose: the REST API calls `checkThrottle` synchronously, and every
 * piece of state here is a counter or a cache with one writer per entry.
 *
 * @module
 */
import {
  type Identity,
  namespaceConcurrencyLimit,
  type Privilege,
  throttlingPrefix,
  type WhiskAction,
} from "../../protocols/mod.ts";
import type { Clock, TimerHandle } from "../../runtime/actors/clock.ts";
import type { KeyValueStore, Watch } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import { flagsThrottle, throttleFlagDecoder } from "./entitlement_flags.ts";
import {
  applySnapshot,
  applyWatchEvent,
  emptyFamily,
  type FamilyCache,
} from "./pool_balancer_view.ts";

/** The verdict of {@link Entitlement.checkThrottle} (both shapes the REST API reads). */
export type ThrottleVerdict =
  | { readonly type: "Allowed"; readonly throttled: false }
  | {
    readonly type: "Throttled";
    readonly throttled: true;
    readonly status: 429;
    readonly message: string;
  };

/** Upstream's 429 messages. */
export const ThrottleMessages = {
  perMinute: (count: number, allowed: number) =>
    `Too many requests in the last minute (count: ${count}, allowed: ${allowed}).`,
  concurrent: (count: number, allowed: number) =>
    `Too many concurrent requests in flight (count: ${count}, allowed: ${allowed}).`,
  flags: "Too many requests",
} as const;

/** Settings of {@link Entitlement}. */
export interface EntitlementOptions {
  /** System default of concurrent invocations per namespace. */
  readonly concurrentInvocations: number;
  /** System default of invocations per minute per namespace. */
  readonly invocationsPerMinute: number;
  /** Run the per-minute check (upstream `use-per-min-throttles`, default true). */
  readonly usePerMinThrottles?: boolean;
  /** Cluster name of the flag keys (default `whisk`). */
  readonly cluster?: string;
  /** Wait before re-reading the flags after a failure (default 1000 ms). */
  readonly retryIntervalMs?: number;
}

/** What {@link Entitlement} stands on. */
export interface EntitlementDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The flags' source; without one, no flag ever throttles. */
  readonly kv?: KeyValueStore;
}

const ALLOWED: ThrottleVerdict = { type: "Allowed", throttled: false };

function throttled(message: string): ThrottleVerdict {
  return { type: "Throttled", throttled: true, status: 429, message };
}

/**
 * Throttling of invocations.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../../runtime/actors/clock.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { Entitlement } from "./entitlement.ts";
 * const entitlement = new Entitlement({ clock: new ManualClock(0), logger: silentLogger }, {
 *   concurrentInvocations: 1,
 *   invocationsPerMinute: 10,
 * });
 * entitlement.activationStarted("guest");
 * console.assert(entitlement.inFlight("guest") === 1);
 * ```
 */
export class Entitlement {
  readonly #deps: EntitlementDeps;
  readonly #options: Required<EntitlementOptions>;
  readonly #inFlight = new Map<string, number>();
  readonly #perMinute = new Map<string, { minute: number; count: number }>();
  #flags: FamilyCache<boolean> = emptyFamily(0);
  #watch: Promise<Watch | undefined> | undefined;
  #retry: TimerHandle | undefined;
  #closed = false;

  constructor(deps: EntitlementDeps, options: EntitlementOptions) {
    this.#deps = deps;
    this.#options = {
      usePerMinThrottles: true,
      cluster: "whisk",
      retryIntervalMs: 1_000,
      ...options,
    };
  }

  /** Opens the flags watch and reads the flags; resolves once they are loaded. */
  async start(): Promise<void> {
    const kv = this.#deps.kv;
    if (kv === undefined || this.#closed) return;
    const watchId = this.#flags.watchId + 1;
    const prefix = throttlingPrefix(this.#options.cluster);
    this.#flags = { ...emptyFamily(watchId), entries: this.#flags.entries };
    await this.#closeWatch();
    try {
      const watch = kv.watch(prefix, { prefix: true }, (event) => {
        if (this.#flags.watchId !== watchId) return;
        this.#apply(applyWatchEvent(this.#flags, event, throttleFlagDecoder));
      });
      this.#watch = watch.catch(() => undefined);
      await watch;
      const entries = await kv.getPrefix(prefix);
      if (this.#flags.watchId === watchId) {
        this.#apply(applySnapshot(this.#flags, entries, throttleFlagDecoder));
      }
    } catch (error) {
      if (this.#closed) return;
      this.#deps.logger.warn("reading throttling flags failed; retrying", { error });
      this.#retry = this.#deps.clock.setTimeout(
        () => void this.start(),
        this.#options.retryIntervalMs,
      );
    }
  }

  /** Closes the flags watch. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) this.#deps.clock.clearTimeout(this.#retry);
    await this.#closeWatch();
  }

  /** Whether the flags throttle `action` invoked in `invocationNamespace`. */
  flagsThrottle(
    invocationNamespace: string,
    action: Pick<WhiskAction, "namespace" | "name">,
  ): boolean {
    return flagsThrottle(this.#flags.entries, invocationNamespace, action, this.#options.cluster);
  }

  /** Entitlement of `right` on `action`: only `ACTIVATE` is throttled. */
  check(identity: Identity, right: Privilege, action: WhiskAction): ThrottleVerdict {
    return right === "ACTIVATE" ? this.checkThrottle(identity, action) : ALLOWED;
  }

  /**
   * May `identity` invoke `action` now? Counts one request against the per-minute limit
   * (call it once per invocation request).
   */
  checkThrottle(identity: Identity, action: WhiskAction): ThrottleVerdict {
    const namespace = identity.namespace.name;
    if (this.#options.usePerMinThrottles) {
      const allowed = identity.limits.invocationsPerMinute ?? this.#options.invocationsPerMinute;
      const count = this.#countRequest(namespace);
      if (count > allowed) return throttled(ThrottleMessages.perMinute(count, allowed));
    }
    const limit = namespaceConcurrencyLimit(identity, this.#options.concurrentInvocations);
    const inFlight = this.inFlight(namespace);
    if (inFlight >= limit) return throttled(ThrottleMessages.concurrent(inFlight, limit));
    if (this.flagsThrottle(namespace, action)) return throttled(ThrottleMessages.flags);
    return ALLOWED;
  }

  /** An activation of `namespace` was accepted: it holds a slot until its completion. */
  activationStarted(namespace: string): void {
    this.#inFlight.set(namespace, this.inFlight(namespace) + 1);
  }

  /** An activation of `namespace` ended: its slot is free. */
  activationFinished(namespace: string): void {
    const left = this.inFlight(namespace) - 1;
    if (left > 0) this.#inFlight.set(namespace, left);
    else this.#inFlight.delete(namespace);
  }

  /** Activations of `namespace` in flight through this controller. */
  inFlight(namespace: string): number {
    return this.#inFlight.get(namespace) ?? 0;
  }

  #countRequest(namespace: string): number {
    const minute = Math.floor(this.#deps.clock.now() / 60_000);
    const current = this.#perMinute.get(namespace);
    const count = current?.minute === minute ? current.count + 1 : 1;
    if (current?.minute !== minute && this.#perMinute.size > 10_000) this.#prune(minute);
    this.#perMinute.set(namespace, { minute, count });
    return count;
  }

  #prune(minute: number): void {
    for (const [ns, rate] of this.#perMinute) {
      if (rate.minute !== minute) this.#perMinute.delete(ns);
    }
  }

  #apply(applied: { cache: FamilyCache<boolean>; refused: readonly string[] }): void {
    this.#flags = applied.cache;
    if (applied.refused.length > 0) {
      this.#deps.logger.warn("ignored unreadable throttling flags", { keys: applied.refused });
    }
  }

  async #closeWatch(): Promise<void> {
    const old = this.#watch;
    this.#watch = undefined;
    await old?.then((w) => w?.close()).catch(() => {});
  }
}
