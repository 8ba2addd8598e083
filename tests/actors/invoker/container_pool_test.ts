/** The classic container pool shell, message-driven: probes as proxies, then real proxies. */
import assert from "node:assert/strict";
import { containerProxyFactory } from "../../../actors/invoker/container_proxy.ts";
import { spawnContainerPool } from "../../../actors/invoker/container_pool.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import type {
  ContainerPoolCommand,
  ContainerPoolSnapshot,
} from "../../../protocols/container_pool.ts";
import type {
  ContainerProxyCommand,
  ContainerProxyEvent,
  WarmedData,
} from "../../../protocols/container_proxy.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { ask, type Ref, tell } from "../../../runtime/actors/mod.ts";
import type { Container } from "../../../runtime/containers/container_factory.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { activationId, ok, runNumber, runOf } from "./container_proxy_fixtures_test.ts";

const INVOKER = invokerInstance(0);

type WithoutProxy<T> = T extends unknown ? Omit<T, "proxy"> : never;

function fakeContainer(id: string): Container & { destroyed: boolean } {
  const c = {
    id,
    kind: "nodejs:20",
    exited: false,
    destroyed: false,
    initialize: () => Promise.resolve(ok({ OK: true })),
    run: () => Promise.resolve(ok({ done: true })),
    logMark: () => ({ stdout: 0, stderr: 0 }),
    logs: () => Promise.resolve([]),
    pause: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    destroy: () => {
      c.destroyed = true;
      return Promise.resolve();
    },
  };
  return c;
}

/** A pool whose proxies are probes, handed out in order. */
function probeHarness(userMemoryMb = 512) {
  const h = actorHarness();
  const proxies: Probe<ContainerProxyCommand>[] = [];
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  const pool = spawnContainerPool(h.system, {
    spawnProxy: () => {
      const probe = createProbe<ContainerProxyCommand>(h.system, `proxy-${proxies.length + 1}`);
      proxies.push(probe);
      return probe.ref;
    },
    sendAck: (_c, ack) => Promise.resolve(void acks.push(ack)),
    storeActivation: (r) => Promise.resolve(void records.push(r)),
    readHostMemory: () => Promise.resolve({ availableMb: 4096, usableMb: 4096 }),
    logger: h.logger,
  }, { invoker: INVOKER, userMemoryMb });
  // Spawned proxies exist once the pool handled the run: settle before asking for one.
  const proxy = (n: number) => {
    const p = proxies[n - 1];
    if (!p) throw new Error(`no proxy ${n} (spawned ${proxies.length})`);
    return p;
  };
  const spawned = async (n: number) => {
    await settle(h.system);
    return proxy(n);
  };
  const from = (n: number, event: WithoutProxy<ContainerProxyEvent>) =>
    tell(h.system, pool, { ...event, proxy: proxy(n).ref } as ContainerProxyEvent);
  const state = () =>
    ask<ContainerPoolSnapshot, ContainerPoolCommand>(
      h.system,
      pool,
      (replyTo) => ({ type: "GetContainerPoolState", replyTo }),
      1000,
    );
  h.clock.advance(0); // the boot state timeout
  return { h, pool, proxies, proxy, spawned, from, acks, records, state };
}

function warmedFor(run: ReturnType<typeof runOf>, lastUsed: number): WarmedData {
  return {
    type: "WarmedData",
    container: fakeContainer("c"),
    invocationNamespace: "guest",
    action: run.action,
    revision: run.msg.revision,
    lastUsed,
  };
}

Deno.test("spawnContainerPool() places warm, then cold, then evicts the oldest idle container", async () => {
  const t = probeHarness(512);
  await using _h = t.h;
  const a1 = runOf(1);
  tell(t.h.system, t.pool, a1);
  await (await t.spawned(1)).expectMessage(a1); // cold start
  t.from(1, { type: "NeedWork", data: warmedFor(a1, 10) });
  const a2 = runOf(2);
  tell(t.h.system, t.pool, a2);
  await t.proxy(1).expectMessage(a2); // warm reuse
  t.from(1, { type: "NeedWork", data: warmedFor(a1, 20) });
  const b3 = runOf(3, { name: "other" });
  tell(t.h.system, t.pool, b3);
  await (await t.spawned(2)).expectMessage(b3); // cold, memory allows
  t.from(2, { type: "NeedWork", data: warmedFor(b3, 30) });
  const c4 = runOf(4, { name: "third" });
  tell(t.h.system, t.pool, c4);
  await t.proxy(1).expectMessage({ type: "Remove" }); // the oldest idle one goes
  await (await t.spawned(3)).expectMessage(c4);
  await t.proxy(2).expectNoMessage();
  assert.equal(t.proxies.length, 3);
});

