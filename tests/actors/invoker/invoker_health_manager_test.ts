import assert from "node:assert/strict";
import { spawnInvokerHealthManager } from "../../../actors/invoker/invoker_health_manager.ts";
import {
  type HealthActivationClient,
  healthTestActionDocument,
} from "../../../actors/invoker/invoker_health_manager_client.ts";
import type { FunctionPullingContainerProxyCommand } from "../../../protocols/function_pulling_container_proxy.ts";
import type { InvokerResourceMessage } from "../../../protocols/health.ts";
import type {
  HealthTestAction,
  InvokerHealthManagerCommand,
  InvokerHealthSnapshot,
} from "../../../protocols/invoker_health_manager.ts";
import { ask, type Ref, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { USER } from "./_pool_fixtures.ts";
import { type FakeContainer, fakeContainer } from "./_proxy_fixtures.ts";
import { spawnActivationClientProxy } from "../../../actors/invoker/activation_client_proxy.ts";
import { spawnFunctionPullingContainerProxy } from "../../../actors/invoker/function_pulling_container_proxy.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import type { HealthMessage } from "../../../protocols/function_pulling_container_proxy.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";

const SYSTEM = {
  ...USER,
  subject: "whisk.system",
  namespace: { ...USER.namespace, name: "whisk.system" },
};
const TEST: HealthTestAction = {
  action: healthTestActionDocument(3),
  revision: "1-x",
  identity: SYSTEM,
};

function setup(
  h: ReturnType<typeof actorHarness>,
  ensure: () => Promise<HealthTestAction> = () => Promise.resolve(TEST),
) {
  const proxies = [0, 1].map((i) =>
    createProbe<FunctionPullingContainerProxyCommand>(h.system, `test-proxy-${i}`)
  );
  const clients: HealthActivationClient[] = [];
  const published: InvokerResourceMessage[] = [];
  let next = 0;
  const manager = spawnInvokerHealthManager(h.system, {
    spawnProxy: (_parent, client) => {
      clients.push(client);
      return proxies[next++]!.ref;
    },
    ensureTestAction: ensure,
    publish: (value) => void published.push(value),
    logger: h.logger,
  }, { userMemoryMb: 2048, tags: ["gpu"] });
  return { manager, proxies, clients, published };
}

const snapshot = (h: ReturnType<typeof actorHarness>, m: Ref<InvokerHealthManagerCommand>) =>
  ask<InvokerHealthSnapshot, InvokerHealthManagerCommand>(
    h.system,
    m,
    (replyTo) => ({ type: "GetInvokerHealth", replyTo }),
    1_000,
  );

Deno.test("spawnInvokerHealthManager() runs the test action through a proxy until healthy, publishing each change", async () => {
  await using h = actorHarness();
  const s = setup(h);
  assert.equal((await snapshot(h, s.manager)).enabled, false);
  tell(h.system, s.manager, { type: "Enable" });
  const init = await s.proxies[0]!.expectMessageType("Initialize");
  assert.equal(init.invocationNamespace, "whisk.system");
  assert.equal(init.action.name, "invokerHealthTestAction3");
  assert.equal(init.revision, "1-x");
  // The client hands out health activations with fresh ids.
  const request = {
    type: "FetchRequest" as const,
    invocationNamespace: "whisk.system",
    action: { path: "whisk.system", name: "invokerHealthTestAction3" },
    revision: "1-x",
    containerId: "c",
    warmed: false,
    alive: true,
  };
  const [r1, r2] = [await s.clients[0]!.fetch(request), await s.clients[0]!.fetch(request)];
  assert.ok(r1.type === "Activation" && r2.type === "Activation");
  assert.notEqual(r1.activation.activationId, r2.activation.activationId);
  assert.equal(r1.activation.blocking, false);
  tell(h.system, s.manager, { type: "HealthMessage", ok: true });
  await s.proxies[0]!.expectMessageType("GracefulShutdown");
  await assert.rejects(s.clients[0]!.fetch(request), { name: "ActivationClientClosedError" });
  await settle(h.system);
  assert.deepEqual(s.published.map((p) => [p.status, p.freeMemory, p.tags]), [
    ["unhealthy", 2048, ["gpu"]],
    ["up", 2048, ["gpu"]],
  ]);
  assert.deepEqual(await snapshot(h, s.manager), {
    type: "InvokerHealthSnapshot",
    state: "Healthy",
    status: "up",
    enabled: true,
    memory: { type: "MemoryInfo", freeMemory: 2048, busyMemory: 0, inProgressMemory: 0 },
  });
});

Deno.test("spawnInvokerHealthManager() restarts the test proxy when it dies while unhealthy, and goes down on GracefulShutdown", async () => {
  await using h = actorHarness();
  const s = setup(h);
  tell(h.system, s.manager, { type: "Enable" });
  await s.proxies[0]!.expectMessageType("Initialize");
  tell(h.system, s.manager, {
    type: "ContainerRemoved",
    proxy: s.proxies[0]!.ref,
    replacePrewarm: true,
    heldActivations: [],
  } as never);
  await s.proxies[1]!.expectMessageType("Initialize");
  tell(h.system, s.manager, { type: "GracefulShutdown" });
  await s.proxies[1]!.expectMessageType("GracefulShutdown");
  tell(h.system, s.manager, { type: "HealthMessage", ok: true });
  tell(h.system, s.manager, {
    type: "MemoryInfo",
    freeMemory: 100,
    busyMemory: 50,
    inProgressMemory: 0,
  });
  await settle(h.system);
  assert.deepEqual(s.published.map((p) => [p.status, p.freeMemory]), [
    ["unhealthy", 2048],
    ["down", 2048],
    ["down", 100],
  ]);
});

Deno.test("spawnInvokerHealthManager() retries preparing the test action after a failure", async () => {
  await using h = actorHarness();
  let calls = 0;
  const s = setup(
    h,
    () => ++calls === 1 ? Promise.reject(new Error("store down")) : Promise.resolve(TEST),
  );
  tell(h.system, s.manager, { type: "Enable" });
  await settle(h.system);
  assert.equal(calls, 1);
  await s.proxies[0]!.expectNoMessage();
  h.clock.advance(1_000);
  await s.proxies[0]!.expectMessageType("Initialize");
  assert.equal(calls, 2);
});

/** A health manager whose test proxy is a real container proxy with a real client proxy. */
function liveSetup(h: ReturnType<typeof actorHarness>) {
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const containers: FakeContainer[] = [];
  const published: InvokerResourceMessage[] = [];
  let proxies = 0;
  const manager = spawnInvokerHealthManager(h.system, {
    spawnProxy: (parent, client) =>
      spawnFunctionPullingContainerProxy(parent, {
        createContainer: () => Promise.resolve(containers[containers.push(fakeContainer()) - 1]!),
        getAction: () => Promise.resolve(TEST.action),
        storeActivation: () => Promise.resolve(),
        sendAck: () => Promise.resolve(),
        spawnActivationClientProxy: (proxy, options) =>
          spawnActivationClientProxy(proxy, {
            createClient: () => Promise.resolve(client),
            lookupQueueLeader: () => Promise.resolve(undefined),
          }, options),
        countLiveContainers: () => Promise.resolve(1),
        getWarmedContainerLimit: () => Promise.resolve({ count: 0, timeoutMs: 600_000 }),
        dataManagement: dms.ref,
        healthManager: parent as unknown as Ref<HealthMessage>, // the manager, as in the role
        invoker: invokerInstance(3),
        clock: h.clock,
        logger: h.logger,
      }, { name: `health-proxy-${++proxies}` }),
    ensureTestAction: () => Promise.resolve(TEST),
    publish: (value) => void published.push(value),
    logger: h.logger,
  });
  return { manager, containers, published };
}

Deno.test("spawnInvokerHealthManager() runs the test action in a real proxy to Healthy and stops it without a dead letter", async () => {
  await using h = actorHarness();
  const s = liveSetup(h);
  tell(h.system, s.manager, { type: "Enable" });
  await settle(h.system);
  assert.deepEqual(s.published.map((p) => p.status), ["unhealthy", "up"]);
  assert.equal((await snapshot(h, s.manager)).state, "Healthy");
  // The test proxy was stopped: its container destroyed, the proxy and its client gone.
  assert.ok(s.containers[0]?.calls.includes("destroy"), "test container destroyed");
  assert.deepEqual(h.system.actors().filter((a) => a.path.includes("health-proxy")), []);
  assert.deepEqual(h.logs("dead letter"), []);
  assert.equal(h.system.deadLetters, 0);
});
