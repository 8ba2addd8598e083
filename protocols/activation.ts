/**
 * The activation path's wire messages: `ActivationMessage` (controller → scheduler,
 * scheduler → scheduler, scheduler → container proxy) and the three acknowledgements
 * a controller receives on `completed<cid>`: `CombinedCompletionAndResultMessage`,
 * `CompletionMessage` and `ResultMessage`.
 *
 * Mirrors `common/scala/.../core/connector/Message.scala`; differences: in memory each
 * message is tagged by `type` (the wire value has no tag: the `type` header carries
 * it), and a shrunk response is a plain activation-id string.
 *
 * @module
 */

import {
  array,
  type At,
  boolean,
  child,
  fail,
  json,
  type JsonObject,
  jsonObject,
  type JsonValue,
  nonEmptyString,
  object,
  opt,
  optional,
  own,
  parseInput,
  root,
  string,
  stringMap,
} from "./_decode.ts";
import { decodeFqnAt, encodeFqn, type FullyQualifiedEntityName } from "./entity_name.ts";
import { decodeIdentityAt, encodeIdentity, type Identity } from "./identity.ts";
import {
  type ControllerInstanceId,
  decodeControllerInstanceAt,
  decodeInstanceIdAt,
  encodeInstanceId,
  type InstanceId,
} from "./instance_id.ts";
import { decodeRevisionAt, type DocRevision, encodeRevision } from "./revision.ts";
import { decodeTransidAt, encodeTransid, type TransactionMetadata } from "./transaction_id.ts";
import { decodeActivationAt, encodeActivation, type WhiskActivation } from "./whisk_activation.ts";

/** An activation to run. */
export interface ActivationMessage {
  readonly type: "ActivationMessage";
  readonly transid: TransactionMetadata;
  /** The action, with its version. */
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  /** The caller (its namespace is the invocation namespace). */
  readonly user: Identity;
  readonly activationId: string;
  /** The controller that waits for the acks (`completed<asString>`). */
  readonly rootControllerIndex: ControllerInstanceId;
  readonly blocking: boolean;
  /** The parameters. */
  /** The parameters: an object, or an array passed through as upstream does. */
  readonly content?: JsonObject | readonly JsonValue[];
  /** Names of parameters passed to `/init`. */
  readonly initArgs: readonly string[];
  /** Encrypted parameters: name → encryption scheme. */
  readonly lockedArgs: Readonly<Record<string, string>>;
  /** The enclosing sequence activation. */
  readonly cause?: string;
  readonly traceContext?: Readonly<Record<string, string>>;
}

/** Result plus slot release (a blocking activation's ack). */
export interface CombinedCompletionAndResultMessage {
  readonly type: "CombinedCompletionAndResultMessage";
  readonly transid: TransactionMetadata;
  /** The record, or only its activation id when shrunk. */
  readonly response: WhiskActivation | string;
  readonly isSystemError?: boolean;
  readonly instance: InstanceId;
}

/** Slot release only. */
export interface CompletionMessage {
  readonly type: "CompletionMessage";
  readonly transid: TransactionMetadata;
  readonly activationId: string;
  readonly isSystemError?: boolean;
  readonly instance: InstanceId;
}

/** Result only (sent before the completion when logs are collected afterwards). */
export interface ResultMessage {
  readonly type: "ResultMessage";
  readonly transid: TransactionMetadata;
  readonly response: WhiskActivation | string;
}

/** Every acknowledgement on `completed<cid>`. */
export type AcknowledgementMessage =
  | CombinedCompletionAndResultMessage
  | CompletionMessage
  | ResultMessage;

/** The activation id an acknowledgement is about. */
export function ackActivationId(ack: AcknowledgementMessage): string {
  if (ack.type === "CompletionMessage") return ack.activationId;
  return typeof ack.response === "string" ? ack.response : ack.response.activationId;
}

/** Wire value of an `ActivationMessage`. */
export function encodeActivationMessage(m: ActivationMessage): Record<string, unknown> {
  return {
    transid: encodeTransid(m.transid),
    action: encodeFqn(m.action),
    revision: encodeRevision(m.revision),
    user: encodeIdentity(m.user),
    activationId: m.activationId,
    rootControllerIndex: encodeInstanceId(m.rootControllerIndex),
    blocking: m.blocking,
    ...opt("content", m.content),
    initArgs: [...m.initArgs],
    lockedArgs: { ...m.lockedArgs },
    ...opt("cause", m.cause),
    ...opt("traceContext", m.traceContext),
  };
}

