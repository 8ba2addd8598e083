/**
 * The remote-actor bridge: every message between processes goes through it. Outgoing, it
 * renders a message as a record (value: the message's JSON, headers: the envelope);
 * incoming, it decodes each record and hands the message to a named local actor.
 * Mirrors what Pekko remoting did for OpenWhisk's FPC scheduler (remote tell and ask to
 * `/user/QueueManager`) together with the Kafka consumers fed by `MessageFeed`;
 * differences: one envelope for every topic, and records that do not decode or name no
 * local actor go to `deadLetters` instead of being logged and dropped.
 *
 * The bridge knows neither the actor kit nor the protocols: both come in as injected
 * functions (`decode`, `deliver`, optionally `encode`).
 *
 * @module
 */
import { type Clock, systemClock } from "../actors/clock.ts";
import { type Logger, silentLogger } from "../log.ts";
import { deadLetterRecord } from "./dead_letter.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./envelope.ts";
import { AskTimeoutError, BusClosedError } from "./errors.ts";
import {
  type BusRecord,
  DEAD_LETTER_TOPIC,
  type MessageBus,
  type Subscription,
} from "./message_bus.ts";

/** The `to` of an answer to an ask: the bridge itself takes it. */
export const REPLY_RECIPIENT = "bridge-reply";

/** Retention of a reply topic the bridge creates (upstream's `completed` topics: 1 h). */
const HOUR_MS = 3_600_000;

/** One outgoing message as interceptors see it. */
export interface OutboundCall {
  readonly topic: string;
  readonly envelope: Envelope;
  readonly message: unknown;
  readonly key?: string;
}

/** One incoming message as interceptors see it. */
export interface InboundCall {
  readonly envelope: Envelope;
  readonly message: unknown;
}

/** Wraps sending, e.g. to fill `tid` and `traceparent` from the current context. */
export type OutboundInterceptor = (
  call: OutboundCall,
  next: (call: OutboundCall) => Promise<void>,
) => Promise<void>;

/** Wraps delivery, e.g. to restore `tid` and `traceparent` around the local tell. */
export type InboundInterceptor = (
  call: InboundCall,
  next: (call: InboundCall) => boolean,
) => boolean;

/** What the bridge stands on. */
export interface BridgeDeps {
  readonly bus: MessageBus;
  /** Decodes a record value of message `type`; throws TypeError/SyntaxError on bad input. */
  readonly decode: (type: string, value: Uint8Array) => unknown;
  /** Hands a message to local actor `to`; false when there is no such actor. */
  readonly deliver: (to: string, message: unknown, envelope: Envelope) => boolean;
  /** Renders a message as a record value (default `JSON.stringify`). */
  readonly encode?: (type: string, message: unknown) => string | Uint8Array;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Topic where answers to this process's asks arrive (default `bridge-replies-<random>`). */
  readonly replyTopic?: string;
  /** Where bad records go (default `deadLetters`). */
  readonly deadLetterTopic?: string;
  readonly outbound?: readonly OutboundInterceptor[];
  readonly inbound?: readonly InboundInterceptor[];
}

/** Envelope fields of an outgoing message, besides `to`. */
export interface SendOptions {
  /** The message type; defaults to the message's own `type` field. */
  readonly type?: string;
  readonly tid?: string;
  readonly traceparent?: string;
  readonly replyTo?: string;
  readonly correlationId?: string;
  readonly forwardedFrom?: string;
  /** Partitioning key. */
  readonly key?: string;
}

/** Options of {@link Bridge.listen}. */
export interface ListenOptions {
  /** Where a new group starts (default true: nothing produced before is lost). */
  readonly fromBeginning?: boolean;
  readonly maxInFlight?: number;
}

