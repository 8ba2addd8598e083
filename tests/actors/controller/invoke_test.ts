/**
 * Tests of `invoke()` wired by `startBalancing()` over the in-memory bus and bridge, the
 * in-memory store and a manual clock, with a stand-in scheduler on `scheduler0` that
 * answers on `completed0`: blocking and non-blocking calls, the wait running out, 503
 * without schedulers, the forced-completion record written once, and the concurrent
 * 429 freed by completion acks.
 */
import assert from "node:assert/strict";
import {
  type AcknowledgementMessage,
  type ActivationMessage,
  decodeWire,
  encodeWire,
  invokerInstance,
  type WhiskActivation,
  type WireMessage,
} from "../../../protocols/mod.ts";
import { Bridge } from "../../../runtime/bus/bridge.ts";
import { MemoryBus } from "../../../runtime/bus/memory_bus.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import {
  type Balancing,
  type BalancingOptions,
  invokeSettings,
  startBalancing,
} from "../../../actors/controller/pool_balancer_wiring.ts";
import { createInvoke, forcedCompletionMs } from "../../../actors/controller/invoke.ts";
import type { CompletionsCommand } from "../../../protocols/completions.ts";
import type { PoolBalancerCommand } from "../../../protocols/pool_balancer.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import { loadConfig } from "../../../runtime/config.ts";
import { createProbe } from "../../_support/probe.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { settle } from "../../_support/settle.ts";
import { action, identity, schedulerValue } from "./_pool_balancer_fixtures.ts";

const HELLO = action("hello");
const ID = "b".repeat(32);

async function harness(withScheduler = true, settings: Partial<BalancingOptions> = {}) {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  if (withScheduler) await kv.put("whisk/scheduler/0", schedulerValue(0, 0));
  const bus = new MemoryBus({ clock: h.clock });
  const codec = {
    decode: (type: string, value: Uint8Array) => decodeWire(type, value),
    encode: (_type: string, msg: unknown) => encodeWire(msg as WireMessage).value,
  };
  const wired: { balancing?: Balancing } = {};
  const controllerBridge = new Bridge({
    bus,
    ...codec,
    deliver: (to, msg) => wired.balancing?.deliver(to, msg) ?? false,
  });
  const received: WireMessage[] = [];
  const schedulerBridge = new Bridge({
    bus,
    ...codec,
    deliver: (_to, msg) => received.push(msg as WireMessage) > 0,
  });
  const subs = [
    await controllerBridge.listen("completed0", "controller0"),
    await schedulerBridge.listen("scheduler0", "scheduler0"),
  ];
  const records = new Map<string, WhiskActivation>();
  const store = (record: WhiskActivation) => {
    if (records.has(record.activationId)) return Promise.resolve("exists" as const);
    records.set(record.activationId, record);
    return Promise.resolve("inserted" as const);
  };
  const b = wired.balancing = await startBalancing({
    system: h.system,
    kv,
    publish: (topic, to, message, envelope) => controllerBridge.send(topic, to, message, envelope),
    storeActivation: store,
    loadActivation: (id) => Promise.resolve(records.get(id)),
    logger: h.logger,
  }, { controllerId: "0", concurrentInvocations: 2, invocationsPerMinute: 100, ...settings });
  await settle(h.system);
  const flush = async () => {
    await settle(h.system);
    await bus.idle();
    await settle(h.system);
  };
  /** The stand-in scheduler acknowledges on `completed0`. */
  const ack = async (msg: AcknowledgementMessage) => {
    await schedulerBridge.send("completed0", "completions", msg);
    await flush();
  };
  const activations = () =>
    received.filter((m): m is ActivationMessage => m.type === "ActivationMessage");
  const stopSystem = h[Symbol.asyncDispose];
  return Object.assign(h, {
    kv,
    bus,
    b,
    records,
    store,
    received,
    activations,
    flush,
    ack,
    schedulerBridge,
    [Symbol.asyncDispose]: async () => {
      await b.close();
      for (const s of subs) await s.close();
      await controllerBridge.close();
      await schedulerBridge.close();
      await stopSystem();
      await bus.close();
      await kv.close();
    },
  });
}