/** Decodes an `ActivationMessage` at `at` (e.g. inside a fetch response). */
export function decodeActivationMessageAt(value: unknown, at: At): ActivationMessage {
  const rec = object(value, at);
  return {
    type: "ActivationMessage",
    transid: decodeTransidAt(own(rec, "transid"), child(at, "transid")),
    action: decodeFqnAt(own(rec, "action"), child(at, "action")),
    revision: decodeRevisionAt(own(rec, "revision"), child(at, "revision")),
    user: decodeIdentityAt(own(rec, "user"), child(at, "user")),
    activationId: nonEmptyString(own(rec, "activationId"), child(at, "activationId")),
    rootControllerIndex: decodeControllerInstanceAt(
      own(rec, "rootControllerIndex"),
      child(at, "rootControllerIndex"),
    ),
    blocking: boolean(own(rec, "blocking"), child(at, "blocking")),
    ...opt("content", optional(rec, at, "content", paramsContent)),
    initArgs: optional(rec, at, "initArgs", (v, a) => array(v, a, string)) ?? [],
    lockedArgs: optional(rec, at, "lockedArgs", stringMap) ?? {},
    ...opt("cause", optional(rec, at, "cause", string)),
    ...opt("traceContext", optional(rec, at, "traceContext", stringMap)),
  };
}

/**
 * Decodes an `ActivationMessage` from JSON text, bytes or a parsed value.
 *
 * @throws {SyntaxError} on bad JSON; {TypeError} on a bad shape
 */
export function decodeActivationMessage(input: unknown): ActivationMessage {
  return decodeActivationMessageAt(
    parseInput("ActivationMessage", input),
    root("ActivationMessage"),
  );
}

function encodeResponse(r: WhiskActivation | string): unknown {
  return typeof r === "string" ? r : encodeActivation(r);
}

function responseAt(value: unknown, at: At): WhiskActivation | string {
  if (typeof value === "string") return nonEmptyString(value, at);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(at, "an activation object or an activation id string", value);
  }
  return decodeActivationAt(value, at);
}

/** Wire value of an acknowledgement (upstream's fields; no tag). */
export function encodeAcknowledgement(m: AcknowledgementMessage): Record<string, unknown> {
  const transid = encodeTransid(m.transid);
  switch (m.type) {
    case "CombinedCompletionAndResultMessage":
      return {
        transid,
        response: encodeResponse(m.response),
        ...opt("isSystemError", m.isSystemError),
        instance: encodeInstanceId(m.instance),
      };
    case "CompletionMessage":
      return {
        transid,
        activationId: m.activationId,
        ...opt("isSystemError", m.isSystemError),
        instance: encodeInstanceId(m.instance),
      };
    case "ResultMessage":
      return { transid, response: encodeResponse(m.response) };
  }
}

type AckType = AcknowledgementMessage["type"];

function decodeAckAt(rec: Readonly<Record<string, unknown>>, at: At, type: AckType) {
  const transid = decodeTransidAt(own(rec, "transid"), child(at, "transid"));
  if (type === "ResultMessage") {
    return { type, transid, response: responseAt(own(rec, "response"), child(at, "response")) };
  }
  const isSystemError = optional(rec, at, "isSystemError", boolean);
  const instance = decodeInstanceIdAt(own(rec, "instance"), child(at, "instance"));
  if (type === "CompletionMessage") {
    return {
      type,
      transid,
      activationId: nonEmptyString(own(rec, "activationId"), child(at, "activationId")),
      ...opt("isSystemError", isSystemError),
      instance,
    };
  }
  return {
    type,
    transid,
    response: responseAt(own(rec, "response"), child(at, "response")),
    ...opt("isSystemError", isSystemError),
    instance,
  };
}

/**
 * Decodes an acknowledgement of a known type (from the `type` header).
 *
 * @throws {SyntaxError} on bad JSON; {TypeError} on a bad shape
 */
export function decodeAcknowledgementOf<T extends AckType>(
  type: T,
  input: unknown,
): Extract<AcknowledgementMessage, { type: T }> {
  const at = root(type);
  const rec = object(parseInput(type, input), at);
  return decodeAckAt(rec, at, type) as Extract<AcknowledgementMessage, { type: T }>;
}

/**
 * Decodes an acknowledgement without a header, choosing the type as upstream does:
 * `instance` and `response` → combined; only `instance` → completion; else result.
 */
export function decodeAcknowledgement(input: unknown): AcknowledgementMessage {
  const what = "AcknowledgementMessage";
  const rec = object(parseInput(what, input), root(what));
  const hasInstance = own(rec, "instance") !== undefined;
  const type: AckType = hasInstance
    ? (own(rec, "response") !== undefined
      ? "CombinedCompletionAndResultMessage"
      : "CompletionMessage")
    : "ResultMessage";
  return decodeAckAt(rec, root(type), type);
}

/** Activation parameters: a JSON object or a JSON array. */
function paramsContent(value: unknown, at: At): JsonObject | JsonValue[] {
  return Array.isArray(value) ? array(value, at, json) : jsonObject(value, at);
}
