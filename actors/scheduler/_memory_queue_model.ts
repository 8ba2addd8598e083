/**
 * The MemoryQueue's model: states, data, settings, internal messages and own effects,
 * plus the small pure helpers every phase file shares. Mirrors the `MemoryQueueState`,
 * `MemoryQueueData` and mutable fields of upstream `MemoryQueue.scala` (reference §4.1),
 * kept as one immutable value per state.
 *
 * @module
 */

import type { Ref } from "../../runtime/actors/ref.ts";
import type { FsmEffect, Step } from "../../runtime/actors/fsm.ts";
import type { ActivationMessage } from "../../protocols/activation.ts";
import type { FetchResponse } from "../../protocols/activation_service.ts";
import type { ContainerCreationError } from "../../protocols/container_manager.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import type {
  MemoryQueueCommand,
  QueueDecision,
  QueueToManager,
} from "../../protocols/memory_queue.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { SchedulingDecisionConfig } from "../../protocols/scheduling_decision_maker.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import { emptyFifo, type Fifo } from "./memory_queue_fifo.ts";

/** The queue's timing and size settings (names follow `DEFAULTS.queue`/`.scheduling`). */
export interface MemoryQueueConfig {
  readonly idleGraceMs: number;
  readonly stopGraceMs: number;
  readonly flushGraceMs: number;
  readonly gracefulShutdownTimeoutMs: number;
  readonly maxRetentionSize: number;
  readonly maxRetentionMs: number;
  readonly maxBlackboxRetentionMs: number;
  readonly throttlingFraction: number;
  readonly durationBufferSize: number;
  readonly failThrottleAsWhiskError: boolean;
  readonly checkIntervalMs: number;
  readonly dropIntervalMs: number;
  readonly longPollMs: number;
  readonly scheduling: SchedulingDecisionConfig;
  /**
   * How long a created container (or a container seen before its creation's success)
   * is counted without its existing key; {@link CREATED_KEY_RETENTION_MS} by default.
   */
  readonly createdKeyRetentionMs?: number;
}

/** Default of {@link MemoryQueueConfig.createdKeyRetentionMs}. */
export const CREATED_KEY_RETENTION_MS = 5_000;

/** What never changes during a queue's life. */
export interface QueueContext {
  readonly queueId: string;
  readonly invocationNamespace: string;
  /** The action with its version. */
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly metadata: WhiskActionMetaData;
  readonly parent: Ref<QueueToManager>;
  /** This scheduler's `SchedulerEndpoints` JSON (the leader key's value). */
  readonly endpointsValue: string;
  readonly keys: QueueKeys;
  readonly config: MemoryQueueConfig;
  /** Retention for this action: blackbox or normal. */
  readonly retentionMs: number;
  /** Prefix of the creation ids this queue mints (random per queue in the shell). */
  readonly creationIdPrefix: string;
}

/** The etcd keys and prefixes of one queue (reference §3, keys 2–6). */
export interface QueueKeys {
  readonly leader: string;
  readonly namespaceThrottling: string;
  readonly actionThrottling: string;
  readonly inProgress: string;
  readonly existing: string;
  readonly namespaceInProgress: string;
  readonly namespaceExisting: string;
}

/** One queued activation and when it arrived. */
export interface QueuedActivation {
  readonly at: number;
  readonly msg: ActivationMessage;
}

/** A long poll waiting for an activation. */
export interface ParkedPoll {
  readonly id: number;
  readonly containerId: string;
  readonly warmed: boolean;
  readonly replyTo: Ref<FetchResponse>;
}

/** The namespace's limits as last read (reference §5.1). */
export interface NamespaceLimits {
  readonly namespaceLimit: number;
  readonly maxActionInstances?: number;
}