function record(id: string, result: Record<string, string> = { hello: "world" }): WhiskActivation {
  return {
    namespace: "guest",
    name: "hello",
    subject: "guest",
    activationId: id,
    start: 1_000,
    end: 1_010,
    duration: 10,
    response: { statusCode: 0, result },
    logs: [],
    annotations: [],
    version: "0.0.1",
    publish: false,
  };
}

const combined = (
  a: ActivationMessage,
  response: WhiskActivation | string,
): AcknowledgementMessage => ({
  type: "CombinedCompletionAndResultMessage",
  transid: a.transid,
  response,
  instance: invokerInstance(0),
});
const completion = (a: ActivationMessage): AcknowledgementMessage => ({
  type: "CompletionMessage",
  transid: a.transid,
  activationId: a.activationId,
  instance: invokerInstance(0),
});
const options = (blocking: boolean, activationId = ID) => ({
  blocking,
  waitMs: 60_000,
  tid: "tid-1",
  activationId,
  revision: "1-abc",
});

Deno.test("invoke() publishes the activation to the scheduler with upstream's fields", async () => {
  await using h = await harness();
  const outcome = await h.b.invoke(identity(), HELLO, { name: "x" }, options(false));
  await h.flush();
  assert.deepEqual(outcome, { type: "Accepted", activationId: ID });
  const [sent] = h.activations();
  assert.equal(sent?.activationId, ID);
  assert.deepEqual(sent?.content, { name: "x" });
  assert.deepEqual(sent?.initArgs, ["greeting"]);
  assert.equal(sent?.revision, "1-abc");
  assert.equal(sent?.blocking, false);
  assert.deepEqual(sent?.rootControllerIndex, { instanceType: "controller", asString: "0" });
  assert.equal(sent?.transid.id, "tid-1");
  assert.equal(h.received.filter((m) => m.type === "CreateQueue").length, 1);
});

Deno.test("invoke() resolves a blocking call with the record of the combined ack", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, {}, options(true));
  await h.flush();
  assert.equal(h.b.entitlement.inFlight("guest"), 1);
  const [sent] = h.activations();
  await h.ack(combined(sent!, record(ID)));
  assert.deepEqual(await pending, { type: "Completed", activation: record(ID) });
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("invoke() answers a non-blocking call Accepted at once and frees the slot on the completion ack", async () => {
  await using h = await harness();
  assert.deepEqual(await h.b.invoke(identity(), HELLO, {}, options(false)), {
    type: "Accepted",
    activationId: ID,
  });
  await h.flush();
  assert.equal(h.b.entitlement.inFlight("guest"), 1);
  await h.ack(completion(h.activations()[0]!));
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("invoke() answers Accepted when the blocking wait runs out while the activation goes on", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, {}, { ...options(true), waitMs: 5_000 });
  await h.flush();
  h.clock.advance(5_000);
  assert.deepEqual(await pending, { type: "Accepted", activationId: ID });
  assert.equal(h.b.entitlement.inFlight("guest"), 1);
  await h.ack(combined(h.activations()[0]!, record(ID)));
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("invoke() reads a result shrunk to its id back from the store", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, {}, options(true));
  await h.flush();
  h.records.set(ID, record(ID, { from: "store" })); // the invoker stored it
  await h.ack(combined(h.activations()[0]!, ID));
  assert.deepEqual(await pending, { type: "Completed", activation: record(ID, { from: "store" }) });
});

Deno.test("invoke() rejects with 503 when no scheduler endpoint is available and frees the slot", async () => {
  await using h = await harness(false);
  assert.deepEqual(await h.b.invoke(identity(), HELLO, {}, options(true)), {
    type: "Rejected",
    status: 503,
    message: "No scheduler endpoint available",
  });
  await h.flush();
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  h.clock.advance(forcedCompletionMs(60_000));
  await h.flush();
  assert.equal(h.records.size, 0); // never accepted: no record
});

