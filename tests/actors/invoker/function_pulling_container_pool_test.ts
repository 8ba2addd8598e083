import assert from "node:assert/strict";
import {
  type FunctionPullingContainerPoolDeps,
  spawnFunctionPullingContainerPool,
} from "../../../actors/invoker/function_pulling_container_pool.ts";
import type { ContainerCreationAckMessage } from "../../../protocols/container.ts";
import type {
  FunctionPullingContainerPoolCommand,
  PoolStateSnapshot,
} from "../../../protocols/function_pulling_container_pool.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  ProxyRef,
} from "../../../protocols/function_pulling_container_proxy.ts";
import type { MemoryInfo } from "../../../protocols/invoker_health_manager.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { ask, type Ref, spawnActor, tell } from "../../../runtime/actors/mod.ts";
import { StoreUnavailableError } from "../../../runtime/store/store_errors.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import {
  action,
  activationMessage,
  creation,
  fakeContainer,
  initializedData,
  INVOKER,
} from "./_pool_fixtures.ts";

interface Setup {
  readonly pool: Ref<FunctionPullingContainerPoolCommand>;
  readonly proxies: Probe<FunctionPullingContainerProxyCommand>[];
  readonly health: Probe<MemoryInfo>;
  readonly acks: ContainerCreationAckMessage[];
  readonly records: WhiskActivation[];
}

/** A pool whose proxies are probes handed out in order (upstream `testContainers(n)`). */
async function setup(
  h: ReturnType<typeof actorHarness>,
  n: number,
  overrides: Partial<FunctionPullingContainerPoolDeps> = {},
  options: { batchDeletionSize?: number } = {},
): Promise<Setup> {
  const proxies = Array.from(
    { length: n },
    (_, i) => createProbe<FunctionPullingContainerProxyCommand>(h.system, `proxy-${i}`),
  );
  const health = createProbe<MemoryInfo>(h.system, "health");
  const acks: ContainerCreationAckMessage[] = [];
  const records: WhiskActivation[] = [];
  let next = 0;
  const deps: FunctionPullingContainerPoolDeps = {
    spawnProxy: () => proxies[next++]!.ref,
    sendAck: (_sid, ack) => void acks.push(ack),
    storeActivation: (record) => Promise.resolve(records.push(record)),
    readHostMemory: () => Promise.resolve({ availableMb: 100_000, usableMb: 100_000 }),
    healthManager: health.ref,
    logger: h.logger,
    ...overrides,
  };
  const pool = spawnFunctionPullingContainerPool(h.system, deps, { invoker: INVOKER, ...options });
  h.clock.advance(0); // boot
  await settle(h.system);
  return { pool, proxies, health, acks, records };
}

const poolState = (
  h: ReturnType<typeof actorHarness>,
  pool: Ref<FunctionPullingContainerPoolCommand>,
) =>
  ask<PoolStateSnapshot, FunctionPullingContainerPoolCommand>(
    h.system,
    pool,
    (replyTo) => ({ type: "GetPoolState", replyTo }),
    1_000,
  );

function event(proxy: ProxyRef, e: Record<string, unknown>): FunctionPullingContainerProxyEvent {
  return { proxy, ...e } as unknown as FunctionPullingContainerProxyEvent;
}

Deno.test("spawnFunctionPullingContainerPool() cold-starts through spawnProxy and acks success on Initialized", async () => {
  await using h = actorHarness();
  const s = await setup(h, 1);
  const a = action("hello");
  const msg = creation(a);
  tell(h.system, s.pool, { type: "CreationContainer", msg, action: a });
  const init = await s.proxies[0]!.expectMessageType("Initialize");
  assert.equal(init.creationId, msg.creationId);
  tell(
    h.system,
    s.pool,
    event(s.proxies[0]!.ref, { type: "Initialized", data: initializedData(a) }),
  );
  await settle(h.system);
  assert.deepEqual(s.acks.map((x) => [x.creationId, x.success]), [[msg.creationId, true]]);
  const state = await poolState(h, s.pool);
  assert.deepEqual([state.busy, state.inProgress.count], [{ count: 1, memoryMb: 256 }, 0]);
});

