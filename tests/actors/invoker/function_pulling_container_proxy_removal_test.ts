/**
 * The container proxy shell leaving Running, message-driven: graceful shutdown (key
 * first), rescheduling after a refused `/init` or `/run`, a client closed while
 * activations are in flight, and an action mismatch.
 */
import assert from "node:assert/strict";
import { ABNORMAL_RUN_MESSAGE } from "../../../actors/invoker/_activation_run.ts";
import type { CombinedCompletionAndResultMessage } from "../../../protocols/activation.ts";
import { settle } from "../../_support/settle.ts";
import {
  activation,
  callNames,
  coldStart,
  ok,
  type ProxyHarness,
  proxyHarness,
  status,
  unreachable,
  warmUp,
} from "./_proxy_fixtures.ts";

const B = "b".repeat(32);

Deno.test("spawnFunctionPullingContainerProxy() GracefulShutdown in Running deletes the existing key first, then tells the client", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  const before = t.sent().length;
  t.send({ type: "GracefulShutdown" });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
  await t.client.expectMessage({ type: "GracefulShutdown" });
  assert.deepEqual(t.sent().slice(before), ["dms:UnregisterData", "client:GracefulShutdown"]);
  t.fromClient({ type: "ClientClosed" }); // the client closed after its last poll
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, false);
  await settle(t.h.system);
  assert.equal(t.container.calls.at(-1), "destroy");
  assert.equal(t.alive(), false);
  assert.equal(t.sent().filter((s) => s === "dms:RegisterData").length, 1); // the initial put only
});

/** Runs activation B into a refused container: Rescheduling, B handed to the client. */
async function toRescheduling(t: ProxyHarness, cold: boolean): Promise<void> {
  if (cold) {
    t.container.initAnswers.push(status(503, { error: "shutting down" }));
    await coldStart(t);
  } else {
    await warmUp(t);
    t.container.runAnswers.push(status(503, { error: "shutting down" }));
  }
  const msg = activation(B);
  t.fromClient(msg);
  await t.client.fishForMessage((m) => m.type === "RescheduleActivation");
  assert.deepEqual(t.transitions().at(-1), `${cold ? "ClientCreated" : "Running"}→Rescheduling`);
}

function assertAbnormalRun(t: ProxyHarness): void {
  const ack = t.acks.find((a) =>
    a.type === "CombinedCompletionAndResultMessage" && typeof a.response === "object" &&
    a.response.activationId === B
  ) as CombinedCompletionAndResultMessage | undefined;
  assert.ok(ack, "a fallback ack for B");
  assert.equal(ack.isSystemError, true);
  const record = t.records.find((r) => r.activationId === B);
  assert.equal(record?.response.statusCode, 3);
  assert.deepEqual(record?.response.result, { error: ABNORMAL_RUN_MESSAGE });
}

Deno.test("spawnFunctionPullingContainerProxy() a refused /run is rescheduled; a queue that declines gets the fallback whisk-error ack and record", async () => {
  await using t = proxyHarness();
  await toRescheduling(t, false);
  await settle(t.h.system);
  assert.equal(t.records.some((r) => r.activationId === B), false);
  t.fromClient({ type: "RescheduleResponse", isRescheduled: false });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, true);
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assertAbnormalRun(t);
  assert.equal(t.container.calls.at(-1), "destroy");
});

Deno.test("spawnFunctionPullingContainerProxy() a run into a container already gone is handed back, not failed", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  t.container.runAnswers.push(unreachable());
  t.fromClient(activation(B));
  const back = await t.client.fishForMessage((m) => m.type === "RescheduleActivation");
  assert.equal(back.type === "RescheduleActivation" && back.msg.activationId, B);
  assert.deepEqual(t.transitions().at(-1), "Running→Rescheduling");
  t.fromClient({ type: "RescheduleResponse", isRescheduled: true });
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  assert.equal(t.records.some((r) => r.activationId === B), false); // it runs elsewhere
  assert.equal(t.container.calls.at(-1), "destroy");
});

Deno.test("spawnFunctionPullingContainerProxy() a fresh container gone before /init fails the activation instead of looping through reschedules", async () => {
  await using t = proxyHarness();
  t.container.initAnswers.push(unreachable());
  await coldStart(t);
  t.fromClient(activation(B));
  const next = await t.client.fishForMessage((m) =>
    m.type === "RescheduleActivation" || m.type === "StopClientProxy"
  );
  assert.equal(next.type, "StopClientProxy"); // cleaned up, never handed back
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  const record = t.records.find((r) => r.activationId === B);
  assert.equal(record?.response.statusCode, 2);
  assert.deepEqual(record?.response.result, { error: "gone" });
});

Deno.test("spawnFunctionPullingContainerProxy() a refused /init with no reschedule answer within 10 s gets the fallback ack and record", async () => {
  await using t = proxyHarness();
  await toRescheduling(t, true);
  await t.advance(9_999);
  await t.pool.expectNoMessage();
  assert.equal(t.acks.length, 0);
  await t.advance(1);
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  assertAbnormalRun(t);
});

