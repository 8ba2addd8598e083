/**
 * Tests of the in-memory bus twin beyond the shared contract: its test hooks, in-flight
 * bounds, aborting a retry on close, give-up callbacks and closed-bus errors.
 */
import assert from "node:assert/strict";
import { BusClosedError, type BusRecord, MemoryBus } from "../../../runtime/bus/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";

const text = (r: BusRecord) => new TextDecoder().decode(r.value);

Deno.test("MemoryBus.sent() lists records in production order across partitions", async () => {
  const bus = new MemoryBus();
  await bus.ensureTopic("t", { partitions: 3 });
  await bus.send("t", [{ value: "a" }, { value: "b", partition: 2 }, { value: "c", key: "k" }]);
  assert.deepEqual(bus.sent("t").map(text), ["a", "b", "c"]);
  assert.equal(bus.sent("t")[1]?.partition, 2);
  assert.deepEqual(bus.sent("missing"), []);
  await bus.close();
});

Deno.test("MemoryBus.send() puts records with one key on one partition", async () => {
  const bus = new MemoryBus();
  await bus.ensureTopic("t", { partitions: 4 });
  await bus.send("t", Array.from({ length: 8 }, (_, i) => ({ value: `${i}`, key: "same" })));
  assert.equal(new Set(bus.sent("t").map((r) => r.partition)).size, 1);
  await bus.close();
});

Deno.test("MemoryBus.send() rejects a partition the topic does not have", async () => {
  const bus = new MemoryBus();
  await bus.ensureTopic("t", { partitions: 1 });
  await assert.rejects(bus.send("t", [{ value: "x", partition: 5 }]), RangeError);
  await bus.close();
});

Deno.test("MemoryBus.committed() advances only after the handler resolved", async () => {
  const bus = new MemoryBus();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const inHandler = new Promise<void>((resolve) => (started = resolve));
  await bus.subscribe({
    topics: ["t"],
    group: "g",
    handler: async () => {
      started();
      await gate;
    },
  });
  await bus.send("t", [{ value: "x" }]);
  await inHandler;
  assert.equal(bus.committed("g", "t"), 0);
  release();
  await bus.idle();
  assert.equal(bus.committed("g", "t"), 1);
  await bus.close();
});

Deno.test("MemoryBus.subscribe() without fromBeginning skips records sent before", async () => {
  const bus = new MemoryBus();
  await bus.send("t", [{ value: "old" }]);
  const seen: string[] = [];
  await bus.subscribe({
    topics: ["t"],
    group: "g",
    handler: (r) => Promise.resolve(void seen.push(text(r))),
  });
  await bus.send("t", [{ value: "new" }]);
  await bus.idle();
  assert.deepEqual(seen, ["new"]);
  await bus.close();
});

Deno.test("MemoryBus.subscribe() handles partitions concurrently up to maxInFlight", async () => {
  for (const maxInFlight of [1, 2]) {
    const bus = new MemoryBus();
    await bus.ensureTopic("t", { partitions: 2 });
    let active = 0;
    let peak = 0;
    await bus.subscribe({
      topics: ["t"],
      group: "g",
      maxInFlight,
      handler: async () => {
        peak = Math.max(peak, ++active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      },
    });
    await bus.send("t", [0, 1, 0, 1].map((partition) => ({ value: "x", partition })));
    await bus.idle();
    assert.equal(peak, maxInFlight);
    await bus.close();
  }
});

Deno.test("MemoryBus subscription close() aborts a retry and the next member gets the record", async () => {
  const bus = new MemoryBus({ retry: { maxAttempts: 100, backoffMs: 5 } });
  let failures = 0;
  const first = await bus.subscribe({
    topics: ["t"],
    group: "g",
    handler: () => (failures++, Promise.reject(new Error("down"))),
  });
  await bus.send("t", [{ value: "x" }]);
  while (failures < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  await first.close();
  assert.equal(bus.committed("g", "t"), 0);
  const seen: string[] = [];
  await bus.subscribe({
    topics: ["t"],
    group: "g",
    handler: (r) => Promise.resolve(void seen.push(text(r))),
  });
  await bus.idle();
  assert.deepEqual(seen, ["x"]);
  await bus.close();
});

Deno.test("MemoryBus subscribe() onGiveUp replaces the dead-letter topic", async () => {
  const logger = capturingLogger();
  const bus = new MemoryBus({ logger, retry: { maxAttempts: 2, backoffMs: 1 } });
  const givenUp: string[] = [];
  await bus.subscribe({
    topics: ["t"],
    group: "g",
    handler: () => Promise.reject(new Error("bad")),
    onGiveUp: (r, error) =>
      Promise.resolve(void givenUp.push(`${text(r)}:${(error as Error).message}`)),
  });
  await bus.send("t", [{ value: "x" }]);
  await bus.idle();
  assert.deepEqual(givenUp, ["x:bad"]);
  assert.deepEqual(bus.sent("deadLetters"), []);
  assert.equal(bus.committed("g", "t"), 1);
  await bus.close();
});

Deno.test("MemoryBus dead-letters a given-up record with a warn log", async () => {
  const logger = capturingLogger();
  const bus = new MemoryBus({ logger, retry: { maxAttempts: 1, backoffMs: 1 } });
  await bus.subscribe({ topics: ["t"], group: "g", handler: () => Promise.reject(new Error("x")) });
  await bus.send("t", [{ value: "v" }]);
  await bus.idle();
  assert.equal(bus.sent("deadLetters").length, 1);
  assert.ok(logger.entries.some((e) => e.level === "warn" && /dead letters/.test(e.msg)));
  await bus.close();
});

Deno.test("MemoryBus rejects use after close() with BusClosedError", async () => {
  const bus = new MemoryBus();
  await bus.close();
  await assert.rejects(bus.send("t", [{ value: "x" }]), BusClosedError);
  await assert.rejects(
    bus.subscribe({ topics: ["t"], group: "g", handler: async () => {} }),
    BusClosedError,
  );
});
