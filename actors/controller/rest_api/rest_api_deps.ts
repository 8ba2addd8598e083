/**
 * What the REST API needs from the rest of the controller (`deps`) and its settings
 * (`options`, with upstream's defaults). Mirrors the constructor parameters of
 * `core/controller/.../RestAPIs.scala` (`RestAPIVersion`: entity store, load balancer,
 * entitlement provider, cache change notification, `WhiskActionsApi` settings);
 * differences: the load balancer is one injected `invoke` function whose outcome is a
 * value, and throttling is one injected `checkThrottle`.
 *
 * @module
 */
import type {
  CachedEntityType,
  Identity,
  JsonObject,
  JsonValue,
  LimitBounds,
  TransactionMetadata,
  WhiskAction,
  WhiskActivation,
} from "../../../protocols/mod.ts";
import { DEFAULT_LIMIT_BOUNDS } from "../../../protocols/mod.ts";
import type { Clock } from "../../../runtime/actors/clock.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { MetricsRegistry } from "../../../runtime/metrics.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import type { EntityCache } from "../entity_cache.ts";

/** How an invocation ended, as far as the REST API is concerned. */
export type InvokeOutcome =
  /** The activation finished within the blocking wait. */
  | { readonly type: "Completed"; readonly activation: WhiskActivation }
  /** Non-blocking, or blocking and the wait ran out: answer 202 with the id. */
  | { readonly type: "Accepted"; readonly activationId: string }
  /** The balancer refused: 429 (throttled) or 503 (no capacity, bus down). */
  | { readonly type: "Rejected"; readonly status: 429 | 503; readonly message: string };

/** The parameters handed to an action: an object, or a JSON array passed through. */
export type InvokeParams = JsonObject | readonly JsonValue[];

/** Per-invocation settings the REST layer decides. */
export interface InvokeOptions {
  readonly blocking: boolean;
  /** The request's transaction (its `start` is when the request reached the controller). */
  readonly tid: TransactionMetadata;
  /** The id the REST layer generated (also sent in `x-openwhisk-activation-id`). */
  readonly activationId: string;
  /** The action document's store revision. */
  readonly revision: string;
  /** Blocking only: how long the caller waits before the REST layer answers 202. */
  readonly waitMs: number;
  /** The enclosing sequence's activation id (sequence components only). */
  readonly cause?: string;
  /** `ns/binding` when the action was reached through a package binding. */
  readonly binding?: string;
}

/** The entitlement verdict on an invocation. */
export type ThrottleDecision =
  | { readonly type: "Allowed" }
  | { readonly type: "Throttled"; readonly message: string };

/** An entity write to announce on `cacheInvalidation`. */
export interface EntityChange {
  readonly entityType: CachedEntityType;
  /** The document id, `guest/hello` or `guest/pkg/hello`. */
  readonly mainId: string;
  /** The new revision; absent on delete. */
  readonly secondaryId?: string;
}

/**
 * Feed actions served in-process rather than by a container: the built-in alarms
 * package (`/whisk.system/alarms/alarm`, `/whisk.system/alarms/once`,
 * `/whisk.system/alarms/interval`), which `feeds.create/get/update/delete` invoke
 * blocking with a `lifecycleEvent`.
 */
export interface BuiltInFeeds {
  /** Whether action `name` (`alarms/alarm`) of root namespace `namespace` is built in. */
  serves(namespace: string, name: string): boolean;
  /**
   * Runs it for `identity` with the invocation's parameters.
   *
   * @returns the action's result; one with an `error` field is an application error (502)
   * @throws when a backing service fails (503)
   */
  invoke(identity: Identity, name: string, params: JsonObject): Promise<JsonObject>;
}

/** The controller pieces the REST API calls. */
export interface RestApiDeps {
  readonly store: EntityStore;
  /** Publishes an entity change (the composition root wires it to the bus). */
  announceChange(change: EntityChange): void | Promise<void>;
  /** Starts an activation (the pool balancer). Throwing means the balancer is down (503). */
  invoke(
    identity: Identity,
    action: WhiskAction,
    params: InvokeParams,
    options: InvokeOptions,
  ): Promise<InvokeOutcome>;
  /** Entitlement: may this identity invoke now? Throwing means unavailable (503). */
  checkThrottle(
    identity: Identity,
    action: WhiskAction,
  ): ThrottleDecision | Promise<ThrottleDecision>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** The action cache; the REST API creates its own when absent. */
  readonly actionCache?: EntityCache<WhiskAction>;
  /** Built-in feed actions (the alarms package); none when absent. */
  readonly feeds?: BuiltInFeeds;
}

/** Settings of the REST API; every field has upstream's default. */
export interface RestApiOptions {
  /** Longest blocking wait and the ceiling of `?timeout` (default 60 000 ms). */
  readonly maxBlockingWaitMs?: number;
  /** Largest request body of entity writes (default 50 MB). */
  readonly maxRequestBytes?: number;
  /** Largest invocation payload (default 1 MB). */
  readonly maxPayloadBytes?: number;
  /** Largest parameters list of an entity (default 1 MB). */
  readonly maxParameterBytes?: number;
  /** System default of concurrent invocations per namespace (default 30, standalone's). */
  readonly concurrentInvocations?: number;
  /** System default of invocations per minute (default 120). */
  readonly invocationsPerMinute?: number;
  /** System default of trigger fires per minute (default 60). */
  readonly firesPerMinute?: number;
  /** Allowed ranges of action limits (default upstream's). */
  readonly limitBounds?: LimitBounds;
  /** Most atomic actions a sequence may run, nesting included (default 50). */
  readonly sequenceLength?: number;
  /** Build stamp shown by `GET /api/v1`. */
  readonly build?: string;
  readonly buildNo?: string;
}

/** {@link RestApiOptions} with every default applied. */
export type ResolvedOptions = Required<RestApiOptions>;

const MB = 1024 * 1024;

/** Applies the defaults. */
export function resolveOptions(options: RestApiOptions = {}): ResolvedOptions {
  return {
    maxBlockingWaitMs: options.maxBlockingWaitMs ?? 60_000,
    maxRequestBytes: options.maxRequestBytes ?? 50 * MB,
    maxPayloadBytes: options.maxPayloadBytes ?? MB,
    maxParameterBytes: options.maxParameterBytes ?? MB,
    concurrentInvocations: options.concurrentInvocations ?? 30,
    invocationsPerMinute: options.invocationsPerMinute ?? 120,
    firesPerMinute: options.firesPerMinute ?? 60,
    limitBounds: options.limitBounds ?? DEFAULT_LIMIT_BOUNDS,
    sequenceLength: options.sequenceLength ?? 50,
    build: options.build ?? "2025-01-01T00:00:00Z",
    buildNo: options.buildNo ?? "deno-1",
  };
}
