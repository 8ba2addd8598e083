import assert from "node:assert/strict";
import {
  type FsmEffect,
  type Ref,
  send,
  spawnFsm,
  type Step,
  tell,
} from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";

// A small job actor: Idle --Load--> Loading --Loaded--> Ready, giving up after 1 s.
type JobState =
  | { readonly name: "Idle" }
  | { readonly name: "Loading" }
  | { readonly name: "Ready"; readonly data: string }
  | { readonly name: "GaveUp" };
type JobMsg =
  | { readonly type: "Load"; readonly tid?: string }
  | { readonly type: "Work"; readonly n: number }
  | { readonly type: "Stop" }
  | { readonly type: "Loaded"; readonly data: string } // private
  | { readonly type: "LoadFailed" } // private
  | { readonly type: "StateTimeout" }; // private
type Report = { readonly type: "Done"; readonly n: number; readonly data: string } | {
  readonly type: "GaveUp";
};
type JobEffect = { readonly type: "fetch" };

function jobTransition(reportTo: Ref<Report>) {
  return (state: JobState, msg: JobMsg): Step<JobState, JobMsg, JobEffect> => {
    const stay = (...effects: (FsmEffect<JobMsg> | JobEffect)[]) => ({ next: state, effects });
    switch (state.name) {
      case "Idle":
        return msg.type === "Load"
          ? { next: { name: "Loading" }, effects: [{ type: "fetch" }] }
          : stay({ type: "unhandled" });
      case "Loading":
        if (msg.type === "Work") return stay({ type: "stash" });
        if (msg.type === "Stop") return stay({ type: "stop" });
        if (msg.type === "Loaded") {
          return { next: { name: "Ready", data: msg.data }, effects: [{ type: "unstashAll" }] };
        }
        if (msg.type === "StateTimeout") {
          return { next: { name: "GaveUp" }, effects: [send(reportTo, { type: "GaveUp" })] };
        }
        return stay({ type: "unhandled" });
      case "Ready":
        return msg.type === "Work"
          ? stay(send(reportTo, { type: "Done", n: msg.n, data: state.data }))
          : stay({ type: "unhandled" });
      case "GaveUp":
        return stay({ type: "unhandled" });
    }
  };
}

function jobHarness(fetch: () => Promise<string> = () => new Promise(() => {})) {
  const h = actorHarness();
  const reports = createProbe<Report>(h.system, "reports");
  const job = spawnFsm<JobState, JobMsg, JobEffect>(h.system, {
    name: "job",
    initialState: { name: "Idle" },
    transition: jobTransition(reports.ref),
    perform: (effect, ctx) => {
      if (effect.type === "fetch") {
        ctx.pipeToSelf(
          fetch(),
          (data) => ({ type: "Loaded", data }),
          () => ({ type: "LoadFailed" }),
        );
      }
    },
    stateTimeout: (state) => (state.name === "Loading" ? 1_000 : undefined),
    supervision: "restart",
  });
  return Object.assign(h, { reports, job });
}

const stateOf = (h: ReturnType<typeof jobHarness>) =>
  h.system.actors().find((a) => a.path === h.job.path)?.stateName;

Deno.test("spawnFsm() fires a state timeout at its time on the manual clock and not before", async () => {
  await using h = jobHarness();
  tell(h.system, h.job, { type: "Load" });
  await h.reports.expectNoMessage();
  assert.equal(stateOf(h), "Loading");

  h.clock.advance(999);
  await h.reports.expectNoMessage();
  h.clock.advance(1);
  await h.reports.expectMessage({ type: "GaveUp" });
  assert.equal(stateOf(h), "GaveUp");
  assert.deepEqual(h.tracer.recent({ kind: "transition" }), [
    { kind: "transition", ts: 1_000, actor: h.job.path, from: "Idle", to: "Loading" },
    { kind: "transition", ts: 2_000, actor: h.job.path, from: "Loading", to: "GaveUp" },
  ]);
});

Deno.test("spawnFsm() cancels the state timeout when the state is left", async () => {
  await using h = jobHarness(() => Promise.resolve("payload"));
  tell(h.system, h.job, { type: "Load" });
  tell(h.system, h.job, { type: "Work", n: 1 });
  await h.reports.expectMessage({ type: "Done", n: 1, data: "payload" });
  assert.equal(h.clock.pendingCount, 0);
  h.clock.advance(5_000);
  await h.reports.expectNoMessage();
  assert.equal(stateOf(h), "Ready");
});

Deno.test("spawnFsm() drops a state-timeout tick already queued when the state was left first", async () => {
  await using h = jobHarness();
  tell(h.system, h.job, { type: "Load" });
  await settle(h.system);
  tell(h.system, h.job, { type: "Loaded", data: "d" }); // queued first
  h.clock.advance(1_000); // the timeout tick lands behind it
  await h.reports.expectNoMessage();
  assert.equal(stateOf(h), "Ready");
});

