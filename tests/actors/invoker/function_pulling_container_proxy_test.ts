/**
 * The container proxy shell, message-driven: startup (cold, prewarm, health ping, client
 * failure) and running (acks, records, logs, errors, long and concurrent runs). Probes
 * stand in for the pool, the health manager, the DMS and the client; the manual clock
 * drives every timer; nothing sleeps.
 */
import assert from "node:assert/strict";
import { NAMESPACE_BLOCKED_MESSAGE } from "../../../actors/invoker/_activation_run.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  HealthMessage,
  ProxyData,
} from "../../../protocols/function_pulling_container_proxy.ts";
import { type Ref, send, type System, tell } from "../../../runtime/actors/mod.ts";
import { LOG_COLLECTION_ISSUE_MESSAGE } from "../../../runtime/containers/container_factory.ts";
import { settle } from "../../_support/settle.ts";
import {
  action,
  activation,
  callNames,
  coldStart,
  initialize,
  ok,
  proxyHarness,
  status,
  warmUp,
} from "./_proxy_fixtures.ts";

const B = "b".repeat(32);
const C = "c".repeat(32);

Deno.test("spawnFunctionPullingContainerProxy() cold-starts, runs, acks, stores, pauses after pause-grace and is removed", async () => {
  await using t = proxyHarness();
  t.send(initialize());
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  await t.dms.expectMessage({
    type: "RegisterData",
    key: t.existingKey,
    value: "",
    failoverEnabled: true,
  });
  const initialized = await t.pool.expectMessageType("Initialized");
  assert.equal(initialized.creationId, "c1");
  assert.equal(initialized.proxy, t.proxy);
  await t.client.expectMessage({ type: "RequestActivation" });

  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  const next = await t.client.expectMessageType("RequestActivation");
  assert.equal(typeof next.lastDuration, "number");
  assert.deepEqual(callNames(t.container), ["init", "run", "logs"]);
  assert.equal(t.acks[0]?.type, "CombinedCompletionAndResultMessage");
  assert.equal(t.records[0]?.response.statusCode, 0);

  await t.advance(10_000); // pause-grace: the unused timer fires
  t.fromClient({ type: "RetryRequestActivation" });
  const paused = await t.pool.expectMessageType("ContainerIsPaused");
  assert.equal(paused.data.type, "WarmData");
  await t.dms.expectMessage({
    type: "RegisterData",
    key: t.warmedKey,
    value: "",
    failoverEnabled: true,
  });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });

  await t.advance(600_000); // idle-container: live 1 > keep 0 → remove
  await t.dms.expectMessage({ type: "UnregisterData", key: t.warmedKey });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, false);
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assert.deepEqual(t.container.calls.slice(-3), ["pause", "resume", "destroy"]);
  t.fromClient({ type: "ClientClosed" });
  await settle(t.h.system);
  assert.equal(t.alive(), false);
});

Deno.test("spawnFunctionPullingContainerProxy() a prewarm reports ReadyToWork, then Initialize binds it and the first activation initializes it", async () => {
  await using t = proxyHarness();
  t.send({ type: "Start", kind: "nodejs:20", memoryMb: 256, ttlMs: 5_000 });
  const ready = await t.pool.expectMessageType("ReadyToWork");
  assert.equal(ready.data.container, t.container);
  assert.deepEqual([ready.data.kind, ready.data.memoryMb, ready.data.expiresAt], [
    "nodejs:20",
    256,
    1_000 + 5_000,
  ]);
  assert.match(t.created[0]?.name ?? "", /_prewarm_nodejs_20$/);

  await coldStart(t); // Initialize from ContainerCreated: client, key, Initialized, poll
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.client.expectMessageType("RequestActivation");
  assert.equal(t.created.length, 1, "the prewarm container is reused");
  assert.deepEqual(callNames(t.container), ["init", "run", "logs"]);
  assert.deepEqual(t.transitions(), [
    "Uninitialized→CreatingContainer",
    "CreatingContainer→ContainerCreated",
    "ContainerCreated→CreatingClient",
    "CreatingClient→ClientCreated",
    "ClientCreated→Running",
  ]);
});

Deno.test("spawnFunctionPullingContainerProxy() pings a waiting prewarm and replaces it once it died", async () => {
  await using t = proxyHarness({ healthCheckIntervalMs: 1_000 });
  t.send({ type: "Start", kind: "nodejs:20", memoryMb: 256 });
  await t.pool.expectMessageType("ReadyToWork");
  await t.advance(3_000);
  await t.pool.expectNoMessage();
  t.container.exited = true;
  await t.advance(1_000);
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, true);
  assert.deepEqual(t.container.calls, ["destroy"]);
  assert.equal(t.alive(), false);
});

