/**
 * Tests of `invoke()` wired by `startLeanBalancing()` on a manual clock, with a probe
 * in the ContainerPool's place that plays the pool through the completion sink it is
 * given: blocking and non-blocking calls, the wait running out, the forced-completion
 * record written once, 503 for a missing action and while draining, the concurrent
 * 429 freed by completion acks, and the `balancer: "lean"` annotation on every record.
 */
import assert from "node:assert/strict";
import {
  type AcknowledgementMessage,
  type ActivationMessage,
  invokerInstance,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import type { ContainerPoolCommand, Run } from "../../../protocols/container_pool.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { forcedCompletionMs } from "../../../actors/controller/invoke.ts";
import {
  type LeanBalancing,
  type LeanCompletionSink,
  startLeanBalancing,
} from "../../../actors/controller/lean_balancer_wiring.ts";
import { ranOnLeanPath } from "../../../actors/controller/lean_balancer_protocol.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { action, identity } from "./_pool_balancer_fixtures.ts";

const HELLO = action("hello");
const ID = "d".repeat(32);
const invoker = invokerInstance(0);

async function harness() {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  const pool = createProbe<ContainerPoolCommand>(h.system, "pool");
  const records = new Map<string, WhiskActivation>();
  const store = (record: WhiskActivation) => {
    if (records.has(record.activationId)) return Promise.resolve("exists" as const);
    records.set(record.activationId, record);
    return Promise.resolve("inserted" as const);
  };
  const wired: { sink?: LeanCompletionSink } = {};
  const b: LeanBalancing = await startLeanBalancing({
    system: h.system,
    kv,
    storeActivation: store,
    loadActivation: (id) => Promise.resolve(records.get(id)),
    loadAction: (fqn) => Promise.resolve(fqn.name === "hello" ? HELLO : undefined),
    spawnPool: (sink) => {
      wired.sink = sink;
      return pool.ref;
    },
    logger: h.logger,
  }, { controllerId: "0", concurrentInvocations: 2, invocationsPerMinute: 100, invokerId: 0 });
  const sink = wired.sink!;
  const flush = () => settle(h.system);
  /** The pool's proxy finishing: ack in-process, then the record. */
  const finish = async (msg: ActivationMessage, result: Record<string, unknown> = { ok: true }) => {
    const rec = record(msg.activationId, result);
    await sink.sendAck(msg.rootControllerIndex, ack(msg, rec));
    await sink.storeActivation(rec);
    await flush();
  };
  const stopSystem = h[Symbol.asyncDispose];
  return Object.assign(h, {
    b,
    pool,
    sink,
    records,
    store,
    flush,
    finish,
    [Symbol.asyncDispose]: async () => {
      await b.close();
      await stopSystem();
      await kv.close();
    },
  });
}

function record(id: string, result: Record<string, unknown>): WhiskActivation {
  return {
    namespace: "guest",
    name: "hello",
    subject: "guest",
    activationId: id,
    start: 1_000,
    end: 1_010,
    duration: 10,
    response: { statusCode: 0, result: result as never },
    logs: [],
    annotations: [{ key: "path", value: "guest/hello" }],
    version: "0.0.1",
    publish: false,
  };
}

function ack(msg: ActivationMessage, rec: WhiskActivation): AcknowledgementMessage {
  return msg.blocking
    ? {
      type: "CombinedCompletionAndResultMessage",
      transid: msg.transid,
      response: rec,
      instance: invoker,
    }
    : {
      type: "CompletionMessage",
      transid: msg.transid,
      activationId: msg.activationId,
      instance: invoker,
    };
}

const options = (blocking: boolean, activationId = ID) => ({
  blocking,
  waitMs: 60_000,
  tid: "tid-lean",
  activationId,
  revision: "1-abc",
});

Deno.test("startLeanBalancing() invoke() pushes Run to the pool and completes a blocking call in-process", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, { name: "x" }, options(true));
  const run: Run = await h.pool.expectMessageType("Run");
  assert.equal(run.msg.activationId, ID);
  assert.deepEqual(run.msg.content, { name: "x" });
  assert.equal(run.msg.revision, "1-abc");
  assert.equal(run.action, HELLO);
  assert.equal(h.b.entitlement.inFlight("guest"), 1);
  await h.finish(run.msg, { hello: "lean" });
  const outcome = await pending;
  assert.equal(outcome.type, "Completed");
  assert.ok(outcome.type === "Completed" && ranOnLeanPath(outcome.activation.annotations));
  assert.deepEqual(outcome.type === "Completed" && outcome.activation.response.result, {
    hello: "lean",
  });
  assert.ok(ranOnLeanPath(h.records.get(ID)!.annotations), "the stored record is marked lean");
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  assert.equal((await h.b.status()).inFlight, 0);
});