Deno.test("spawnFunctionPullingContainerPool() reports memory to the health manager every sync interval", async () => {
  await using h = actorHarness();
  const s = await setup(h, 1);
  h.clock.advance(1_000);
  assert.deepEqual(await s.health.expectMessageType("MemoryInfo"), {
    type: "MemoryInfo",
    freeMemory: 1024,
    busyMemory: 0,
    inProgressMemory: 0,
  });
  const a = action("hello", 512);
  tell(h.system, s.pool, { type: "CreationContainer", msg: creation(a), action: a });
  await s.proxies[0]!.expectMessageType("Initialize");
  h.clock.advance(1_000);
  assert.deepEqual(await s.health.expectMessageType("MemoryInfo"), {
    type: "MemoryInfo",
    freeMemory: 512,
    busyMemory: 0,
    inProgressMemory: 512,
  });
});

Deno.test("spawnFunctionPullingContainerPool() drains in batches every drain interval after GracefulShutdown", async () => {
  await using h = actorHarness();
  const s = await setup(h, 2, {}, { batchDeletionSize: 1 });
  for (const [i, name] of ["a", "b"].entries()) {
    const a = action(name);
    tell(h.system, s.pool, { type: "CreationContainer", msg: creation(a), action: a });
    await s.proxies[i]!.expectMessageType("Initialize");
    tell(
      h.system,
      s.pool,
      event(s.proxies[i]!.ref, { type: "Initialized", data: initializedData(a) }),
    );
  }
  tell(h.system, s.pool, { type: "GracefulShutdown" });
  await s.proxies[0]!.expectMessageType("GracefulShutdown");
  await s.proxies[1]!.expectNoMessage();
  h.clock.advance(5_000);
  await s.proxies[1]!.expectMessageType("GracefulShutdown");
  const refused = action("c");
  tell(h.system, s.pool, { type: "CreationContainer", msg: creation(refused), action: refused });
  await settle(h.system);
  const last = s.acks.at(-1);
  assert.equal(last?.success === false ? last.error : "none", "ShuttingDownError");
});

Deno.test("spawnFunctionPullingContainerPool() stops a crashing proxy, keeps its siblings and records what it held", async () => {
  await using h = actorHarness();
  const sibling = createProbe<FunctionPullingContainerProxyCommand>(h.system, "sibling");
  const container = fakeContainer("crashy");
  const held = activationMessage(action("hello"), "b".repeat(32));
  const health = createProbe<MemoryInfo>(h.system, "health");
  const acks: ContainerCreationAckMessage[] = [];
  const records: WhiskActivation[] = [];
  let crashy: ProxyRef | undefined;
  let spawned = 0;
  const pool = spawnFunctionPullingContainerPool(h.system, {
    spawnProxy: (parent: Ref<FunctionPullingContainerProxyEvent>) => {
      if (spawned++ > 0) return sibling.ref;
      // A proxy that throws on its first message; its policy reports what it held, then stops.
      const self: Ref<FunctionPullingContainerProxyCommand> = spawnActor<
        null,
        FunctionPullingContainerProxyCommand
      >(parent, {
        name: "crashy",
        initialState: null,
        handle: () => {
          throw new Error("bug in the proxy");
        },
        supervision: (crash) => {
          tell(self, parent, {
            type: "ContainerRemoved",
            proxy: self,
            replacePrewarm: true,
            heldActivations: [held],
            crashedWith: { container, error: String((crash.error as Error).message) },
          });
          return "stop";
        },
      });
      crashy = self;
      return self;
    },
    sendAck: (_sid, ack) => void acks.push(ack),
    storeActivation: (record) => Promise.resolve(records.push(record)),
    readHostMemory: () => Promise.resolve({ availableMb: 100_000, usableMb: 100_000 }),
    healthManager: health.ref,
    logger: h.logger,
  }, { invoker: INVOKER });
  h.clock.advance(0);
  const [a, b] = [action("first"), action("second")];
  const first = creation(a);
  tell(h.system, pool, { type: "CreationContainer", msg: first, action: a });
  tell(h.system, pool, { type: "CreationContainer", msg: creation(b), action: b });
  await sibling.expectMessageType("Initialize");
  await settle(h.system);
  assert.ok(
    !h.system.actors().some((x) => x.path === crashy?.path),
    "the crashed proxy is stopped",
  );
  assert.deepEqual(records.map((r) => [r.activationId, r.response.statusCode]), [[
    held.activationId,
    3,
  ]]);
  assert.equal(container.destroyed, 1);
  assert.deepEqual(acks.map((x) => [x.creationId, x.success ? "ok" : x.error]), [[
    first.creationId,
    "UnknownError",
  ]]);
  // The sibling keeps working.
  tell(h.system, pool, event(sibling.ref, { type: "Initialized", data: initializedData(b) }));
  await settle(h.system);
  assert.equal(acks.at(-1)?.success, true);
  const state = await poolState(h, pool);
  assert.deepEqual([state.busy.count, state.inProgress.count], [1, 0]);
});

