/**
 * The Kafka adapter of the message bus, on kafkajs 2.2.4. Mirrors OpenWhisk's
 * `connector/kafka/KafkaMessagingProvider.scala`, `KafkaProducerConnector.scala` and
 * `KafkaConsumerConnector.scala`; differences: offsets are committed per handled record
 * (not per peeked batch), a failing handler is retried then dead-lettered, and kafkajs
 * logs go to our `Logger`. No kafkajs type leaves this file.
 *
 * @module
 */
import { Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { type Clock, systemClock } from "../actors/clock.ts";
import { type Logger, silentLogger } from "../log.ts";
import {
  logCreator,
  mapKafkaError,
  toBusRecord,
  toKafkaMessage,
  whenReady,
} from "./_kafka_edge.ts";
import { deliverWithRetry } from "./_redelivery.ts";
import { giveUpToDeadLetters } from "./dead_letter.ts";
import { BusClosedError } from "./errors.ts";
import {
  type BusRecord,
  type BusSettings,
  DEAD_LETTER_TOPIC,
  DEFAULT_RETRY,
  type MessageBus,
  type OutgoingRecord,
  type SubscribeOptions,
  type Subscription,
  type TopicOptions,
} from "./message_bus.ts";
import { quietTimeoutNegativeWarning } from "./quiet_timeout_warning.ts";

export { mapKafkaError };

/** Options of {@link KafkaBus}. */
export interface KafkaBusOptions extends BusSettings {
  /** `host:port` of the brokers, e.g. `["127.0.0.1:9092"]`. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** TCP connect timeout (default 3000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Longest wait of one fetch for new records (default 200 ms; also bounds `close()`). */
  readonly fetchMaxWaitMs?: number;
  /** Connection retries before a call fails with {@link BusUnavailableError} (default 5). */
  readonly retries?: number;
}

/**
 * The Kafka {@link MessageBus}.
 *
 * @example
 * ```ts ignore
 * import { KafkaBus } from "./kafka_bus.ts";
 * const bus = new KafkaBus({ brokers: ["127.0.0.1:9092"], clientId: "scheduler0" });
 * await bus.send("scheduler0", [{ value: "{}", headers: { type: "ActivationMessage", to: "queue-manager" } }]);
 * await bus.close();
 * ```
 */
export class KafkaBus implements MessageBus {
  readonly #kafka: Kafka;
  readonly #opts: KafkaBusOptions;
  readonly #logger: Logger;
  readonly #consumers = new Set<Subscription>();
  #producer: Promise<Producer> | undefined;
  #linger: { topic: string; records: readonly OutgoingRecord[] }[] = [];
  #lingerDone: Promise<void> | undefined;
  #closed = false;

  constructor(options: KafkaBusOptions) {
    quietTimeoutNegativeWarning();
    this.#opts = options;
    this.#logger = options.logger ?? silentLogger;
    this.#kafka = new Kafka({
      clientId: options.clientId ?? "wsk",
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2000 },
      logLevel: logLevel.WARN,
      logCreator: logCreator(this.#logger),
    });
  }

  async ensureTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{
          topic,
          numPartitions: options.partitions ?? 1,
          configEntries: options.retentionMs === undefined
            ? []
            : [{ name: "retention.ms", value: String(options.retentionMs) }],
        }],
      });
    } catch (error) {
      throw mapKafkaError(error, `Cannot create topic "${topic}"`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new BusClosedError("KafkaBus is closed"));
    if (!this.#opts.lingerMs) return this.#sendNow([{ topic, records }]);
    this.#linger.push({ topic, records });
    this.#lingerDone ??= new Promise<void>((resolve) =>
      (this.#opts.clock ?? systemClock).setTimeout(resolve, this.#opts.lingerMs ?? 0)
    ).then(() => {
      const batch = this.#linger;
      this.#linger = [];
      this.#lingerDone = undefined;
      return this.#sendNow(batch);
    });
    return this.#lingerDone;
  }

  async #sendNow(batch: { topic: string; records: readonly OutgoingRecord[] }[]): Promise<void> {
    try {
      this.#producer ??= this.#connectProducer();
      const producer = await this.#producer;
      await producer.sendBatch({
        acks: -1,
        topicMessages: batch.map(({ topic, records }) => ({
          topic,
          messages: records.map(toKafkaMessage),
        })),
      });
    } catch (error) {
      throw mapKafkaError(error, `Cannot send to "${batch.map((b) => b.topic).join(", ")}"`);
    }
  }

  async #connectProducer(): Promise<Producer> {
    const producer = this.#kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      this.#producer = undefined;
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.#closed) throw new BusClosedError("KafkaBus is closed");
    const consumer = this.#kafka.consumer({
      groupId: options.group,
      sessionTimeout: this.#opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: this.#opts.heartbeatIntervalMs ?? 1000,
      maxWaitTimeInMs: this.#opts.fetchMaxWaitMs ?? 200,
      allowAutoTopicCreation: true,
    });
    let closed = false;
    const subscription: Subscription = {
      close: async () => {
        if (closed) return;
        closed = true;
        this.#consumers.delete(subscription);
        await consumer.disconnect().catch(() => {});
      },
    };
    try {
      // Like the twin, subscribing creates missing topics (before the consumer asks for them).
      for (const topic of options.topics) await this.ensureTopic(topic);
      await consumer.connect();
      await consumer.subscribe({
        topics: [...options.topics],
        fromBeginning: !!options.fromBeginning,
      });
      const ready = whenReady(consumer, (this.#opts.sessionTimeoutMs ?? 10_000) * 3);
      await consumer.run({
        partitionsConsumedConcurrently: Math.max(1, options.maxInFlight ?? 1),
        eachMessage: ({ topic, partition, message, heartbeat }) =>
          this.#handle(
            toBusRecord(topic, partition, message),
            options,
            () => closed || this.#closed,
            heartbeat,
          ),
      });
      await ready;
      this.#consumers.add(subscription);
      return subscription;
    } catch (error) {
      await subscription.close();
      throw mapKafkaError(error, `Cannot subscribe "${options.group}" to ${options.topics}`);
    }
  }

  async #handle(
    record: BusRecord,
    options: SubscribeOptions,
    aborted: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const outcome = await deliverWithRetry(
      record,
      options.handler,
      options.retry ?? this.#opts.retry ?? DEFAULT_RETRY,
      this.#opts.clock ?? systemClock,
      aborted,
      (error, attempt) => {
        this.#logger.debug("bus handler failed", { topic: record.topic, attempt, error });
        heartbeat().catch(() => {});
      },
    );
    // Throwing keeps kafkajs from committing the offset: the next owner gets the record.
    if (outcome.type === "Aborted") throw new BusClosedError("Subscription closed mid-retry");
    if (outcome.type !== "GaveUp") return;
    const deadLetterTopic = this.#opts.deadLetterTopic ?? DEAD_LETTER_TOPIC;
    const giveUp = options.onGiveUp ??
      giveUpToDeadLetters((t, r) => this.send(t, r), deadLetterTopic, this.#logger);
    await giveUp(record, outcome.error);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#lingerDone?.catch(() => {});
    this.#closed = true;
    await Promise.all([...this.#consumers].map((s) => s.close()));
    const producer = await this.#producer?.catch(() => undefined);
    await producer?.disconnect().catch(() => {});
  }
}
