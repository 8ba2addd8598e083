/** Transition tables of the classic container pool's pure FSM: placement, buffering, memory, crashes. */
import assert from "node:assert/strict";
import {
  type Effect,
  type PoolInput,
  poolTransition,
  snapshot,
} from "../../../actors/invoker/container_pool_fsm.ts";
import {
  type ContainerPoolConfig,
  type ContainerPoolState,
  initialPoolState,
  type WarmEntry,
} from "../../../actors/invoker/container_pool_state.ts";
import type { ContainerProxyEvent, Run, WarmedData } from "../../../protocols/container_proxy.ts";
import type { Ref } from "../../../runtime/actors/mod.ts";
import type { Container } from "../../../runtime/containers/container_factory.ts";
import { runNumber, runOf } from "./container_proxy_fixtures_test.ts";

// deno-lint-ignore no-explicit-any
const ref = (path: string) => ({ path }) as unknown as Ref<any>;
const config: ContainerPoolConfig = {
  userMemoryMb: 1024,
  hostMemoryIntervalMs: 10_000,
  prewarm: [],
  prewarmMaxRetryLimit: 2,
};
const container = (id: string) => ({ id, kind: "nodejs:20" }) as Container;
const running = (over: Partial<ContainerPoolState> = {}): ContainerPoolState => ({
  ...initialPoolState,
  name: "Running",
  nextId: 10,
  ...over,
});

/** A warm entry bound to `run`'s action. */
function warm(run: Run, o: Partial<WarmEntry> & { lastUsed?: number } = {}): WarmEntry {
  const data: WarmedData = {
    type: "WarmedData",
    container: container("c"),
    invocationNamespace: run.msg.user.namespace.name,
    action: run.action,
    revision: run.msg.revision,
    lastUsed: o.lastUsed ?? 0,
  };
  return { data, memoryMb: run.action.limits.memory, active: 0, paused: false, ...o };
}

/** Effects as short strings: `spawn:<id>:<cmd>[#run]`, `tell:<id>:<cmd>[#run]`, ... */
function show(effects: readonly Effect[]): string[] {
  const cmd = (c: { type: string }) => c.type === "Run" ? `Run#${runNumber(c as Run)}` : c.type;
  return effects.map((e) => {
    switch (e.type) {
      case "SpawnProxy":
        return `spawn:${e.id}:${cmd(e.command)}`;
      case "TellProxy":
        return `tell:${e.id}:${cmd(e.command)}`;
      case "EndJobs":
        return `end[${e.jobs.map(runNumber).join(",")}]`;
      case "DestroyContainer":
        return `destroy:${e.container.id}`;
      case "ForgetProxy":
        return `forget:${e.id}`;
      case "startTimer":
      case "cancelTimer":
        return `${e.type}:${e.key}`;
      default:
        return e.type;
    }
  });
}

const step = poolTransition(config);
function run(state: ContainerPoolState, msg: PoolInput, now = 100, cfg = config) {
  const r = cfg === config ? step(state, msg, now) : poolTransition(cfg)(state, msg, now);
  return { next: r.next, effects: show(r.effects) };
}
type WithoutProxy<T> = T extends unknown ? Omit<T, "proxy"> : never;
const event = (id: string, e: WithoutProxy<ContainerProxyEvent>): PoolInput => ({
  type: "ProxyEvent",
  id,
  event: { ...e, proxy: ref(id) } as ContainerProxyEvent,
});

const A1 = runOf(1);
const A2 = runOf(2);
const B3 = runOf(3, { name: "other" });
const C4 = runOf(4, { name: "third" });

// ---- Boot ---------------------------------------------------------------------------------------

Deno.test("poolTransition() boots: host-memory timer, first read, initial prewarms, unstash", () => {
  const cfg = { ...config, prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 2 }] };
  const r = run(initialPoolState, { type: "StateTimeout" }, 0, cfg);
  assert.equal(r.next.name, "Running");
  assert.deepEqual(r.effects, [
    "startTimer:host-memory",
    "ReadHostMemory",
    "spawn:p1:Start",
    "spawn:p2:Start",
    "unstashAll",
  ]);
  assert.deepEqual(Object.keys(r.next.prewarmStarting), ["p1", "p2"]);
  assert.deepEqual(run(initialPoolState, A1).effects, ["stash"]);
});

// ---- Placement order --------------------------------------------------------------------------

const stem = { kind: "nodejs:20", memoryMb: 256, container: container("stem") };

Deno.test("poolTransition() places a run on a warm container of the same action first", () => {
  const state = running({ warm: { p1: warm(A1) }, prewarmed: { p2: stem } });
  const r = run(state, A2, 500);
  assert.deepEqual(r.effects, ["tell:p1:Run#2"]);
  assert.deepEqual([r.next.warm.p1?.active, r.next.warm.p1?.data.lastUsed], [1, 500]);
});

