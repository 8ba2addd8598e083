/** Transition tables of the classic container proxy's pure FSM: every state. */
import assert from "node:assert/strict";
import {
  type ContainerProxyEnv,
  type ContainerProxyMsg,
  type ContainerProxyState,
  type Effect,
  initialProxyState,
  proxyStateTimeout,
  proxyTransition,
  type RunningState,
} from "../../../actors/invoker/container_proxy_fsm.ts";
import type { Run, WarmedData } from "../../../protocols/container_proxy.ts";
import type { Ref } from "../../../runtime/actors/mod.ts";
import type { Container } from "../../../runtime/containers/container_factory.ts";
import { runNumber, runOf } from "./container_proxy_fixtures_test.ts";

// deno-lint-ignore no-explicit-any
const ref = (path: string) => ({ path }) as unknown as Ref<any>;
const env: ContainerProxyEnv = {
  self: ref("self"),
  parent: ref("pool"),
  pauseGraceMs: 10_000,
  idleContainerMs: 600_000,
  healthCheckIntervalMs: 3_000,
  healthPing: false,
};
const step = proxyTransition(env);
const container = { id: "wsk0_c1", kind: "nodejs:20" } as Container;
const R1 = runOf(1, { concurrency: 2 });
const R2 = runOf(2, { concurrency: 2 });
const R3 = runOf(3, { concurrency: 2 });
const bound = {
  invocationNamespace: "guest",
  action: R1.action,
  revision: "1-abc",
  lastUsed: 5,
};
const warmed: WarmedData = { type: "WarmedData", container, ...bound };
const runningWarm = (running: Run[], buffer: Run[] = []): RunningState => ({
  name: "Running",
  data: warmed,
  resuming: false,
  running,
  buffer,
});

/** Effects as short strings: `send:<to>:<type>`, `runJob:<id>[:init]`, `<effect>[:key]`. */
function show(effects: readonly Effect[]): string[] {
  const short = runNumber;
  return effects.map((e) => {
    switch (e.type) {
      case "send": {
        const m = e.msg as {
          type: string;
          jobs?: Run[];
          replacePrewarm?: boolean;
          data?: { type: string };
        };
        const extra = m.jobs
          ? `[${m.jobs.map(short).join(",")}]`
          : m.replacePrewarm !== undefined
          ? `(${m.replacePrewarm})`
          : m.data
          ? `(${m.data.type})`
          : "";
        return `send:${e.to.path}:${m.type}${extra}`;
      }
      case "runJob":
        return `runJob:${short(e.run)}${e.initialize ? ":init" : ""}`;
      case "abortRuns":
        return `abortRuns[${e.runs.map(short).join(",")}]:${e.response.statusCode}`;
      case "destroyContainer":
        return `destroyContainer${e.resumeFirst ? ":resumeFirst" : ""}`;
      case "startTimer":
      case "cancelTimer":
        return `${e.type}:${e.key}`;
      default:
        return e.type;
    }
  });
}

function run(state: ContainerProxyState, msg: ContainerProxyMsg, now = 100) {
  const r = step(state, msg, now);
  return { name: r.next.name, next: r.next, effects: show(r.effects) };
}

const sends = (effects: string[]) => effects.filter((e) => e.startsWith("send") || e === "stop");

// ---- Uninitialized ----------------------------------------------------------------------------

Deno.test("proxyTransition() Uninitialized + Start creates a prewarm → Starting", () => {
  const r = run(initialProxyState, { type: "Start", kind: "nodejs:20", memoryMb: 256 });
  assert.deepEqual([r.name, r.effects], ["Starting", ["createContainer"]]);
  assert.deepEqual(r.next.data, { type: "MemoryData", memoryMb: 256 });
});

Deno.test("proxyTransition() Uninitialized + Run cold-starts → Running with WarmingColdData", () => {
  const r = run(initialProxyState, R1);
  assert.deepEqual([r.name, r.effects], ["Running", ["createContainer"]]);
  const next = r.next as RunningState;
  assert.equal(next.data.type, "WarmingColdData");
  assert.deepEqual(next.running, [R1]);
});

Deno.test("proxyTransition() Uninitialized + Remove reports and stops; a sequence is refused", () => {
  assert.deepEqual(run(initialProxyState, { type: "Remove" }).effects, [
    "send:pool:ContainerRemoved(false)",
    "stop",
  ]);
  const seq: Run = {
    ...R1,
    action: { ...R1.action, exec: { kind: "sequence", components: [] } },
  };
  assert.deepEqual(run(initialProxyState, seq).effects, [
    "abortRuns[1]:3",
    "send:pool:ContainerRemoved(false)",
    "stop",
  ]);
});

