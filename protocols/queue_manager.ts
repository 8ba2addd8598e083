/**
 * Protocol of the QueueManager: queue creation, activation intake (from the controller
 * and from other schedulers), the queue lookup and reschedule path the ActivationService
 * uses, and what it tells its MemoryQueue children and their replies.
 *
 * Mirrors the messages of `core/scheduler/.../queue/QueueManager.scala` (`CreateQueue`,
 * `ActivationMessage`, `UpdateMemoryQueue`, `CreateNewQueue`, `RecoverQueue`,
 * `QueueRemoved`, `QueueReactivated`, `QueueSize`, `GetState`) and the queue lookup
 * `ActivationServiceImpl.scala` does on `QueuePool`. Differences:
 * - The ActivationService does not read a process-global pool: it asks with
 *   {@link GetQueue} and gets a {@link QueueLookup} (`Queue`, `NoMemoryQueue`,
 *   `ActionMismatch`).
 * - An activation another scheduler forwarded arrives as {@link ForwardedActivation}
 *   carrying the `forwarded-from` header, so a loop back to this scheduler is detected by
 *   scheduler id instead of `sender == self`.
 * - `UpdateMemoryQueue`, `CreateNewQueue` and `RecoverQueue` are internal: they follow a
 *   metadata fetch ({@link ActionMetadataFetched}).
 * - A crashed queue's activations come back in {@link QueueCrashed}.
 *
 * Sections: received, sent, internal (STYLE practice 5).
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { ActivationMessage } from "./activation.ts";
import type { RescheduleResponse } from "./activation_service.ts";
import type { ElectionResult } from "./data_management_service.ts";
import type { FullyQualifiedEntityName } from "./entity_name.ts";
import type { SchedulerEndpoints } from "./health.ts";
import type {
  GracefulShutdown,
  MemoryQueueCommand,
  QueueStatus,
  QueueToManager,
} from "./memory_queue.ts";
import type { CreateQueue, CreateQueueResponse } from "./queue.ts";
import type { DocRevision } from "./revision.ts";
import type { WatchEndpointInserted, WatchEndpointRemoved, WatcherClosed } from "./watcher.ts";
import type { WhiskActionMetaData } from "./whisk_action.ts";

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** `CreateQueue` with the address of its answer (the bridge fills it from `reply-to`). */
export interface CreateQueueRequest extends CreateQueue {
  readonly replyTo?: Ref<CreateQueueResponse>;
}

/** An activation another scheduler forwarded to this one (`forwarded-from` header). */
export interface ForwardedActivation {
  readonly type: "ForwardedActivation";
  readonly activation: ActivationMessage;
  /** The scheduler id that forwarded it. */
  readonly forwardedFrom: string;
}

/** The ActivationService looks up the queue of a fetch (upstream reads `QueuePool`). */
export interface GetQueue {
  readonly type: "GetQueue";
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly replyTo: Ref<QueueLookup>;
}

/** The answer to {@link GetQueue}. */
export type QueueLookup =
  /** The leader queue of exactly this revision: send it `GetActivation`. */
  | { readonly type: "Queue"; readonly ref: Ref<MemoryQueueCommand> }
  /** No queue for this action here: the client reads the leader key and follows it. */
  | { readonly type: "NoMemoryQueue" }
  /** A queue of another revision of the action is here. */
  | { readonly type: "ActionMismatch" };

/** A container hands an activation back (upstream `RescheduleActivation`). */
export interface RescheduleActivation {
  readonly type: "RescheduleActivation";
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly activation: ActivationMessage;
  readonly replyTo?: Ref<RescheduleResponse>;
}

/** How many queues the manager holds (upstream `QueueSize`). */
export interface QueueSize {
  readonly type: "QueueSize";
  readonly replyTo: Ref<QueueSizeResult>;
}

/** The answer to {@link QueueSize}. */
export interface QueueSizeResult {
  readonly type: "QueueSizeResult";
  /** Every queue in the pool. */
  readonly size: number;
  /** The queues this scheduler leads. */
  readonly leaders: number;
}

/** The status of every queue (upstream `GetState`); each queue gets 5 s to answer. */
export interface GetQueueStates {
  readonly type: "GetState";
  readonly replyTo: Ref<QueueStates>;
}

/** The answer to {@link GetQueueStates}: the queues that answered in time. */
export interface QueueStates {
  readonly type: "QueueStates";
  readonly queues: readonly QueueStatus[];
}

/** Every message the QueueManager accepts from others. */
export type QueueManagerCommand =
  | CreateQueueRequest
  | ActivationMessage
  | ForwardedActivation
  | GetQueue
  | RescheduleActivation
  | ElectionResult
  | QueueToManager
  | WatchEndpointInserted
  | WatchEndpointRemoved
  | WatcherClosed
  | GracefulShutdown
  | QueueSize
  | GetQueueStates;

// ---------------------------------------------------------------------------
// Internal (told by the manager's shell to itself)
// ---------------------------------------------------------------------------

/** Why the manager fetched an action's metadata. */
export type MetadataPurpose =
  /** A newer revision arrived: demote the old queue, create the new one (upstream `UpdateMemoryQueue`). */
  | "update"
  /** A message looped back here with no queue: recreate it (upstream `RecoverQueue`). */
  | "recover";

/** The action's metadata was read (then `CreateNewQueue` or `RecoverQueue`). */
export interface ActionMetadataFetched {
  readonly type: "ActionMetadataFetched";
  readonly purpose: MetadataPurpose;
  readonly activation: ActivationMessage;
  readonly revision: DocRevision;
  readonly metadata: WhiskActionMetaData;
}

/** Reading the action's metadata failed. */
export interface ActionMetadataFailed {
  readonly type: "ActionMetadataFailed";
  readonly purpose: MetadataPurpose;
  readonly activation: ActivationMessage;
  readonly reason: string;
}

/** One read of a leader key came back (`endpoints` absent: missing, unreadable or failed). */
export interface LeaderRead {
  readonly type: "LeaderRead";
  readonly leaderKey: string;
  readonly attempt: number;
  readonly endpoints?: SchedulerEndpoints;
  /** Set when the value was present but did not parse. */
  readonly unparseable?: boolean;
}

/** Timer: read the leader key again. */
export interface RetryLeaderRead {
  readonly type: "RetryLeaderRead";
  readonly leaderKey: string;
  readonly attempt: number;
}

/** A queue crashed and was stopped; these are the activations it held. */
export interface QueueCrashed {
  readonly type: "QueueCrashed";
  readonly queueId: string;
  readonly activations: readonly ActivationMessage[];
}

/** Timer: publish `SchedulerStates` (about every second). */
export interface PublishStates {
  readonly type: "PublishStates";
}

/** The `Starting` state timeout (0 ms): start the watch and the publish timer. */
export interface QueueManagerStateTimeout {
  readonly type: "StateTimeout";
}

/** Messages the QueueManager sends itself. */
export type QueueManagerInternal =
  | QueueManagerStateTimeout
  | ActionMetadataFetched
  | ActionMetadataFailed
  | LeaderRead
  | RetryLeaderRead
  | QueueCrashed
  | PublishStates;

/** Every message the QueueManager handles. */
export type QueueManagerMessage = QueueManagerCommand | QueueManagerInternal;
