/** Transition tables of the container proxy's pure FSM (every phase). */
import assert from "node:assert/strict";
import {
  type Effect,
  freshPulling,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  proxyTransition,
} from "../../../actors/invoker/function_pulling_container_proxy_fsm.ts";
import type {
  Initialize,
  InitializedData,
  WarmData,
} from "../../../protocols/function_pulling_container_proxy.ts";
import { startTransaction, transactionId } from "../../../protocols/transaction_id.ts";
import { actionMetaData } from "../../../protocols/whisk_action.ts";
import type { Ref } from "../../../runtime/actors/mod.ts";
import { action, activation, fakeContainer } from "./_proxy_fixtures.ts";

// deno-lint-ignore no-explicit-any
const ref = (path: string) => ({ path }) as unknown as Ref<any>;
const POOL = ref("pool");
const HEALTH = ref("health");
const CLIENT = ref("client");
const SELF = ref("self");
const env: ProxyEnv = {
  self: SELF,
  parent: POOL,
  healthManager: HEALTH,
  invokerId: 0,
  pauseGraceMs: 10_000,
  idleContainerMs: 600_000,
  pingCacheMs: 60_000,
  clientClosedRetryMs: 10_000,
  isNamespaceBlocked: (ns) => ns === "blocked",
};
const step = proxyTransition(env);
const container = fakeContainer();
const meta = actionMetaData(action({ concurrency: 3 }));
const init: Initialize = {
  type: "Initialize",
  invocationNamespace: "guest",
  action: meta,
  revision: "1-abc",
  schedulerHost: "127.0.0.1",
  rpcPort: 13001,
  tid: startTransaction(transactionId("t"), 0),
  creationId: "c1",
};
const EXISTING = `whisk/namespace/guest/guest/hello/1-abc/invoker0/container/${container.id}`;
const WARMED = `whisk/warmed/guest/guest/hello/1-abc/invoker/0/container/${container.id}`;
const initialized: InitializedData = {
  type: "InitializedData",
  container,
  invocationNamespace: "guest",
  action: meta,
  revision: "1-abc",
  clientProxy: CLIENT,
};
const warm: WarmData = { ...initialized, type: "WarmData", lastUsed: 5 };
const clientCreated: ProxyState = {
  name: "ClientCreated",
  data: initialized,
  init,
  pulling: freshPulling,
};
const running: ProxyState = { name: "Running", data: warm, pulling: freshPulling };

/** Effects as short strings: `send:<to>:<type>`, `<effect>[:key]`. */
function show(effects: readonly Effect[]): string[] {
  return effects.map((e) => {
    if (e.type === "send") return `send:${e.to.path}:${(e.msg as { type: string }).type}`;
    if (e.type === "registerData" || e.type === "unregisterData") {
      return `${e.type}:${e.key === EXISTING ? "existing" : e.key === WARMED ? "warmed" : e.key}`;
    }
    if (e.type === "startTimer" || e.type === "cancelTimer") return `${e.type}:${e.key}`;
    return e.type;
  });
}

function run(state: ProxyState, msg: ProxyMsg, now = 100) {
  const r = step(state, msg, now);
  return { name: r.next.name, next: r.next, effects: show(r.effects), raw: r.effects };
}

Deno.test("proxyTransition() prewarm path reaches ClientCreated through ContainerCreated", () => {
  let r = run({ name: "Uninitialized", data: { type: "NonexistentData" } }, {
    type: "Start",
    kind: "nodejs:20",
    memoryMb: 256,
  });
  assert.deepEqual([r.name, r.effects], ["CreatingContainer", ["createContainer"]]);
  r = run(r.next, { type: "ContainerReady", container });
  assert.deepEqual([r.name, r.effects], ["ContainerCreated", [
    "send:pool:ReadyToWork",
    "unstashAll",
  ]]);
  r = run(r.next, init);
  assert.deepEqual([r.name, r.effects], ["CreatingClient", [
    "cancelTimer:health-ping",
    "spawnClient",
  ]]);
  r = run(r.next, { type: "ClientProxySpawned", clientProxy: CLIENT });
  assert.deepEqual(r.effects, ["send:client:StartClient"]);
  r = run(r.next, { type: "ClientCreationCompleted" });
  assert.equal(r.name, "ClientCreated");
  assert.deepEqual(r.effects, [
    "registerData:existing",
    "send:pool:Initialized",
    "send:client:RequestActivation",
    "startTimer:ping-cache",
    "startTimer:unused",
    "unstashAll",
  ]);
});

