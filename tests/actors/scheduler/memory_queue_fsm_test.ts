import assert from "node:assert/strict";
import { memoryQueueTransition } from "../../../actors/scheduler/memory_queue_fsm.ts";
import type {
  MemoryQueueMessage,
  MemoryQueueState,
} from "../../../actors/scheduler/memory_queue_fsm.ts";
import type { QueueEffect, QueueStep } from "../../../actors/scheduler/_memory_queue_model.ts";
import { applyDecision } from "../../../actors/scheduler/_memory_queue_decisions.ts";
import { items } from "../../../actors/scheduler/memory_queue_fifo.ts";
import type { FetchResponse } from "../../../protocols/activation_service.ts";
import type { GetActivation, QueueStatus } from "../../../protocols/memory_queue.ts";
import { STATE_TIMEOUT_KEY } from "../../../runtime/actors/fsm.ts";
import {
  ACTION,
  activation,
  ALL_STATES,
  BLACKBOX_META,
  context,
  fakeRef,
  inState,
  NEW_REV,
  PARENT,
  REV,
} from "./_memory_queue_fixtures.ts";

const KEYS = context().keys;
const T0 = 1_000;

function run(state: MemoryQueueState, msg: MemoryQueueMessage, now = T0): QueueStep {
  return memoryQueueTransition(state, msg, now);
}

/** Feeds messages in order; returns the last state and every effect. */
function runAll(state: MemoryQueueState, msgs: readonly [MemoryQueueMessage, number?][]) {
  let current = state;
  const effects: QueueEffect[] = [];
  for (const [msg, now] of msgs) {
    const step = run(current, msg, now ?? T0);
    current = step.next;
    effects.push(...step.effects);
  }
  return { state: current, effects };
}

const ofType = <T extends QueueEffect["type"]>(effects: readonly QueueEffect[], type: T) =>
  effects.filter((e): e is Extract<QueueEffect, { type: T }> => e.type === type);

const sentTo = (effects: readonly QueueEffect[], path: string) =>
  ofType(effects, "send").filter((e) => e.to.path === path).map((e) => e.msg as { type: string });

const fetcher = (id: string) => fakeRef<FetchResponse>(`c-${id}`);

function fetch(containerId: string, o: Partial<GetActivation> = {}): GetActivation {
  return {
    type: "GetActivation",
    action: ACTION,
    revision: REV,
    containerId,
    warmed: false,
    alive: true,
    replyTo: fetcher(containerId),
    ...o,
  };
}

const failed = (
  error: "NoAvailableInvokersError" | "NonExecutableActionError" | "InvalidActionLimitError",
  reason = "boom",
  creationId = "c1",
) => ({
  type: "FailedCreationJob" as const,
  creationId,
  invocationNamespace: "guest",
  action: ACTION,
  revision: REV,
  error,
  reason,
});

const succeeded = (creationId = "c1") => ({
  type: "SuccessfulCreationJob" as const,
  creationId,
  invocationNamespace: "guest",
  action: ACTION,
  revision: REV,
});

const put = (watchKey: string, key: string) => ({
  type: "WatchEndpointInserted" as const,
  watchKey,
  key,
  value: "",
  isPrefix: true,
});
const del = (watchKey: string, key: string) => ({
  type: "WatchEndpointRemoved" as const,
  watchKey,
  key,
  prevValue: "",
  isPrefix: true,
});

const withContainer = { containers: new Set(["k1"]) };
const queuedIds = (s: MemoryQueueState) => [...items(s.data.queue)].map((e) => e.msg.activationId);
const limits = (namespaceLimit: number) => ({
  type: "NamespaceLimitsRead" as const,
  limits: { namespaceLimit },
});

// ---------------------------------------------------------------------------
// Uninitialized (§4.1; §8.1 items 3, 5)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() on Start goes Running, writes both throttle keys and watches four prefixes and the leader key", () => {
  const step = run(inState("Uninitialized"), { type: "Start" });
  assert.equal(step.next.name, "Running");
  assert.deepEqual(ofType(step.effects, "registerInitialData"), [
    { type: "registerInitialData", key: KEYS.namespaceThrottling, value: "false" },
  ]);
  assert.deepEqual(ofType(step.effects, "registerData"), [
    { type: "registerData", key: KEYS.actionThrottling, value: "false" },
  ]);
  const watches = ofType(step.effects, "watch");
  assert.deepEqual(watches.filter((w) => w.isPrefix).map((w) => w.key), [
    KEYS.inProgress,
    KEYS.existing,
    KEYS.namespaceInProgress,
    KEYS.namespaceExisting,
  ]);
  assert.ok(watches.some((w) => w.key === KEYS.leader && w.del && !w.put));
  assert.deepEqual(ofType(step.effects, "startTimer").map((t) => t.key), ["decision", "drop"]);
  assert.ok(step.effects.some((e) => e.type === "unstashAll"));
});

