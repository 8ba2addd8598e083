/**
 * The dead-letter record: what goes to the `deadLetters` topic when a record cannot be
 * decoded, names no local actor, or keeps failing its handler. The value is JSON
 * `{reason, topic, partition, offset, headers, valueBase64}` so an operator can see why
 * and replay the original bytes. OpenWhisk has no such topic (it logs and drops); this
 * is our addition, see ARCHITECTURE.md "Kafka: the remote-actor bridge".
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { BusRecord, OutgoingRecord } from "./message_bus.ts";

/** The JSON value of a dead-letter record. */
export interface DeadLetter {
  readonly reason: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The original value, base64-encoded. */
  readonly valueBase64: string;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * Builds the record to produce to the dead-letter topic for `record`.
 *
 * @example
 * ```ts
 * import { deadLetterRecord } from "./dead_letter.ts";
 * const out = deadLetterRecord("no local actor", {
 *   topic: "invoker0", partition: 0, offset: "7", value: new Uint8Array([123]), headers: { to: "x" },
 * });
 * console.assert(JSON.parse(out.value as string).valueBase64 === "ew==");
 * ```
 */
export function deadLetterRecord(reason: string, record: BusRecord): OutgoingRecord {
  const letter: DeadLetter = {
    reason,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    headers: record.headers,
    valueBase64: toBase64(record.value),
  };
  return { value: JSON.stringify(letter), headers: { type: "DeadLetter" } };
}

/**
 * Decodes a dead-letter value; throws `SyntaxError` on bad JSON and `TypeError` on a bad
 * shape.
 */
export function decodeDeadLetter(value: Uint8Array | string): DeadLetter {
  const json: unknown = JSON.parse(
    typeof value === "string" ? value : new TextDecoder().decode(value),
  );
  if (typeof json !== "object" || json === null) {
    throw new TypeError("Cannot decode dead letter: expected an object");
  }
  const o = json as Record<string, unknown>;
  for (const field of ["reason", "topic", "offset", "valueBase64"] as const) {
    if (typeof o[field] !== "string") {
      throw new TypeError(`Cannot decode dead letter: "${field}" must be a string`);
    }
  }
  if (typeof o.partition !== "number" || typeof o.headers !== "object" || o.headers === null) {
    throw new TypeError("Cannot decode dead letter: bad partition or headers");
  }
  return o as unknown as DeadLetter;
}

/**
 * The default give-up of a subscription: a warn log and the record to `topic`.
 *
 * @param send the bus's `send`
 * @returns an `onGiveUp` callback
 */
export function giveUpToDeadLetters(
  send: (topic: string, records: readonly OutgoingRecord[]) => Promise<void>,
  topic: string,
  logger: Logger,
): (record: BusRecord, error: unknown) => Promise<void> {
  return (record, error) => {
    const reason = `handler failed: ${error instanceof Error ? error.message : String(error)}`;
    const { partition, offset } = record;
    logger.warn("record given up, sent to dead letters", {
      topic: record.topic,
      partition,
      offset,
      reason,
    });
    return send(topic, [deadLetterRecord(reason, record)]);
  };
}
