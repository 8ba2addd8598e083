/**
 * The MemoryQueue's pure transition: `transition(state, msg, now) → {next, effects}`.
 * Mirrors the FSM of `core/scheduler/.../queue/MemoryQueue.scala` (reference §4.1,
 * §5.3). The per-state behaviour lives in the phase files (`_memory_queue_running.ts`,
 * `_memory_queue_draining.ts`); what every state shares is in `_memory_queue_common.ts`.
 *
 * Differences from upstream:
 * - The decision maker is the pure `decide()`, called on the queue's own decision tick
 *   (`DecisionTick` → read the cached namespace limits → `NamespaceLimitsRead` →
 *   decide and apply) instead of a separate actor answering a snapshot message.
 * - The monitoring and dropping workers are periodic keyed timers: stopping them is
 *   cancelling the keys, so no worker can outlive the queue (reference §9.5).
 * - Every decision kind is applied, none can crash the queue (§9.6).
 * - `VersionUpdated` also watches the leader key, so a new revision's queue restores it
 *   (§9.7), and a Flushing queue that becomes outdated leaves the leader and throttle
 *   keys to the new revision (§9.7).
 * - The namespace throttle key is deleted only by the queue that set it to "true" and is
 *   re-asserted on every dropping tick while throttled (§9.8).
 * - Activations a dying queue gives back travel in one `QueueActivations` naming the
 *   queue, so the manager never hands them back to it (§9.18).
 * - A Removing queue whose activations are all served answers its parked polls at once
 *   and ends, instead of waiting for every long poll to expire.
 * - A namespace that no longer exists (`NamespaceLimitsFailed` with `noDocument`) ends the
 *   queue with a record for every waiting activation, instead of forwarding them.
 * - Creation ids are minted by the transition and counted from the decision on; a
 *   created container stays counted until it shows up (`_memory_queue_creations.ts`).
 * - There is no DurationChecker: the average duration comes from fetches only
 *   (upstream's standalone `NoopDurationChecker`).
 *
 * @module
 */

import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { Ref } from "../../runtime/actors/ref.ts";
import type { QueueToManager } from "../../protocols/memory_queue.ts";
import {
  actionThrottlingKey,
  existingContainerNamespacePrefix,
  existingContainerRevisionPrefix,
  inProgressNamespacePrefix,
  inProgressRevisionPrefix,
  namespaceThrottlingKey,
  queueLeaderKey,
} from "../../protocols/etcd_keys.ts";
import { completeAll, whenUnhandled } from "./_memory_queue_common.ts";
import { onNamespaceLimits } from "./_memory_queue_decisions.ts";
import { idle, removedState, removing } from "./_memory_queue_draining.ts";
import {
  initialData,
  type MemoryQueueConfig,
  type MemoryQueueMessage,
  type MemoryQueueState,
  type QueueContext,
  queueRemoved,
  type QueueStep,
  removed,
  startWorkers,
  stay,
  stopWorkers,
  unregisterKeys,
  unwatchAll,
  watchAll,
} from "./_memory_queue_model.ts";
import { actionThrottled, flushing, namespaceThrottled, running } from "./_memory_queue_running.ts";

export type {
  MemoryQueueConfig,
  MemoryQueueEffect,
  MemoryQueueInternal,
  MemoryQueueMessage,
  MemoryQueueState,
  QueueContext,
  QueueData,
} from "./_memory_queue_model.ts";

/** What identifies and configures one queue. */
export interface QueueContextOptions {
  readonly queueId: string;
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly metadata: WhiskActionMetaData;
  readonly parent: Ref<QueueToManager>;
  /** `SchedulerEndpoints` JSON of this scheduler. */
  readonly endpointsValue: string;
  readonly config: MemoryQueueConfig;
  /** etcd cluster prefix (default `whisk`). */
  readonly cluster?: string;
  /** Prefix of the creation ids the queue mints (default `<queueId>-`). */
  readonly creationIdPrefix?: string;
}