Deno.test("memoryQueueTransition() on VersionUpdated goes Running without etcd writes but still watches the leader key (§9.7)", () => {
  const step = run(inState("Uninitialized"), { type: "VersionUpdated" });
  assert.equal(step.next.name, "Running");
  for (const type of ["registerData", "registerInitialData", "unregisterData"] as const) {
    assert.equal(ofType(step.effects, type).length, 0, type);
  }
  assert.ok(ofType(step.effects, "watch").some((w) => w.key === KEYS.leader));
});

Deno.test("memoryQueueTransition() decides at once on the first activation of a queue started by Start", () => {
  const started = run(inState("Uninitialized"), { type: "Start" }).next;
  const first = run(started, activation(1));
  assert.deepEqual(first.effects, [{ type: "readNamespaceLimits" }]);
  const second = run(first.next, activation(2));
  assert.deepEqual(second.effects, [], "only the first activation decides early");
});

Deno.test("memoryQueueTransition() leaves the first activation to the tick after VersionUpdated (a crashed queue's successor)", () => {
  const started = run(inState("Uninitialized"), { type: "VersionUpdated" }).next;
  assert.deepEqual(run(started, activation(1)).effects, []);
});

Deno.test("memoryQueueTransition() makes no early decision when a container or a creation exists", () => {
  const withContainer = inState("Running", {
    data: { decideOnFirstActivation: true, containers: new Set(["c1"]) },
  });
  assert.deepEqual(run(withContainer, activation(1)).effects, []);
  const creating = inState("Running", {
    data: { decideOnFirstActivation: true, creationIds: new Set(["k1"]) },
  });
  assert.deepEqual(run(creating, activation(1)).effects, []);
});

Deno.test("memoryQueueTransition() stashes everything else while Uninitialized", () => {
  for (const msg of [activation(1), fetch("c"), { type: "GracefulShutdown" } as const]) {
    const step = run(inState("Uninitialized"), msg);
    assert.equal(step.next.name, "Uninitialized");
    assert.deepEqual(step.effects, [{ type: "stash" }]);
  }
});

// ---------------------------------------------------------------------------
// Serving (§8.1 items 9–12)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() serves a queued activation to a fetch", () => {
  const step = run(inState("Running", { queued: [activation(1)] }), fetch("c1"));
  assert.deepEqual(sentTo(step.effects, "c-c1"), [{
    type: "Activation",
    activation: activation(1),
  }]);
  assert.equal(step.next.data.queue.size, 0);
  assert.ok(step.next.data.containers.has("c1"));
});

Deno.test("memoryQueueTransition() parks a fetch on an empty queue and answers NoActivation when its long poll ends", () => {
  const parked = run(inState("Running"), fetch("c1"));
  assert.equal(parked.next.data.polls.length, 1);
  const [timer] = ofType(parked.effects, "startTimer");
  assert.equal(timer?.ms, 1_000);
  const cancelled = run(parked.next, timer!.msg as MemoryQueueMessage);
  assert.deepEqual(sentTo(cancelled.effects, "c-c1"), [{ type: "NoActivation" }]);
  assert.equal(cancelled.next.data.polls.length, 0);
});

Deno.test("memoryQueueTransition() completes a parked poll when an activation arrives later", () => {
  const parked = run(inState("Running"), fetch("c1")).next;
  const step = run(parked, activation(7));
  assert.deepEqual(sentTo(step.effects, "c-c1"), [{
    type: "Activation",
    activation: activation(7),
  }]);
  assert.equal(step.next.data.queue.size, 0);
  assert.ok(ofType(step.effects, "cancelTimer").some((t) => t.key === "poll-1"));
});