// ---- Starting / Started ------------------------------------------------------------------------

const starting: ContainerProxyState = {
  name: "Starting",
  data: { type: "MemoryData", memoryMb: 256 },
  kind: "nodejs:20",
};
const started: ContainerProxyState = {
  name: "Started",
  data: { type: "PreWarmedData", container, kind: "nodejs:20", memoryMb: 256 },
  healthPing: false,
};

Deno.test("proxyTransition() Starting + PreWarmCompleted sends NeedWork(PreWarmedData) → Started", () => {
  const r = run(starting, { type: "PreWarmCompleted", container });
  assert.deepEqual([r.name, r.effects], ["Started", [
    "send:pool:NeedWork(PreWarmedData)",
    "unstashAll",
  ]]);
  assert.deepEqual(r.next.data, started.data);
});

Deno.test("proxyTransition() Starting: a failed start reports ContainerRemoved(true) and stops; commands wait", () => {
  const r = run(starting, { type: "ContainerStartFailed", statusCode: 3, message: "x" });
  assert.deepEqual(r.effects, ["send:pool:ContainerRemoved(true)", "stop"]);
  assert.deepEqual(run(starting, R1).effects, ["stash"]);
  assert.deepEqual(run(starting, { type: "Remove" }).effects, ["stash"]);
});

Deno.test("proxyTransition() Started + Run initializes and runs → Running with WarmingData", () => {
  const r = run(started, R1);
  assert.deepEqual([r.name, r.effects], ["Running", ["cancelTimer:health-ping", "runJob:1:init"]]);
  const next = r.next as RunningState;
  assert.equal(next.data.type, "WarmingData");
  assert.deepEqual(next.running, [R1]);
});

Deno.test("proxyTransition() Started + Remove destroys without replacing the prewarm", () => {
  const r = run(started, { type: "Remove" });
  assert.equal(r.name, "Removing");
  assert.deepEqual(r.effects, [
    "cancelTimer:health-ping",
    "send:pool:ContainerRemoved(false)",
    "unstashAll",
    "destroyContainer",
  ]);
});

Deno.test("proxyTransition() Started: health pings start, check the container, and a failure removes it", () => {
  let r = run(started, { type: "HealthPingEnabled", enabled: true });
  assert.deepEqual(r.effects, ["startTimer:health-ping"]);
  r = run(r.next, { type: "HealthPingTick" });
  assert.deepEqual([r.name, r.effects], ["Started", ["checkHealth"]]);
  assert.deepEqual(run(started, { type: "HealthPingTick" }).effects, []); // disabled
  r = run(r.next, { type: "HealthCheckFailed", error: "exited" });
  assert.equal(r.name, "Removing");
  assert.deepEqual(sends(r.effects), ["send:pool:ContainerRemoved(true)"]);
  assert.ok(r.effects.includes("destroyContainer"));
});

// ---- Running ----------------------------------------------------------------------------------

Deno.test("proxyTransition() Running (cold): container up → init-and-run the first run; later runs buffer", () => {
  const cold = run(initialProxyState, R1).next;
  let r = run(cold, R2);
  assert.deepEqual([r.name, r.effects], ["Running", []]);
  assert.deepEqual((r.next as RunningState).buffer, [R2]);
  r = run(r.next, { type: "PreWarmCompleted", container });
  assert.deepEqual(r.effects, ["runJob:1:init"]);
  assert.equal(r.next.data.type, "WarmingData");
  r = run(r.next, R3); // still initializing
  assert.deepEqual((r.next as RunningState).buffer, [R2, R3]);
  r = run(r.next, { type: "InitCompleted", activationId: R1.msg.activationId }, 200);
  // concurrency 2: one more may run now, one stays buffered
  assert.deepEqual(r.effects, ["runJob:2"]);
  const next = r.next as RunningState;
  assert.equal(next.data.type, "WarmedData");
  assert.equal(next.data.lastUsed, 200);
  assert.deepEqual([next.running, next.buffer], [[R1, R2], [R3]]);
});

