/** The classic container proxy shell, message-driven: a scripted container, probes, the manual clock. */
import assert from "node:assert/strict";
import { spawnContainerProxy } from "../../../actors/invoker/container_proxy.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import type { ContainerProxyEvent } from "../../../protocols/container_proxy.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import type { CallResult, Container } from "../../../runtime/containers/container_factory.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { activationId as id, ok, runOf } from "./container_proxy_fixtures_test.ts";

/** A call held until the test answers it. */
interface Held<T> {
  readonly what: string;
  answer(value: T): void;
  fail(error: Error): void;
}

/** A container whose calls answer at once unless `hold` names them; every call is logged. */
interface ScriptedContainer extends Container {
  readonly calls: string[];
  readonly hold: Set<string>;
  readonly held: Held<unknown>[];
  failResume?: Error;
}

function scriptedContainer(): ScriptedContainer {
  const calls: string[] = [];
  const hold = new Set<string>();
  const held: Held<unknown>[] = [];
  const call = <T>(what: string, answer: T): Promise<T> => {
    calls.push(what);
    if (!hold.has(what)) return Promise.resolve(answer);
    return new Promise<T>((resolve, reject) => {
      held.push({ what, answer: (v) => resolve(v as T), fail: reject });
    });
  };
  const c: ScriptedContainer = {
    id: "wsk0_scripted",
    kind: "nodejs:20",
    calls,
    hold,
    held,
    exited: false,
    initialize: () => call<CallResult>("init", ok({ OK: true })),
    run: () => call<CallResult>("run", ok({ done: true })),
    logMark: () => ({ stdout: 0, stderr: 0 }),
    logs: () => Promise.resolve([]),
    pause: () => call("pause", undefined),
    resume: () =>
      c.failResume
        ? (calls.push("resume"), Promise.reject(c.failResume))
        : call("resume", undefined),
    destroy: () => call("destroy", undefined),
  };
  return c;
}

function harness(options: { createThrows?: boolean } = {}) {
  const h = actorHarness();
  const pool = createProbe<ContainerProxyEvent>(h.system, "pool");
  const container = scriptedContainer();
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  let created = 0;
  const proxy = spawnContainerProxy(pool.ref, {
    createContainer: () => {
      if (options.createThrows) throw new Error("factory bug");
      created++;
      return Promise.resolve(container);
    },
    storeActivation: (r) => Promise.resolve(void records.push(r)),
    sendAck: (_c, ack) => Promise.resolve(void acks.push(ack)),
    invoker: invokerInstance(0),
    clock: h.clock,
    logger: h.logger,
  }, { name: "proxy-1" });
  return { h, pool, container, acks, records, proxy, created: () => created };
}

const alive = (t: ReturnType<typeof harness>) =>
  t.h.system.actors().some((a) => a.path.endsWith("proxy-1"));

Deno.test("spawnContainerProxy() cold-starts a run: creates, inits, runs, acks, stores, asks for work", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  const need = await t.pool.expectMessageType("NeedWork");
  assert.equal(need.data.type, "WarmedData");
  assert.equal(need.proxy, t.proxy);
  assert.deepEqual(t.container.calls, ["init", "run"]);
  assert.equal(t.created(), 1);
  assert.equal(t.acks[0]?.type, "CombinedCompletionAndResultMessage");
  assert.equal(t.records[0]?.response.statusCode, 0);
  assert.ok(t.records[0]?.annotations.some((a) => a.key === "initTime"));
});

Deno.test("spawnContainerProxy() reuses the warm container without a second init", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  await t.pool.expectMessageType("NeedWork");
  tell(t.h.system, t.proxy, runOf(2));
  await t.pool.expectMessageType("NeedWork");
  assert.deepEqual(t.container.calls, ["init", "run", "run"]);
  assert.equal(t.created(), 1);
  assert.equal(t.records.length, 2);
  assert.ok(!t.records[1]?.annotations.some((a) => a.key === "initTime"));
});

Deno.test("spawnContainerProxy() buffers runs beyond the action's concurrency", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  await t.pool.expectMessageType("NeedWork");
  t.container.hold.add("run");
  tell(t.h.system, t.proxy, runOf(2));
  tell(t.h.system, t.proxy, runOf(3));
  await settle(t.h.system);
  assert.deepEqual(t.container.calls, ["init", "run", "run"]); // run 3 waits
  t.container.held.shift()?.answer(ok({ n: 2 }));
  await t.pool.expectMessageType("NeedWork");
  await settle(t.h.system);
  assert.deepEqual(t.container.calls, ["init", "run", "run", "run"]);
  t.container.held.shift()?.answer(ok({ n: 3 }));
  await t.pool.expectMessageType("NeedWork");
  assert.deepEqual(t.records.map((r) => r.response.result), [{ done: true }, { n: 2 }, { n: 3 }]);
});