Deno.test("startLeanBalancing() invoke() answers a non-blocking call Accepted and frees the slot on the completion", async () => {
  await using h = await harness();
  assert.deepEqual(await h.b.invoke(identity(), HELLO, {}, options(false)), {
    type: "Accepted",
    activationId: ID,
  });
  const run = await h.pool.expectMessageType("Run");
  assert.equal(run.msg.blocking, false);
  assert.equal((await h.b.status()).inFlight, 1);
  await h.finish(run.msg);
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  assert.equal((await h.b.status()).inFlight, 0);
  assert.equal(h.records.size, 1);
});

Deno.test("startLeanBalancing() invoke() answers Accepted when the blocking wait runs out", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, {}, { ...options(true), waitMs: 5_000 });
  const run = await h.pool.expectMessageType("Run");
  await h.flush();
  h.clock.advance(5_000);
  assert.deepEqual(await pending, { type: "Accepted", activationId: ID });
  assert.equal(h.b.entitlement.inFlight("guest"), 1);
  await h.finish(run.msg);
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("startLeanBalancing() ends an activation the pool never finishes with one lean forced record", async () => {
  await using h = await harness();
  await h.b.invoke(identity(), HELLO, {}, options(false));
  const run = await h.pool.expectMessageType("Run");
  await h.flush();
  h.clock.advance(forcedCompletionMs(60_000) - 1);
  await h.flush();
  assert.equal(h.records.size, 0);
  h.clock.advance(1);
  await h.flush();
  const forced = h.records.get(ID);
  assert.equal(forced?.response.statusCode, 3);
  assert.ok(ranOnLeanPath(forced!.annotations));
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  assert.equal((await h.b.status()).inFlight, 0);
  await h.finish(run.msg); // late: insert-if-absent keeps the forced record
  assert.equal(h.records.size, 1);
  assert.equal(h.records.get(ID)?.response.statusCode, 3);
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
});

Deno.test("startLeanBalancing() rejects 503 for an action gone from the store, without a record", async () => {
  await using h = await harness();
  const outcome = await h.b.invoke(identity(), action("gone"), {}, options(true));
  assert.equal(outcome.type, "Rejected");
  assert.equal(outcome.type === "Rejected" && outcome.status, 503);
  await h.pool.expectNoMessage();
  assert.equal(h.b.entitlement.inFlight("guest"), 0);
  h.clock.advance(forcedCompletionMs(60_000));
  await h.flush();
  assert.equal(h.records.size, 0);
});

Deno.test("startLeanBalancing() checkThrottle() answers 429 at the concurrent limit until a completion", async () => {
  await using h = await harness();
  await h.b.invoke(identity(), HELLO, {}, options(false, "1".repeat(32)));
  await h.b.invoke(identity(), HELLO, {}, options(false, "2".repeat(32)));
  const [first] = await h.pool.receiveMessages(2);
  assert.equal(h.b.checkThrottle(identity(), HELLO).type, "Throttled");
  await h.finish((first as Run).msg);
  assert.deepEqual(h.b.checkThrottle(identity(), HELLO), { type: "Allowed", throttled: false });
});

Deno.test("startLeanBalancing() rejects 503 once drained and reports the invoker Offline", async () => {
  await using h = await harness();
  assert.deepEqual(await h.b.invokerHealth(), [{ id: 0, status: "Healthy" }]);
  h.b.drain();
  const outcome = await h.b.invoke(identity(), HELLO, {}, options(false));
  assert.equal(outcome.type === "Rejected" && outcome.status, 503);
  await h.pool.expectNoMessage();
  assert.deepEqual(await h.b.invokerHealth(), [{ id: 0, status: "Offline" }]);
});

Deno.test("startLeanBalancing() deliver() takes acks only, and marks their records lean", async () => {
  await using h = await harness();
  const pending = h.b.invoke(identity(), HELLO, {}, options(true));
  const run = await h.pool.expectMessageType("Run");
  assert.equal(h.b.deliver("pool-balancer", { type: "CreateQueueResponse" }), false);
  assert.equal(h.b.deliver("completions", ack(run.msg, record(ID, { via: "deliver" }))), true);
  const outcome = await pending;
  assert.ok(outcome.type === "Completed" && ranOnLeanPath(outcome.activation.annotations));
});