Deno.test("poolTransition() takes a matching prewarm when no warm container fits", () => {
  const state = running({ warm: { p1: warm(B3) }, prewarmed: { p2: stem } });
  const r = run(state, A1);
  assert.deepEqual(r.effects, ["tell:p2:Run#1"]);
  assert.equal(r.next.warm.p2?.data.type, "WarmingData");
  assert.deepEqual(r.next.prewarmed, {});
});

Deno.test("poolTransition() cold-starts when memory allows and counts the reservation", () => {
  const state = running({ warm: { p1: warm(B3) } });
  const r = run(state, A1);
  assert.deepEqual(r.effects, ["spawn:p10:Run#1"]);
  assert.equal(r.next.warm.p10?.data.type, "WarmingColdData");
  assert.equal(snapshot(r.next, config).freeMemoryMb, 512);
});

Deno.test("poolTransition() evicts idle containers oldest first, only as many as needed", () => {
  const state = running({
    warm: {
      p1: warm(B3, { lastUsed: 30, memoryMb: 512 }),
      p2: warm(C4, { lastUsed: 10 }),
      p3: warm(runOf(5, { name: "fourth" }), { lastUsed: 20 }),
    },
  });
  const r = run(state, A1);
  assert.deepEqual(r.effects, ["tell:p2:Remove", "spawn:p10:Run#1"]);
  assert.deepEqual(Object.keys(r.next.warm).sort(), ["p1", "p10", "p3"]);
});

Deno.test("poolTransition() prefers warmed to cold-warming containers and respects concurrency", () => {
  const A = (n: number) => runOf(n, { concurrency: 2 });
  const cold = warm(A(1), { active: 1 });
  const coldEntry = { ...cold, data: { ...cold.data, type: "WarmingColdData" } } as WarmEntry;
  const state = running({ warm: { p1: coldEntry, p2: warm(A(1), { active: 1 }) } });
  let r = run(state, A(2));
  assert.deepEqual(r.effects, ["tell:p2:Run#2"]);
  r = run(r.next, A(3));
  assert.deepEqual(r.effects, ["tell:p1:Run#3"]);
  r = run(r.next, A(4)); // both at their concurrency: a new container
  assert.deepEqual(r.effects, ["spawn:p10:Run#4"]);
});

Deno.test("poolTransition() does not reuse a container of another namespace or revision", () => {
  const state = running({ warm: { p1: warm(A1) } });
  assert.deepEqual(run(state, runOf(2, { namespace: "alice" })).effects, ["spawn:p10:Run#2"]);
  assert.deepEqual(run(state, runOf(2, { revision: "2-def" })).effects, ["spawn:p10:Run#2"]);
});

// ---- Buffering and draining ----------------------------------------------------------------------

const full = () =>
  running({
    warm: {
      p1: warm(B3, { active: 1, memoryMb: 512, lastUsed: 1 }),
      p2: warm(C4, { active: 1, memoryMb: 512, lastUsed: 2 }),
    },
  });

Deno.test("poolTransition() buffers runs FIFO when nothing fits, and drains when memory frees", () => {
  let r = run(full(), A1);
  assert.deepEqual([r.effects, r.next.buffer.map(runNumber)], [[], [1]]);
  r = run(r.next, runOf(6, { name: "fifth", memory: 512 }));
  assert.deepEqual([r.effects, r.next.buffer.map(runNumber)], [[], [1, 6]]);
  // p1 finishes: idle now, it is evicted for the head; run 6 still does not fit
  const data = r.next.warm.p1?.data as WarmedData;
  r = run(r.next, event("p1", { type: "NeedWork", data }));
  assert.deepEqual(r.effects, ["tell:p1:Remove", "spawn:p10:Run#1"]);
  assert.deepEqual(r.next.buffer.map(runNumber), [6]);
  r = run(r.next, A2); // would fit the warming p10, but waits behind run 6
  assert.deepEqual([r.effects, r.next.buffer.map(runNumber)], [[], [6, 2]]);
  // p2 is removed: its memory frees and run 6 starts
  r = run(r.next, event("p2", { type: "ContainerRemoved", replacePrewarm: false }));
  assert.deepEqual(r.effects, ["forget:p2", "spawn:p11:Run#6", "spawn:p12:Run#2"]);
  assert.deepEqual(r.next.buffer, []);
});

Deno.test("poolTransition() never overprovisions: free memory is bounded by the host", () => {
  let r = run(running(), { type: "HostMemoryRead", usableMb: 300 });
  r = run(r.next, A1);
  assert.deepEqual(r.effects, ["spawn:p10:Run#1"]);
  r = run(r.next, B3); // 300 − 256 reserved by the starting container
  assert.deepEqual([r.effects, r.next.buffer.length], [[], 1]);
  r = run(r.next, { type: "HostMemoryRead", usableMb: 2048 });
  assert.deepEqual(r.effects, ["spawn:p11:Run#3"]);
});