Deno.test("memoryQueueTransition() answers a container's parked polls NoActivation on alive=false or on its existing-key DELETE", () => {
  const parked = runAll(inState("Running"), [[fetch("c1")], [fetch("c2")]]).state;
  const gone = run(parked, fetch("c1", { alive: false }));
  assert.deepEqual(sentTo(gone.effects, "c-c1"), [{ type: "NoActivation" }, {
    type: "NoActivation",
  }]);
  assert.ok(!gone.next.data.containers.has("c1"));
  const next = run(gone.next, activation(1));
  assert.deepEqual(sentTo(next.effects, "c-c1"), []);
  assert.deepEqual(sentTo(next.effects, "c-c2"), [{
    type: "Activation",
    activation: activation(1),
  }]);

  const deleted = run(parked, del(KEYS.existing, `${KEYS.existing}invoker0/container/c2`));
  assert.deepEqual(sentTo(deleted.effects, "c-c2"), [{ type: "NoActivation" }]);
  assert.deepEqual(deleted.next.data.polls.map((p) => p.containerId), ["c1"]);
});

Deno.test("memoryQueueTransition() serves parked polls warmed first, then by descending container id", () => {
  const parked = runAll(inState("Running"), [
    [fetch("a")],
    [fetch("c")],
    [fetch("b", { warmed: true })],
    [fetch("d")],
  ]).state;
  const { effects } = runAll(parked, [[activation(1)], [activation(2)], [activation(3)], [
    activation(4),
  ]]);
  const order = ofType(effects, "send").map((e) => e.to.path);
  assert.deepEqual(order, ["c-b", "c-d", "c-c", "c-a"]);
});

Deno.test("memoryQueueTransition() answers ActionMismatch to a fetch for another revision in every state but Uninitialized", () => {
  for (const name of ALL_STATES.filter((n) => n !== "Uninitialized")) {
    const step = run(
      inState(name, { queued: [activation(1)] }),
      fetch("c1", { revision: NEW_REV }),
    );
    assert.deepEqual(sentTo(step.effects, "c-c1"), [{ type: "ActionMismatch" }], name);
    assert.equal(step.next.data.queue.size, 1, name);
  }
});

// ---------------------------------------------------------------------------
// Idle and removal (§8.1 items 1, 6–8; §8.2 item 27)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() goes Running → Idle on the idle timeout only when empty with no containers", () => {
  const busy = run(inState("Running", { data: withContainer }), { type: "StateTimeout" });
  assert.equal(busy.next.name, "Running");
  assert.deepEqual(ofType(busy.effects, "startTimer").map((t) => t.key), [STATE_TIMEOUT_KEY]);
  const queued = run(inState("Running", { queued: [activation(1)] }), { type: "StateTimeout" });
  assert.equal(queued.next.name, "Running");
  const idle = run(inState("Running"), { type: "StateTimeout" });
  assert.equal(idle.next.name, "Idle");
  assert.deepEqual(ofType(idle.effects, "cancelTimer").map((t) => t.key), ["decision", "drop"]);
});

Deno.test("memoryQueueTransition() on the Idle timeout unwatches, unregisters leader then action throttle keys and sends QueueRemoved with the leader key", () => {
  const step = run(inState("Idle"), { type: "StateTimeout" });
  assert.equal(step.next.name, "Removed");
  assert.deepEqual(ofType(step.effects, "unregisterData").map((e) => e.key), [
    KEYS.leader,
    KEYS.actionThrottling,
  ]);
  assert.equal(ofType(step.effects, "unwatch").length, 5);
  assert.deepEqual(sentTo(step.effects, PARENT.path), [
    {
      type: "QueueRemoved",
      queueId: "q1",
      key: { invocationNamespace: "guest", action: ACTION, revision: REV },
      leaderKey: KEYS.leader,
    },
  ]);
});

Deno.test("memoryQueueTransition() unregisters the namespace throttle key too when this queue set it (§9.8)", () => {
  const step = run(inState("Idle", { data: { holdsNamespaceThrottle: true } }), {
    type: "StateTimeout",
  });
  assert.deepEqual(ofType(step.effects, "unregisterData").map((e) => e.key), [
    KEYS.leader,
    KEYS.namespaceThrottling,
    KEYS.actionThrottling,
  ]);
});

Deno.test("memoryQueueTransition() in Removed resends QueueRemoved and stops on the timeout, and stops on QueueRemovedCompleted", () => {
  const timeout = run(inState("Removed"), { type: "StateTimeout" });
  assert.equal(sentTo(timeout.effects, PARENT.path)[0]?.type, "QueueRemoved");
  assert.equal(timeout.effects.at(-1)?.type, "stop");
  assert.deepEqual(run(inState("Removed"), { type: "QueueRemovedCompleted" }).effects, [{
    type: "stop",
  }]);
});