Deno.test("spawnFunctionPullingContainerPool() restarts empty after a crash, destroying every container it owned", async () => {
  await using h = actorHarness();
  let failAcks = false;
  const s = await setup(h, 2, {
    sendAck: () => {
      if (failAcks) throw new Error("bug in the ack path");
    },
  });
  const container = fakeContainer("owned");
  const a = action("hello");
  tell(h.system, s.pool, { type: "CreationContainer", msg: creation(a), action: a });
  await s.proxies[0]!.expectMessageType("Initialize");
  failAcks = true;
  tell(
    h.system,
    s.pool,
    event(s.proxies[0]!.ref, { type: "Initialized", data: initializedData(a, "1-a", container) }),
  );
  await settle(h.system);
  assert.equal(container.destroyed, 1);
  assert.equal(h.logs("container pool crashed; restarting empty").length, 1);
  h.clock.advance(0); // boots again
  const state = await poolState(h, s.pool);
  assert.deepEqual([state.state, state.busy.count, state.inProgress.count], ["Running", 0, 0]);
});

Deno.test("spawnFunctionPullingContainerPool() records a crashed proxy's activation first, retries a busy store, and an ack failure does not skip it", async () => {
  await using h = actorHarness();
  const held = activationMessage(action("hello"), "c".repeat(32));
  const calls: string[] = [];
  let storeFailures = 1;
  const s = await setup(h, 1, {
    storeActivation: (record) => {
      calls.push(`store@${h.clock.now()}`);
      if (storeFailures-- > 0) return Promise.reject(new StoreUnavailableError("locked"));
      return Promise.resolve(void calls.push(`stored ${record.response.statusCode}`));
    },
    completeActivation: () => {
      calls.push("ack");
      return Promise.reject(new Error("bus down"));
    },
  });
  const a = action("hello");
  tell(h.system, s.pool, { type: "CreationContainer", msg: creation(a), action: a });
  await s.proxies[0]!.expectMessageType("Initialize");
  const start = h.clock.now();
  tell(
    h.system,
    s.pool,
    event(s.proxies[0]!.ref, {
      type: "ContainerRemoved",
      replacePrewarm: false,
      heldActivations: [held],
      crashedWith: { error: "bug" },
    }),
  );
  await settle(h.system);
  assert.deepEqual(calls, [`store@${start}`]);
  h.clock.advance(100);
  await settle(h.system);
  assert.deepEqual(calls, [`store@${start}`, `store@${start + 100}`, "stored 3", "ack"]);
});