Deno.test("proxyTransition() Running: runs beyond the action's concurrency are buffered", () => {
  let r = run(runningWarm([R1]), R2);
  assert.deepEqual(r.effects, ["runJob:2"]);
  r = run(r.next, R3);
  assert.deepEqual(r.effects, []);
  assert.deepEqual((r.next as RunningState).buffer, [R3]);
});

Deno.test("proxyTransition() Running + RunCompleted(ok) sends NeedWork, starts buffered runs, then → Ready", () => {
  let r = run(runningWarm([R1, R2], [R3]), {
    type: "RunCompleted",
    run: R1,
    outcome: { type: "ok" },
  }, 300);
  assert.deepEqual([r.name, r.effects], ["Running", [
    "send:pool:NeedWork(WarmedData)",
    "runJob:3",
  ]]);
  r = run(r.next, { type: "RunCompleted", run: R2, outcome: { type: "ok" } });
  assert.equal(r.name, "Running");
  r = run(r.next, { type: "RunCompleted", run: R3, outcome: { type: "ok" } }, 400);
  assert.deepEqual([r.name, r.effects], ["Ready", [
    "send:pool:NeedWork(WarmedData)",
    "unstashAll",
  ]]);
  assert.equal(r.next.data.type === "WarmedData" && r.next.data.lastUsed, 400);
});

Deno.test("proxyTransition() Running: an init failure aborts the buffered runs with the init error", () => {
  const initializing: RunningState = {
    name: "Running",
    data: { type: "WarmingData", container, ...bound },
    resuming: false,
    running: [R1],
    buffer: [R2, R3],
  };
  const response = { statusCode: 2, result: { error: "bad code" } } as const;
  const r = run(initializing, {
    type: "RunCompleted",
    run: R1,
    outcome: { type: "initFailed", response },
  });
  assert.equal(r.name, "Removing");
  assert.deepEqual(r.effects, [
    "cancelTimer:health-ping",
    "send:pool:ContainerRemoved(true)",
    "abortRuns[2,3]:2",
    "unstashAll",
    "destroyContainer",
  ]);
});

Deno.test("proxyTransition() Running: a failed warm run hands the buffer back and waits for the others", () => {
  let r = run(runningWarm([R1, R2], [R3]), {
    type: "RunCompleted",
    run: R1,
    outcome: { type: "failed" },
  });
  assert.equal(r.name, "Removing");
  assert.deepEqual(sends(r.effects), [
    "send:pool:ContainerRemoved(true)",
    "send:pool:RescheduleJob[3]",
  ]);
  assert.ok(!r.effects.includes("destroyContainer"));
  r = run(r.next, { type: "RunCompleted", run: R2, outcome: { type: "ok" } });
  assert.deepEqual(r.effects, ["destroyContainer"]);
  r = run(r.next, { type: "DestroyCompleted" });
  assert.deepEqual(r.effects, ["stop"]);
});

Deno.test("proxyTransition() Running: a 503 (health error) reschedules the run and the buffer", () => {
  const r = run(runningWarm([R1], [R2]), {
    type: "RunCompleted",
    run: R1,
    outcome: { type: "reschedule" },
  });
  assert.equal(r.name, "Removing");
  assert.deepEqual(sends(r.effects), ["send:pool:RescheduleJob[1,2]"]);
  assert.ok(r.effects.includes("destroyContainer"));
});

Deno.test("proxyTransition() Running: a cold start that fails ends its run and aborts the buffer", () => {
  const cold = { ...(run(initialProxyState, R1).next as RunningState), buffer: [R2] };
  const r = run(cold, { type: "ContainerStartFailed", statusCode: 3, message: "no cgroup" });
  assert.deepEqual([r.name, r.effects], ["Removing", [
    "abortRuns[1]:3",
    "abortRuns[2]:3",
    "send:pool:ContainerRemoved(true)",
    "stop",
  ]]);
});

Deno.test("proxyTransition() Running: resume completion runs the resumed run; failure reschedules it", () => {
  const resuming: RunningState = {
    name: "Running",
    data: { ...warmed, resumeRun: R1 },
    resuming: true,
    running: [R1],
    buffer: [R2],
  };
  let r = run(resuming, R3);
  assert.deepEqual((r.next as RunningState).buffer, [R2, R3]);
  r = run(resuming, { type: "ResumeCompleted" });
  assert.deepEqual(r.effects, ["runJob:1", "runJob:2"]);
  r = run(resuming, { type: "ResumeFailed", error: "thaw failed" });
  assert.equal(r.name, "Removing");
  assert.deepEqual(sends(r.effects), ["send:pool:RescheduleJob[1,2]"]);
  assert.ok(r.effects.includes("destroyContainer:resumeFirst"));
});

