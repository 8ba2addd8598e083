/**
 * The container proxy shell's idle phase, message-driven: a paused container resumed by
 * `Initialize`, and the keep-or-remove decision after the idle timeout (keep count,
 * keeping timeout, lookup failures retried 500 ms apart at most 5 times), and late
 * activations (Pausing, Paused, Removing) ended with a record.
 */
import assert from "node:assert/strict";
import { ABNORMAL_RUN_MESSAGE } from "../../../actors/invoker/_activation_run.ts";
import { settle } from "../../_support/settle.ts";
import {
  activation,
  callNames,
  initialize,
  type ProxyHarness,
  proxyHarness,
  toPaused,
  warmUp,
} from "./_proxy_fixtures.ts";

const IDLE = 600_000;

Deno.test("spawnFunctionPullingContainerProxy() Initialize resumes a paused container: warmed key deleted, existing key put, Resumed, poll the new scheduler", async () => {
  await using t = proxyHarness();
  await toPaused(t);
  t.send({ ...initialize(), schedulerHost: "10.0.0.2", rpcPort: 13002, creationId: "c2" });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.warmedKey });
  await t.dms.expectMessage({
    type: "RegisterData",
    key: t.existingKey,
    value: "",
    failoverEnabled: true,
  });
  const resumed = await t.pool.expectMessageType("Resumed");
  assert.deepEqual([resumed.creationId, resumed.data.type], ["c2", "WarmData"]);
  await t.client.expectMessage({
    type: "RequestActivation",
    newScheduler: { host: "10.0.0.2", rpcPort: 13002 },
  });
  assert.deepEqual(t.container.calls.slice(-2), ["pause", "resume"]);

  t.fromClient(activation("b".repeat(32))); // warm: no second /init
  await t.client.expectMessageType("RequestActivation");
  assert.deepEqual(callNames(t.container).slice(-2), ["run", "logs"]);
  assert.equal(callNames(t.container).filter((c) => c === "init").length, 1);
  await t.advance(IDLE); // the Paused idle timer was left behind
  await t.pool.expectNoMessage();
});

Deno.test("spawnFunctionPullingContainerProxy() keeps a paused container while live ≤ keep count, then removes it at the keeping timeout", async () => {
  await using t = proxyHarness();
  t.deps.countLiveContainers = () => Promise.resolve(2);
  t.deps.getWarmedContainerLimit = () => Promise.resolve({ count: 2, timeoutMs: 30_000 });
  await toPaused(t);
  await t.advance(IDLE);
  await t.pool.expectNoMessage();
  await t.dms.expectNoMessage();
  await t.advance(29_999);
  await t.pool.expectNoMessage();
  await t.advance(1);
  await t.dms.expectMessage({ type: "UnregisterData", key: t.warmedKey });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, false);
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assert.deepEqual(t.container.calls.slice(-2), ["resume", "destroy"]);
});

Deno.test("spawnFunctionPullingContainerProxy() retries a failing live-count lookup every 500 ms and removes the container after 5 attempts", async () => {
  await using t = proxyHarness();
  let lookups = 0;
  t.deps.countLiveContainers = () => {
    lookups++;
    return Promise.reject(new Error("etcd unavailable"));
  };
  await toPaused(t);
  await t.advance(IDLE);
  assert.equal(lookups, 1);
  for (let attempt = 2; attempt <= 4; attempt++) {
    await t.advance(499);
    assert.equal(lookups, attempt - 1);
    await t.advance(1);
    assert.equal(lookups, attempt);
    await t.pool.expectNoMessage();
  }
  await t.advance(500);
  assert.equal(lookups, 5);
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, false);
  await t.dms.expectMessage({ type: "UnregisterData", key: t.warmedKey });
  await t.advance(500);
  assert.equal(lookups, 5, "no lookup after the removal");
});

Deno.test("spawnFunctionPullingContainerProxy() a keep-limit read failure (DB) is retried and a later answer keeps the container", async () => {
  await using t = proxyHarness();
  let reads = 0;
  t.deps.getWarmedContainerLimit = () =>
    ++reads <= 2
      ? Promise.reject(new Error("database is locked"))
      : Promise.resolve({ count: 1, timeoutMs: 60_000 });
  await toPaused(t);
  await t.advance(IDLE);
  await t.advance(500);
  await t.advance(500);
  assert.equal(reads, 3);
  await t.advance(59_999);
  await t.pool.expectNoMessage();
  await t.advance(1);
  await t.pool.expectMessageType("ContainerRemoved");
});

// ---- Late activations in the idle phase are ended with a record, never dropped --------

const LATE = "d".repeat(32);

function assertEndedAbnormally(t: ProxyHarness, id: string): void {
  const record = t.records.find((r) => r.activationId === id);
  assert.deepEqual(record?.response, {
    statusCode: 3,
    result: { error: ABNORMAL_RUN_MESSAGE },
  });
  assert.ok(
    t.acks.some((a) => a.type === "CombinedCompletionAndResultMessage" && a.isSystemError),
    "a whisk-error ack",
  );
}

Deno.test("spawnFunctionPullingContainerProxy() an activation that arrives while Pausing is ended with a record", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  const pausing = Promise.withResolvers<void>();
  Object.assign(t.container, { pause: () => pausing.promise });
  await t.advance(10_000);
  t.fromClient({ type: "RetryRequestActivation" });
  await settle(t.h.system);
  assert.equal(t.transitions().at(-1), "Running→Pausing");
  t.fromClient(activation(LATE));
  await settle(t.h.system);
  assertEndedAbnormally(t, LATE);
  pausing.resolve();
  await t.pool.expectMessageType("ContainerIsPaused");
  await settle(t.h.system);
  assert.deepEqual(t.h.logs("unhandled message"), []);
  assert.equal(t.records.filter((r) => r.activationId === LATE).length, 1);
});

Deno.test("spawnFunctionPullingContainerProxy() an activation that arrives while Paused is ended with a record", async () => {
  await using t = proxyHarness();
  await toPaused(t);
  t.fromClient(activation(LATE));
  await settle(t.h.system);
  assertEndedAbnormally(t, LATE);
  assert.deepEqual(t.h.logs("unhandled message"), []);
});

Deno.test("spawnFunctionPullingContainerProxy() an activation the client still fetched while Removing is ended with a record", async () => {
  await using t = proxyHarness();
  await toPaused(t);
  await t.advance(IDLE); // live 1 > keep 0: removed
  await t.pool.expectMessageType("ContainerRemoved");
  await t.client.expectMessage({ type: "StopClientProxy" });
  t.fromClient(activation(LATE));
  await settle(t.h.system);
  assertEndedAbnormally(t, LATE);
});
