/**
 * The Kafka envelope: header names, the union of every message that crosses Kafka,
 * and one encoder/decoder pair that dispatches on the `type` header.
 *
 * Mirrors the `Message.serialize` / `parse` pairs of
 * `common/scala/.../core/connector/Message.scala`; differences: the message type
 * travels in a header instead of being guessed from the fields present, and the
 * transaction id and trace context travel in headers too (the value keeps upstream's
 * `transid` as well, so upstream's JSON decodes unchanged).
 *
 * @module
 */

import { assertNever } from "./_assert_never.ts";
import { kindOf, parseInput } from "./_decode.ts";
import {
  type AcknowledgementMessage,
  type ActivationMessage,
  decodeAcknowledgementOf,
  decodeActivationMessage,
  encodeAcknowledgement,
  encodeActivationMessage,
} from "./activation.ts";
import {
  type CacheInvalidationMessage,
  decodeCacheInvalidation,
  encodeCacheInvalidation,
} from "./cache_invalidation.ts";
import {
  type ContainerCreationAckMessage,
  type ContainerCreationMessage,
  type ContainerDeletionMessage,
  decodeContainerCreationAckMessage,
  decodeContainerCreationMessage,
  decodeContainerDeletionMessage,
  encodeContainerCreationAckMessage,
  encodeContainerCreationMessage,
  encodeContainerDeletionMessage,
} from "./container.ts";
import { type DeadLetter, decodeDeadLetter, encodeDeadLetter } from "./dead_letter.ts";
import {
  type CreateQueue,
  type CreateQueueResponse,
  decodeCreateQueue,
  decodeCreateQueueResponse,
  encodeCreateQueue,
  encodeCreateQueueResponse,
} from "./queue.ts";
import type { TransactionId } from "./transaction_id.ts";

/** Header names of the envelope. */
export const WIRE_HEADERS = {
  /** The message type, the discriminant of {@link WireMessage}. */
  type: "type",
  /** The local actor that receives it, e.g. `queue-manager`. */
  to: "to",
  /** The transaction id. */
  tid: "tid",
  /** W3C trace context. */
  traceparent: "traceparent",
  /** Topic for the answer, when the sender asks. */
  replyTo: "reply-to",
  /** Pairs an answer with its ask. */
  correlationId: "correlation-id",
  /** Set when a scheduler forwards an activation to the leader. */
  forwardedFrom: "forwarded-from",
} as const;

/** Every message that crosses Kafka. */
export type WireMessage =
  | ActivationMessage
  | CreateQueue
  | CreateQueueResponse
  | ContainerCreationMessage
  | ContainerDeletionMessage
  | ContainerCreationAckMessage
  | AcknowledgementMessage
  | CacheInvalidationMessage
  | DeadLetter;

/** The `type` header values. */
export type WireMessageType = WireMessage["type"];

/** Every `type` header value. */
export const WIRE_MESSAGE_TYPES: readonly WireMessageType[] = [
  "ActivationMessage",
  "CreateQueue",
  "CreateQueueResponse",
  "ContainerCreationMessage",
  "ContainerDeletionMessage",
  "ContainerCreationAckMessage",
  "CombinedCompletionAndResultMessage",
  "CompletionMessage",
  "ResultMessage",
  "CacheInvalidationMessage",
  "DeadLetter",
];

/** Whether `type` is a known `type` header value. */
export function isWireMessageType(type: string): type is WireMessageType {
  return (WIRE_MESSAGE_TYPES as readonly string[]).includes(type);
}

/** An encoded message: the `type` header and the record value. */
export interface EncodedWire {
  readonly type: WireMessageType;
  readonly value: string;
}

function encodeValue(msg: WireMessage): Record<string, unknown> {
  switch (msg.type) {
    case "ActivationMessage":
      return encodeActivationMessage(msg);
    case "CreateQueue":
      return encodeCreateQueue(msg);
    case "CreateQueueResponse":
      return encodeCreateQueueResponse(msg);
    case "ContainerCreationMessage":
      return encodeContainerCreationMessage(msg);
    case "ContainerDeletionMessage":
      return encodeContainerDeletionMessage(msg);
    case "ContainerCreationAckMessage":
      return encodeContainerCreationAckMessage(msg);
    case "CombinedCompletionAndResultMessage":
    case "CompletionMessage":
    case "ResultMessage":
      return encodeAcknowledgement(msg);
    case "CacheInvalidationMessage":
      return encodeCacheInvalidation(msg);
    case "DeadLetter":
      return encodeDeadLetter(msg);
    default:
      return assertNever(msg, "wire message");
  }
}

/**
 * Encodes a message for Kafka.
 *
 * @returns the `type` header and the JSON value (upstream's field names)
 * @example
 * ```ts
 * import { decodeWire, encodeWire } from "./mod.ts";
 * const { type, value } = encodeWire({
 *   type: "CacheInvalidationMessage", mainId: "guest/hello", instanceId: "controller0",
 * });
 * decodeWire(type, value); // the same message
 * ```
 */
export function encodeWire(msg: WireMessage): EncodedWire {
  return { type: msg.type, value: JSON.stringify(encodeValue(msg)) };
}

const DECODERS: {
  readonly [T in WireMessageType]: (v: unknown) => Extract<WireMessage, { type: T }>;
} = {
  ActivationMessage: decodeActivationMessage,
  CreateQueue: decodeCreateQueue,
  CreateQueueResponse: decodeCreateQueueResponse,
  ContainerCreationMessage: decodeContainerCreationMessage,
  ContainerDeletionMessage: decodeContainerDeletionMessage,
  ContainerCreationAckMessage: decodeContainerCreationAckMessage,
  CombinedCompletionAndResultMessage: (v) =>
    decodeAcknowledgementOf("CombinedCompletionAndResultMessage", v),
  CompletionMessage: (v) => decodeAcknowledgementOf("CompletionMessage", v),
  ResultMessage: (v) => decodeAcknowledgementOf("ResultMessage", v),
  CacheInvalidationMessage: decodeCacheInvalidation,
  DeadLetter: decodeDeadLetter,
};

/**
 * Decodes a record value by its `type` header.
 *
 * @param type the `type` header (anything: unknown types are rejected)
 * @param value the record value, as bytes or text
 * @throws {TypeError} for an unknown type or a value of the wrong shape
 * @throws {SyntaxError} for a value that is not UTF-8 JSON
 */
export function decodeWire(type: unknown, value: Uint8Array | string): WireMessage {
  if (typeof type !== "string" || !isWireMessageType(type)) {
    const shown = typeof type === "string" ? `"${type}"` : `of kind ${kindOf(type)}`;
    throw new TypeError(`Cannot decode wire message: unknown "type" header ${shown}`);
  }
  const decode = DECODERS[type] as (v: unknown) => WireMessage;
  return decode(parseInput(type, value));
}

/** The transaction id a message carries, for the `tid` header (none for cache and dead letters). */
export function wireTransactionId(msg: WireMessage): TransactionId | undefined {
  return "transid" in msg ? msg.transid.id : undefined;
}