/** Everything that changes, in every state. */
export interface QueueData {
  readonly ctx: QueueContext;
  readonly queue: Fifo<QueuedActivation>;
  /** Highest priority first: warmed, then the highest container id. */
  readonly polls: readonly ParkedPoll[];
  readonly nextPollId: number;
  readonly containers: ReadonlySet<string>;
  /**
   * Creations in progress: ids this queue minted (counted from the decision on, kept
   * until their outcome arrives) and ids seen through the in-progress watch.
   */
  readonly creationIds: ReadonlySet<string>;
  /** Counter behind the next minted creation id. */
  readonly nextCreationSeq: number;
  /**
   * Creations that succeeded whose container has not shown up yet (no existing key, no
   * fetch): still counted as in progress, oldest first, each under a keyed timer.
   */
  readonly createdAwaitingKey: ReadonlySet<string>;
  /**
   * New containers that showed up before their creation's success, while this queue had
   * creations pending: the next success is matched against one of them instead of being
   * counted again. Each under a keyed timer.
   */
  readonly earlyContainers: ReadonlySet<string>;
  readonly namespaceContainers: ReadonlySet<string>;
  readonly namespaceCreations: ReadonlySet<string>;
  /** The last `durationBufferSize` durations reported by fetches. */
  readonly durations: readonly number[];
  readonly initialized: boolean;
  /**
   * True from `Start` (a queue created for new work) until its first activation: that
   * activation triggers the decision at once instead of waiting for the tick. A queue
   * that replaces a crashed one starts with `VersionUpdated` and never has it, so a
   * decision that crashes cannot loop without the tick's pace.
   */
  readonly decideOnFirstActivation: boolean;
  /** True while this queue holds the namespace throttle key at "true" (reference §9.8). */
  readonly holdsNamespaceThrottle: boolean;
  /** The latest decision other than `Skip` (reported in the status). */
  readonly lastDecision?: QueueDecision;
}

/** The MemoryQueue states (upstream names) with their extra data. */
export type MemoryQueueState =
  | { readonly name: "Uninitialized"; readonly data: QueueData }
  | { readonly name: "Running"; readonly data: QueueData }
  | { readonly name: "Idle"; readonly data: QueueData }
  | { readonly name: "ActionThrottled"; readonly data: QueueData }
  | { readonly name: "NamespaceThrottled"; readonly data: QueueData }
  | {
    readonly name: "Flushing";
    readonly data: QueueData;
    readonly error: ContainerCreationError;
    readonly reason: string;
    readonly activeDuringFlush: boolean;
  }
  | { readonly name: "Removing"; readonly data: QueueData; readonly outdated: boolean }
  /** `outdated`: a newer revision owns the leader key, so the final `QueueRemoved` omits it. */
  | { readonly name: "Removed"; readonly data: QueueData; readonly outdated: boolean };

/** Timer: the decision tick (upstream's monitoring worker), every `checkIntervalMs`. */
export interface DecisionTick {
  readonly type: "DecisionTick";
}
/** Timer: the dropping tick (upstream's dropping worker `DropOld`), every `dropIntervalMs`. */
export interface DropTick {
  readonly type: "DropTick";
}
/** Timer: the Flushing expiry tick (upstream `StopQueue`), every `flushGraceMs`. */
export interface FlushTick {
  readonly type: "FlushTick";
}
/** Timer: a parked poll's long-poll time is up (upstream `CancelPoll`). */
export interface CancelPoll {
  readonly type: "CancelPoll";
  readonly pollId: number;
}
/** The namespace limits were read (cached) for this tick. */
export interface NamespaceLimitsRead {
  readonly type: "NamespaceLimitsRead";
  readonly limits: NamespaceLimits;
}
/** Reading the namespace limits failed; `noDocument` when the namespace is gone. */
export interface NamespaceLimitsFailed {
  readonly type: "NamespaceLimitsFailed";
  readonly noDocument: boolean;
  readonly reason: string;
}
/** Timer: a creation has been counted long enough without its container showing up. */
export interface CreationRetentionExpired {
  readonly type: "CreationRetentionExpired";
  readonly creationId: string;
}
/** Timer: a container seen before its creation's success matched no success in time. */
export interface EarlyContainerExpired {
  readonly type: "EarlyContainerExpired";
  readonly containerId: string;
}
/** The state timeout. */
export interface StateTimeoutMsg {
  readonly type: "StateTimeout";
}