/** Builds a queue's constant context: its etcd keys and retention. */
export function queueContext(o: QueueContextOptions): QueueContext {
  const ns = o.invocationNamespace;
  const cluster = o.cluster;
  return {
    queueId: o.queueId,
    invocationNamespace: ns,
    action: o.action,
    revision: o.revision,
    metadata: o.metadata,
    parent: o.parent,
    endpointsValue: o.endpointsValue,
    config: o.config,
    retentionMs: o.metadata.exec.kind === "blackbox"
      ? o.config.maxBlackboxRetentionMs
      : o.config.maxRetentionMs,
    creationIdPrefix: o.creationIdPrefix ?? `${o.queueId}-`,
    keys: {
      leader: queueLeaderKey(ns, o.action, cluster),
      namespaceThrottling: namespaceThrottlingKey(ns, cluster),
      actionThrottling: actionThrottlingKey(ns, o.action, cluster),
      inProgress: inProgressRevisionPrefix(ns, o.action, o.revision, cluster),
      existing: existingContainerRevisionPrefix(ns, o.action, o.revision, cluster),
      namespaceInProgress: inProgressNamespacePrefix(ns, cluster),
      namespaceExisting: existingContainerNamespacePrefix(ns, cluster),
    },
  };
}

/** The state a queue is spawned in. */
export function initialQueueState(ctx: QueueContext): MemoryQueueState {
  return { name: "Uninitialized", data: initialData(ctx) };
}

/** The state timeout of each state (upstream `when(state, stateTimeout = …)`). */
export function queueStateTimeout(state: MemoryQueueState): number | undefined {
  const c = state.data.ctx.config;
  switch (state.name) {
    case "Running":
      return c.idleGraceMs;
    case "Idle":
      return c.stopGraceMs;
    case "Removing":
    case "Removed":
      return c.gracefulShutdownTimeoutMs;
    default:
      return undefined;
  }
}

function uninitialized(state: MemoryQueueState, msg: MemoryQueueMessage): QueueStep {
  const data = state.data;
  const { ctx } = data;
  switch (msg.type) {
    case "Start":
      return {
        next: { name: "Running", data: { ...data, decideOnFirstActivation: true } },
        effects: [
          ...startWorkers(ctx),
          { type: "registerInitialData", key: ctx.keys.namespaceThrottling, value: "false" },
          { type: "registerData", key: ctx.keys.actionThrottling, value: "false" },
          ...watchAll(ctx.keys),
          { type: "unstashAll" },
        ],
      };
    case "VersionUpdated":
      return {
        next: { name: "Running", data },
        effects: [...startWorkers(ctx), ...watchAll(ctx.keys), { type: "unstashAll" }],
      };
    default:
      return stay(state, data, [{ type: "stash" }]);
  }
}

/** The namespace is gone: end every waiting activation with a record and remove the queue. */
function namespaceGone(state: MemoryQueueState, reason: string): QueueStep {
  const [emptied, effects] = completeAll(state.data, {
    statusCode: 3,
    message: `The namespace limits cannot be read: ${reason}`,
  });
  const { ctx } = state.data;
  return removed(emptied, false, [
    ...effects,
    ...stopWorkers(),
    ...unwatchAll(ctx.keys),
    ...unregisterKeys(emptied),
    queueRemoved(ctx, true),
  ]);
}

function byState(state: MemoryQueueState, msg: MemoryQueueMessage, now: number) {
  switch (state.name) {
    case "Uninitialized":
      return uninitialized(state, msg);
    case "Running":
      return running(state, msg);
    case "NamespaceThrottled":
      return namespaceThrottled(state, msg, now);
    case "ActionThrottled":
      return actionThrottled(state, msg);
    case "Flushing":
      return flushing(state, msg, now);
    case "Idle":
      return idle(state, msg, now);
    case "Removing":
      return removing(state, msg);
    case "Removed":
      return removedState(state, msg);
  }
}

/**
 * The MemoryQueue transition.
 *
 * @param state the current state
 * @param msg the message being handled
 * @param now the injected clock's time
 * @returns the next state and the effects to perform, in order
 */
export function memoryQueueTransition(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
  now: number,
): QueueStep {
  if (msg.type === "NamespaceLimitsRead" && state.name !== "Uninitialized") {
    const outcome = onNamespaceLimits(state, msg.limits, now);
    // `Pausing` stands for a failed void creation (reference §5.3).
    return "pausing" in outcome
      ? memoryQueueTransition(outcome.state, outcome.pausing, now)
      : outcome;
  }
  if (msg.type === "NamespaceLimitsFailed" && msg.noDocument && state.name !== "Removed") {
    return namespaceGone(state, msg.reason);
  }
  return byState(state, msg, now) ?? whenUnhandled(state, msg, now);
}
