/**
 * The `deadLetters` record: a Kafka record that did not decode or named an unknown
 * `to`, kept with the reason, where it came from, its headers and its original bytes
 * (base64), so consumption continues and an operator or test can inspect it.
 *
 * No upstream counterpart (OpenWhisk logs and drops unparseable records in
 * `MessageFeed` consumers).
 *
 * @module
 */

import {
  child,
  integer,
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

/** A record that could not be delivered. */
export interface DeadLetter {
  readonly type: "DeadLetter";
  /** Why, e.g. the decoder's error message or `unknown recipient "x"`. */
  readonly reason: string;
  readonly originalTopic: string;
  readonly originalPartition?: number;
  readonly originalOffset?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The original value bytes, base64. */
  readonly valueBase64: string;
  /** Epoch ms when it was dead-lettered. */
  readonly at?: number;
}

/** Base64 of bytes (or of a string's UTF-8). */
export function toBase64(bytes: Uint8Array | string): string {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Bytes of base64 text. @throws {TypeError} when the text is not base64 */
export function fromBase64(text: string): Uint8Array {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new TypeError("Cannot decode base64: the text is not valid base64");
  }
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Wire value. */
export function encodeDeadLetter(d: DeadLetter): Record<string, unknown> {
  return {
    reason: d.reason,
    originalTopic: d.originalTopic,
    ...opt("originalPartition", d.originalPartition),
    ...opt("originalOffset", d.originalOffset),
    headers: { ...d.headers },
    valueBase64: d.valueBase64,
    ...opt("at", d.at),
  };
}

/** Decodes a dead letter. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeDeadLetter(input: unknown): DeadLetter {
  const at = root("DeadLetter");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "DeadLetter",
    reason: string(own(rec, "reason"), child(at, "reason")),
    originalTopic: nonEmptyString(own(rec, "originalTopic"), child(at, "originalTopic")),
    ...opt("originalPartition", optional(rec, at, "originalPartition", (v, a) => integer(v, a, 0))),
    ...opt("originalOffset", optional(rec, at, "originalOffset", string)),
    headers: stringMap(own(rec, "headers"), child(at, "headers")),
    valueBase64: string(own(rec, "valueBase64"), child(at, "valueBase64")),
    ...opt("at", optional(rec, at, "at", (v, a) => integer(v, a, 0))),
  };
}