/** The queue's own messages (timers and I/O results). */
export type MemoryQueueInternal =
  | DecisionTick
  | DropTick
  | FlushTick
  | CancelPoll
  | NamespaceLimitsRead
  | NamespaceLimitsFailed
  | CreationRetentionExpired
  | EarlyContainerExpired
  | StateTimeoutMsg;

/** Every message the queue handles. */
export type MemoryQueueMessage = MemoryQueueCommand | MemoryQueueInternal;

/** How an activation the queue gives up on ends (reference §4.1 "Error completion"). */
export interface ErrorEnding {
  /** 2: action developer error; 3: whisk internal error. */
  readonly statusCode: 2 | 3;
  readonly message: string;
  /** A refusal for too many requests (upstream also emits a `ConcurrentRateLimit` event). */
  readonly tooManyRequests?: boolean;
}

/** The queue's own effects; the shell maps them onto deps (DMS, Watcher, ContainerManager). */
export type MemoryQueueEffect =
  /** One creation per id; the ids are already counted as in progress. */
  | { readonly type: "createContainers"; readonly creationIds: readonly string[] }
  | { readonly type: "deleteContainers" }
  | { readonly type: "complete"; readonly msg: ActivationMessage; readonly ending: ErrorEnding }
  /** Create-only put; the result comes back as `InitialDataStorageResults`. */
  | { readonly type: "registerInitialData"; readonly key: string; readonly value: string }
  | { readonly type: "registerData"; readonly key: string; readonly value: string }
  | { readonly type: "unregisterData"; readonly key: string }
  | {
    readonly type: "watch";
    readonly key: string;
    readonly isPrefix: boolean;
    readonly put: boolean;
    readonly del: boolean;
  }
  | { readonly type: "unwatch"; readonly key: string; readonly isPrefix: boolean }
  | { readonly type: "readNamespaceLimits" }
  | {
    readonly type: "log";
    readonly level: "info" | "warn";
    readonly msg: string;
    readonly meta?: Record<string, unknown>;
  };

/** One effect of a queue transition. */
export type QueueEffect = FsmEffect<MemoryQueueMessage> | MemoryQueueEffect;

/** What a queue transition returns. */
export type QueueStep = Step<MemoryQueueState, MemoryQueueMessage, MemoryQueueEffect>;

/** Timer keys. */
export const DECISION_TIMER = "decision";
export const DROP_TIMER = "drop";
export const FLUSH_TIMER = "flush";
export const pollTimer = (id: number): string => `poll-${id}`;
export const creationTimer = (creationId: string): string => `creation-${creationId}`;
export const earlyContainerTimer = (containerId: string): string => `early-${containerId}`;

/** Upstream's rejection texts. */
export const TOO_MANY_REQUESTS = "Too many concurrent requests in flight.";
export const notInitiated = (ms: number): string =>
  `Activation processing is not initiated for ${ms} ms`;

/** Fresh data for a new queue. */
export function initialData(ctx: QueueContext): QueueData {
  return {
    ctx,
    queue: emptyFifo(),
    polls: [],
    nextPollId: 1,
    containers: new Set(),
    creationIds: new Set(),
    nextCreationSeq: 1,
    createdAwaitingKey: new Set(),
    earlyContainers: new Set(),
    namespaceContainers: new Set(),
    namespaceCreations: new Set(),
    durations: [],
    initialized: false,
    decideOnFirstActivation: false,
    holdsNamespaceThrottle: false,
  };
}

/** Stay in `state` with `data`. */
export function stay(
  state: MemoryQueueState,
  data: QueueData,
  effects: readonly QueueEffect[] = [],
): QueueStep {
  return { next: { ...state, data }, effects };
}

/** Go to a plain state (one with no extra fields). */
export function goto(
  name: "Running" | "Idle" | "ActionThrottled" | "NamespaceThrottled",
  data: QueueData,
  effects: readonly QueueEffect[] = [],
): QueueStep {
  return { next: { name, data }, effects };
}

/** Go to Removed. */
export function removed(
  data: QueueData,
  outdated: boolean,
  effects: readonly QueueEffect[] = [],
): QueueStep {
  return { next: { name: "Removed", data, outdated }, effects };
}

