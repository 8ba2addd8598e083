/**
 * The ActivationService messages (HTTP long-poll between a container's activation
 * client and the scheduler that holds the action's queue): fetch and reschedule
 * requests and their answers, exactly as ARCHITECTURE defines them.
 *
 * Mirrors `core/scheduler/src/main/protobuf/activation.proto` (`FetchRequest`,
 * `FetchResponse`, `RescheduleRequest`, `RescheduleResponse`) and the
 * `ActivationResponse` errors of `ActivationServiceImpl.scala`; differences: JSON over
 * HTTP instead of gRPC, the answer is tagged by `type` (`Activation`, `NoActivation`,
 * `NoMemoryQueue`, `ActionMismatch`); upstream's `NoActivationMessage` tag is
 * accepted as `NoActivation`.
 *
 * @module
 */

import {
  type At,
  boolean,
  child,
  integer,
  invalid,
  nonEmptyString,
  object,
  opt,
  optional,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";
import {
  type ActivationMessage,
  decodeActivationMessageAt,
  encodeActivationMessage,
} from "./activation.ts";
import { decodeFqnAt, encodeFqn, type FullyQualifiedEntityName } from "./entity_name.ts";
import { decodeRevisionAt, type DocRevision, encodeRevision } from "./revision.ts";

/** `POST /activations/fetch`: a container asks for its next activation. */
export interface FetchRequest {
  readonly type: "FetchRequest";
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly containerId: string;
  /** Whether the container has run this action before (warmed requests go first). */
  readonly warmed: boolean;
  /** Duration in ms of the previous activation, for the queue's average. */
  readonly lastDuration?: number;
  readonly alive: boolean;
}

/** The answer to a fetch. */
export type FetchResponse =
  | { readonly type: "Activation"; readonly activation: ActivationMessage }
  | { readonly type: "NoActivation" }
  | { readonly type: "NoMemoryQueue" }
  | { readonly type: "ActionMismatch" };

/** `POST /activations/reschedule`: hand an activation back to its queue. */
export interface RescheduleRequest {
  readonly type: "RescheduleRequest";
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly activation: ActivationMessage;
}

/** The answer to a reschedule: true when a queue for the revision took it back. */
export interface RescheduleResponse {
  readonly type: "RescheduleResponse";
  readonly isRescheduled: boolean;
}

/** JSON body of a fetch request. */
export function encodeFetchRequest(r: FetchRequest): Record<string, unknown> {
  return {
    invocationNamespace: r.invocationNamespace,
    action: encodeFqn(r.action),
    revision: encodeRevision(r.revision),
    containerId: r.containerId,
    warmed: r.warmed,
    ...opt("lastDuration", r.lastDuration),
    alive: r.alive,
  };
}

/** Decodes a fetch request body. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeFetchRequest(input: unknown): FetchRequest {
  const at = root("FetchRequest");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "FetchRequest",
    invocationNamespace: nonEmptyString(
      own(rec, "invocationNamespace"),
      child(at, "invocationNamespace"),
    ),
    action: decodeFqnAt(own(rec, "action"), child(at, "action")),
    revision: decodeRevisionAt(own(rec, "revision"), child(at, "revision")),
    containerId: nonEmptyString(own(rec, "containerId"), child(at, "containerId")),
    warmed: boolean(own(rec, "warmed"), child(at, "warmed")),
    ...opt("lastDuration", optional(rec, at, "lastDuration", (v, a) => integer(v, a, 0))),
    alive: boolean(own(rec, "alive"), child(at, "alive")),
  };
}

/** JSON body of a fetch response. */
export function encodeFetchResponse(r: FetchResponse): Record<string, unknown> {
  return r.type === "Activation"
    ? { type: r.type, activation: encodeActivationMessage(r.activation) }
    : { type: r.type };
}

function fetchTypeAt(value: unknown, at: At): FetchResponse["type"] {
  const t = string(value, at);
  if (t === "NoActivationMessage") return "NoActivation";
  if (
    t === "Activation" || t === "NoActivation" || t === "NoMemoryQueue" || t === "ActionMismatch"
  ) {
    return t;
  }
  return invalid(
    at,
    `must be one of "Activation", "NoActivation", "NoMemoryQueue", "ActionMismatch", got "${t}"`,
  );
}

/** Decodes a fetch response body. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeFetchResponse(input: unknown): FetchResponse {
  const at = root("FetchResponse");
  const rec = object(parseInput(at.what, input), at);
  const type = fetchTypeAt(own(rec, "type"), child(at, "type"));
  if (type !== "Activation") return { type };
  return {
    type,
    activation: decodeActivationMessageAt(own(rec, "activation"), child(at, "activation")),
  };
}

/** JSON body of a reschedule request. */
export function encodeRescheduleRequest(r: RescheduleRequest): Record<string, unknown> {
  return {
    invocationNamespace: r.invocationNamespace,
    action: encodeFqn(r.action),
    revision: encodeRevision(r.revision),
    activation: encodeActivationMessage(r.activation),
  };
}

/** Decodes a reschedule request body. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeRescheduleRequest(input: unknown): RescheduleRequest {
  const at = root("RescheduleRequest");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "RescheduleRequest",
    invocationNamespace: nonEmptyString(
      own(rec, "invocationNamespace"),
      child(at, "invocationNamespace"),
    ),
    action: decodeFqnAt(own(rec, "action"), child(at, "action")),
    revision: decodeRevisionAt(own(rec, "revision"), child(at, "revision")),
    activation: decodeActivationMessageAt(own(rec, "activation"), child(at, "activation")),
  };
}

/** JSON body of a reschedule response. */
export function encodeRescheduleResponse(r: RescheduleResponse): Record<string, unknown> {
  return { isRescheduled: r.isRescheduled };
}

/** Decodes a reschedule response body. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeRescheduleResponse(input: unknown): RescheduleResponse {
  const at = root("RescheduleResponse");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "RescheduleResponse",
    isRescheduled: boolean(own(rec, "isRescheduled"), child(at, "isRescheduled")),
  };
}
