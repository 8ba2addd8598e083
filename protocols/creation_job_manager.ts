/**
 * Protocol of the CreationJobManager: container creations waiting for the invoker's
 * ack. Mirrors the messages of `core/scheduler/.../container/CreationJobManager.scala`
 * (`RegisterCreationJob`, `FinishCreationJob`, `GracefulShutdown`) and its job pool.
 *
 * Differences from upstream: the job timer and the retry backoff are keyed timers on
 * the injected clock and come back as internal messages; an ack's error name always
 * parses (see `container_manager.ts`), so no ack is lost to a parse failure.
 *
 * The manager sends `SuccessfulCreationJob`/`FailedCreationJob` to the leader queue and
 * to the ContainerManager, and `ReschedulingCreationJob` to the ContainerManager (all
 * in `container_manager.ts`).
 *
 * @module
 */

import type { ContainerCreationAckMessage, ContainerCreationMessage } from "./container.ts";
import type { ContainerManagerShutdown, FailedCreationJob } from "./container_manager.ts";

/**
 * Track a creation sent to an invoker (upstream `RegisterCreationJob`). Registering a
 * `creationId` that is already tracked (a retry) keeps the original timer.
 */
export interface RegisterCreationJob {
  readonly type: "RegisterCreationJob";
  readonly msg: ContainerCreationMessage;
}

/** An invoker's ack arrived on `creationAck<sid>` (upstream `FinishCreationJob`). */
export interface FinishCreationJob {
  readonly type: "FinishCreationJob";
  readonly ack: ContainerCreationAckMessage;
}

/**
 * Everything other actors (and the ack feed) may send the CreationJobManager. A
 * `FailedCreationJob` comes from the ContainerManager when a rescheduled job finds no
 * invoker: the job ends at once (upstream left it, and its in-progress key, until the
 * job timeout).
 */
export type CreationJobManagerCommand =
  | RegisterCreationJob
  | FinishCreationJob
  | FailedCreationJob
  | ContainerManagerShutdown;

/** The job's timer fired before any final ack. */
export interface CreationJobTimedOut {
  readonly type: "CreationJobTimedOut";
  readonly creationId: string;
}

/** A retry's backoff elapsed: reschedule `msg` (already carrying the new `retryCount`). */
export interface CreationRetryDue {
  readonly type: "CreationRetryDue";
  readonly msg: ContainerCreationMessage;
}

/** The CreationJobManager's own timer messages. */
export type CreationJobManagerInternal = CreationJobTimedOut | CreationRetryDue;

/** Every message the CreationJobManager handles. */
export type CreationJobManagerMessage = CreationJobManagerCommand | CreationJobManagerInternal;