Deno.test("proxyTransition() a waiting prewarm is pinged; a dead one is removed and replaced", () => {
  const pinging = proxyTransition({ ...env, healthCheckIntervalMs: 1_000 });
  const creating = pinging({ name: "Uninitialized", data: { type: "NonexistentData" } }, {
    type: "Start",
    kind: "nodejs:20",
    memoryMb: 256,
  }, 0).next;
  const ready = pinging(creating, { type: "ContainerReady", container }, 0);
  assert.deepEqual(show(ready.effects), [
    "send:pool:ReadyToWork",
    "startTimer:health-ping",
    "unstashAll",
  ]);
  assert.deepEqual(show(pinging(ready.next, { type: "HealthPing" }, 0).effects), [
    "pingContainer",
  ]);
  const dead = pinging(ready.next, { type: "ContainerHealthFailed", error: "exited" }, 0);
  assert.equal(dead.next.name, "Removing");
  assert.deepEqual(show(dead.effects), [
    "cancelTimer:health-ping",
    "cancelTimer:ping-cache",
    "cancelTimer:unused",
    "retireKeys",
    "send:pool:ContainerRemoved",
    "destroyContainer",
    "stop",
  ]);
  const removed = dead.effects.find((e) => e.type === "send");
  assert.equal((removed as { msg: { replacePrewarm: boolean } }).msg.replacePrewarm, true);
});

Deno.test("proxyTransition() cold start creates the container, then the client; failure reports and stops", () => {
  let r = run({ name: "Uninitialized", data: { type: "NonexistentData" } }, init);
  assert.deepEqual([r.name, r.effects], ["CreatingClient", ["createContainer"]]);
  const creating = r.next;
  r = run(creating, { type: "ContainerReady", container });
  assert.deepEqual(r.effects, ["spawnClient"]);
  r = run(creating, {
    type: "ContainerStartFailed",
    reason: "WhiskContainerStartupError",
    message: "x",
  });
  assert.equal(r.name, "Removing");
  assert.deepEqual(r.effects.filter((e) => e.startsWith("send") || e === "stop"), [
    "send:pool:ContainerCreationFailed",
    "send:pool:ContainerRemoved",
    "stop",
  ]);
  assert.ok(!r.effects.includes("destroyContainer"));
});

Deno.test("proxyTransition() stashes commands while the container starts", () => {
  const r = run({
    name: "CreatingContainer",
    data: { type: "NonexistentData" },
    start: { type: "Start", kind: "k", memoryMb: 1 },
  }, { type: "Remove" });
  assert.deepEqual(r.effects, ["stash"]);
});

Deno.test("proxyTransition() a client creation failure destroys the container without running anything, and without addressing the stopped client", () => {
  const state: ProxyState = { name: "CreatingClient", data: initialized, init };
  const r = run(state, {
    type: "FailureMessage",
    reason: "ClientCreationFailed",
    error: new Error("x"),
  });
  assert.equal(r.name, "Removing");
  assert.deepEqual(r.effects, [
    "send:health:HealthMessage",
    "cancelTimer:ping-cache",
    "cancelTimer:unused",
    "retireKeys",
    "unregisterData:existing",
    "send:pool:ContainerRemoved",
    "destroyContainer",
    "stop", // the client proxy stopped itself after reporting the failure
  ]);
  assert.ok(!r.effects.includes("runActivation"));
});

Deno.test("proxyTransition() ClientClosed destroys the container in every bound state", () => {
  for (const state of [clientCreated, running, { name: "Paused", data: warm } as ProxyState]) {
    const r = run(state, { type: "ClientClosed" });
    assert.equal(r.name, "Removing", state.name);
    assert.ok(r.effects.includes("destroyContainer"), state.name);
    assert.ok(r.effects.includes("stop"), state.name);
  }
  const removing = run(run(running, { type: "ClientClosed" }).next, { type: "ClientClosed" });
  assert.deepEqual(removing.effects, ["stop"]);
});

