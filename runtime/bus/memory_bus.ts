/**
 * The in-memory twin of the message bus: topics with partitions, consumer groups with
 * committed offsets, redelivery on handler failure, all inside one process. Used by the
 * standalone role and by tests. Mirrors the role of OpenWhisk's
 * `connector/lean/LeanMessagingProvider.scala`; differences: it keeps partitions,
 * groups and offsets, so it has Kafka's semantics rather than a plain queue per topic.
 *
 * One pump per (group, topic, partition) walks the partition from the committed offset
 * and hands each record to the member that currently owns the partition; a rebalance only
 * changes the owner, so a record is never handled twice and order is kept.
 *
 * @module
 */
import { type Clock, systemClock } from "../actors/clock.ts";
import { type Logger, silentLogger } from "../log.ts";
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

/** Options of {@link MemoryBus}. */
export interface MemoryBusOptions extends BusSettings {
  readonly logger?: Logger;
  /** Clock of the retry backoff (default the system clock). */
  readonly clock?: Clock;
}

/** A record as stored: what handlers see, and its production order across partitions. */
interface Stored {
  readonly record: BusRecord;
  readonly seq: number;
}

const utf8 = new TextEncoder();

class Member {
  readonly active = new Set<Promise<unknown>>();
  closed = false;
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  constructor(readonly options: SubscribeOptions, readonly order: number) {}

  /** Waits for a free slot of `maxInFlight`. */
  async acquire(): Promise<void> {
    while (this.#inFlight >= Math.max(1, this.options.maxInFlight ?? 1)) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
  }

  release(): void {
    this.#inFlight--;
    this.#waiting.shift()?.();
  }
}

class Pump {
  owner: Member | undefined;
  busy = false;
  #wake: (() => void) | undefined;
  constructor(readonly topic: string, readonly partition: number, public position: number) {}

  wake(): void {
    this.#wake?.();
    this.#wake = undefined;
  }

  sleep(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }
}

interface Group {
  readonly members: Member[];
  readonly pumps: Map<string, Pump>;
}

/**
 * The in-memory {@link MessageBus}.
 *
 * @example
 * ```ts
 * import { MemoryBus } from "./memory_bus.ts";
 * const bus = new MemoryBus();
 * const seen: string[] = [];
 * const sub = await bus.subscribe({
 *   topics: ["t"], group: "g", handler: async (r) => void seen.push(new TextDecoder().decode(r.value)),
 * });
 * await bus.send("t", [{ value: "hello" }]);
 * await bus.idle();
 * console.assert(seen[0] === "hello");
 * await sub.close();
 * await bus.close();
 * ```
 */
export class MemoryBus implements MessageBus {
  readonly #topics = new Map<string, Stored[][]>();
  readonly #groups = new Map<string, Group>();
  readonly #loops = new Set<Promise<void>>();
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #settings: BusSettings;
  #seq = 0;
  #roundRobin = 0;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#settings = options;
  }

  ensureTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    return this.#settle(() => void this.#topic(topic, options.partitions ?? 1));
  }

  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    return this.#settle(() => this.#append(topic, records));
  }

  #append(topic: string, records: readonly OutgoingRecord[]): void {
    const partitions = this.#topic(topic, 1);
    for (const out of records) {
      const p = out.partition ?? this.#choosePartition(out.key, partitions.length);
      const log = partitions[p];
      if (log === undefined) throw new RangeError(`Topic "${topic}" has no partition ${p}`);
      // Text is encoded into a fresh buffer; bytes are copied, as a producer's are.
      const value = typeof out.value === "string" ? utf8.encode(out.value) : out.value.slice();
      const record: BusRecord = {
        topic,
        partition: p,
        offset: String(log.length),
        ...(out.key === undefined ? {} : { key: out.key }),
        value,
        headers: { ...out.headers },
      };
      log.push({ record, seq: this.#seq++ });
      for (const group of this.#groups.values()) group.pumps.get(`${topic}/${p}`)?.wake();
    }
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.#settle(() => this.#join(options));
  }

  #join(options: SubscribeOptions): Subscription {
    const group = this.#group(options.group);
    const member = new Member(options, this.#seq++);
    for (const topic of options.topics) {
      this.#topic(topic, 1).forEach((log, p) => {
        const key = `${topic}/${p}`;
        if (group.pumps.has(key)) return;
        const pump = new Pump(topic, p, options.fromBeginning ? 0 : log.length);
        group.pumps.set(key, pump);
        this.#startLoop(pump);
      });
    }
    group.members.push(member);
    this.#rebalance(group);
    return {
      close: async () => {
        if (member.closed) return;
        member.closed = true;
        group.members.splice(group.members.indexOf(member), 1);
        this.#rebalance(group);
        await Promise.all(member.active);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const group of this.#groups.values()) {
      for (const member of group.members) member.closed = true;
      for (const pump of group.pumps.values()) pump.wake();
    }
    await Promise.all(this.#loops);
  }

  /** Test hook: every record produced to `topic`, in production order. */
  sent(topic: string): BusRecord[] {
    const records = (this.#topics.get(topic) ?? []).flat().sort((a, b) => a.seq - b.seq);
    return records.map(({ record }) => ({ ...record }));
  }

  /** Test hook: the committed offset (next to handle) of `group` on a partition. */
  committed(group: string, topic: string, partition = 0): number | undefined {
    return this.#groups.get(group)?.pumps.get(`${topic}/${partition}`)?.position;
  }

  /** Test hook: resolves once no owned partition has an unhandled record (5 s bound). */
  async idle(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const busy = () =>
      [...this.#groups.values()].some((g) =>
        [...g.pumps.values()].some((p) =>
          p.busy || (p.owner !== undefined && p.position < this.#log(p).length)
        )
      );
    while (busy()) {
      if (Date.now() > deadline) throw new Error(`MemoryBus still busy after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Runs `fn` on an open bus and turns a throw into a rejection, as a real client does. */
  #settle<T>(fn: () => T): Promise<T> {
    try {
      if (this.#closed) throw new BusClosedError("MemoryBus is closed");
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #topic(name: string, partitions: number): Stored[][] {
    let topic = this.#topics.get(name);
    if (topic === undefined) {
      topic = Array.from({ length: Math.max(1, partitions) }, () => []);
      this.#topics.set(name, topic);
    }
    return topic;
  }

  #log(pump: Pump): Stored[] {
    return this.#topics.get(pump.topic)?.[pump.partition] ?? [];
  }

  #group(name: string): Group {
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = { members: [], pumps: new Map() };
      this.#groups.set(name, group);
    }
    return group;
  }

  #choosePartition(key: string | undefined, count: number): number {
    if (key === undefined) return this.#roundRobin++ % count;
    let hash = 0x811c9dc5;
    for (const byte of utf8.encode(key)) hash = Math.imul(hash ^ byte, 0x01000193);
    return (hash >>> 0) % count;
  }

  /** Spreads each topic's partitions over the members subscribed to it, in join order. */
  #rebalance(group: Group): void {
    for (const pump of group.pumps.values()) {
      const eligible = group.members.filter((m) => m.options.topics.includes(pump.topic));
      pump.owner = eligible[pump.partition % Math.max(1, eligible.length)];
      pump.wake();
    }
  }

  #startLoop(pump: Pump): void {
    const loop = this.#pumpLoop(pump).catch((error) =>
      this.#logger.error("memory bus pump failed", { topic: pump.topic, error })
    );
    this.#loops.add(loop);
  }

  async #pumpLoop(pump: Pump): Promise<void> {
    while (!this.#closed) {
      const owner = pump.owner;
      const record = this.#log(pump)[pump.position];
      if (owner === undefined || record === undefined) {
        await pump.sleep();
        continue;
      }
      await owner.acquire();
      pump.busy = true;
      const done = this.#handle(pump, owner, record);
      owner.active.add(done);
      try {
        await done;
      } finally {
        owner.active.delete(done);
        owner.release();
        pump.busy = false;
      }
    }
  }

  async #handle(pump: Pump, owner: Member, record: Stored): Promise<void> {
    if (owner !== pump.owner || owner.closed) return;
    const view = record.record;
    const options = owner.options;
    const outcome = await deliverWithRetry(
      view,
      options.handler,
      options.retry ?? this.#settings.retry ?? DEFAULT_RETRY,
      this.#clock,
      () => owner.closed || this.#closed || owner !== pump.owner,
      (error, attempt) =>
        this.#logger.debug("bus handler failed", { topic: view.topic, attempt, error }),
    );
    if (outcome.type === "Aborted") return;
    if (outcome.type === "GaveUp") {
      const deadLetterTopic = this.#settings.deadLetterTopic ?? DEAD_LETTER_TOPIC;
      const giveUp = options.onGiveUp ??
        giveUpToDeadLetters((t, r) => this.send(t, r), deadLetterTopic, this.#logger);
      await giveUp(view, outcome.error);
    }
    pump.position = Number(view.offset) + 1;
  }
}