interface PendingAsk {
  readonly resolve: (message: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: number;
}

function typeOf(message: unknown, options: SendOptions): string {
  const type = options.type ?? (message as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || type === "") {
    throw new TypeError("Cannot send message: no type given and the message has no string `type`");
  }
  return type;
}

/**
 * The remote-actor bridge over a {@link MessageBus}.
 *
 * @example
 * ```ts
 * import { Bridge, MemoryBus } from "./mod.ts";
 * const bus = new MemoryBus();
 * const inbox: unknown[] = [];
 * const bridge = new Bridge({
 *   bus,
 *   decode: (_type, value) => JSON.parse(new TextDecoder().decode(value)),
 *   deliver: (to, message) => to === "queue-manager" && inbox.push(message) > 0,
 * });
 * const sub = await bridge.listen("scheduler0", "scheduler0");
 * await bridge.send("scheduler0", "queue-manager", { type: "Ping" }, { tid: "t1" });
 * await bus.idle();
 * console.assert(inbox.length === 1);
 * await sub.close();
 * await bridge.close();
 * await bus.close();
 * ```
 */
export class Bridge {
  readonly #deps: BridgeDeps;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #pending = new Map<string, PendingAsk>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #listening = new Set<string>();
  readonly #replyTopic: string;
  /** The outbound interceptors around `#produce`, composed once. */
  readonly #sendChain: (call: OutboundCall) => Promise<void>;
  /** The inbound interceptors around `deps.deliver`, composed once. */
  readonly #deliverChain: (call: InboundCall) => boolean;
  #replyListener: Promise<void> | undefined;
  #closed = false;