Deno.test("proxyTransition() ClientClosed while activations run retries after 10 s", () => {
  const busy: ProxyState = { ...running, pulling: { ...freshPulling, running: [activation()] } };
  const r = run(busy, { type: "ClientClosed" });
  assert.deepEqual([r.name, r.effects], ["Running", ["startTimer:client-closed-retry"]]);
});

Deno.test("proxyTransition() first activation initializes, then concurrency − 1 extra requests", () => {
  const msg = activation();
  let r = run(clientCreated, msg);
  assert.deepEqual(r.effects, ["cancelTimer:unused", "fetchAction"]);
  r = run(r.next, { type: "RunActivation", msg, action: action({ concurrency: 3 }) });
  const runEffect = r.raw[0] as Extract<Effect, { type: "runActivation" }>;
  assert.equal(runEffect.initialize, true);
  r = run(r.next, { type: "InitCodeCompleted", activationId: msg.activationId });
  assert.equal(r.name, "Running");
  assert.deepEqual(r.effects, [
    "send:client:ContainerWarmed",
    "send:client:RequestActivation",
    "send:client:RequestActivation",
  ]);
  r = run(r.next, {
    type: "RunActivationCompleted",
    msg,
    durationMs: 42,
    outcome: "ok",
    whiskError: false,
  });
  assert.deepEqual(r.effects, [
    "send:health:HealthMessage",
    "startTimer:unused",
    "send:client:RequestActivation",
  ]);
  const req = r.raw[2] as { msg: { lastDuration: number } };
  assert.equal(req.msg.lastDuration, 42);
  const second = run(r.next, {
    type: "RunActivation",
    msg: activation("b".repeat(32)),
    action: action(),
  });
  assert.equal((second.raw[0] as { initialize: boolean }).initialize, false);
});

Deno.test("proxyTransition() developer errors remove the container, application errors keep it", () => {
  const msg = activation();
  const busy: ProxyState = { ...running, pulling: { ...freshPulling, running: [msg] } };
  const kept = run(busy, {
    type: "RunActivationCompleted",
    msg,
    durationMs: 1,
    outcome: "ok",
    whiskError: false,
  });
  assert.equal(kept.name, "Running");
  const gone = run(busy, {
    type: "RunActivationCompleted",
    msg,
    durationMs: 1,
    outcome: "ActivationUnsuccessful",
    whiskError: false,
  });
  assert.equal(gone.name, "Removing");
  assert.ok(gone.effects.includes("destroyContainer"));
  const health = gone.raw[0] as { msg: { ok: boolean } };
  assert.equal(health.msg.ok, true);
  const whisk = run(busy, {
    type: "RunActivationCompleted",
    msg,
    durationMs: 1,
    outcome: "ActivationUnsuccessful",
    whiskError: true,
  });
  assert.equal((whisk.raw[0] as { msg: { ok: boolean } }).msg.ok, false);
});

Deno.test("proxyTransition() a timeout then an empty poll pauses; a timeout then a message does not", () => {
  let r = run(running, { type: "UnusedTimeout" });
  const timedOut = r.next;
  r = run(timedOut, { type: "RetryRequestActivation" });
  assert.deepEqual([r.name, r.effects], ["Pausing", ["cancelTimer:unused", "pauseContainer"]]);
  r = run(r.next, { type: "ContainerPaused" });
  assert.equal(r.name, "Paused");
  assert.deepEqual(r.effects, [
    "registerData:warmed",
    "unregisterData:existing",
    "send:pool:ContainerIsPaused",
    "unstashAll",
  ]);
  const again = run(timedOut, activation());
  assert.equal(again.name, "Running");
  const retry = run(again.next, { type: "RetryRequestActivation" });
  assert.deepEqual([retry.name, retry.effects], ["Running", ["send:client:RequestActivation"]]);
  const cc = run(run(clientCreated, { type: "UnusedTimeout" }).next, {
    type: "RetryRequestActivation",
  });
  assert.equal(cc.name, "Removing");
});