Deno.test("memoryQueueTransition() wakes Idle → Running on an activation, restarting the ticks", () => {
  const step = run(inState("Idle"), activation(1));
  assert.equal(step.next.name, "Running");
  assert.deepEqual(ofType(step.effects, "startTimer").map((t) => t.key), ["decision", "drop"]);
  assert.deepEqual(queuedIds(step.next), [activation(1).activationId]);
  const fetchInIdle = run(inState("Idle"), fetch("c1"));
  assert.deepEqual(sentTo(fetchInIdle.effects, "c-c1"), [{ type: "NoActivation" }]);
});

Deno.test("memoryQueueTransition() in Removed forwards activations to the parent and answers fetches NoMemoryQueue", () => {
  const step = run(inState("Removed"), activation(1));
  assert.deepEqual(sentTo(step.effects, PARENT.path), [{
    type: "QueueActivations",
    queueId: "q1",
    key: { invocationNamespace: "guest", action: ACTION, revision: REV },
    activations: [activation(1)],
  }]);
  const fetched = run(inState("Removed", { queued: [activation(2)] }), fetch("c1"));
  assert.deepEqual(sentTo(fetched.effects, "c-c1"), [{ type: "NoMemoryQueue" }]);
  assert.equal(
    (sentTo(fetched.effects, PARENT.path)[0] as unknown as { activations: unknown[] }).activations
      .length,
    1,
  );
});

// ---------------------------------------------------------------------------
// Creation failures and Flushing (§8.1 items 2, 14, 15, 17; §8.2 items 30, 31)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() flushes on a creation failure only without containers, starting the flush timer", () => {
  assert.equal(
    run(inState("Running", { data: withContainer }), failed("NoAvailableInvokersError")).next.name,
    "Running",
  );
  const step = run(inState("Running"), failed("NoAvailableInvokersError"));
  assert.equal(step.next.name, "Flushing");
  assert.deepEqual(ofType(step.effects, "startTimer").map((t) => [t.key, t.ms, t.repeat]), [[
    "flush",
    3_000,
    true,
  ]]);
  const done = run(step.next, { type: "FlushTick" }, 5_000);
  assert.equal(done.next.name, "Removed");
  assert.ok(ofType(done.effects, "unregisterData").some((e) => e.key === KEYS.leader));
});

Deno.test("memoryQueueTransition() on a developer creation error ends queued and later activations at once", () => {
  const step = run(
    inState("Running", { queued: [activation(1), activation(2)] }),
    failed("NonExecutableActionError", "no exec"),
  );
  assert.equal(step.next.name, "Flushing");
  assert.deepEqual(ofType(step.effects, "complete").map((c) => [c.msg.activationId, c.ending]), [
    [activation(1).activationId, { statusCode: 2, message: "no exec" }],
    [activation(2).activationId, { statusCode: 2, message: "no exec" }],
  ]);
  const later = run(step.next, activation(3));
  assert.deepEqual(ofType(later.effects, "complete").map((c) => c.ending), [{
    statusCode: 2,
    message: "no exec",
  }]);
  assert.equal(later.next.data.queue.size, 0);
  // Active during this flush period, so the first tick keeps it; the next one removes it.
  const first = run(later.next, { type: "FlushTick" });
  assert.equal(first.next.name, "Flushing");
  assert.equal(run(first.next, { type: "FlushTick" }).next.name, "Removed");
});

Deno.test("memoryQueueTransition() on a whisk creation error keeps activations and expires only those past retention with the latest reason", () => {
  let state = run(
    inState("Running", { queued: [activation(1)], at: 1_000 }),
    failed("NoAvailableInvokersError", "first"),
  ).next;
  state = run(state, activation(2), 4_000).next; // enqueued at 4 000
  state = run(state, failed("NoAvailableInvokersError", "second", "c2")).next;
  const tick = run(state, { type: "FlushTick" }, 7_000); // 6 000 ms and 3 000 ms old, retention 5 000
  assert.deepEqual(ofType(tick.effects, "complete").map((c) => [c.msg.activationId, c.ending]), [
    [activation(1).activationId, { statusCode: 3, message: "second" }],
  ]);
  assert.deepEqual(queuedIds(tick.next), [activation(2).activationId]);
  assert.equal(tick.next.name, "Flushing");
  const back = run(tick.next, succeeded());
  assert.equal(back.next.name, "Running");
  assert.deepEqual(back.effects, [{ type: "cancelTimer", key: "flush" }]);
});

