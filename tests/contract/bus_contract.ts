/**
 * The message-bus contract: one suite run against the in-memory twin
 * (`bus_memory_test.ts`) and real Kafka (`bus_kafka_test.ts`), so both keep the same
 * semantics: order within a partition, one delivery per group, commit after the handler,
 * redelivery, dead letters, headers, and the bridge's ask across processes.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  AskTimeoutError,
  Bridge,
  type BusRecord,
  type BusSettings,
  decodeDeadLetter,
  type Envelope,
  ENVELOPE_HEADERS,
  type MessageBus,
} from "../../runtime/bus/mod.ts";
import { decodeEchoMessage, type EchoReply } from "./fixtures/bus_echo.ts";

/** A running echo actor (in this process or another). */
export interface EchoHandle {
  readonly pid: number;
  close(): Promise<void>;
}

/** What an implementation under test provides. */
export interface BusContractSubject {
  /** A fresh bus; closed by the test. */
  makeBus(settings: BusSettings): Promise<MessageBus>;
  /** Starts the echo actor listening on `topic` (another process where possible). */
  startEcho(
    bus: MessageBus,
    topic: string,
    group: string,
    deadLetterTopic: string,
  ): Promise<EchoHandle>;
  /** Skip every case (for example `WSK_SKIP_REAL=1`). */
  readonly ignore?: boolean;
  /** Bound of every wait, in milliseconds. */
  readonly waitMs: number;
  /** False where the client keeps timers or sockets the sanitizers would flag. */
  readonly sanitize: boolean;
}

const text = (value: Uint8Array) => new TextDecoder().decode(value);

/** A unique topic or group name, so runs never see each other's records. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Collects handled records and waits for a count. */
class Collector {
  readonly records: BusRecord[] = [];
  #waiters: (() => void)[] = [];
  constructor(readonly waitMs: number) {}

  /** A bus handler that collects. */
  readonly handler = (record: BusRecord): Promise<void> => {
    this.add(record);
    return Promise.resolve();
  };

