/**
 * Wires the controller's balancing pieces together for a composition root: the pool
 * balancer, the completions actor, the entitlement and `invoke`, plus `deliver` for the
 * bridge (what arrives on `completed<cid>`).
 *
 * Mirrors the construction of `FPCPoolBalancer` and `FPCEntitlementProvider` in
 * `core/controller/.../Controller.scala`; differences: one function returns the REST
 * API's `invoke` and `checkThrottle` ready to hand over.
 *
 * @module
 */
import type {
  AcknowledgementMessage,
  CreateQueueResponse,
  Identity,
  WhiskAction,
  WhiskActivation,
} from "../../protocols/mod.ts";
import type { CompletionsCommand } from "../../protocols/completions.ts";
import type {
  InvokerHealth,
  InvokerHealthReport,
  PoolBalancerCommand,
} from "../../protocols/pool_balancer.ts";
import { ask, type Parent, type Ref, type System, tell } from "../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import { spawnCompletions } from "./completions.ts";
import { Entitlement, type ThrottleVerdict } from "./entitlement.ts";
import { createInvoke, type InvokeFunction, type InvokeSettings } from "./invoke.ts";
import { type PublishFn, spawnPoolBalancer } from "./pool_balancer.ts";

/** What the balancing pieces stand on. */
export interface BalancingDeps {
  readonly system: System;
  /** Where the actors are spawned (default: the system root). */
  readonly parent?: Parent;
  readonly kv: KeyValueStore;
  readonly publish: PublishFn;
  /** Insert-if-absent store of a record (`putActivation(encodeActivation(r))`). */
  readonly storeActivation: (record: WhiskActivation) => Promise<"inserted" | "exists">;
  readonly loadActivation?: (activationId: string) => Promise<WhiskActivation | undefined>;
  readonly logger: Logger;
}

/** Settings (the controller group of `runtime/config.ts`). */
export interface BalancingOptions {
  readonly controllerId: string;
  readonly cluster?: string;
  readonly concurrentInvocations: number;
  readonly invocationsPerMinute: number;
  readonly usePerMinThrottles?: boolean;
  readonly timeoutFactor?: number;
  /** The forced-completion window's floor (default 60 s); see `forcedCompletionMs`. */
  readonly forcedCompletionFloorMs?: number;
  /** The forced-completion window's extra time (default 60 s); see `forcedCompletionMs`. */
  readonly forcedCompletionExtraMs?: number;
  /** The scheduler timeline the forced-completion window outlasts (see `forcedCompletionMs`). */
  readonly queueRetentionMs?: number;
  readonly blackboxQueueRetentionMs?: number;
  readonly creationJobTimeoutMs?: number;
  readonly blackboxMultiple?: number;
  readonly createQueueTimeoutMs?: number;
  /** Attempts in all (upstream: 1 + 5 retries). */
  readonly createQueueAttempts?: number;
}

/** The started pieces. */
export interface Balancing {
  readonly invoke: InvokeFunction;
  readonly checkThrottle: (identity: Identity, action: WhiskAction) => ThrottleVerdict;
  readonly entitlement: Entitlement;
  readonly poolBalancer: Ref<PoolBalancerCommand>;
  readonly completions: Ref<CompletionsCommand>;
  /** Upstream `invokerHealth()`. */
  invokerHealth(timeoutMs?: number): Promise<readonly InvokerHealth[]>;
  /**
   * The bridge's `deliver` for `completed<cid>`: acknowledgements go to the completions
   * actor and `CreateQueueResponse` to the pool balancer, whatever their `to`; anything
   * else is refused (dead letter).
   */
  deliver(to: string, message: unknown): boolean;
  /** Closes the watches (the actors stop with the system). */
  close(): Promise<void>;
}

const ACK_TYPES = new Set([
  "CombinedCompletionAndResultMessage",
  "CompletionMessage",
  "ResultMessage",
]);

const WINDOW_KEYS = [
  "timeoutFactor",
  "forcedCompletionFloorMs",
  "forcedCompletionExtraMs",
  "queueRetentionMs",
  "blackboxQueueRetentionMs",
  "creationJobTimeoutMs",
  "blackboxMultiple",
] as const satisfies readonly (keyof InvokeSettings & keyof BalancingOptions)[];

/** The settings of `createInvoke` among the balancing options. */
export function invokeSettings(options: BalancingOptions): InvokeSettings {
  const window: { -readonly [K in (typeof WINDOW_KEYS)[number]]?: number } = {};
  for (const key of WINDOW_KEYS) {
    const value = options[key];
    if (value !== undefined) window[key] = value;
  }
  return {
    controllerId: options.controllerId,
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    ...window,
  };
}

/** Starts the pool balancer, completions and entitlement; resolves once the flags are read. */
export async function startBalancing(
  deps: BalancingDeps,
  options: BalancingOptions,
): Promise<Balancing> {
  const { system } = deps;
  const parent = deps.parent ?? system;
  const entitlement = new Entitlement(
    { clock: system.clock, logger: deps.logger, kv: deps.kv },
    {
      concurrentInvocations: options.concurrentInvocations,
      invocationsPerMinute: options.invocationsPerMinute,
      ...(options.usePerMinThrottles === undefined
        ? {}
        : { usePerMinThrottles: options.usePerMinThrottles }),
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    },
  );
  const balancer = spawnPoolBalancer(parent, { kv: deps.kv, publish: deps.publish }, {
    controllerId: options.controllerId,
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    ...(options.createQueueTimeoutMs === undefined
      ? {}
      : { createQueueTimeoutMs: options.createQueueTimeoutMs }),
    ...(options.createQueueAttempts === undefined
      ? {}
      : { createQueueAttempts: options.createQueueAttempts }),
  });
  const completions = spawnCompletions(parent, {
    storeActivation: deps.storeActivation,
    onSlotFreed: (entry, reason) => {
      entitlement.activationFinished(entry.namespace);
      if (reason !== "Unregistered") {
        tell(system, balancer.ref, {
          type: "ActivationFinished",
          activationId: entry.activationId,
          leaderKey: entry.leaderKey,
        });
      }
    },
  });
  await entitlement.start();
  const invoke = createInvoke({
    system,
    poolBalancer: balancer.ref,
    completions,
    slots: entitlement,
    logger: deps.logger,
    ...(deps.loadActivation === undefined ? {} : { loadActivation: deps.loadActivation }),
  }, invokeSettings(options));
  return {
    invoke,
    checkThrottle: (identity, action) => entitlement.checkThrottle(identity, action),
    entitlement,
    poolBalancer: balancer.ref,
    completions,
    invokerHealth: async (timeoutMs = 5_000) =>
      (await ask<InvokerHealthReport, PoolBalancerCommand>(
        system,
        balancer.ref,
        (replyTo) => ({ type: "GetInvokerHealth", replyTo }),
        timeoutMs,
      )).invokers,
    deliver: (_to, message) => {
      const type = (message as { type?: unknown } | null)?.type;
      if (typeof type === "string" && ACK_TYPES.has(type)) {
        tell(system, completions, { type: "AckReceived", ack: message as AcknowledgementMessage });
        return true;
      }
      if (type === "CreateQueueResponse") {
        tell(system, balancer.ref, message as CreateQueueResponse);
        return true;
      }
      return false;
    },
    close: async () => {
      await Promise.all([balancer.close(), entitlement.close()]);
    },
  };
}