Deno.test("memoryQueueTransition() expires blackbox activations after max-blackbox-retention while Flushing", () => {
  const state = run(
    inState("Running", { queued: [activation(1)], meta: BLACKBOX_META }),
    failed("NoAvailableInvokersError"),
  ).next;
  assert.equal(ofType(run(state, { type: "FlushTick" }, 7_000).effects, "complete").length, 0);
  assert.equal(ofType(run(state, { type: "FlushTick" }, 21_001).effects, "complete").length, 1);
});

Deno.test("memoryQueueTransition() removes a Flushing queue on InvalidActionLimitError, ending its activations", () => {
  const step = run(
    inState("Flushing", { queued: [activation(1)] }),
    failed("InvalidActionLimitError"),
  );
  assert.equal(step.next.name, "Removed");
  assert.equal(ofType(step.effects, "complete").length, 1);
  assert.ok(ofType(step.effects, "unregisterData").some((e) => e.key === KEYS.leader));
});

Deno.test("memoryQueueTransition() goes to Flushing on a zero namespace limit (Pausing) and recovers on a created container", () => {
  const paused = run(inState("Running", { queued: [activation(1)] }), limits(0));
  assert.equal(paused.next.name, "Flushing");
  assert.equal(paused.next.name === "Flushing" && paused.next.error, "ZeroNamespaceLimit");
  assert.deepEqual(ofType(paused.effects, "complete"), []); // a whisk error keeps them
  const probe = run(paused.next, limits(5));
  assert.deepEqual(ofType(probe.effects, "createContainers"), [{
    type: "createContainers",
    creationIds: ["q1-00000001"],
  }]);
  assert.equal(run(probe.next, succeeded("q1-00000001")).next.name, "Running");
});

// ---------------------------------------------------------------------------
// Throttling (§8.1 items 19–21; §8.2 items 28, 29)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() throttles the namespace and drops queued activations when nothing can run them", () => {
  const state = inState("Running", {
    queued: [activation(1)],
    data: { namespaceContainers: new Set(["x1", "x2"]) },
  });
  const step = run(state, limits(2));
  assert.equal(step.next.name, "NamespaceThrottled");
  assert.deepEqual(ofType(step.effects, "registerData"), [
    { type: "registerData", key: KEYS.namespaceThrottling, value: "true" },
  ]);
  assert.deepEqual(ofType(step.effects, "complete").map((c) => c.ending), [
    { statusCode: 2, message: "Too many concurrent requests in flight.", tooManyRequests: true },
  ]);
  const refused = run(step.next, activation(2));
  assert.equal(ofType(refused.effects, "complete").length, 1);
});

Deno.test("memoryQueueTransition() throttles without dropping when containers exist, and returns to Running when capacity is back", () => {
  const state = inState("Running", {
    queued: [activation(1)],
    data: { containers: new Set(["k1"]), namespaceContainers: new Set(["k1", "x2"]) },
  });
  const throttled = run(state, limits(2));
  assert.equal(throttled.next.name, "NamespaceThrottled");
  assert.equal(ofType(throttled.effects, "complete").length, 0);
  assert.equal(run(throttled.next, activation(2)).next.data.queue.size, 2);
  const back = run(throttled.next, limits(10));
  assert.equal(back.next.name, "Running");
  assert.deepEqual(ofType(back.effects, "registerData"), [
    { type: "registerData", key: KEYS.namespaceThrottling, value: "false" },
  ]);
  assert.equal(back.next.data.holdsNamespaceThrottle, false);
});

Deno.test("memoryQueueTransition() re-asserts the namespace throttle key on the dropping tick while throttled (§9.8)", () => {
  const step = run(inState("NamespaceThrottled"), { type: "DropTick" });
  assert.deepEqual(ofType(step.effects, "registerData"), [
    { type: "registerData", key: KEYS.namespaceThrottling, value: "true" },
  ]);
});

Deno.test("memoryQueueTransition() enters ActionThrottled at max-retention-size and leaves it below the fraction", () => {
  const nine = Array.from({ length: 9 }, (_, i) => activation(i + 1));
  const full = run(inState("Running", { queued: nine, data: withContainer }), activation(10));
  assert.equal(full.next.name, "ActionThrottled");
  assert.deepEqual(ofType(full.effects, "registerData"), [
    { type: "registerData", key: KEYS.actionThrottling, value: "true" },
  ]);
  assert.equal(ofType(run(full.next, activation(11)).effects, "complete").length, 1);
  const served = run(full.next, fetch("k1")); // 9 left: 9 <= 10 × 0.9
  assert.equal(served.next.name, "Running");
  assert.deepEqual(ofType(served.effects, "registerData"), [
    { type: "registerData", key: KEYS.actionThrottling, value: "false" },
  ]);
});

