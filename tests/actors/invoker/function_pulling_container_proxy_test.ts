/** The container proxy shell, message-driven with probes, a fake container and the manual clock. */
import assert from "node:assert/strict";
import { spawnFunctionPullingContainerProxy } from "../../../actors/invoker/function_pulling_container_proxy.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
} from "../../../protocols/activation_client_proxy.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import type {
  FunctionPullingContainerProxyEvent,
  HealthMessage,
} from "../../../protocols/function_pulling_container_proxy.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import { startTransaction, transactionId } from "../../../protocols/transaction_id.ts";
import { actionMetaData } from "../../../protocols/whisk_action.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { type Ref, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { action, activation, fakeContainer } from "./_proxy_fixtures.ts";

function harness() {
  const h = actorHarness();
  const pool = createProbe<FunctionPullingContainerProxyEvent>(h.system, "pool");
  const health = createProbe<HealthMessage>(h.system, "health");
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const client = createProbe<ActivationClientProxyCommand>(h.system, "client");
  const container = fakeContainer();
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  let clientParent: Ref<ActivationClientProxyEvent> | undefined;
  const proxy = spawnFunctionPullingContainerProxy(pool.ref, {
    createContainer: () => Promise.resolve(container),
    getAction: () => Promise.resolve(action()),
    storeActivation: (r) => Promise.resolve(void records.push(r)),
    sendAck: (_c, ack) => Promise.resolve(void acks.push(ack)),
    spawnActivationClientProxy: (parent) => {
      clientParent = parent;
      return client.ref;
    },
    countLiveContainers: () => Promise.resolve(1),
    getWarmedContainerLimit: () => Promise.resolve({ count: 0, timeoutMs: 600_000 }),
    dataManagement: dms.ref,
    healthManager: health.ref,
    invoker: invokerInstance(0),
    clock: h.clock,
    logger: h.logger,
  }, { name: "proxy-1" });
  const fromClient = (msg: ActivationClientProxyEvent) => tell(h.system, clientParent!, msg);
  return { h, pool, health, dms, client, container, acks, records, proxy, fromClient };
}

const INIT = {
  type: "Initialize",
  invocationNamespace: "guest",
  action: actionMetaData(action()),
  revision: "1-abc",
  schedulerHost: "127.0.0.1",
  rpcPort: 13001,
  tid: startTransaction(transactionId("t"), 0),
  creationId: "c1",
} as const;

Deno.test("spawnFunctionPullingContainerProxy() cold-starts, runs, acks, stores, pauses after pause-grace and is removed", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, INIT);
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  const existing = `whisk/namespace/guest/guest/hello/1-abc/invoker0/container/${t.container.id}`;
  await t.dms.expectMessage({
    type: "RegisterData",
    key: existing,
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
  assert.deepEqual(t.container.calls.map((c) => c.split(" ")[0]), ["init", "run", "logs"]);
  assert.equal(t.acks[0]?.type, "CombinedCompletionAndResultMessage");
  assert.equal(t.records[0]?.response.statusCode, 0);

  t.h.clock.advance(10_000); // pause-grace: the unused timer fires
  await settle(t.h.system);
  t.fromClient({ type: "RetryRequestActivation" });
  const paused = await t.pool.expectMessageType("ContainerIsPaused");
  assert.equal(paused.data.type, "WarmData");
  const warmed = `whisk/warmed/guest/guest/hello/1-abc/invoker/0/container/${t.container.id}`;
  await t.dms.expectMessage({
    type: "RegisterData",
    key: warmed,
    value: "",
    failoverEnabled: true,
  });
  await t.dms.expectMessage({ type: "UnregisterData", key: existing });

  t.h.clock.advance(600_000); // idle-container: live 1 > keep 0 → remove
  await settle(t.h.system);
  await t.dms.expectMessage({ type: "UnregisterData", key: warmed });
  await t.dms.expectMessage({ type: "UnregisterData", key: existing });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, false);
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assert.deepEqual(t.container.calls.slice(-3), ["pause", "resume", "destroy"]);
  t.fromClient({ type: "ClientClosed" });
  await settle(t.h.system);
  assert.equal(t.h.system.actors().some((a) => a.path.endsWith("proxy-1")), false);
});

Deno.test("spawnFunctionPullingContainerProxy() a developer error acks, stores and destroys the container", async () => {
  const t = harness();
  await using _h = t.h;
  t.container.runAnswers.push({
    ok: false,
    status: 502,
    body: { error: "boom" },
    sizeBytes: 1,
    durationMs: 1,
  });
  tell(t.h.system, t.proxy, INIT);
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  await t.client.expectMessage({ type: "RequestActivation" });
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  await t.pool.expectMessageType("Initialized");
  await t.pool.expectMessageType("ContainerRemoved");
  await t.client.expectMessage({ type: "StopClientProxy" });
  await settle(t.h.system);
  assert.equal(t.records[0]?.response.statusCode, 2);
  assert.equal(t.acks.length, 1);
  assert.ok(t.container.calls.includes("destroy"));
});

Deno.test("spawnFunctionPullingContainerProxy() a zero log limit skips log collection", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, { ...INIT, action: actionMetaData(action({ logs: 0 })) });
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  await t.client.expectMessage({ type: "RequestActivation" });
  t.fromClient(activation());
  await t.health.expectMessageType("HealthMessage");
  assert.ok(t.container.calls.includes("logs")); // getAction returns the 10 MB action
});