Deno.test("proxyTransition() PauseWhenIdle pauses at the next empty poll, unless an activation comes first", () => {
  const asked = run(running, { type: "PauseWhenIdle" });
  assert.deepEqual([asked.name, asked.effects], ["Running", []]);
  const empty = run(asked.next, { type: "RetryRequestActivation" });
  assert.deepEqual([empty.name, empty.effects], ["Pausing", [
    "cancelTimer:unused",
    "pauseContainer",
  ]]);
  const busyAgain = run(asked.next, activation());
  const retry = run(busyAgain.next, { type: "RetryRequestActivation" });
  assert.deepEqual([retry.name, retry.effects], ["Running", ["send:client:RequestActivation"]]);
  // Elsewhere it is moot, and not an unhandled message.
  for (const state of [{ name: "Paused", data: warm }, { name: "Pausing", data: warm }] as const) {
    const moot = run(state, { type: "PauseWhenIdle" });
    assert.deepEqual([moot.name, moot.effects], [state.name, []]);
  }
});

Deno.test("proxyTransition() Paused idle timeout removes unless the keep count allows", () => {
  const paused: ProxyState = { name: "Paused", data: warm };
  assert.deepEqual(run(paused, { type: "StateTimeout" }).effects, ["determineKeep"]);
  const removed = run(paused, { type: "KeepDecision", live: 1, keepCount: 0, keepTimeoutMs: 1 });
  assert.equal(removed.name, "Removing");
  assert.deepEqual(removed.effects.slice(0, 3), [
    "cancelTimer:keeping",
    "cancelTimer:determine-keep",
    "unregisterData:warmed",
  ]);
  const destroy = removed.raw.find((e) => e.type === "destroyContainer") as {
    resumeFirst: boolean;
  };
  assert.equal(destroy.resumeFirst, true);
  const kept = run(paused, { type: "KeepDecision", live: 2, keepCount: 2, keepTimeoutMs: 99 });
  assert.deepEqual([kept.name, kept.effects], ["Paused", ["startTimer:keeping"]]);
  assert.deepEqual((kept.raw[0] as { msg: unknown }).msg, { type: "Remove" });
});

Deno.test("proxyTransition() a failed count lookup is retried 500 ms later, and after 5 attempts removes", () => {
  const paused: ProxyState = { name: "Paused", data: warm };
  for (let attempt = 0; attempt < 4; attempt++) {
    const r = run(paused, { type: "KeepLookupFailed", attempt, error: "etcd" });
    assert.deepEqual(r.effects, ["startTimer:determine-keep"]);
    assert.deepEqual((r.raw[0] as { msg: unknown; ms: number }).msg, {
      type: "DetermineKeepContainer",
      attempt: attempt + 1,
    });
  }
  assert.equal(
    run(paused, { type: "KeepLookupFailed", attempt: 4, error: "etcd" }).name,
    "Removing",
  );
});

Deno.test("proxyTransition() resume deletes the warmed key, then puts the existing key", () => {
  let r = run({ name: "Paused", data: warm }, init);
  assert.equal(r.name, "Running");
  assert.deepEqual(r.effects, [
    "cancelTimer:keeping",
    "cancelTimer:determine-keep",
    "unregisterData:warmed",
    "resumeContainer",
  ]);
  r = run(r.next, { type: "ContainerResumed" });
  assert.deepEqual(r.effects, [
    "registerData:existing",
    "send:pool:Resumed",
    "send:client:RequestActivation",
    "startTimer:unused",
  ]);
  assert.deepEqual((r.raw[2] as { msg: unknown }).msg, {
    type: "RequestActivation",
    newScheduler: { host: "127.0.0.1", rpcPort: 13001 },
  });
  const failed = run(run({ name: "Paused", data: warm }, init).next, {
    type: "ContainerResumeFailed",
    error: "x",
  });
  assert.equal(failed.name, "Removing");
  assert.deepEqual(failed.effects.slice(0, 2), [
    "send:pool:ResumeFailed",
    "send:health:HealthMessage",
  ]);
});

Deno.test("proxyTransition() a shutdown racing a resume never re-puts the existing key (§9 item 19)", () => {
  let r = run({ name: "Paused", data: warm }, init);
  r = run(r.next, { type: "GracefulShutdown" });
  assert.deepEqual(r.effects, [
    "retireKeys",
    "unregisterData:existing",
    "send:client:GracefulShutdown",
  ]);
  r = run(r.next, { type: "ContainerResumed" });
  assert.ok(!r.effects.includes("registerData:existing"));
});