// ---------------------------------------------------------------------------
// Decisions (§5.3, §9.6)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() asks for the namespace limits on a decision tick and creates the initial container", () => {
  assert.deepEqual(run(inState("Running"), { type: "DecisionTick" }).effects, [{
    type: "readNamespaceLimits",
  }]);
  const step = run(inState("Running"), limits(10));
  assert.deepEqual(step.effects, [{ type: "createContainers", creationIds: ["q1-00000001"] }]);
  assert.deepEqual([...step.next.data.creationIds], ["q1-00000001"]);
  assert.equal(step.next.data.initialized, true);
});

Deno.test("applyDecision() handles every decision kind without throwing, also with n = 0 (§9.6)", () => {
  const kinds = [
    { type: "AddInitialContainer", num: 0 },
    { type: "AddContainer", num: 0 },
    { type: "AddContainer", num: 3 },
    { type: "EnableNamespaceThrottling", dropMsg: false, num: 0 },
    { type: "DisableNamespaceThrottling", num: 0 },
    { type: "Pausing" },
    { type: "Skip" },
  ] as const;
  for (const name of ALL_STATES) {
    for (const kind of kinds) applyDecision(inState(name), kind);
  }
  const three = applyDecision(inState("Running"), { type: "AddContainer", num: 3 });
  assert.ok(
    "effects" in three &&
      three.effects.some((e) => e.type === "createContainers" && e.creationIds.length === 3),
  );
});

// ---------------------------------------------------------------------------
// Watches, leader key, expiry, status (§8.1 items 4, 22, 24)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() counts watched keys per action only for its revision, per namespace for all", () => {
  const other = `${KEYS.namespaceInProgress}guest/hello/${NEW_REV}/scheduler/0/creationId/z9`;
  const mine = `${KEYS.inProgress}scheduler/0/creationId/c1`;
  const { state } = runAll(inState("Running"), [
    [put(KEYS.inProgress, mine)],
    [put(KEYS.namespaceInProgress, mine)],
    [put(KEYS.namespaceInProgress, other)],
    [put(KEYS.existing, `${KEYS.existing}invoker0/container/k1`)],
    [put(KEYS.namespaceExisting, `${KEYS.existing}invoker0/container/k1`)],
  ]);
  assert.deepEqual([...state.data.creationIds], ["c1"]);
  assert.equal(state.data.namespaceCreations.size, 2);
  assert.deepEqual([...state.data.containers], ["k1"]);
  assert.equal(state.data.namespaceContainers.size, 1);
  const after = run(state, del(KEYS.inProgress, mine)).next;
  assert.equal(after.data.creationIds.size, 0);
});

Deno.test("memoryQueueTransition() re-creates a deleted leader key create-only, except while Removing", () => {
  const leaderGone = { ...del(KEYS.leader, KEYS.leader), isPrefix: false };
  for (
    const name of ["Running", "Idle", "Flushing", "ActionThrottled", "NamespaceThrottled"] as const
  ) {
    assert.deepEqual(ofType(run(inState(name), leaderGone).effects, "registerInitialData"), [
      {
        type: "registerInitialData",
        key: KEYS.leader,
        value: `{"host":"127.0.0.1","rpcPort":13001}`,
      },
    ], name);
  }
  assert.deepEqual(run(inState("Removing"), leaderGone).effects, []);
});

Deno.test("memoryQueueTransition() is superseded on AlreadyExist for its leader key in any state: Removed, QueueRemoved, queued work forwarded", () => {
  for (
    const name of [
      "Running",
      "Idle",
      "Flushing",
      "ActionThrottled",
      "NamespaceThrottled",
      "Removing",
    ] as const
  ) {
    const step = run(inState(name, { queued: [activation(1)] }), {
      type: "InitialDataStorageResults",
      key: KEYS.leader,
      result: "AlreadyExist",
    });
    assert.equal(step.next.name, "Removed", name);
    assert.deepEqual(sentTo(step.effects, PARENT.path).map((m) => m.type), [
      "QueueRemoved",
      "QueueActivations",
    ], name);
    assert.equal(ofType(step.effects, "unregisterData").length, 0, name); // the keys belong to the new owner
  }
  const restored = run(inState("Running"), {
    type: "InitialDataStorageResults",
    key: KEYS.leader,
    result: "Done",
  });
  assert.equal(restored.next.name, "Running");
});