Deno.test("invoke() ends an activation without completion with one forced record a late result does not replace", async () => {
  await using h = await harness();
  await h.b.invoke(identity(), HELLO, {}, options(false));
  await h.flush();
  h.clock.advance(forcedCompletionMs(60_000) - 1);
  await h.flush();
  assert.equal(h.records.size, 0);
  h.clock.advance(1);
  await h.flush();
  assert.equal(h.records.get(ID)?.response.statusCode, 3);
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  // The invoker finally finishes: its insert-if-absent store answers "exists", its ack is ignored.
  assert.equal(await h.store(record(ID)), "exists");
  await h.ack(combined(h.activations()[0]!, record(ID)));
  assert.equal(h.records.size, 1);
  assert.equal(h.records.get(ID)?.response.statusCode, 3);
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("checkThrottle() answers the concurrent 429 until a completion ack frees a slot", async () => {
  await using h = await harness();
  await h.b.invoke(identity(), HELLO, {}, options(false, "1".repeat(32)));
  await h.b.invoke(identity(), HELLO, {}, options(false, "2".repeat(32)));
  await h.flush();
  assert.deepEqual(h.b.checkThrottle(identity(), HELLO), {
    type: "Throttled",
    throttled: true,
    status: 429,
    message: "Too many concurrent requests in flight (count: 2, allowed: 2).",
  });
  await h.ack(completion(h.activations()[0]!));
  assert.deepEqual(h.b.checkThrottle(identity(), HELLO), { type: "Allowed", throttled: false });
});

Deno.test("startBalancing() routes a CreateQueueResponse on completed0 to the pool balancer", async () => {
  await using h = await harness();
  await h.b.invoke(identity(), HELLO, {}, options(false));
  await h.flush();
  const create = h.received.find((m) => m.type === "CreateQueue");
  assert.ok(create?.type === "CreateQueue");
  await h.schedulerBridge.send("completed0", "pool-balancer", {
    type: "CreateQueueResponse",
    invocationNamespace: create.invocationNamespace,
    fqn: create.fqn,
    success: true,
  });
  await h.flush();
  h.clock.advance(8_000); // no retry: the creation was answered
  await h.flush();
  assert.equal(h.received.filter((m) => m.type === "CreateQueue").length, 1);
  assert.equal(h.b.deliver("completions", { type: "Ping" }), false);
});

Deno.test("invokerHealth() answers from the watch-fed cache", async () => {
  await using h = await harness();
  await h.kv.put("whisk/invokers/1", "not json");
  await h.flush();
  assert.deepEqual(await h.b.invokerHealth(), [{ id: 0, status: "Offline" }, {
    id: 1,
    status: "Offline",
  }]);
});

/** Settings that drop the scheduler timeline below upstream's formula. */
const NO_TIMELINE = { queueRetentionMs: 0, creationJobTimeoutMs: 0 };

Deno.test("forcedCompletionMs() is upstream's max(timeout, 60 s) × factor + 60 s by default", () => {
  assert.equal(forcedCompletionMs(60_000), 180_000);
  assert.equal(forcedCompletionMs(1_000), 180_000); // the 60 s floor
  assert.equal(forcedCompletionMs(300_000), 660_000);
  assert.equal(forcedCompletionMs(300_000, { timeoutFactor: 3 }), 960_000);
  assert.equal(forcedCompletionMs(60_000, { timeoutFactor: 0, ...NO_TIMELINE }), 60_000);
  assert.equal(forcedCompletionMs(60_000, { timeoutFactor: 0 }), 140_000); // 60 + 20 + 60 s
});

Deno.test("forcedCompletionMs() takes a configured floor and extra time", () => {
  const short = { forcedCompletionFloorMs: 0, forcedCompletionExtraMs: 5_000, ...NO_TIMELINE };
  assert.equal(forcedCompletionMs(10_000, short), 25_000);
  assert.equal(forcedCompletionMs(10_000, { ...short, timeoutFactor: 1 }), 15_000);
  assert.equal(forcedCompletionMs(10_000, { forcedCompletionFloorMs: 30_000 }), 120_000);
  assert.equal(forcedCompletionMs(10_000, { forcedCompletionExtraMs: 0 }), 120_000);
});

Deno.test("forcedCompletionMs() outlasts queue retention + creation + run for normal and blackbox actions", () => {
  const config = loadConfig([], () => undefined);
  const fromConfig = {
    timeoutFactor: config.controller.timeoutFactor,
    forcedCompletionFloorMs: config.controller.forcedCompletionFloorMs,
    forcedCompletionExtraMs: config.controller.forcedCompletionExtraMs,
    queueRetentionMs: config.queue.maxRetentionMs,
    blackboxQueueRetentionMs: config.queue.maxBlackboxRetentionMs,
    creationJobTimeoutMs: config.scheduling.inProgressJobRetentionMs,
    blackboxMultiple: config.scheduling.blackboxMultiple,
  };
  const table: [string, number, boolean, object, number][] = [
    // name, action timeout, blackbox, settings, window
    ["normal 60 s: upstream's 180 s beats 60 + 20 + 60 s", 60_000, false, {}, 180_000],
    ["normal 300 s: upstream's 660 s beats 60 + 20 + 300 s", 300_000, false, {}, 660_000],
    ["blackbox 60 s: 300 s retention + 20 s × 15 + 60 s", 60_000, true, {}, 660_000],
    ["blackbox 1 s: 300 + 300 + 1 s", 1_000, true, {}, 601_000],
    ["blackbox 300 s: 300 + 300 + 300 s", 300_000, true, {}, 900_000],
    ["blackbox from the loaded config", 60_000, true, fromConfig, 660_000],
    ["normal from the loaded config", 60_000, false, fromConfig, 180_000],
    ["normal with a long retention", 60_000, false, { queueRetentionMs: 200_000 }, 280_000],
    ["blackbox ignores the normal retention", 60_000, true, { queueRetentionMs: 0 }, 660_000],
    ["normal ignores the blackbox settings", 60_000, false, { blackboxMultiple: 100 }, 180_000],
    ["blackbox with multiple 1", 60_000, true, { blackboxMultiple: 1 }, 380_000],
    ["blackbox with a short retention", 60_000, true, { blackboxQueueRetentionMs: 0 }, 360_000],
  ];
  for (const [name, timeoutMs, blackbox, settings, expected] of table) {
    assert.equal(forcedCompletionMs(timeoutMs, settings, blackbox), expected, name);
  }
});

Deno.test("invoke() forces the completion at the configured window (floor and extra from the balancing options)", async () => {
  const window = { forcedCompletionFloorMs: 0, forcedCompletionExtraMs: 5_000, ...NO_TIMELINE };
  await using h = await harness(true, window);
  const quick = action("hello", "guest", 10_000);
  await h.b.invoke(identity(), quick, {}, options(false));
  await h.flush();
  h.clock.advance(24_999); // 10 s × 2 + 5 s
  await h.flush();
  assert.equal(h.records.size, 0);
  h.clock.advance(1);
  await h.flush();
  assert.equal(h.records.get(ID)?.response.statusCode, 3);
});

/** `createInvoke` over probes: a pool balancer and a completions actor that never answer. */
function probeHarness() {
  const h = actorHarness();
  const balancer = createProbe<PoolBalancerCommand>(h.system, "balancer");
  const completions = createProbe<CompletionsCommand>(h.system, "completions");
  const started: string[] = [];
  const invoke = createInvoke({
    system: h.system,
    poolBalancer: balancer.ref,
    completions: completions.ref,
    slots: { activationStarted: (ns) => void started.push(ns) },
    logger: h.logger,
  }, { controllerId: "0", publishTimeoutMs: 10_000 });
  return Object.assign(h, { balancer, completions, started, invoke });
}

/** Tracks whether `promise` has resolved yet. */
function watch<T>(promise: Promise<T>) {
  const seen: { value?: T } = {};
  void promise.then((value) => seen.value = value);
  return seen;
}

for (const blocking of [false, true]) {
  Deno.test(
    `invoke() answers Accepted and keeps the registration when a ${
      blocking ? "blocking" : "non-blocking"
    } publish is not answered in time`,
    async () => {
      await using h = probeHarness();
      const outcome = watch(h.invoke(identity(), HELLO, {}, options(blocking)));
      const registered = await h.completions.expectMessageType("RegisterActivation");
      assert.equal(registered.waiter !== undefined, blocking);
      const publish = await h.balancer.expectMessageType("PublishActivation");
      h.clock.advance(9_999);
      await settle(h.system);
      assert.equal(outcome.value, undefined); // still waiting for the balancer
      h.clock.advance(1);
      await settle(h.system);
      // Unknown outcome: the balancer may publish it later (stashed while Loading).
      assert.deepEqual(outcome.value, { type: "Accepted", activationId: ID });
      await h.completions.expectNoMessage(); // no UnregisterActivation: the safety net stays
      assert.deepEqual(h.started, ["guest"]); // the slot stays taken until a completion
      assert.equal(h.logs("activation publish outcome unknown").length, 1);
      assert.equal(h.logs("activation rejected").length, 0);
      // The stashed request is published late: nothing is undone.
      tell(h.system, publish.replyTo, { type: "Published", activationId: ID, sid: "0" });
      await settle(h.system);
      await h.completions.expectNoMessage();
      assert.deepEqual(h.logs("late publish answer").map((e) => e.meta.outcome), ["Published"]);
    },
  );
}

Deno.test("invoke() still rejects and unregisters when the pool balancer answers PublishRejected", async () => {
  await using h = probeHarness();
  const outcome = watch(h.invoke(identity(), HELLO, {}, options(false)));
  await h.completions.expectMessageType("RegisterActivation");
  const publish = await h.balancer.expectMessageType("PublishActivation");
  const message = "No scheduler endpoint available";
  tell(h.system, publish.replyTo, {
    type: "PublishRejected",
    activationId: ID,
    status: 503,
    message,
  });
  await settle(h.system);
  assert.deepEqual(outcome.value, { type: "Rejected", status: 503, message });
  assert.deepEqual(await h.completions.expectMessageType("UnregisterActivation"), {
    type: "UnregisterActivation",
    activationId: ID,
  });
});

Deno.test("invoke() arms the forced completion at the blackbox window for a blackbox action", async () => {
  await using h = probeHarness();
  const blackbox: typeof HELLO = {
    ...HELLO,
    exec: { kind: "blackbox", image: "me/image", binary: false },
  };
  void h.invoke(identity(), HELLO, {}, options(false, "1".repeat(32)));
  assert.equal(
    (await h.completions.expectMessageType("RegisterActivation")).forcedAfterMs,
    180_000,
  );
  void h.invoke(identity(), blackbox, {}, options(false, "2".repeat(32)));
  assert.equal(
    (await h.completions.expectMessageType("RegisterActivation")).forcedAfterMs,
    660_000,
  );
  await h.balancer.receiveMessages(2);
  h.clock.advance(10_000); // end the publish asks
  await settle(h.system);
});

Deno.test("invokeSettings() passes every forced-completion setting of the balancing options", () => {
  const window = {
    timeoutFactor: 3,
    forcedCompletionFloorMs: 1,
    forcedCompletionExtraMs: 2,
    queueRetentionMs: 3,
    blackboxQueueRetentionMs: 4,
    creationJobTimeoutMs: 5,
    blackboxMultiple: 6,
  };
  const limits = { controllerId: "0", concurrentInvocations: 1, invocationsPerMinute: 1 };
  assert.deepEqual(invokeSettings({ ...limits, ...window }), { controllerId: "0", ...window });
  assert.deepEqual(invokeSettings(limits), { controllerId: "0" });
});