/** Start the decision and dropping ticks (upstream: start both worker actors). */
export function startWorkers(ctx: QueueContext): QueueEffect[] {
  return [
    {
      type: "startTimer",
      key: DECISION_TIMER,
      msg: { type: "DecisionTick" },
      ms: ctx.config.checkIntervalMs,
      repeat: true,
    },
    {
      type: "startTimer",
      key: DROP_TIMER,
      msg: { type: "DropTick" },
      ms: ctx.config.dropIntervalMs,
      repeat: true,
    },
  ];
}

/** Stop both ticks. */
export function stopWorkers(): QueueEffect[] {
  return [{ type: "cancelTimer", key: DECISION_TIMER }, { type: "cancelTimer", key: DROP_TIMER }];
}

/** Watch the four container prefixes and the leader key (DELETE only). */
export function watchAll(keys: QueueKeys): QueueEffect[] {
  const prefix = (key: string): QueueEffect => ({
    type: "watch",
    key,
    isPrefix: true,
    put: true,
    del: true,
  });
  return [
    prefix(keys.inProgress),
    prefix(keys.existing),
    prefix(keys.namespaceInProgress),
    prefix(keys.namespaceExisting),
    { type: "watch", key: keys.leader, isPrefix: false, put: false, del: true },
  ];
}

/** Stop every watch of the queue. */
export function unwatchAll(keys: QueueKeys): QueueEffect[] {
  return [
    { type: "unwatch", key: keys.inProgress, isPrefix: true },
    { type: "unwatch", key: keys.existing, isPrefix: true },
    { type: "unwatch", key: keys.namespaceInProgress, isPrefix: true },
    { type: "unwatch", key: keys.namespaceExisting, isPrefix: true },
    { type: "unwatch", key: keys.leader, isPrefix: false },
  ];
}

/**
 * Give up the queue's etcd keys: the leader key, then the action throttle key, and the
 * namespace throttle key only when this queue set it to "true" (reference §9.8: other
 * queues of the namespace share that key, so a queue that never throttled leaves it).
 */
export function unregisterKeys(data: QueueData): QueueEffect[] {
  const { keys } = data.ctx;
  return [
    { type: "unregisterData", key: keys.leader },
    ...(data.holdsNamespaceThrottle
      ? [{ type: "unregisterData", key: keys.namespaceThrottling } as const]
      : []),
    { type: "unregisterData", key: keys.actionThrottling },
  ];
}

/** The queue's identity as its parent knows it. */
export function queueKey(ctx: QueueContext) {
  return {
    invocationNamespace: ctx.invocationNamespace,
    action: ctx.action,
    revision: ctx.revision,
  };
}

/**
 * `QueueRemoved` to the parent, with or without the leader key; `stopping` when the
 * queue stops right after (the parent then sends no `QueueRemovedCompleted`).
 */
export function queueRemoved(
  ctx: QueueContext,
  withLeaderKey: boolean,
  stopping = false,
): QueueEffect {
  return {
    type: "send",
    to: ctx.parent,
    msg: {
      type: "QueueRemoved",
      queueId: ctx.queueId,
      key: queueKey(ctx),
      ...(withLeaderKey ? { leaderKey: ctx.keys.leader } : {}),
      ...(stopping ? { stopping: true } : {}),
    },
  };
}

/** Send activations to the parent for routing elsewhere (nothing when there are none). */
export function forwardToParent(
  ctx: QueueContext,
  activations: readonly ActivationMessage[],
): QueueEffect[] {
  if (activations.length === 0) return [];
  return [{
    type: "send",
    to: ctx.parent,
    msg: { type: "QueueActivations", queueId: ctx.queueId, key: queueKey(ctx), activations },
  }];
}

/** Whether the queue serves `action@revision` (the version is ignored, the revision decides). */
export function sameAction(
  ctx: QueueContext,
  action: FullyQualifiedEntityName,
  revision: DocRevision,
): boolean {
  return action.path === ctx.action.path && action.name === ctx.action.name &&
    revision === ctx.revision;
}
