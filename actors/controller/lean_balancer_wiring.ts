/**
 * Wires lean mode's balancing for a composition root: the same `invoke()`, completions
 * actor and entitlement as the FPC path, with the LeanBalancer in the pool balancer's
 * place and the in-process ContainerPool behind it. Returns the same {@link Balancing}
 * as `startBalancing`, so the controller role takes either.
 *
 * Every record of a lean activation carries the annotation `balancer: "lean"` (see
 * `lean_balancer_protocol.ts`): the pool's records and acks pass through the sink
 * handed to `spawnPool`, and the forced-completion record through the completions
 * actor's store, both of which add it.
 *
 * Mirrors the construction of `LeanBalancer` in `core/controller/.../loadBalancer/LeanBalancer.scala`
 * (`LeanBalancer.instance`, which starts a local invoker in the controller's process);
 * differences: acks reach the completions actor in-process, without a message queue.
 *
 * @module
 */
import type {
  AcknowledgementMessage,
  ControllerInstanceId,
  FullyQualifiedEntityName,
  WhiskAction,
  WhiskActivation,
} from "../../protocols/mod.ts";
import type { ContainerPoolCommand } from "../../protocols/container_pool.ts";
import type { CompletionsCommand } from "../../protocols/completions.ts";
import type { InvokerHealthReport } from "../../protocols/pool_balancer.ts";
import { ask, type Parent, type Ref, type System, tell } from "../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import { spawnCompletions } from "./completions.ts";
import { Entitlement } from "./entitlement.ts";
import { createInvoke } from "./invoke.ts";
import { spawnLeanBalancer } from "./lean_balancer.ts";
import {
  type LeanBalancerCommand,
  type LeanBalancerStatus,
  leanRecord,
} from "./lean_balancer_protocol.ts";
import { type Balancing, type BalancingOptions, invokeSettings } from "./pool_balancer_wiring.ts";

/** How the in-process pool completes activations: both add the lean annotation. */
export interface LeanCompletionSink {
  /** Hands the ack to the completions actor in-process (the controller id is ignored). */
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  /** Insert-if-absent store of the record. */
  storeActivation(record: WhiskActivation): Promise<"inserted" | "exists">;
}

/** What lean balancing stands on. */
export interface LeanBalancingDeps {
  readonly system: System;
  /** Where the actors are spawned (default: the system root). */
  readonly parent?: Parent;
  /** Entitlement reads the namespace throttling flags from it. */
  readonly kv: KeyValueStore;
  /** Insert-if-absent store of a record (`putActivation(encodeActivation(r))`). */
  readonly storeActivation: (record: WhiskActivation) => Promise<"inserted" | "exists">;
  readonly loadActivation?: (activationId: string) => Promise<WhiskActivation | undefined>;
  /** Reads the action with its code at `revision` (see `LeanBalancerDeps`). */
  loadAction(fqn: FullyQualifiedEntityName, revision: string): Promise<WhiskAction | undefined>;
  /** Spawns the in-process invoker's ContainerPool, whose proxies complete through `sink`. */
  spawnPool(sink: LeanCompletionSink): Ref<ContainerPoolCommand>;
  readonly logger: Logger;
}

/** Settings: the controller's, plus the local invoker's id. */
export interface LeanBalancingOptions
  extends Omit<BalancingOptions, "createQueueTimeoutMs" | "createQueueAttempts"> {
  readonly invokerId: number;
}

/** The started lean pieces: the FPC {@link Balancing} plus drain and status. */
export interface LeanBalancing extends Balancing {
  readonly leanBalancer: Ref<LeanBalancerCommand>;
  readonly pool: Ref<ContainerPoolCommand>;
  /** Refuses new activations (503); those in flight go on. */
  drain(): void;
  status(timeoutMs?: number): Promise<LeanBalancerStatus>;
}

const ACK_TYPES = new Set([
  "CombinedCompletionAndResultMessage",
  "CompletionMessage",
  "ResultMessage",
]);

/** `ack` with the lean annotation on the record it carries, if any. */
export function leanAck(ack: AcknowledgementMessage): AcknowledgementMessage {
  if (ack.type === "CompletionMessage" || typeof ack.response === "string") return ack;
  return { ...ack, response: leanRecord(ack.response) };
}

/** Starts the completions actor, entitlement, the pool and the LeanBalancer. */
export async function startLeanBalancing(
  deps: LeanBalancingDeps,
  options: LeanBalancingOptions,
): Promise<LeanBalancing> {
  const { system } = deps;
  const parent = deps.parent ?? system;
  const storeActivation = (record: WhiskActivation) => deps.storeActivation(leanRecord(record));
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
  const holder: { balancer?: Ref<LeanBalancerCommand> } = {};
  const completions: Ref<CompletionsCommand> = spawnCompletions(parent, {
    storeActivation,
    onSlotFreed: (entry, reason) => {
      entitlement.activationFinished(entry.namespace);
      if (reason !== "Unregistered" && holder.balancer) {
        tell(system, holder.balancer, {
          type: "ActivationFinished",
          activationId: entry.activationId,
          leaderKey: entry.leaderKey,
        });
      }
    },
  });
  const pool = deps.spawnPool({
    sendAck: (_controller, ack) => {
      tell(system, completions, { type: "AckReceived", ack: leanAck(ack) });
      return Promise.resolve();
    },
    storeActivation,
  });
  const balancer = holder.balancer = spawnLeanBalancer(parent, {
    pool,
    loadAction: deps.loadAction,
  }, {
    invokerId: options.invokerId,
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
  });
  await entitlement.start();
  const invoke = createInvoke({
    system,
    poolBalancer: balancer,
    completions,
    slots: entitlement,
    logger: deps.logger,
    ...(deps.loadActivation === undefined ? {} : { loadActivation: deps.loadActivation }),
  }, invokeSettings(options));
  return {
    invoke,
    checkThrottle: (identity, action) => entitlement.checkThrottle(identity, action),
    entitlement,
    poolBalancer: balancer,
    leanBalancer: balancer,
    pool,
    completions,
    invokerHealth: async (timeoutMs = 5_000) =>
      (await ask<InvokerHealthReport, LeanBalancerCommand>(
        system,
        balancer,
        (replyTo) => ({ type: "GetInvokerHealth", replyTo }),
        timeoutMs,
      )).invokers,
    deliver: (_to, message) => {
      const type = (message as { type?: unknown } | null)?.type;
      if (typeof type !== "string" || !ACK_TYPES.has(type)) return false;
      tell(system, completions, {
        type: "AckReceived",
        ack: leanAck(message as AcknowledgementMessage),
      });
      return true;
    },
    drain: () => tell(system, balancer, { type: "DrainLeanBalancer" }),
    status: (timeoutMs = 5_000) =>
      ask<LeanBalancerStatus, LeanBalancerCommand>(
        system,
        balancer,
        (replyTo) => ({ type: "GetLeanBalancerStatus", replyTo }),
        timeoutMs,
      ),
    close: () => entitlement.close(),
  };
}
