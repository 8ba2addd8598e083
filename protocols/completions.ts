/**
 * Protocol of the controller's completions actor: it keeps one entry per accepted
 * activation until its completion ack, answers blocking waiters with the result, and
 * writes a "whisk internal error" record when no completion arrives within the
 * forced-completion window.
 *
 * Mirrors the activation bookkeeping of `core/controller/.../loadBalancer/FPCPoolBalancer.scala`
 * (`setupActivation`, `processAcknowledgement`, `processCompletion`, the forced timeout)
 * and the `completed<cid>` consumer of `CommonLoadBalancer.scala`; differences: a
 * blocking waiter is a ref answered with a {@link WaiterOutcome} value (never a failed
 * promise), the wait runs out inside the actor, and the forced completion stores a
 * record (insert-if-absent) so every accepted activation ends with one.
 *
 * Sections: received, sent (STYLE practice 5).
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { AcknowledgementMessage } from "./activation.ts";
import type { WhiskActivation } from "./whisk_activation.ts";

/** The `to` header of acknowledgements on `completed<cid>`. */
export const COMPLETIONS_ACTOR = "completions";

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/**
 * Tracks an activation about to be published. `forcedRecord` is the record stored if
 * no completion arrives within `forcedAfterMs` (its `end`, `duration` are filled then).
 */
export interface RegisterActivation {
  readonly type: "RegisterActivation";
  readonly activationId: string;
  /** The invocation namespace (the concurrency slot's owner). */
  readonly namespace: string;
  /** The queue leader key the activation was published for. */
  readonly leaderKey: string;
  readonly forcedAfterMs: number;
  readonly forcedRecord: WhiskActivation;
  /** Blocking only: who waits for the result, and for how long. */
  readonly waiter?: { readonly replyTo: Ref<WaiterOutcome>; readonly waitMs: number };
}

/** The activation was never published (rejected): drop it without a record. */
export interface UnregisterActivation {
  readonly type: "UnregisterActivation";
  readonly activationId: string;
}

/** An acknowledgement decoded from `completed<cid>`. */
export interface AckReceived {
  readonly type: "AckReceived";
  readonly ack: AcknowledgementMessage;
}

/** Asks how many activations are tracked (for `/health` and tests). */
export interface GetCompletionsStatus {
  readonly type: "GetCompletionsStatus";
  readonly replyTo: Ref<CompletionsStatus>;
}

/** What the completions actor accepts. */
export type CompletionsCommand =
  | RegisterActivation
  | UnregisterActivation
  | AckReceived
  | GetCompletionsStatus;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** What a blocking waiter gets, exactly once. */
export type WaiterOutcome =
  /** The result arrived with its record. */
  | { readonly type: "ResultReady"; readonly activation: WhiskActivation }
  /** The result arrived shrunk to its id: the record is in the store. */
  | { readonly type: "ResultStored"; readonly activationId: string }
  /** The wait ran out; the activation goes on. */
  | { readonly type: "WaitExpired"; readonly activationId: string }
  /** The activation was unregistered (never published). */
  | { readonly type: "Cancelled"; readonly activationId: string };

/** The answer to {@link GetCompletionsStatus}. */
export interface CompletionsStatus {
  readonly type: "CompletionsStatus";
  /** Activations waiting for their completion ack. */
  readonly inFlight: number;
  /** Of those, the ones with a blocking waiter still waiting. */
  readonly waiting: number;
}
