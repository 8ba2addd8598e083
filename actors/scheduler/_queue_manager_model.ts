/**
 * The QueueManager's model: its state (upstream's four maps as immutable values), its
 * own effects, and small pure helpers. Mirrors the fields of upstream `QueueManager.scala`
 * (`QueuePool`, `initRevisionMap`, `actorSelectionMap`, `leaderElectionCallbacks`,
 * reference §1.3 and §4.2).
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import { fqnString } from "../../protocols/entity_name.ts";
import { queueLeaderKey } from "../../protocols/etcd_keys.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import type { MemoryQueueCommand, MemoryQueueKey } from "../../protocols/memory_queue.ts";
import type { CreateQueueResponse } from "../../protocols/queue.ts";
import type {
  MetadataPurpose,
  QueueLookup,
  QueueManagerMessage,
  QueueStates,
} from "../../protocols/queue_manager.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import type { FsmEffect, Step } from "../../runtime/actors/fsm.ts";
import type { Ref } from "../../runtime/actors/ref.ts";
import type { ErrorOutcome } from "./_error_completion.ts";

/** The manager's settings (names follow `DEFAULTS.scheduling`). */
export interface QueueManagerConfig {
  /** This scheduler's id (`asString`), to spot activations forwarded back to it. */
  readonly schedulerId: string;
  readonly endpoints: SchedulerEndpoints;
  /** The `SchedulerEndpoints` JSON written as leader value. */
  readonly endpointsValue: string;
  readonly maxSchedulingTimeMs: number;
  readonly maxRetriesToGetQueue: number;
  /** How often `SchedulerStates` is published (1 s upstream). */
  readonly publishIntervalMs: number;
  /** etcd cluster prefix (default `whisk`). */
  readonly cluster?: string;
}

/** One queue of the pool. */
export interface PoolEntry {
  readonly id: string;
  readonly key: MemoryQueueKey;
  readonly metadata: WhiskActionMetaData;
  /** False once a newer revision took over or the queue is dying. */
  readonly leader: boolean;
}

/** A `CreateQueue` waiting for its election. */
export interface PendingElection {
  readonly key: MemoryQueueKey;
  readonly metadata: WhiskActionMetaData;
  readonly replyTo: readonly Ref<CreateQueueResponse>[];
}

/** Everything the manager knows. */
export interface QueueManagerData {
  readonly config: QueueManagerConfig;
  readonly pool: ReadonlyMap<string, PoolEntry>;
  /** Leader key → revision of the live queue (upstream `initRevisionMap`). */
  readonly revisions: ReadonlyMap<string, DocRevision>;
  /** Leader key → its scheduler's endpoints, fed by the `queue/` watch (`actorSelectionMap`). */
  readonly leaders: ReadonlyMap<string, SchedulerEndpoints>;
  readonly elections: ReadonlyMap<string, PendingElection>;
  /** Leader key → activations waiting for a leader-key read. */
  readonly leaderReads: ReadonlyMap<string, readonly ActivationMessage[]>;
  /** Leader key → activations waiting for a metadata fetch (update or recovery). */
  readonly fetches: ReadonlyMap<string, readonly ActivationMessage[]>;
  readonly nextQueueId: number;
  /** Set by `GracefulShutdown`: every queue created afterwards is shut down at once. */
  readonly shuttingDown: boolean;
}

/**
 * `Starting` fires at once (0 ms state timeout) and asks the shell for the queues that
 * outlived a previous incarnation; `Adopting` waits for them (stashing everything), then
 * `Active` starts the watch and the publish timer.
 */
export type QueueManagerState =
  | { readonly name: "Starting"; readonly data: QueueManagerData }
  | { readonly name: "Adopting"; readonly data: QueueManagerData }
  | { readonly name: "Active"; readonly data: QueueManagerData };

/**
 * The shell's answer to `adoptQueues`: the queues that outlived the previous incarnation
 * of the manager (empty on a first start), and the activations that incarnation held
 * while waiting for a leader read or a metadata fetch.
 */
export interface QueuesAdopted {
  readonly type: "QueuesAdopted";
  /** Live queues; `leader` is false for a queue that is Removing or Removed. */
  readonly queues: readonly PoolEntry[];
  /** Held by the crashed incarnation: routed again. */
  readonly reroute: readonly ActivationMessage[];
  /** Held by two crashed incarnations in a row: ended with records (no crash loop). */
  readonly abandon: readonly ActivationMessage[];
  /** The crashed incarnation had received `GracefulShutdown`. */
  readonly shuttingDown: boolean;
}

/** Every message the manager's transition handles: the protocol plus the adoption answer. */
export type ManagerMessage = QueueManagerMessage | QueuesAdopted;

