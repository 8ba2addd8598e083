/**
 * The ActivationClientProxy protocol: what a container proxy tells its activation
 * client (start, request the next activation, hand one back, stop), what the client
 * answers its parent, and the client's states.
 *
 * Mirrors the message definitions of
 * `core/invoker/.../containerpool/v2/ActivationClientProxy.scala`; differences: the
 * parent's address travels as the spawn parent (every event goes to it), the
 * `FailureMessage` carries an `Error` (one of `protocols/activation_client.ts`) and a
 * `reason` tag instead of a raw throwable, and `RescheduleResponse` reuses the
 * ActivationService answer.
 *
 * Another actor may stand in for the client (the invoker health manager's test
 * client answers `StartClient` with `ClientCreationCompleted` at once and each
 * `RequestActivation` with the health activation), as long as it speaks this protocol.
 *
 * @module
 */

import type { ActivationMessage } from "./activation.ts";
import type { RescheduleResponse } from "./activation_service.ts";
import type { FullyQualifiedEntityName } from "./entity_name.ts";
import type { SchedulerEndpoints } from "./health.ts";
import type { DocRevision } from "./revision.ts";

// ---- Received -------------------------------------------------------------------------

/** Create the client to the scheduler the proxy was given. */
export interface StartClient {
  readonly type: "StartClient";
}

/**
 * Fetch the next activation. With `newScheduler` (a resumed container whose queue may
 * live elsewhere now) the client first reconnects when the endpoint differs.
 */
export interface RequestActivation {
  readonly type: "RequestActivation";
  /** Duration in ms of the previous activation, for the queue's average. */
  readonly lastDuration?: number;
  readonly newScheduler?: SchedulerEndpoints;
}

/** The container ran this action once: later fetches say `warmed = true`. */
export interface ContainerWarmed {
  readonly type: "ContainerWarmed";
}

/** Hand an activation back to its queue (a container died before running it). */
export interface RescheduleActivation {
  readonly type: "RescheduleActivation";
  readonly invocationNamespace: string;
  readonly fqn: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly msg: ActivationMessage;
}

/** Close safely now (last fetch with `alive = false`, then close) and answer `ClientClosed`. */
export interface StopClientProxy {
  readonly type: "StopClientProxy";
}

/** Stop pulling: go to Removing; the next `RequestActivation` closes the client. */
export interface ClientGracefulShutdown {
  readonly type: "GracefulShutdown";
}

/** Everything an ActivationClientProxy accepts from its parent. */
export type ActivationClientProxyCommand =
  | StartClient
  | RequestActivation
  | ContainerWarmed
  | RescheduleActivation
  | StopClientProxy
  | ClientGracefulShutdown;

// ---- Sent to the parent -----------------------------------------------------------------

/** The client is connected; the proxy may register its container and pull. */
export interface ClientCreationCompleted {
  readonly type: "ClientCreationCompleted";
}

/** The last fetch came back empty: the parent decides whether to poll again or pause. */
export interface RetryRequestActivation {
  readonly type: "RetryRequestActivation";
}

/** The client is closed and the client proxy has stopped. */
export interface ClientClosed {
  readonly type: "ClientClosed";
}

/** Why the client failed, as the parent needs to tell the cases apart. */
export type ClientFailureReason =
  /** The client could not be created (upstream `ClientCreationFailed`). */
  | "ClientCreationFailed"
  /** The queue holds another revision of the action: the container is outdated. */
  | "ActionMismatch"
  /** The client was closed under us, or the scheduler host cannot be resolved. */
  | "ClientClosed"
  /** Anything else. */
  | "Unknown";

/** The client failed; a `ClientClosed` follows once it has closed. */
export interface ClientFailureMessage {
  readonly type: "FailureMessage";
  readonly reason: ClientFailureReason;
  readonly error: Error;
}

/** The answer to `RescheduleActivation` (`isRescheduled = false` when the call failed). */
export type ClientRescheduleResponse = RescheduleResponse;

/** Everything an ActivationClientProxy sends to its parent (ActivationMessage is forwarded as is). */
export type ActivationClientProxyEvent =
  | ClientCreationCompleted
  | ActivationMessage
  | RetryRequestActivation
  | ClientClosed
  | ClientFailureMessage
  | ClientRescheduleResponse;

// ---- States ---------------------------------------------------------------------------------

/** The client proxy's states. */
export type ActivationClientProxyStateName =
  | "ClientProxyUninitialized"
  | "ClientProxyReady"
  | "ClientProxyRemoving";