Deno.test("proxyTransition() Running stashes Remove until it is idle", () => {
  assert.deepEqual(run(runningWarm([R1]), { type: "Remove" }).effects, ["stash"]);
});

// ---- Ready / Pausing / Paused -----------------------------------------------------------------

const ready: ContainerProxyState = { name: "Ready", data: warmed };
const pausing: ContainerProxyState = { name: "Pausing", data: warmed };
const paused: ContainerProxyState = { name: "Paused", data: warmed };

Deno.test("proxyTransition() Ready + Run runs at once with its resume run set", () => {
  const r = run(ready, R1, 700);
  assert.deepEqual([r.name, r.effects], ["Running", ["runJob:1"]]);
  const data = r.next.data as WarmedData;
  assert.deepEqual([data.resumeRun, data.lastUsed], [R1, 700]);
});

Deno.test("proxyTransition() Ready pauses after pause-grace and is destroyed on Remove", () => {
  let r = run(ready, { type: "StateTimeout" });
  assert.deepEqual([r.name, r.effects], ["Pausing", ["suspendContainer"]]);
  r = run(ready, { type: "Remove" });
  assert.equal(r.name, "Removing");
  assert.deepEqual(sends(r.effects), ["send:pool:ContainerRemoved(true)"]);
  assert.ok(r.effects.includes("destroyContainer"));
});

Deno.test("proxyTransition() Pausing: paused → Paused and the pool is told; runs wait; failure destroys", () => {
  let r = run(pausing, { type: "SuspendCompleted" });
  assert.deepEqual([r.name, r.effects], ["Paused", [
    "send:pool:ContainerPaused(WarmedData)",
    "unstashAll",
  ]]);
  assert.deepEqual(run(pausing, R1).effects, ["stash"]);
  r = run(pausing, { type: "SuspendFailed", error: "x" });
  assert.equal(r.name, "Removing");
  assert.ok(r.effects.includes("destroyContainer:resumeFirst"));
});

Deno.test("proxyTransition() Paused + Run resumes first → Running (resuming)", () => {
  const r = run(paused, R1);
  assert.deepEqual([r.name, r.effects], ["Running", ["resumeContainer"]]);
  const next = r.next as RunningState;
  assert.deepEqual([next.resuming, next.running, next.data.type], [true, [R1], "WarmedData"]);
});

Deno.test("proxyTransition() Paused: idle-container or Remove destroy it with RescheduleJob", () => {
  for (const msg of [{ type: "StateTimeout" }, { type: "Remove" }] as const) {
    const r = run(paused, msg);
    assert.equal(r.name, "Removing");
    assert.deepEqual(sends(r.effects), ["send:pool:RescheduleJob[]"]);
    assert.ok(r.effects.includes("destroyContainer:resumeFirst"));
  }
});

// ---- Removing ---------------------------------------------------------------------------------

const removing: ContainerProxyState = {
  name: "Removing",
  data: warmed,
  running: [],
  destroying: true,
};

Deno.test("proxyTransition() Removing hands late runs back and stops once destroyed", () => {
  assert.deepEqual(run(removing, R1).effects, ["send:pool:RescheduleJob[1]"]);
  assert.deepEqual(run(removing, { type: "DestroyCompleted" }).effects, ["stop"]);
  assert.deepEqual(run(removing, { type: "Remove" }).effects, []);
});

Deno.test("proxyTransition() Removing: a run rescheduled while removing goes back; timeout stops", () => {
  const waiting: ContainerProxyState = { ...removing, running: [R1], destroying: false };
  let r = run(waiting, { type: "RunCompleted", run: R1, outcome: { type: "reschedule" } });
  assert.deepEqual(r.effects, ["send:pool:RescheduleJob[1]", "destroyContainer"]);
  r = run(waiting, { type: "StateTimeout" });
  assert.deepEqual(r.effects, ["destroyContainer:resumeFirst", "stop"]);
});

Deno.test("proxyStateTimeout() arms pause-grace in Ready and idle-container in Paused and Removing", () => {
  const timeout = proxyStateTimeout(env);
  assert.deepEqual(
    [ready, paused, removing, started, runningWarm([R1])].map(timeout),
    [10_000, 600_000, 600_000, undefined, undefined],
  );
});
