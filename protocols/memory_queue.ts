/**
 * Protocol of the MemoryQueue: the commands it accepts (from its QueueManager, the
 * ActivationService, the CreationJobManager and the watch adapter), what it sends back
 * to its parent and to the ContainerManager, and the status it reports.
 *
 * Mirrors the messages of `core/scheduler/.../queue/MemoryQueue.scala` (`Start`,
 * `VersionUpdated`, `StopSchedulingAsOutdated`, `GracefulShutdown`, `GetActivation`,
 * `QueueRemoved`, `QueueRemovedCompleted`, `StatusData`) and the watch/storage results of
 * `WatcherService.scala` / `DataManagementService.scala`. Differences:
 * - Every message is tagged by `type` and carries its reply address (`replyTo`) instead
 *   of relying on Pekko's `sender()`.
 * - A queue forwards activations to its parent in one `QueueActivations` message naming
 *   the queue, so the manager never routes them back to that queue (reference §9.18).
 * - The `QueueRemoved` a Removed queue sends as it stops says so (`stopping`): the
 *   manager does not answer it (upstream answers a sender that is gone).
 * - The status carries the queue's latest scheduling decision (`lastDecision`).
 * - Creation outcomes, container requests (`container_manager.ts`), watch events
 *   (`watcher.ts`) and storage results (`data_management_service.ts`) are the other
 *   actors' own protocol types; like every `protocols/` file with a `replyTo`, this one
 *   imports the `Ref` type from the actor kit.
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { ActivationMessage } from "./activation.ts";
import type { FetchResponse } from "./activation_service.ts";
import type { FailedCreationJob, SuccessfulCreationJob } from "./container_manager.ts";
import type { InitialDataStorageResults } from "./data_management_service.ts";
import type { FullyQualifiedEntityName } from "./entity_name.ts";
import type { DocRevision } from "./revision.ts";
import type { DecisionResults, QueueStateName } from "./scheduling_decision_maker.ts";
import type { WatchEndpointInserted, WatchEndpointRemoved, WatcherClosed } from "./watcher.ts";

/** Leave Uninitialized as a freshly elected leader: write the throttle keys, watch the leader key. */
export interface Start {
  readonly type: "Start";
}

/** Leave Uninitialized as the queue of a new revision (the leader key already exists). */
export interface VersionUpdated {
  readonly type: "VersionUpdated";
}

/** A newer revision took over: drain to the old containers, then delete them. */
export interface StopSchedulingAsOutdated {
  readonly type: "StopSchedulingAsOutdated";
}

/** The scheduler is shutting down: give up the etcd keys, keep serving until empty. */
export interface GracefulShutdown {
  readonly type: "GracefulShutdown";
}

/** The manager dropped the queue from its pool: a Removed queue stops. */
export interface QueueRemovedCompleted {
  readonly type: "QueueRemovedCompleted";
}

/**
 * A container asks for its next activation (upstream `GetActivation`). The answer is a
 * {@link FetchResponse}: an activation, `NoActivation` after the long poll, `NoMemoryQueue`
 * from a removed queue, or `ActionMismatch` for another action or revision.
 */
export interface GetActivation {
  readonly type: "GetActivation";
  readonly invocationNamespace?: string;
  /** The action (its version is ignored; `revision` decides). */
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly containerId: string;
  /** The container has run this action before: its polls are served first. */
  readonly warmed: boolean;
  /** Duration in ms of the container's previous activation. */
  readonly lastDuration?: number;
  /** False when the container is shutting down. */
  readonly alive: boolean;
  readonly replyTo: Ref<FetchResponse>;
}

/** Ask for the queue's status (upstream `GetState` → `StatusData`). */
export interface GetQueueState {
  readonly type: "GetState";
  readonly replyTo: Ref<QueueStatus>;
}

/**
 * The latest scheduling decision a queue applied (for the dev console): the kind, the
 * containers it asked for, and when (the queue's clock, ms). `Skip`, the answer of most
 * ticks, is not recorded, so the last decision that did something stays visible.
 */
export interface QueueDecision {
  readonly type: Exclude<DecisionResults["type"], "Skip">;
  readonly num?: number;
  readonly at: number;
}

/**
 * What a queue reports about itself (upstream `StatusData`, plus `lastDecision`).
 *
 * There is no in-flight count: a queue learns that it handed an activation out, but
 * never that the activation completed (the completion goes from the invoker to the
 * controller), so "handed out and not yet completed" is not knowable here.
 */
export interface QueueStatus {
  readonly type: "QueueStatus";
  readonly invocationNamespace: string;
  /** `path/name@version`. */
  readonly action: string;
  readonly revision: DocRevision;
  /** Ids of the waiting activations, oldest first. */
  readonly waitingActivation: readonly string[];
  readonly stateName: QueueStateName;
  readonly containers: number;
  readonly creationIds: number;
  /** Absent until the queue has applied a decision other than `Skip`. */
  readonly lastDecision?: QueueDecision;
}

/** Every message a MemoryQueue accepts from others. */
export type MemoryQueueCommand =
  | Start
  | VersionUpdated
  | StopSchedulingAsOutdated
  | GracefulShutdown
  | QueueRemovedCompleted
  | ActivationMessage
  | GetActivation
  | SuccessfulCreationJob
  | FailedCreationJob
  | WatchEndpointInserted
  | WatchEndpointRemoved
  | WatcherClosed
  | InitialDataStorageResults
  | GetQueueState;

/** Identifies one queue inside its manager. */
export interface MemoryQueueKey {
  readonly invocationNamespace: string;
  /** The action with its version. */
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
}

/**
 * The queue left the pool (upstream `QueueRemoved`). `leaderKey` is set when the queue
 * gave up leadership (the manager then forgets the key's revision), absent when a newer
 * revision's queue keeps using the key.
 */
export interface QueueRemoved {
  readonly type: "QueueRemoved";
  readonly queueId: string;
  readonly key: MemoryQueueKey;
  readonly leaderKey?: string;
  /** The queue stops right after sending this: no `QueueRemovedCompleted` is expected. */
  readonly stopping?: boolean;
}

/** A dying queue hands activations back to its manager for routing elsewhere. */
export interface QueueActivations {
  readonly type: "QueueActivations";
  readonly queueId: string;
  readonly key: MemoryQueueKey;
  readonly activations: readonly ActivationMessage[];
}

/** A Removing queue is leader again (upstream `QueueReactivated`). */
export interface QueueReactivated {
  readonly type: "QueueReactivated";
  readonly queueId: string;
  readonly key: MemoryQueueKey;
}

/** What a MemoryQueue sends to its parent QueueManager. */
export type QueueToManager = QueueRemoved | QueueActivations | QueueReactivated;