Deno.test("spawnFunctionPullingContainerProxy() an activation the queue took back is not acked by the proxy", async () => {
  await using t = proxyHarness();
  await toRescheduling(t, false);
  t.fromClient({ type: "RescheduleResponse", isRescheduled: true });
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  assert.equal(t.records.some((r) => r.activationId === B), false);
  assert.equal(t.acks.length, 1); // the first activation's only
});

Deno.test("spawnFunctionPullingContainerProxy() ClientClosed while an activation runs is retried every 10 s until it ends", async () => {
  await using t = proxyHarness();
  await coldStart(t);
  const held = t.container.holdRun();
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  t.fromClient({ type: "ClientClosed" });
  await t.pool.expectNoMessage();
  await t.advance(10_000); // the retry finds the activation still running
  await t.pool.expectNoMessage();
  held.resolve(ok({ late: true }));
  await t.client.expectMessageType("RequestActivation");
  assert.equal(t.records[0]?.response.statusCode, 0);
  await t.advance(9_999);
  await t.pool.expectNoMessage();
  await t.advance(1); // the next retry finds nothing running
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  assert.equal(t.container.calls.at(-1), "destroy");
  await t.client.expectNoMessage(); // the client is closed: no StopClientProxy
  assert.equal(t.alive(), false);
});

Deno.test("spawnFunctionPullingContainerProxy() after ClientClosed the container goes at the first retry once its activation ended", async () => {
  await using t = proxyHarness();
  await coldStart(t);
  const held = t.container.holdRun();
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  t.fromClient({ type: "ClientClosed" });
  await t.pool.expectNoMessage(); // settles: the retry is armed at 1 000 + 10 000
  await t.advance(4_000);
  held.resolve(ok({}));
  await t.client.expectMessageType("RequestActivation");
  await t.advance(5_999);
  await t.pool.expectNoMessage();
  await t.advance(1); // 10 s after ClientClosed
  await t.pool.expectMessageType("ContainerRemoved");
});

Deno.test("spawnFunctionPullingContainerProxy() an action mismatch removes the container without a health failure", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  t.fromClient({
    type: "FailureMessage",
    reason: "ActionMismatch",
    error: new Error("action version does not match"),
  });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, true);
  await t.client.expectMessage({ type: "StopClientProxy" });
  await t.health.expectNoMessage();
  t.fromClient({ type: "ClientClosed" });
  await settle(t.h.system);
  assert.equal(t.container.calls.at(-1), "destroy");
  assert.equal(t.alive(), false);
});

const C = "c".repeat(32);

Deno.test("spawnFunctionPullingContainerProxy() an activation that arrives while Rescheduling is ended with a record", async () => {
  await using t = proxyHarness();
  await toRescheduling(t, false);
  t.fromClient(activation(C));
  await settle(t.h.system);
  const record = t.records.find((r) => r.activationId === C);
  assert.deepEqual(record?.response.result, { error: ABNORMAL_RUN_MESSAGE });
  assert.equal(t.transitions().at(-1), "Running→Rescheduling");
});

/** Warm, then B refused (503) while C still waits for its action document: Rescheduling. */
async function reschedulingWithPending(t: ProxyHarness) {
  await warmUp(t);
  const run = t.container.holdRun();
  t.fromClient(activation(B));
  await settle(t.h.system);
  const document = Promise.withResolvers<void>();
  const action = t.deps.action;
  t.deps.getAction = () => document.promise.then(() => action);
  t.fromClient(activation(C)); // pending: its document is held
  await settle(t.h.system);
  run.resolve(status(503, { error: "shutting down" }));
  await t.client.fishForMessage((m) => m.type === "RescheduleActivation");
  return () => document.resolve();
}

Deno.test("spawnFunctionPullingContainerProxy() Rescheduling hands the activations still waiting for their document to the pool", async () => {
  await using t = proxyHarness();
  await reschedulingWithPending(t);
  t.fromClient({ type: "RescheduleResponse", isRescheduled: true });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.deepEqual(removed.heldActivations.map((m) => m.activationId), [C]);
});

Deno.test("spawnFunctionPullingContainerProxy() a document that arrives while Rescheduling ends its activation, which is then not handed over", async () => {
  await using t = proxyHarness();
  const release = await reschedulingWithPending(t);
  release();
  await settle(t.h.system);
  const record = t.records.find((r) => r.activationId === C);
  assert.deepEqual(record?.response.result, { error: ABNORMAL_RUN_MESSAGE });
  t.fromClient({ type: "RescheduleResponse", isRescheduled: true });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.deepEqual(removed.heldActivations, []);
  assert.equal(callNames(t.container).filter((c) => c === "run").length, 2); // A and B only
});

Deno.test("spawnFunctionPullingContainerProxy() a crashed proxy has the DMS delete its failover keys before it reports", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  Object.assign(t.container, {
    pause: () => {
      throw new Error("bug in pause");
    },
  });
  await t.advance(10_000);
  t.fromClient({ type: "RetryRequestActivation" }); // → Pausing: the pause effect throws
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.crashedWith?.error, "bug in pause");
  await settle(t.h.system);
  assert.equal(t.alive(), false);
});