Deno.test("memoryQueueTransition() expires exactly the activations older than the retention on the dropping tick", () => {
  let state = inState("Running", { queued: [activation(1)], at: 1_000 });
  state = run(state, activation(2), 2_000).next;
  state = run(state, activation(3), 3_000).next;
  const step = run(state, { type: "DropTick" }, 6_500); // retention 5 000: only #1 (5 500 ms) is older
  assert.deepEqual(ofType(step.effects, "complete").map((c) => [c.msg.activationId, c.ending]), [
    [activation(1).activationId, {
      statusCode: 3,
      message: "Activation processing is not initiated for 5500 ms",
    }],
  ]);
  assert.equal(step.next.data.queue.size, 2);
  assert.deepEqual(run(inState("Running"), { type: "DropTick" }, 99_999).effects, []);
});

Deno.test("memoryQueueTransition() reports its status on GetState", () => {
  const replyTo = fakeRef<QueueStatus>("status");
  const step = run(inState("Running", { queued: [activation(1)] }), { type: "GetState", replyTo });
  assert.deepEqual(sentTo(step.effects, "status"), [{
    type: "QueueStatus",
    invocationNamespace: "guest",
    action: "guest/hello@0.0.1",
    revision: REV,
    waitingActivation: [activation(1).activationId],
    stateName: "Running",
    containers: 0,
    creationIds: 0,
  }]);
});

Deno.test("memoryQueueTransition() removes the queue when the namespace is gone, ending its activations", () => {
  const step = run(inState("Running", { queued: [activation(1)] }), {
    type: "NamespaceLimitsFailed",
    noDocument: true,
    reason: "not found",
  });
  assert.equal(step.next.name, "Removed");
  assert.equal(ofType(step.effects, "complete").length, 1);
  assert.equal(sentTo(step.effects, PARENT.path)[0]?.type, "QueueRemoved");
  const transient = run(inState("Running"), {
    type: "NamespaceLimitsFailed",
    noDocument: false,
    reason: "down",
  });
  assert.equal(transient.next.name, "Running");
});

// ---------------------------------------------------------------------------
// GracefulShutdown and StopSchedulingAsOutdated in every state (§8.1 item 23; §8.2 items 32, 34, 35)
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() handles GracefulShutdown in every state", () => {
  const expected: Record<MemoryQueueState["name"], string> = {
    Uninitialized: "Uninitialized", // stashed until started
    Running: "Removing",
    Idle: "Removed",
    Flushing: "Removed",
    Removing: "Removed", // empty
    Removed: "Removed",
    ActionThrottled: "Removing",
    NamespaceThrottled: "Removing",
  };
  for (const name of ALL_STATES) {
    const step = run(inState(name), { type: "GracefulShutdown" });
    assert.equal(step.next.name, expected[name], name);
    const unregistered = ofType(step.effects, "unregisterData").map((e) => e.key);
    if (["Running", "ActionThrottled", "NamespaceThrottled", "Flushing", "Idle"].includes(name)) {
      assert.deepEqual(unregistered, [KEYS.leader, KEYS.actionThrottling], name);
    } else {
      assert.deepEqual(unregistered, [], name);
    }
  }
});

Deno.test("memoryQueueTransition() keeps serving while Removing and goes Removed only once empty at a timeout", () => {
  let state =
    run(inState("Running", { queued: [activation(1)] }), { type: "GracefulShutdown" }).next;
  assert.equal(state.name, "Removing");
  const stillThere = run(state, { type: "StateTimeout" });
  assert.equal(stillThere.next.name, "Removing");
  assert.deepEqual(ofType(stillThere.effects, "startTimer").map((t) => t.key), [STATE_TIMEOUT_KEY]);
  const served = run(state, fetch("k1"));
  assert.deepEqual(sentTo(served.effects, "c-k1"), [{
    type: "Activation",
    activation: activation(1),
  }]);
  state = run(served.next, fetch("k2")).next; // parks
  const done = run(state, { type: "StateTimeout" });
  assert.equal(done.next.name, "Removed");
  assert.deepEqual(sentTo(done.effects, "c-k2"), [{ type: "NoActivation" }]);
  assert.equal(ofType(done.effects, "unwatch").length, 5);
  assert.deepEqual(ofType(done.effects, "deleteContainers"), []);
});