Deno.test("spawnFsm() replays stashed messages in order, before later mailbox messages", async () => {
  await using h = jobHarness();
  tell(h.system, h.job, { type: "Load" });
  tell(h.system, h.job, { type: "Work", n: 1 });
  tell(h.system, h.job, { type: "Work", n: 2 });
  await h.reports.expectNoMessage();
  tell(h.system, h.job, { type: "Loaded", data: "d" });
  tell(h.system, h.job, { type: "Work", n: 3 }); // already in the mailbox during the unstash

  const done = await h.reports.receiveMessages(3);
  assert.deepEqual(done.map((r) => r.type === "Done" && r.n), [1, 2, 3]);
});

Deno.test("spawnFsm() pipes the result of a custom effect back as a message", async () => {
  let resolveFetch: (data: string) => void = () => {};
  await using h = jobHarness(() => new Promise((resolve) => (resolveFetch = resolve)));
  tell(h.system, h.job, { type: "Load" });
  tell(h.system, h.job, { type: "Work", n: 7 });
  await h.reports.expectNoMessage();
  resolveFetch("late data");
  await h.reports.expectMessage({ type: "Done", n: 7, data: "late data" });
});

Deno.test("spawnFsm() stop effect stops the actor and turns stashed messages into dead letters", async () => {
  await using h = jobHarness();
  tell(h.system, h.job, { type: "Load" });
  tell(h.system, h.job, { type: "Work", n: 1 });
  tell(h.system, h.job, { type: "Stop" });
  await settle(h.system);
  assert.equal(stateOf(h), undefined);
  assert.equal(h.system.deadLetters, 1);
  assert.equal(h.clock.pendingCount, 0);
  tell(h.system, h.job, { type: "Load" });
  assert.equal(h.system.deadLetters, 2);
});

Deno.test("spawnFsm() logs an unhandled message at warn with the state name", async () => {
  await using h = jobHarness();
  tell(h.system, h.job, { type: "Work", n: 1 });
  await h.reports.expectNoMessage();
  const [entry] = h.logs("unhandled message");
  assert.equal(entry?.level, "warn");
  assert.equal(entry?.meta.state, "Idle");
  assert.equal(entry?.meta.type, "Work");
  assert.equal(entry?.meta.actor, h.job.path);
});

Deno.test("spawnFsm() records a send and a transition in the tracer", async () => {
  await using h = jobHarness(() => Promise.resolve("x"));
  tell(h.system, h.job, { type: "Load", tid: "tid-1" });
  tell(h.system, h.job, { type: "Work", n: 1 });
  await h.reports.expectMessageType("Done");
  const simplified = h.tracer.recent().map((e) =>
    e.kind === "transition" ? `${e.from}→${e.to}` : `${e.kind}:${e.type}`
  );
  assert.deepEqual(simplified, [
    "message:Load",
    "message:Work",
    "Idle→Loading",
    "message:Loaded",
    "Loading→Ready",
    "message:Done",
  ]);
});

Deno.test("spawnFsm() restarts into the initial state after a crash", async () => {
  await using h = actorHarness();
  const probe = createProbe<string>(h.system);
  type S = { readonly name: "A" } | { readonly name: "B" };
  type M = { readonly type: "Go" } | { readonly type: "Crash" } | { readonly type: "Where" };
  const fsm = spawnFsm<S, M, never>(h.system, {
    name: "flaky",
    initialState: { name: "A" },
    transition: (state, msg) => {
      if (msg.type === "Crash") throw new Error("bug");
      if (msg.type === "Go") return { next: { name: "B" }, effects: [] };
      return { next: state, effects: [send(probe.ref, state.name)] };
    },
    supervision: "restart",
  });
  tell(h.system, fsm, { type: "Go" });
  tell(h.system, fsm, { type: "Where" });
  await probe.expectMessage("B");
  tell(h.system, fsm, { type: "Crash" });
  tell(h.system, fsm, { type: "Where" });
  await probe.expectMessage("A");
  assert.equal(h.system.actors().find((a) => a.name === "flaky")?.stateName, "A");
});

Deno.test("spawnFsm() arms the initial state's timeout at spawn and again after a restart", async () => {
  await using h = actorHarness();
  const probe = createProbe<string>(h.system);
  type S = { readonly name: "Waiting" } | { readonly name: "Late" };
  type M = { readonly type: "Crash" } | { readonly type: "StateTimeout" };
  const fsm = spawnFsm<S, M, never>(h.system, {
    name: "waiter",
    initialState: { name: "Waiting" },
    transition: (_state, msg) => {
      if (msg.type === "Crash") throw new Error("bug");
      return { next: { name: "Late" }, effects: [send(probe.ref, "late")] };
    },
    stateTimeout: (state) => (state.name === "Waiting" ? 100 : undefined),
    supervision: "restart",
  });
  h.clock.advance(60);
  tell(h.system, fsm, { type: "Crash" }); // restart at t=60: the timer starts over
  await probe.expectNoMessage();
  h.clock.advance(99);
  await probe.expectNoMessage();
  h.clock.advance(1);
  await probe.expectMessage("late");
});