Deno.test("poolTransition() ends a run that can never fit with a whisk error", () => {
  const r = run(running(), runOf(1, { memory: 2048 }));
  assert.deepEqual([r.effects, r.next.buffer.length], [["end[1]"], 0]);
});

// ---- Proxy events -------------------------------------------------------------------------------

Deno.test("poolTransition() a ready prewarm moves to the prewarmed set and serves the buffer", () => {
  const state = running({
    prewarmStarting: { p1: { kind: "nodejs:20", memoryMb: 256 } },
    prewarmFailures: 1,
  });
  const r = run(
    state,
    event("p1", {
      type: "NeedWork",
      data: { type: "PreWarmedData", container: stem.container, kind: "nodejs:20", memoryMb: 256 },
    }),
  );
  assert.deepEqual([Object.keys(r.next.prewarmed), r.next.prewarmFailures], [["p1"], 0]);
});

Deno.test("poolTransition() NeedWork frees one slot; ContainerPaused marks the container", () => {
  const state = running({ warm: { p1: warm(A1, { active: 2 }) } });
  const data = state.warm.p1?.data as WarmedData;
  let r = run(state, event("p1", { type: "NeedWork", data }));
  assert.equal(r.next.warm.p1?.active, 1);
  r = run(r.next, event("p1", { type: "ContainerPaused", data }));
  assert.equal(r.next.warm.p1?.paused, true);
});

Deno.test("poolTransition() RescheduleJob forgets the proxy and places its jobs first", () => {
  const state = running({ warm: { p1: warm(A1, { active: 1 }) }, buffer: [] });
  const r = run(state, event("p1", { type: "RescheduleJob", jobs: [A1] }));
  assert.deepEqual(r.effects, ["forget:p1", "spawn:p10:Run#1"]);
  assert.equal(r.next.warm.p1, undefined);
});

Deno.test("poolTransition() a crashed proxy: forgotten, memory freed, container destroyed, jobs ended", () => {
  const state = running({ warm: { p1: warm(A1, { active: 2, memoryMb: 1024 }) }, buffer: [B3] });
  assert.equal(snapshot(state, config).freeMemoryMb, 0);
  const r = run(
    state,
    event("p1", {
      type: "ContainerRemoved",
      replacePrewarm: true,
      heldJobs: [A1, A2],
      crashedWith: { container: container("c9"), error: "boom" },
    }),
  );
  assert.deepEqual(r.effects, [
    "forget:p1",
    "destroy:c9",
    "end[1,2]",
    "spawn:p10:Run#3",
  ]);
  assert.equal(snapshot(r.next, config).freeMemoryMb, 768);
});

Deno.test("poolTransition() backfills prewarms on ContainerRemoved(replacePrewarm) until starts fail too often", () => {
  const cfg = { ...config, prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 1 }] };
  let state = running({ prewarmStarting: { p1: { kind: "nodejs:20", memoryMb: 256 } } });
  const failures: string[][] = [];
  for (let i = 0; i < 4; i++) {
    const id = Object.keys(state.prewarmStarting)[0] ?? "none";
    const r = run(state, event(id, { type: "ContainerRemoved", replacePrewarm: true }), 0, cfg);
    failures.push(r.effects);
    state = r.next;
  }
  assert.deepEqual(failures, [
    ["forget:p1", "spawn:p10:Start"],
    ["forget:p10", "spawn:p11:Start"],
    ["forget:p11"], // 3 failures > limit 2: no more
    ["forget:none"],
  ]);
});

Deno.test("poolTransition() answers GetContainerPoolState with a snapshot", () => {
  const state = running({
    warm: { p1: warm(A1, { paused: true }), p2: warm(B3, { active: 1 }) },
    prewarmed: { p3: stem },
    buffer: [C4],
  });
  const replyTo = ref("asker");
  const r = step(state, { type: "GetContainerPoolState", replyTo }, 0);
  const sent = r.effects[0] as { type: "send"; msg: unknown };
  assert.deepEqual(sent.msg, {
    type: "ContainerPoolSnapshot",
    state: "Running",
    userMemoryMb: 1024,
    freeMemoryMb: 256,
    warm: { count: 2, memoryMb: 512 },
    idle: { count: 1, memoryMb: 256 },
    paused: { count: 1, memoryMb: 256 },
    prewarmed: { count: 1, memoryMb: 256 },
    prewarmStarting: { count: 0, memoryMb: 0 },
    buffered: 1,
  });
});