/** The manager's own effects; the shell performs them through deps. */
export type QueueManagerEffect =
  /** Find the queues a previous incarnation left running; answered by `QueuesAdopted`. */
  | { readonly type: "adoptQueues" }
  | { readonly type: "electLeader"; readonly key: string; readonly value: string }
  | {
    readonly type: "spawnQueue";
    readonly entry: PoolEntry;
    readonly start: "Start" | "VersionUpdated";
    /** Tell the new queue `GracefulShutdown` right away (the manager is shutting down). */
    readonly shutdown: boolean;
  }
  | { readonly type: "toQueue"; readonly queueId: string; readonly msg: MemoryQueueCommand }
  /** The queue left the pool for good: drop its ref. */
  | { readonly type: "forgetQueue"; readonly queueId: string }
  | { readonly type: "replyQueue"; readonly replyTo: Ref<QueueLookup>; readonly queueId: string }
  | {
    readonly type: "forwardToLeader";
    readonly msg: ActivationMessage;
    readonly endpoints: SchedulerEndpoints;
  }
  | { readonly type: "readLeader"; readonly leaderKey: string; readonly attempt: number }
  | {
    readonly type: "fetchMetadata";
    readonly purpose: MetadataPurpose;
    readonly activation: ActivationMessage;
  }
  | {
    readonly type: "complete";
    readonly msg: ActivationMessage;
    readonly outcome: ErrorOutcome;
    readonly metadata?: WhiskActionMetaData;
  }
  | { readonly type: "watchQueues" }
  | { readonly type: "unregisterScheduler" }
  | { readonly type: "publishStates"; readonly leaderCount: number }
  | {
    readonly type: "collectStates";
    readonly queueIds: readonly string[];
    readonly replyTo: Ref<QueueStates>;
  }
  | {
    readonly type: "log";
    readonly level: "info" | "warn";
    readonly msg: string;
    readonly meta?: Record<string, unknown>;
  };

/** One manager effect. */
export type ManagerEffect = FsmEffect<ManagerMessage> | QueueManagerEffect;

/** What a manager transition returns. */
export type ManagerStep = Step<QueueManagerState, ManagerMessage, QueueManagerEffect>;

/** Upstream's refusal texts. */
export const TOO_OLD = "The activation has not been processed: too old activation is arrived.";
export const NO_QUEUE_ENDPOINT = "failed to get the queue endpoint";
export const BAD_QUEUE_ENDPOINT = "failed to parse the scheduler endpoint";

/** The warm-up action (reference §4.7): never queued. */
export function isWarmUpAction(action: FullyQualifiedEntityName): boolean {
  return action.path === "whisk.system" && action.name === "warmUp";
}

/** The leader key of an activation's action. */
export function leaderKeyOf(data: QueueManagerData, ns: string, action: FullyQualifiedEntityName) {
  return queueLeaderKey(ns, action, data.config.cluster);
}

/** Same action (path and name; version and revision aside). */
export function sameActionName(a: FullyQualifiedEntityName, b: FullyQualifiedEntityName) {
  return fqnString(a) === fqnString(b);
}

/** The pool entries of one action in one namespace. */
export function entriesOf(
  data: QueueManagerData,
  ns: string,
  action: FullyQualifiedEntityName,
): PoolEntry[] {
  return [...data.pool.values()].filter((e) =>
    e.key.invocationNamespace === ns && sameActionName(e.key.action, action)
  );
}

/** The leader queue of exactly this revision, if any. */
export function leaderOf(
  data: QueueManagerData,
  ns: string,
  action: FullyQualifiedEntityName,
  revision: DocRevision,
): PoolEntry | undefined {
  return entriesOf(data, ns, action).find((e) => e.leader && e.key.revision === revision);
}

/** Whether `endpoints` are this scheduler's. */
export function isSelf(data: QueueManagerData, endpoints: SchedulerEndpoints): boolean {
  return endpoints.host === data.config.endpoints.host &&
    endpoints.rpcPort === data.config.endpoints.rpcPort;
}

/** Returns a copy of `map` with `key` set (or deleted when `value` is undefined). */
export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V | undefined): Map<K, V> {
  const copy = new Map(map);
  if (value === undefined) copy.delete(key);
  else copy.set(key, value);
  return copy;
}

/** The activation re-stamped with `revision`. */
export function restamp(msg: ActivationMessage, revision: DocRevision): ActivationMessage {
  return msg.revision === revision ? msg : { ...msg, revision };
}

/** Fresh data. */
export function initialManagerData(config: QueueManagerConfig): QueueManagerData {
  return {
    config,
    pool: new Map(),
    revisions: new Map(),
    leaders: new Map(),
    elections: new Map(),
    leaderReads: new Map(),
    fetches: new Map(),
    nextQueueId: 1,
    shuttingDown: false,
  };
}
