/**
 * The message bus every process talks through: topics with partitions, producers, and
 * consumer groups with committed offsets. Mirrors OpenWhisk's
 * `core/connector/MessagingProvider.scala` (`MessageProducer`, `MessageConsumer`) and the
 * pump of `MessageConsumer.scala` (`MessageFeed`: a bounded number of handlers in flight,
 * an offset committed only once its message was processed). Implemented by
 * `kafka_bus.ts` (kafkajs) and `memory_bus.ts` (the in-memory twin).
 *
 * Semantics shared by both implementations (checked by `tests/contract/bus_contract.ts`):
 * - records of one partition are handled in order, one at a time;
 * - within a consumer group each record is handled once, by one member;
 * - an offset is committed only after the handler resolved;
 * - a handler that throws gets the same record again, up to `retry.maxAttempts` times with
 *   a growing backoff; then the record goes to `onGiveUp` (default: the dead-letter topic)
 *   and consumption continues.
 *
 * @module
 */

/** A record as a consumer sees it. */
export interface BusRecord {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset in its partition (a decimal string, as Kafka's offsets are int64). */
  readonly offset: string;
  readonly key?: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/** A record to produce. Records with the same key land on the same partition. */
export interface OutgoingRecord {
  readonly value: string | Uint8Array;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An explicit partition; otherwise chosen from the key (or spread when there is none). */
  readonly partition?: number;
}

/** Options of {@link MessageBus.ensureTopic}. */
export interface TopicOptions {
  /** Number of partitions of a topic created by this call (default 1). */
  readonly partitions?: number;
  /** Retention of a topic created by this call, in milliseconds (broker default otherwise). */
  readonly retentionMs?: number;
}

/** How a failing handler is retried before its record is given up. */
export interface RetryPolicy {
  /** Deliveries of one record before it is given up (at least 1). */
  readonly maxAttempts: number;
  /** Wait before the second delivery; doubled for each further one, capped at 1 s. */
  readonly backoffMs: number;
}

/** Default {@link RetryPolicy}: five deliveries, 20 ms, 40 ms, 80 ms, 160 ms apart. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, backoffMs: 20 };

/** The topic given-up and unroutable records go to (ARCHITECTURE.md topic table). */
export const DEAD_LETTER_TOPIC = "deadLetters";

/** Handles one record; a rejection asks for the same record again. */
export type RecordHandler = (record: BusRecord) => Promise<void>;

/** Options of {@link MessageBus.subscribe}. */
export interface SubscribeOptions {
  readonly topics: readonly string[];
  /** The consumer group: each record is handled by one member of the group. */
  readonly group: string;
  /**
   * Where a group with no committed offset starts: the oldest retained record (true) or
   * the end of the partition as of the subscription (false, the default).
   */
  readonly fromBeginning?: boolean;
  /** Partitions handled concurrently by this member (default 1, like `MessageFeed`'s peek). */
  readonly maxInFlight?: number;
  readonly handler: RecordHandler;
  /** Overrides the bus's {@link RetryPolicy} for this subscription. */
  readonly retry?: RetryPolicy;
  /**
   * Called with a record whose handler failed `maxAttempts` times, before its offset is
   * committed. Default: the record goes to the bus's dead-letter topic, with a warn log.
   */
  readonly onGiveUp?: (record: BusRecord, error: unknown) => Promise<void>;
}

/** A running subscription. */
export interface Subscription {
  /** Leaves the group after the record in hand (an aborted retry is not committed). */
  close(): Promise<void>;
}

/**
 * Settings shared by the implementations. The twin ignores the timing ones.
 */
export interface BusSettings {
  /** Consumer session timeout: a member silent this long leaves its group. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat period (a third of the session timeout or less). */
  readonly heartbeatIntervalMs?: number;
  /** How long a producer waits to batch records; 0 (the default) sends at once. */
  readonly lingerMs?: number;
  /** Default retry policy of every subscription. */
  readonly retry?: RetryPolicy;
  /** Where given-up records go (default {@link DEAD_LETTER_TOPIC}). */
  readonly deadLetterTopic?: string;
}

/** The message bus. */
export interface MessageBus {
  /** Creates `topic` when absent; an existing topic is left as it is. */
  ensureTopic(topic: string, options?: TopicOptions): Promise<void>;
  /** Produces records in order; resolves once the broker has them. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  /**
   * Joins `group` and starts handling records. Resolves once this member has joined and
   * its starting offsets are fixed, so records sent afterwards are not missed.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Closes every subscription and connection. */
  close(): Promise<void>;
}