Deno.test("memoryQueueTransition() handles StopSchedulingAsOutdated in every state", () => {
  const outdated = { type: "StopSchedulingAsOutdated" } as const;
  const idle = run(inState("Idle"), outdated);
  assert.equal(idle.next.name, "Removed");
  assert.deepEqual(ofType(idle.effects, "deleteContainers"), [{ type: "deleteContainers" }]);
  assert.equal(ofType(idle.effects, "unregisterData").length, 0);

  const flushing = run(inState("Flushing", { queued: [activation(1)] }), outdated);
  assert.equal(flushing.next.name, "Removed");
  assert.equal(ofType(flushing.effects, "complete").length, 1);
  assert.equal(ofType(flushing.effects, "unregisterData").length, 0); // §9.7: the keys stay for the new queue

  for (const name of ["Running", "ActionThrottled", "NamespaceThrottled"] as const) {
    const empty = run(inState(name, { queued: [activation(1)] }), outdated);
    assert.equal(empty.next.name, "Removing", name);
    assert.deepEqual(sentTo(empty.effects, PARENT.path).map((m) => m.type), [
      "QueueRemoved",
      "QueueActivations",
    ], name);
    assert.equal("leaderKey" in (sentTo(empty.effects, PARENT.path)[0] ?? {}), false, name);
    const end = run(empty.next, { type: "StateTimeout" });
    assert.equal(end.next.name, "Removed", name);
    assert.deepEqual(ofType(end.effects, "deleteContainers"), [{ type: "deleteContainers" }], name);
  }

  const withOld = run(
    inState("Running", { queued: [activation(1)], data: withContainer }),
    outdated,
  );
  assert.deepEqual(sentTo(withOld.effects, PARENT.path).map((m) => m.type), ["QueueRemoved"]);
  assert.deepEqual(sentTo(run(withOld.next, fetch("k1")).effects, "c-k1"), [{
    type: "Activation",
    activation: activation(1),
  }]);

  const removingWithContainers = run(
    inState("Removing", { queued: [activation(1)], data: withContainer }),
    outdated,
  );
  assert.deepEqual(sentTo(removingWithContainers.effects, PARENT.path).map((m) => m.type), [
    "QueueRemoved",
  ]);
  const removingEmpty = run(inState("Removing", { queued: [activation(1)] }), outdated);
  assert.deepEqual(sentTo(removingEmpty.effects, PARENT.path).map((m) => m.type), [
    "QueueRemoved",
    "QueueActivations",
  ]);

  assert.deepEqual(run(inState("Removed"), outdated).effects, []);
  assert.deepEqual(run(inState("Uninitialized"), outdated).effects, [{ type: "stash" }]);
});

// ---------------------------------------------------------------------------
// Observability: the latest decision in the status; the final QueueRemoved
// ---------------------------------------------------------------------------

Deno.test("memoryQueueTransition() reports its latest decision other than Skip in the status", () => {
  const replyTo = fakeRef<QueueStatus>("status");
  const status = (state: MemoryQueueState) =>
    (sentTo(run(state, { type: "GetState", replyTo }).effects, "status")[0] as QueueStatus)
      .lastDecision;
  const fresh = inState("Running");
  assert.equal(status(fresh), undefined);
  const first = run(fresh, limits(10), 2_000).next;
  assert.deepEqual(status(first), { type: "AddInitialContainer", num: 1, at: 2_000 });
  const skipped = run(first, limits(10), 3_000);
  assert.deepEqual(skipped.effects, []); // a Skip
  assert.deepEqual(status(skipped.next), { type: "AddInitialContainer", num: 1, at: 2_000 });
  const paused = run(skipped.next, limits(0), 4_000).next;
  assert.equal(paused.name, "Flushing");
  assert.deepEqual(status(paused), { type: "Pausing", at: 4_000 });
});

Deno.test("memoryQueueTransition() marks only the QueueRemoved it sends as it stops as stopping", () => {
  const final = sentTo(run(inState("Removed"), { type: "StateTimeout" }).effects, PARENT.path);
  assert.deepEqual(final.map((m) => [m.type, (m as { stopping?: boolean }).stopping]), [
    ["QueueRemoved", true],
  ]);
  const outdated = sentTo(
    run(inState("Running"), { type: "StopSchedulingAsOutdated" }).effects,
    PARENT.path,
  );
  assert.deepEqual(outdated.map((m) => [m.type, (m as { stopping?: boolean }).stopping]), [
    ["QueueRemoved", undefined],
  ]);
});