  constructor(deps: BridgeDeps) {
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
    this.#clock = deps.clock ?? systemClock;
    this.#replyTopic = deps.replyTopic ?? `bridge-replies-${crypto.randomUUID()}`;
    this.#sendChain = (deps.outbound ?? []).reduceRight<(c: OutboundCall) => Promise<void>>(
      (next, interceptor) => (c) => interceptor(c, next),
      (c) => this.#produce(c),
    );
    this.#deliverChain = (deps.inbound ?? []).reduceRight<(c: InboundCall) => boolean>(
      (next, interceptor) => (c) => interceptor(c, next),
      (c) => deps.deliver(c.envelope.to, c.message, c.envelope),
    );
  }

  /** The topic where answers to this bridge's asks arrive. */
  get replyTopic(): string {
    return this.#replyTopic;
  }

  /** Sends `message` to actor `to` of the process(es) consuming `topic`. */
  send(topic: string, to: string, message: unknown, options: SendOptions = {}): Promise<void> {
    try {
      if (this.#closed) throw new BusClosedError("Bridge is closed");
      const { type: _t, key, ...fields } = options;
      const envelope: Envelope = { ...fields, type: typeOf(message, options), to };
      const call: OutboundCall = {
        topic,
        envelope,
        message,
        ...(key === undefined ? {} : { key }),
      };
      return this.#sendChain(call);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #produce({ topic, envelope, message, key }: OutboundCall): Promise<void> {
    const encode = this.#deps.encode;
    return this.#deps.bus.send(topic, [{
      value: encode ? encode(envelope.type, message) : JSON.stringify(message),
      headers: encodeEnvelope(envelope),
      ...(key === undefined ? {} : { key }),
    }]);
  }

  /**
   * Sends `message` with a fresh correlation id and this bridge's reply topic, and resolves
   * with the decoded answer; rejects with {@link AskTimeoutError} after `timeoutMs`.
   */
  async ask(
    topic: string,
    to: string,
    message: unknown,
    timeoutMs: number,
    options: Omit<SendOptions, "replyTo" | "correlationId"> = {},
  ): Promise<unknown> {
    await this.#listenForReplies();
    const correlationId = crypto.randomUUID();
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(
          new AskTimeoutError(
            `No reply from "${to}" on topic "${topic}" within ${timeoutMs} ms (correlation-id ${correlationId})`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(correlationId, { resolve, reject, timer });
    });
    try {
      await this.send(topic, to, message, {
        ...options,
        replyTo: this.#replyTopic,
        correlationId,
      });
    } catch (error) {
      this.#settle(correlationId)?.reject(error as Error);
    }
    return await answer;
  }

  /** Answers an ask whose envelope is `request`; rejects with TypeError when it was no ask. */
  reply(request: Envelope, message: unknown, options: SendOptions = {}): Promise<void> {
    if (request.replyTo === undefined || request.correlationId === undefined) {
      return Promise.reject(
        new TypeError(`Cannot reply to "${request.type}": it carries no reply-to/correlation-id`),
      );
    }
    return this.send(request.replyTo, REPLY_RECIPIENT, message, {
      ...(request.tid === undefined ? {} : { tid: request.tid }),
      ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
      ...options,
      correlationId: request.correlationId,
    });
  }

  /** Consumes `topic` in consumer group `group`, delivering each message to its actor. */
  async listen(topic: string, group: string, options: ListenOptions = {}): Promise<Subscription> {
    if (this.#closed) throw new BusClosedError("Bridge is closed");
    this.#listening.add(topic);
    const subscription = await this.#deps.bus.subscribe({
      topics: [topic],
      group,
      fromBeginning: options.fromBeginning ?? true,
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      handler: (record) => this.#onRecord(record),
    });
    this.#subscriptions.add(subscription);
    return {
      close: () => {
        this.#subscriptions.delete(subscription);
        this.#listening.delete(topic);
        return subscription.close();
      },
    };
  }

  /** Rejects pending asks and closes the subscriptions this bridge opened (not the bus). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id)?.reject(new BusClosedError("Bridge closed before the reply came"));
    }
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    this.#subscriptions.clear();
  }

  #listenForReplies(): Promise<void> {
    if (this.#listening.has(this.#replyTopic)) return Promise.resolve();
    this.#replyListener ??= this.#deps.bus.ensureTopic(this.#replyTopic, { retentionMs: HOUR_MS })
      .then(() => this.listen(this.#replyTopic, this.#replyTopic))
      .then(() => {}, (error) => {
        this.#replyListener = undefined;
        throw error;
      });
    return this.#replyListener;
  }

  #settle(correlationId: string): PendingAsk | undefined {
    const pending = this.#pending.get(correlationId);
    if (pending === undefined) return undefined;
    this.#pending.delete(correlationId);
    this.#clock.clearTimeout(pending.timer);
    return pending;
  }

  async #onRecord(record: BusRecord): Promise<void> {
    let envelope: Envelope;
    let message: unknown;
    try {
      envelope = decodeEnvelope(record.headers);
    } catch (error) {
      return await this.#deadLetter((error as Error).message, record);
    }
    try {
      message = this.#deps.decode(envelope.type, record.value);
    } catch (error) {
      const { name, message: text } = error as Error;
      return await this.#deadLetter(`Cannot decode "${envelope.type}": ${name}: ${text}`, record);
    }
    if (envelope.to === REPLY_RECIPIENT) {
      const pending = envelope.correlationId && this.#settle(envelope.correlationId);
      if (pending) return pending.resolve(message);
      return await this.#deadLetter(
        `No pending ask for correlation-id "${envelope.correlationId}" (late reply?)`,
        record,
      );
    }
    if (!this.#deliverChain({ envelope, message })) {
      await this.#deadLetter(`No local actor "${envelope.to}"`, record);
    }
  }

  async #deadLetter(reason: string, record: BusRecord): Promise<void> {
    const { topic, partition, offset } = record;
    this.#logger.warn("record sent to dead letters", { reason, topic, partition, offset });
    await this.#deps.bus.send(this.#deps.deadLetterTopic ?? DEAD_LETTER_TOPIC, [
      deadLetterRecord(reason, record, this.#clock.now()),
    ]);
  }
}

/**
 * An outbound interceptor that fills `tid` and `traceparent` from the caller's current
 * context when the send did not set them.
 */
export function contextHeaders(
  current: () => { readonly tid?: string; readonly traceparent?: string },
): OutboundInterceptor {
  return (call, next) => {
    const { tid, traceparent } = current();
    const envelope: Envelope = {
      ...call.envelope,
      ...(call.envelope.tid === undefined && tid !== undefined ? { tid } : {}),
      ...(call.envelope.traceparent === undefined && traceparent !== undefined
        ? { traceparent }
        : {}),
    };
    return next({ ...call, envelope });
  };
}