Deno.test("spawnContainerPool() buffers runs while memory is full and drains them as it frees", async () => {
  const t = probeHarness(512);
  await using _h = t.h;
  const big = (n: number, name: string) => runOf(n, { name, memory: 256 });
  tell(t.h.system, t.pool, big(1, "a"));
  tell(t.h.system, t.pool, big(2, "b"));
  tell(t.h.system, t.pool, big(3, "c"));
  tell(t.h.system, t.pool, big(4, "d"));
  await (await t.spawned(1)).expectMessageType("Run");
  await (await t.spawned(2)).expectMessageType("Run");
  assert.equal((await t.state()).buffered, 2);
  t.from(1, { type: "ContainerRemoved", replacePrewarm: false });
  const third = await (await t.spawned(3)).expectMessageType("Run");
  assert.equal(runNumber(third), 3);
  t.from(2, { type: "ContainerRemoved", replacePrewarm: false });
  const fourth = await (await t.spawned(4)).expectMessageType("Run");
  assert.equal(runNumber(fourth), 4);
  const s = await t.state();
  assert.deepEqual([s.buffered, s.warm.count, s.freeMemoryMb], [0, 2, 0]);
});

Deno.test("spawnContainerPool() a crashed proxy's jobs end as whisk internal errors and its memory frees", async () => {
  const t = probeHarness(256);
  await using _h = t.h;
  const a1 = runOf(1);
  tell(t.h.system, t.pool, a1);
  await (await t.spawned(1)).expectMessage(a1);
  const waiting = runOf(2, { name: "other" });
  tell(t.h.system, t.pool, waiting);
  await settle(t.h.system);
  assert.equal((await t.state()).buffered, 1);
  const container = fakeContainer("c-crashed");
  t.from(1, {
    type: "ContainerRemoved",
    replacePrewarm: true,
    heldJobs: [a1],
    crashedWith: { container, error: "boom" },
  });
  await (await t.spawned(2)).expectMessage(waiting);
  await settle(t.h.system);
  assert.equal(container.destroyed, true);
  assert.deepEqual(t.records.map((r) => [r.activationId, r.response.statusCode]), [
    [activationId(1), 3],
  ]);
  assert.deepEqual(t.records[0]?.response.result, { error: "The container proxy failed: boom" });
  assert.equal(t.acks[0]?.type, "CombinedCompletionAndResultMessage");
});

// ---- With real proxies ------------------------------------------------------------------------

function realHarness(createContainer: () => Promise<Container>) {
  const h = actorHarness();
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  const sendAck = (_c: unknown, ack: AcknowledgementMessage) =>
    Promise.resolve(void acks.push(ack));
  const storeActivation = (r: WhiskActivation) => Promise.resolve(void records.push(r));
  const spawnProxy = containerProxyFactory({
    createContainer,
    sendAck,
    storeActivation,
    invoker: INVOKER,
    clock: h.clock,
    logger: h.logger,
  });
  const pool = spawnContainerPool(h.system, {
    spawnProxy: (parent: Ref<ContainerProxyEvent>) => spawnProxy(parent),
    sendAck,
    storeActivation,
    readHostMemory: () => Promise.resolve({ availableMb: 4096, usableMb: 4096 }),
    logger: h.logger,
  }, { invoker: INVOKER, userMemoryMb: 512 });
  h.clock.advance(0); // the boot state timeout
  return { h, pool, acks, records };
}

Deno.test("spawnContainerPool() with real proxies runs pushed activations and reuses the container", async () => {
  let created = 0;
  const t = realHarness(() => Promise.resolve(fakeContainer(`c${++created}`)));
  await using _h = t.h;
  tell(t.h.system, t.pool, runOf(1));
  await settle(t.h.system);
  tell(t.h.system, t.pool, runOf(2));
  await settle(t.h.system);
  assert.deepEqual(t.records.map((r) => [r.activationId, r.response.statusCode]), [
    [activationId(1), 0],
    [activationId(2), 0],
  ]);
  assert.equal(t.acks.length, 2);
  assert.equal(created, 1);
});

Deno.test("spawnContainerPool() with real proxies: a proxy crash ends its job with a whisk internal error", async () => {
  const t = realHarness(() => {
    throw new Error("factory bug");
  });
  await using _h = t.h;
  tell(t.h.system, t.pool, runOf(1));
  await settle(t.h.system);
  assert.deepEqual(t.records.map((r) => [r.activationId, r.response.statusCode]), [
    [activationId(1), 3],
  ]);
  assert.equal(t.acks.length, 1);
  assert.equal(t.h.logs("actor crashed").length, 1);
  assert.equal(t.h.system.actors().some((a) => a.path.includes("container-proxy")), false);
});