  add(record: BusRecord): void {
    this.records.push(record);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  values(): string[] {
    return this.records.map((r) => text(r.value));
  }

  async waitFor(count: number, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.waitMs)));
    try {
      while (this.records.length < count) {
        const woke = new Promise<void>((resolve) => this.#waiters.push(resolve));
        if (await Promise.race([woke.then(() => false), expired.then(() => true)])) {
          assert.fail(`${what}: got ${this.records.length} of ${count} records: ${this.values()}`);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Pauses a little to let any unexpected extra delivery arrive. */
const quietPeriod = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the contract cases for `name`. */
export function runBusContract(name: string, subject: BusContractSubject): void {
  const settings: BusSettings = { retry: { maxAttempts: 3, backoffMs: 10 } };
  const test = (title: string, fn: (bus: MessageBus, dlt: string) => Promise<void>) =>
    Deno.test({
      name: `${name}: ${title}`,
      ignore: subject.ignore ?? false,
      sanitizeOps: subject.sanitize,
      sanitizeResources: subject.sanitize,
      fn: async () => {
        const deadLetterTopic = unique("deadLetters");
        const bus = await subject.makeBus({ ...settings, deadLetterTopic });
        try {
          await fn(bus, deadLetterTopic);
        } finally {
          await bus.close();
        }
      },
    });
  const collect = () => new Collector(subject.waitMs);

  test("subscribe() hands records of one partition over in order", async (bus) => {
    const topic = unique("order");
    await bus.ensureTopic(topic, { partitions: 1 });
    for (let batch = 0; batch < 4; batch++) {
      await bus.send(topic, Array.from({ length: 5 }, (_, i) => ({ value: `m${batch * 5 + i}` })));
    }
    const seen = collect();
    await bus.subscribe({
      topics: [topic],
      group: unique("g"),
      fromBeginning: true,
      handler: seen.handler,
    });
    await seen.waitFor(20, "ordered records");
    assert.deepEqual(seen.values(), Array.from({ length: 20 }, (_, i) => `m${i}`));
    assert.deepEqual(seen.records.map((r) => Number(r.offset)), [...Array(20).keys()]);
  });

  test("two members of one group handle each record once, offsets survive them", async (bus) => {
    const topic = unique("group");
    const group = unique("g");
    await bus.ensureTopic(topic, { partitions: 2 });
    const a = collect();
    const b = collect();
    const all = collect();
    const member = (mine: Collector) =>
      bus.subscribe({
        topics: [topic],
        group,
        fromBeginning: true,
        handler: (r) => (mine.add(r), all.handler(r)),
      });
    const subA = await member(a);
    const subB = await member(b);
    const sent = Array.from({ length: 20 }, (_, i) => `v${i}`);
    await bus.send(topic, sent.map((value, i) => ({ value, key: `k${i}` })));
    await all.waitFor(20, "group records");
    await quietPeriod(300);
    assert.deepEqual([...all.values()].sort(), [...sent].sort(), "each record exactly once");
    const partitionsOf = (c: Collector) => new Set(c.records.map((r) => r.partition));
    for (const p of partitionsOf(a)) assert.ok(!partitionsOf(b).has(p), `partition ${p} shared`);
    await subA.close();
    await subB.close();
    const later = collect();
    await bus.subscribe({
      topics: [topic],
      group,
      fromBeginning: true,
      handler: later.handler,
    });
    await bus.send(topic, [{ value: "after", key: "k0" }]);
    await later.waitFor(1, "record after rejoin");
    await quietPeriod(200);
    assert.deepEqual(later.values(), ["after"], "committed records are not handled again");
  });

  test("a record whose handler threw is delivered again before the next", async (bus) => {
    const topic = unique("retry");
    await bus.ensureTopic(topic);
    const attempts = collect();
    let failed = false;
    await bus.subscribe({
      topics: [topic],
      group: unique("g"),
      fromBeginning: true,
      // deno-lint-ignore require-await -- async so that the throw becomes a rejection
      handler: async (r) => {
        attempts.add(r);
        if (text(r.value) === "b" && !failed) {
          failed = true;
          throw new Error("transient");
        }
      },
    });
    await bus.send(topic, [{ value: "a" }, { value: "b" }, { value: "c" }]);
    await attempts.waitFor(4, "redelivered records");
    assert.deepEqual(attempts.values(), ["a", "b", "b", "c"]);
    assert.equal(attempts.records[1]?.offset, attempts.records[2]?.offset);
  });

  test(
    "a record that keeps failing goes to dead letters and the next is handled",
    async (bus, dlt) => {
      const topic = unique("poison");
      await bus.ensureTopic(topic);
      await bus.ensureTopic(dlt);
      const handled = collect();
      let poisonAttempts = 0;
      await bus.subscribe({
        topics: [topic],
        group: unique("g"),
        fromBeginning: true,
        // deno-lint-ignore require-await -- async so that the throw becomes a rejection
        handler: async (r) => {
          if (text(r.value) === "poison") {
            poisonAttempts++;
            throw new Error("always broken");
          }
          handled.add(r);
        },
      });
      const letters = collect();
      await bus.subscribe({
        topics: [dlt],
        group: unique("ops"),
        fromBeginning: true,
        handler: letters.handler,
      });
      await bus.send(topic, [{ value: "poison", headers: { type: "P" } }, { value: "fine" }]);
      await handled.waitFor(1, "record after the poison one");
      await letters.waitFor(1, "dead letter");
      assert.equal(poisonAttempts, 3);
      assert.deepEqual(handled.values(), ["fine"]);
      const letter = decodeDeadLetter(letters.records[0]!.value);
      assert.match(letter.reason, /always broken/);
      assert.equal(letter.originalTopic, topic);
      assert.equal(atob(letter.valueBase64), "poison");
      assert.deepEqual(letter.headers, { type: "P" });
    },
  );

  test("key, headers and binary values round-trip", async (bus) => {
    const topic = unique("headers");
    await bus.ensureTopic(topic);
    const seen = collect();
    await bus.subscribe({
      topics: [topic],
      group: unique("g"),
      fromBeginning: true,
      handler: seen.handler,
    });
    const headers = { type: "Ping", tid: "tid-ü-1", "reply-to": "completed0", empty: "" };
    const value = new Uint8Array([0, 255, 7, 128]);
    await bus.send(topic, [{ value, key: "k1", headers }]);
    await seen.waitFor(1, "record with headers");
    const [record] = seen.records;
    assert.deepEqual(record?.headers, headers);
    assert.equal(record?.key, "k1");
    assert.deepEqual([...record!.value], [...value]);
  });

  test(
    "bridge dead-letters undecodable, headerless and unroutable records and goes on",
    async (bus, dlt) => {
      const topic = unique("bridge-bad");
      await bus.ensureTopic(topic);
      await bus.ensureTopic(dlt);
      const inbox: unknown[] = [];
      const bridge = new Bridge({
        bus,
        deadLetterTopic: dlt,
        decode: decodeEchoMessage,
        deliver: (to, message) => to === "echo" && inbox.push(message) > 0,
      });
      const letters = collect();
      await bus.subscribe({
        topics: [dlt],
        group: unique("ops"),
        fromBeginning: true,
        handler: letters.handler,
      });
      await bridge.listen(topic, unique("g"));
      await bus.send(topic, [
        { value: "{not json", headers: { type: "Echo", to: "echo" } },
        { value: '{"text":"x"}', headers: { type: "Echo" } },
        { value: '{"text":"x"}', headers: { type: "Echo", to: "nobody" } },
      ]);
      await bridge.send(topic, "echo", { type: "Echo", text: "still here" });
      await letters.waitFor(3, "dead letters");
      await quietPeriod(100);
      assert.deepEqual(inbox, [{ type: "Echo", text: "still here" }]);
      const reasons = letters.records.map((r) => decodeDeadLetter(r.value).reason);
      assert.match(reasons[0]!, /SyntaxError/);
      assert.match(reasons[1]!, /missing header "to"/);
      assert.match(reasons[2]!, /No local actor "nobody"/);
      assert.equal(atob(decodeDeadLetter(letters.records[0]!.value).valueBase64), "{not json");
      await bridge.close();
    },
  );

  test("bridge.send() writes the envelope headers exactly", async (bus) => {
    const topic = unique("bridge-env");
    await bus.ensureTopic(topic);
    const raw = collect();
    await bus.subscribe({
      topics: [topic],
      group: unique("raw"),
      fromBeginning: true,
      handler: raw.handler,
    });
    const received: Envelope[] = [];
    const bridge = new Bridge({
      bus,
      decode: decodeEchoMessage,
      deliver: (_to, _message, envelope) => received.push(envelope) > 0,
    });
    await bridge.listen(topic, unique("g"));
    const envelope: Envelope = {
      type: "Echo",
      to: "echo",
      tid: "#tid_42",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      replyTo: "completed0",
      correlationId: "c-1",
      forwardedFrom: "scheduler1",
    };
    const { type: _type, to, ...options } = envelope;
    await bridge.send(topic, to, { type: "Echo", text: "hi" }, options);
    await raw.waitFor(1, "raw record");
    assert.deepEqual(raw.records[0]?.headers, {
      [ENVELOPE_HEADERS.type]: "Echo",
      "to": "echo",
      "tid": "#tid_42",
      "traceparent": envelope.traceparent,
      "reply-to": "completed0",
      "correlation-id": "c-1",
      "forwarded-from": "scheduler1",
    });
    assert.deepEqual(JSON.parse(text(raw.records[0]!.value)), { type: "Echo", text: "hi" });
    const deadline = Date.now() + subject.waitMs;
    while (received.length === 0 && Date.now() < deadline) await quietPeriod(10);
    assert.deepEqual(received, [envelope]);
    await bridge.close();
  });

  test(
    "bridge.ask() reaches a named actor in another process and gets its reply",
    async (bus, dlt) => {
      const topic = unique("echo");
      await bus.ensureTopic(topic);
      const echo = await subject.startEcho(bus, topic, unique("echo-g"), dlt);
      const bridge = new Bridge({ bus, decode: decodeEchoMessage, deliver: () => false });
      try {
        const reply = await bridge.ask(
          topic,
          "echo",
          { type: "Echo", text: "hello" },
          subject.waitMs,
          {
            tid: "#tid_7",
          },
        ) as EchoReply;
        assert.deepEqual(reply, { type: "EchoReply", text: "hello", pid: echo.pid, tid: "#tid_7" });
        const second = await bridge.ask(
          topic,
          "echo",
          { type: "Echo", text: "again" },
          subject.waitMs,
        );
        assert.equal((second as EchoReply).text, "again");
        await assert.rejects(
          bridge.ask(topic, "nobody", { type: "Echo", text: "lost" }, 300),
          AskTimeoutError,
        );
      } finally {
        await bridge.close();
        await echo.close();
      }
    },
  );
}
