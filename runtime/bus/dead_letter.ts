/**
 * The dead-letter record: what goes to the `deadLetters` topic when a record cannot be
 * decoded, names no local actor, or keeps failing its handler. The value is JSON
 * `{reason, originalTopic, originalPartition, originalOffset, headers, valueBase64, at}`
 * (the `DeadLetter` of `protocols/dead_letter.ts`) so an operator can see why
 * and replay the original bytes. OpenWhisk has no such topic (it logs and drops); this
 * is our addition, see ARCHITECTURE.md "Kafka: the remote-actor bridge".
 *
 * @module
 */
import { type DeadLetter, encodeDeadLetter, toBase64 } from "../../protocols/dead_letter.ts";
import type { Logger } from "../log.ts";
import type { BusRecord, OutgoingRecord } from "./message_bus.ts";

export { type DeadLetter, decodeDeadLetter } from "../../protocols/dead_letter.ts";

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
export function deadLetterRecord(
  reason: string,
  record: BusRecord,
  at: number = Date.now(),
): OutgoingRecord {
  const letter: DeadLetter = {
    type: "DeadLetter",
    reason,
    originalTopic: record.topic,
    originalPartition: record.partition,
    originalOffset: record.offset,
    headers: record.headers,
    valueBase64: toBase64(record.value),
    at,
  };
  return { value: JSON.stringify(encodeDeadLetter(letter)), headers: { type: "DeadLetter" } };
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