Deno.test("spawnFunctionPullingContainerProxy() a client creation failure destroys the container without running anything or addressing the stopped client", async () => {
  await using t = proxyHarness();
  t.send(initialize());
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "FailureMessage", reason: "ClientCreationFailed", error: new Error("dns") });
  await t.health.expectMessage({ type: "HealthMessage", ok: false });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, true);
  await settle(t.h.system);
  await t.client.expectNoMessage(); // the client proxy stopped itself after the failure
  assert.equal(t.alive(), false);
  assert.deepEqual(t.container.calls, ["destroy"]);
  assert.deepEqual([t.acks.length, t.records.length], [0, 0]);
});

Deno.test("spawnFunctionPullingContainerProxy() a developer error acks, stores and destroys the container", async () => {
  await using t = proxyHarness();
  t.container.runAnswers.push(status(502, { error: "boom" }));
  await coldStart(t);
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  await t.pool.expectMessageType("ContainerRemoved");
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assert.equal(t.records[0]?.response.statusCode, 2);
  assert.equal(t.acks.length, 1);
  assert.ok(t.container.calls.includes("destroy"));
});

Deno.test("spawnFunctionPullingContainerProxy() an init failure destroys the container; an application error keeps it", async () => {
  const failing = proxyHarness();
  await using _f = failing;
  failing.container.initAnswers.push(status(502, { error: "syntax" }));
  await coldStart(failing);
  failing.fromClient(activation());
  await failing.pool.expectMessageType("ContainerRemoved");
  await settle(failing.h.system);
  assert.deepEqual(callNames(failing.container), ["init", "logs", "destroy"]);
  assert.deepEqual(failing.records[0]?.response.result, { error: "syntax" });

  await using t = proxyHarness();
  t.container.runAnswers.push(ok({ error: "not found" }));
  await warmUp(t);
  assert.equal(t.records[0]?.response.statusCode, 1);
  await t.pool.expectNoMessage();
  assert.equal(t.container.calls.includes("destroy"), false);
});

Deno.test("spawnFunctionPullingContainerProxy() an action with a zero log limit collects no logs", async () => {
  await using t = proxyHarness({}, action({ logs: 0 }));
  t.container.logLines = ["2024-05-01T10:00:00.000Z       stdout: must not appear"];
  await warmUp(t);
  assert.deepEqual(t.records[0]?.logs, []);
  assert.deepEqual(callNames(t.container), ["init", "run"]); // Container.logs never called
});

Deno.test("spawnFunctionPullingContainerProxy() an action with a log limit collects its logs into the record", async () => {
  await using t = proxyHarness({}, action({ logs: 2 }));
  const line = "2024-05-01T10:00:00.000Z       stdout: hello";
  t.container.logLines = [line];
  await warmUp(t);
  assert.deepEqual(t.records[0]?.logs, [line]);
  assert.equal(t.container.calls.at(-1), `logs ${2 * 1024 * 1024}`);
});

Deno.test("spawnFunctionPullingContainerProxy() a log-read failure still stores the record with the collection notice and destroys the container", async () => {
  await using t = proxyHarness();
  t.container.logLines = new Error("log file vanished");
  await coldStart(t);
  t.fromClient(activation());
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  await t.pool.expectMessageType("ContainerRemoved");
  await settle(t.h.system);
  assert.equal(t.acks.length, 1);
  assert.equal(t.records[0]?.response.statusCode, 0);
  assert.deepEqual(t.records[0]?.logs, [LOG_COLLECTION_ISSUE_MESSAGE]);
  assert.equal(t.container.calls.at(-1), "destroy");
});

Deno.test("spawnFunctionPullingContainerProxy() refuses activations of a blocked namespace with an ack and polls again", async () => {
  await using t = proxyHarness();
  t.deps.blocked.add("guest");
  await coldStart(t);
  t.fromClient(activation());
  await t.client.expectMessage({ type: "RequestActivation" });
  await settle(t.h.system);
  assert.equal(t.records[0]?.response.statusCode, 1);
  assert.deepEqual(t.records[0]?.response.result, { error: NAMESPACE_BLOCKED_MESSAGE });
  assert.equal(t.acks.length, 1);
  assert.deepEqual(t.container.calls, []);
});

Deno.test("spawnFunctionPullingContainerProxy() a timeout followed by a new activation neither pauses nor destroys", async () => {
  await using t = proxyHarness();
  await warmUp(t);
  await t.advance(10_000); // timedOut
  t.fromClient(activation(B));
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  await t.client.expectMessageType("RequestActivation");
  t.fromClient({ type: "RetryRequestActivation" }); // timedOut was cleared: poll again
  await t.client.expectMessage({ type: "RequestActivation" });
  await t.pool.expectNoMessage();
  assert.equal(t.container.calls.includes("pause"), false);
});