Deno.test("proxyTransition() GracefulShutdown deletes the existing key before stopping the client", () => {
  const r = run(running, { type: "GracefulShutdown" });
  assert.deepEqual(r.effects, [
    "retireKeys",
    "unregisterData:existing",
    "send:client:GracefulShutdown",
  ]);
  assert.deepEqual(run(r.next, { type: "GracefulShutdown" }).effects, []);
  const paused = run({ name: "Paused", data: warm }, { type: "GracefulShutdown" });
  assert.ok(paused.effects.includes("unregisterData:warmed"));
});

Deno.test("proxyTransition() blocked namespaces are refused with an ack and the next poll", () => {
  const r = run(
    running,
    activation(undefined, {
      user: { ...activation().user, namespace: { name: "blocked", uuid: "u" } },
    }),
  );
  assert.deepEqual(r.effects, ["failActivation", "send:client:RequestActivation"]);
  assert.equal((r.raw[0] as { statusCode: number }).statusCode, 1);
});

Deno.test("proxyTransition() a refused container reschedules; refusal by the queue acks abnormal run", () => {
  const msg = activation();
  let r = run({ ...running, pulling: { ...freshPulling, running: [msg] } }, {
    type: "RunActivationCompleted",
    msg,
    durationMs: 1,
    outcome: "ContainerHealthErrorWithResumedRun",
    whiskError: false,
  });
  assert.deepEqual([r.name, r.effects], ["Rescheduling", [
    "cancelTimer:unused",
    "send:client:RescheduleActivation",
  ]]);
  const rescheduling = r.next;
  r = run(rescheduling, { type: "RescheduleResponse", isRescheduled: false });
  assert.equal(r.name, "Removing");
  assert.equal(r.effects[0], "failActivation");
  r = run(rescheduling, { type: "RescheduleResponse", isRescheduled: true });
  assert.ok(!r.effects.includes("failActivation"));
  assert.equal(run(rescheduling, { type: "StateTimeout" }).effects[0], "failActivation");
});

Deno.test("proxyTransition() an action mismatch from the client removes the container", () => {
  const r = run(running, {
    type: "FailureMessage",
    reason: "ActionMismatch",
    error: new Error("x"),
  });
  assert.equal(r.name, "Removing");
  assert.ok(r.effects.includes("destroyContainer"));
  assert.ok(!r.effects.includes("send:health:HealthMessage")); // not the invoker's fault
});

Deno.test("proxyTransition() a closed client's failure cleans up without StopClientProxy, a live one's with it", () => {
  const failure = (
    reason: "ClientClosed" | "ClientCreationFailed" | "ActionMismatch" | "Unknown",
  ) => ({ type: "FailureMessage", reason, error: new Error("x") }) as const;
  const paused = { name: "Paused", data: warm } as ProxyState;
  for (const state of [clientCreated, running, paused]) {
    for (const reason of ["ClientClosed", "ClientCreationFailed"] as const) {
      const r = run(state, failure(reason));
      assert.ok(!r.effects.includes("send:client:StopClientProxy"), `${state.name} ${reason}`);
      assert.equal(r.effects.at(-1), "stop", `${state.name} ${reason}`);
    }
    for (const reason of ["ActionMismatch", "Unknown"] as const) {
      const r = run(state, failure(reason));
      assert.equal(r.name, "Removing");
      assert.equal(r.effects.at(-1), "send:client:StopClientProxy", `${state.name} ${reason}`);
    }
  }
});

Deno.test("proxyTransition() cleanup hands activations still waiting for their action to the pool", () => {
  const waiting = activation();
  const state: ProxyState = { ...running, pulling: { ...freshPulling, pending: [waiting] } };
  const r = run(state, { type: "FailureMessage", reason: "Unknown", error: new Error("x") });
  const removed = r.raw.find((e) =>
    e.type === "send" && (e.msg as { type: string }).type === "ContainerRemoved"
  );
  assert.deepEqual((removed as { msg: { heldActivations: unknown } }).msg.heldActivations, [
    waiting,
  ]);
});

Deno.test("proxyTransition() PingCache refreshes the action only with warm data", () => {
  assert.deepEqual(run(running, { type: "PingCache" }).effects, ["refreshAction"]);
  assert.deepEqual(run(clientCreated, { type: "PingCache" }).effects, []);
});