Deno.test("spawnContainerProxy() pauses after pause-grace and resumes on the next run", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  await t.pool.expectMessageType("NeedWork");
  t.h.clock.advance(9_999);
  await t.pool.expectNoMessage();
  t.h.clock.advance(1);
  const paused = await t.pool.expectMessageType("ContainerPaused");
  assert.equal(paused.data.type, "WarmedData");
  tell(t.h.system, t.proxy, runOf(2));
  await t.pool.expectMessageType("NeedWork");
  assert.deepEqual(t.container.calls, ["init", "run", "pause", "resume", "run"]);
});

Deno.test("spawnContainerProxy() removes a paused container after idle-container", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  await t.pool.expectMessageType("NeedWork");
  t.h.clock.advance(10_000);
  await t.pool.expectMessageType("ContainerPaused");
  t.h.clock.advance(600_000);
  const gone = await t.pool.expectMessageType("RescheduleJob");
  assert.deepEqual(gone.jobs, []);
  await settle(t.h.system);
  assert.deepEqual(t.container.calls.slice(-3), ["pause", "resume", "destroy"]);
  assert.equal(alive(t), false);
});

Deno.test("spawnContainerProxy() hands the job back with RescheduleJob when the resume fails", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, runOf(1));
  await t.pool.expectMessageType("NeedWork");
  t.h.clock.advance(10_000);
  await t.pool.expectMessageType("ContainerPaused");
  t.container.failResume = new Error("thaw failed");
  const job = runOf(2);
  tell(t.h.system, t.proxy, job);
  const back = await t.pool.expectMessageType("RescheduleJob");
  assert.deepEqual(back.jobs, [job]);
  await settle(t.h.system);
  assert.equal(t.acks.length, 1); // only the first run was acked
  assert.equal(t.container.calls.at(-1), "destroy");
  assert.equal(alive(t), false);
});

Deno.test("spawnContainerProxy() an init failure aborts the buffered runs with the init error", async () => {
  const t = harness();
  await using _h = t.h;
  t.container.hold.add("init");
  tell(t.h.system, t.proxy, runOf(1, { concurrency: 3 }));
  tell(t.h.system, t.proxy, runOf(2, { concurrency: 3 }));
  tell(t.h.system, t.proxy, runOf(3, { concurrency: 3 }));
  await settle(t.h.system);
  assert.deepEqual(t.container.calls, ["init"]);
  t.container.held.shift()?.answer({
    ok: false,
    status: 502,
    body: { error: "syntax error" },
    sizeBytes: 20,
    durationMs: 3,
  });
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.equal(removed.replacePrewarm, true);
  await settle(t.h.system);
  assert.deepEqual(
    t.records.map((r) => [r.activationId, r.response.statusCode, r.response.result]).sort(),
    [1, 2, 3].map((n) => [id(n), 2, { error: "syntax error" }]),
  );
  assert.equal(t.acks.length, 3);
  assert.deepEqual(t.container.calls, ["init", "destroy"]);
  assert.equal(alive(t), false);
});

Deno.test("spawnContainerProxy() a prewarm reports NeedWork(PreWarmedData), then inits for its first run", async () => {
  const t = harness();
  await using _h = t.h;
  tell(t.h.system, t.proxy, { type: "Start", kind: "nodejs:20", memoryMb: 256 });
  const ready = await t.pool.expectMessageType("NeedWork");
  assert.deepEqual([ready.data.type, t.container.calls], ["PreWarmedData", []]);
  tell(t.h.system, t.proxy, runOf(1));
  const need = await t.pool.expectMessageType("NeedWork");
  assert.equal(need.data.type, "WarmedData");
  assert.deepEqual(t.container.calls, ["init", "run"]);
});

Deno.test("spawnContainerProxy() a crash stops the proxy and reports its container and held jobs", async () => {
  const t = harness({ createThrows: true });
  await using _h = t.h;
  const job = runOf(1);
  tell(t.h.system, t.proxy, job);
  const removed = await t.pool.expectMessageType("ContainerRemoved");
  assert.deepEqual(removed.heldJobs, [job]);
  assert.equal(removed.crashedWith?.error, "factory bug");
  await settle(t.h.system);
  assert.equal(alive(t), false);
  assert.equal(t.h.logs("actor crashed").length, 1);
});