Deno.test("spawnFunctionPullingContainerProxy() a long activation is not interrupted and nothing pauses while it runs", async () => {
  await using t = proxyHarness({}, action({ concurrency: 2 }));
  await coldStart(t);
  const held = t.container.holdRun();
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.client.expectMessage({ type: "RequestActivation" }); // the extra poll (concurrency 2)
  for (let elapsed = 0; elapsed < 60_000; elapsed += 10_000) {
    await t.advance(10_000); // well past pause-grace
    t.fromClient({ type: "RetryRequestActivation" }); // the extra poll came back empty
    await t.client.expectMessage({ type: "RequestActivation" });
  }
  await t.pool.expectNoMessage();
  assert.deepEqual(callNames(t.container), ["init", "run"]);
  assert.equal(t.records.length, 0);

  held.resolve(ok({ done: "at last" }));
  const next = await t.client.expectMessageType("RequestActivation");
  assert.equal(next.lastDuration, 60_000);
  assert.equal(t.records[0]?.response.statusCode, 0);
  assert.equal(t.records[0]?.duration, 60_000);
  assert.equal(t.container.calls.includes("pause"), false);
});

Deno.test("spawnFunctionPullingContainerProxy() with concurrency 3 asks for two more activations after init and runs them side by side", async () => {
  await using t = proxyHarness({}, action({ concurrency: 3 }));
  await coldStart(t);
  const runs = [t.container.holdRun(), t.container.holdRun(), t.container.holdRun()];
  t.fromClient(activation());
  assert.deepEqual(await t.client.receiveMessages(3), [
    { type: "ContainerWarmed" },
    { type: "RequestActivation" },
    { type: "RequestActivation" },
  ]);
  t.fromClient(activation(B));
  t.fromClient(activation(C));
  await t.client.expectNoMessage();
  assert.deepEqual(callNames(t.container), ["init", "run", "run", "run"]); // all in flight
  for (const [i, run] of runs.entries()) run.resolve(ok({ i }));
  const polls = await t.client.receiveMessages(3);
  assert.ok(polls.every((m) => m.type === "RequestActivation" && m.lastDuration !== undefined));
  await settle(t.h.system);
  assert.deepEqual(
    t.records.map((r) => r.activationId).sort(),
    [activation().activationId, B, C],
  );
  assert.equal(callNames(t.container).filter((c) => c === "init").length, 1);
});

Deno.test("FunctionPullingContainerProxyCommand and its events reject invalid messages at compile time", () => {
  const neverRun = (
    system: System,
    proxy: Ref<FunctionPullingContainerProxyCommand>,
    pool: Ref<FunctionPullingContainerProxyEvent>,
    health: Ref<HealthMessage>,
  ) => {
    // @ts-expect-error: an unknown command
    tell(system, proxy, { type: "Pause" });
    // @ts-expect-error: Initialize needs the action, its revision and the scheduler
    tell(system, proxy, { type: "Initialize", invocationNamespace: "guest" });
    // @ts-expect-error: Start's memory is a number of MB
    tell(system, proxy, { type: "Start", kind: "nodejs:20", memoryMb: "256" });
    // @ts-expect-error: timer ticks and I/O outcomes are private, not public commands
    tell(system, proxy, { type: "UnusedTimeout" });
    // @ts-expect-error: a client command is not a proxy command
    tell(system, proxy, { type: "StartClient" });
    // @ts-expect-error: ContainerRemoved must say whether to replace the prewarm
    tell(system, pool, { type: "ContainerRemoved", proxy, heldActivations: [] });
    // @ts-expect-error: ReadyToWork carries prewarm data, not warm data
    tell(system, pool, { type: "ReadyToWork", proxy, data: { type: "WarmData" } });
    // @ts-expect-error: a health sample is a boolean
    send(health, { type: "HealthMessage", ok: "yes" });
    // @ts-expect-error: the data kinds are a closed set (upstream's MemoryData is the pool's)
    const data: ProxyData = { type: "MemoryData", memoryMb: 256 };
    return data;
  };
  assert.equal(typeof neverRun, "function"); // the checks above are compile-time only
});

Deno.test("spawnFunctionPullingContainerProxy() writes its container keys under the configured cluster name", async () => {
  await using t = proxyHarness({}, undefined, "c9");
  t.send(initialize());
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  const registered = await t.dms.expectMessageType("RegisterData");
  assert.ok(registered.key.startsWith("c9/namespace/"), registered.key);
  assert.equal(registered.key, t.existingKey);
});
