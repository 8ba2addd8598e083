/**
 * The envelope of a message between processes, carried in Kafka record headers (the value
 * is the message's JSON). Mirrors what Pekko remoting carried for OpenWhisk (the target
 * actor path, the sender for replies) plus `Message.scala`'s `transid` and
 * `traceContext`. The header names are binding: ARCHITECTURE.md, "Kafka: the
 * remote-actor bridge".
 *
 * @module
 */

/** The envelope of one message. */
export interface Envelope {
  /** The message type: the discriminant of its protocol union. */
  readonly type: string;
  /** The name of the local actor that receives it, e.g. `queue-manager`. */
  readonly to: string;
  readonly tid?: string;
  /** W3C trace context. */
  readonly traceparent?: string;
  /** Topic for the answer, when the sender asks. */
  readonly replyTo?: string;
  /** Pairs an answer with its ask. */
  readonly correlationId?: string;
  /** Set when a scheduler forwards an activation to the leader. */
  readonly forwardedFrom?: string;
}

/** Envelope field → Kafka header name. */
export const ENVELOPE_HEADERS = {
  type: "type",
  to: "to",
  tid: "tid",
  traceparent: "traceparent",
  replyTo: "reply-to",
  correlationId: "correlation-id",
  forwardedFrom: "forwarded-from",
} as const satisfies Record<keyof Envelope, string>;

const FIELDS = Object.keys(ENVELOPE_HEADERS) as (keyof Envelope)[];

/**
 * Renders an envelope as record headers; absent optional fields add no header.
 *
 * @example
 * ```ts
 * import { encodeEnvelope } from "./envelope.ts";
 * const headers = encodeEnvelope({ type: "CreateQueue", to: "queue-manager", replyTo: "completed0" });
 * console.assert(headers["reply-to"] === "completed0" && !("tid" in headers));
 * ```
 */
export function encodeEnvelope(envelope: Envelope): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = envelope[field];
    if (value !== undefined) headers[ENVELOPE_HEADERS[field]] = value;
  }
  return headers;
}

/**
 * Reads an envelope from record headers; throws `TypeError` when `type` or `to` is
 * missing or empty. Unknown headers are ignored.
 */
export function decodeEnvelope(headers: Readonly<Record<string, string>>): Envelope {
  const envelope: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = headers[ENVELOPE_HEADERS[field]];
    if (value !== undefined) envelope[field] = value;
  }
  for (const required of ["type", "to"] as const) {
    if (!envelope[required]) {
      throw new TypeError(`Cannot decode envelope: missing header "${ENVELOPE_HEADERS[required]}"`);
    }
  }
  return envelope as unknown as Envelope;
}
