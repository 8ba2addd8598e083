/**
 * The edge between kafkajs and our bus types: log routing, error mapping, record
 * conversion and the consumer-readiness wait. Private to `runtime/bus/`; only
 * `kafka_bus.ts` uses it, so no kafkajs type travels further. Mirrors the conversions
 * OpenWhisk's `KafkaConsumerConnector` and `KafkaProducerConnector` do around the Java
 * client.
 *
 * @module
 */
import type { Consumer, IHeaders, KafkaMessage, LogEntry, Message } from "kafkajs";
import { logLevel } from "kafkajs";
import { Buffer } from "node:buffer";
import type { Logger, LogLevel } from "../log.ts";
import { BusError, BusUnavailableError } from "./errors.ts";
import type { BusRecord, OutgoingRecord } from "./message_bus.ts";

const LEVELS: Record<number, LogLevel> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs `logCreator` writing into `logger` (rebalance notices are info, not errors). */
export function logCreator(logger: Logger): () => (entry: LogEntry) => void {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, timestamp: _ts, logger: _name, ...meta } = log;
    const mapped = /rebalanc|re-joining/i.test(message) ? "info" : LEVELS[level] ?? "info";
    logger.log(mapped, `kafkajs: ${message}`, { namespace, ...meta });
  };
}

const UNAVAILABLE = /Connection|Timeout|BrokerNotFound|NoBrokerAvailable|NumberOfRetriesExceeded/;

/**
 * Maps a kafkajs error to a bus error: connection trouble becomes a retryable
 * {@link BusUnavailableError}; anything else a {@link BusError} keeping kafkajs'
 * `retriable` flag. `what` prefixes the message.
 */
export function mapKafkaError(error: unknown, what: string): BusError {
  if (error instanceof BusError) return error;
  const name = error instanceof Error ? error.name : "";
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (UNAVAILABLE.test(name)) return new BusUnavailableError(message, { cause: error });
  const retryable = (error as { retriable?: unknown })?.retriable === true;
  return new BusError(message, { cause: error, retryable });
}

function toHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value[0] : value)?.toString() ?? "";
  }
  return out;
}

/** Our record from a consumed kafkajs message. */
export function toBusRecord(topic: string, partition: number, message: KafkaMessage): BusRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    ...(message.key ? { key: message.key.toString() } : {}),
    value: new Uint8Array(message.value ?? new Uint8Array()),
    headers: toHeaders(message.headers),
  };
}

/** A kafkajs message from our outgoing record. */
export function toKafkaMessage(record: OutgoingRecord): Message {
  return {
    value: typeof record.value === "string" ? record.value : Buffer.from(record.value),
    key: record.key ?? null,
    headers: { ...record.headers },
    ...(record.partition === undefined ? {} : { partition: record.partition }),
  };
}

/**
 * Resolves once `consumer` joined its group and, when it got partitions, finished its
 * first fetch (so its starting offsets are fixed); rejects after `limitMs`.
 */
export function whenReady(consumer: Consumer, limitMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      offJoin();
      reject(new BusUnavailableError(`Consumer did not join its group within ${limitMs} ms`));
    }, limitMs);
    const offJoin = consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      offJoin();
      const done = () => (clearTimeout(timer), resolve());
      if (Object.keys(payload.memberAssignment).length === 0) return done();
      const offFetch = consumer.on(consumer.events.FETCH, () => (offFetch(), done()));
    });
  });
}
