import assert from "node:assert/strict";
import {
  initialManagerState,
  type QueueManagerConfig,
  type QueueManagerState,
  queueManagerTransition,
} from "../../../actors/scheduler/queue_manager_fsm.ts";
import type {
  ManagerEffect,
  ManagerMessage,
  ManagerStep,
  QueuesAdopted,
} from "../../../actors/scheduler/_queue_manager_model.ts";
import type { ActivationMessage } from "../../../protocols/activation.ts";
import { queueLeaderKey } from "../../../protocols/etcd_keys.ts";
import type { CreateQueueResponse } from "../../../protocols/queue.ts";
import type {
  QueueLookup,
  QueueManagerMessage,
  QueueSizeResult,
} from "../../../protocols/queue_manager.ts";
import { ACTION, activation, fakeRef, META, NEW_REV, REV } from "./_memory_queue_fixtures.ts";

const CONFIG: QueueManagerConfig = {
  schedulerId: "0",
  endpoints: { host: "10.0.0.1", rpcPort: 13001 },
  endpointsValue: `{"host":"10.0.0.1","rpcPort":13001}`,
  maxSchedulingTimeMs: 10_000,
  maxRetriesToGetQueue: 13,
  publishIntervalMs: 1_000,
};
const LEADER_KEY = queueLeaderKey("guest", ACTION);
const REMOTE = { host: "10.0.0.2", rpcPort: 13002 };
const T0 = 1_000;

function run(state: QueueManagerState, msg: ManagerMessage, now = T0): ManagerStep {
  return queueManagerTransition(state, msg, now);
}

function runAll(state: QueueManagerState, msgs: readonly ManagerMessage[], now = T0) {
  let current = state;
  const effects: ManagerEffect[] = [];
  for (const msg of msgs) {
    const step = run(current, msg, now);
    current = step.next;
    effects.push(...step.effects);
  }
  return { state: current, effects };
}

const ofType = <T extends ManagerEffect["type"]>(effects: readonly ManagerEffect[], type: T) =>
  effects.filter((e): e is Extract<ManagerEffect, { type: T }> => e.type === type);

const sentTo = (effects: readonly ManagerEffect[], path: string) =>
  ofType(effects, "send").filter((e) => e.to.path === path).map((e) => e.msg);

const NOTHING_ADOPTED: QueuesAdopted = {
  type: "QueuesAdopted",
  queues: [],
  reroute: [],
  abandon: [],
  shuttingDown: false,
};

const active = (): QueueManagerState =>
  runAll(initialManagerState(CONFIG), [{ type: "StateTimeout" }, NOTHING_ADOPTED]).state;

const createQueue = (replyPath = "ctl", revision = REV): QueueManagerMessage => ({
  type: "CreateQueue",
  invocationNamespace: "guest",
  fqn: ACTION,
  revision,
  whiskActionMetaData: META,
  replyTo: fakeRef<CreateQueueResponse>(replyPath),
});

const response = (success: boolean) => ({
  type: "CreateQueueResponse",
  invocationNamespace: "guest",
  fqn: ACTION,
  success,
});

/** A manager leading guest/hello@REV with queue "1". */
function leading(): QueueManagerState {
  return runAll(active(), [createQueue(), {
    type: "ElectionResult",
    key: LEADER_KEY,
    leader: true,
  }]).state;
}

const delivered = (effects: readonly ManagerEffect[]) =>
  ofType(effects, "toQueue").map((
    e,
  ) => [e.queueId, (e.msg as ActivationMessage).activationId ?? e.msg.type]);

Deno.test("queueManagerTransition() starts by watching the queue prefix and publishing states at once, then every second", () => {
  const starting = run(initialManagerState(CONFIG), { type: "StateTimeout" });
  assert.equal(starting.next.name, "Adopting");
  assert.deepEqual(starting.effects, [{ type: "adoptQueues" }]);
  assert.deepEqual(run(starting.next, activation(1)).effects, [{ type: "stash" }]);
  const step = run(starting.next, NOTHING_ADOPTED);
  assert.equal(step.next.name, "Active");
  assert.deepEqual(step.effects.map((e) => e.type), [
    "watchQueues",
    "publishStates",
    "startTimer",
    "unstashAll",
  ]);
  // Regression (platform e2e): without the immediate publication a fresh platform
  // answered "No scheduler endpoint available" for its first second.
  assert.deepEqual(ofType(step.effects, "publishStates"), [{
    type: "publishStates",
    leaderCount: 0,
  }]);
  assert.deepEqual(run(initialManagerState(CONFIG), activation(1)).effects, [{ type: "stash" }]);
  assert.deepEqual(run(step.next, { type: "PublishStates" }).effects, [{
    type: "publishStates",
    leaderCount: 0,
  }]);
  assert.deepEqual(run(leading(), { type: "PublishStates" }).effects, [{
    type: "publishStates",
    leaderCount: 1,
  }]);
});

Deno.test("queueManagerTransition() elects once for a new queue, creates it with Start when leader, and answers success", () => {
  const elect = run(active(), createQueue());
  assert.deepEqual(ofType(elect.effects, "electLeader"), [{
    type: "electLeader",
    key: LEADER_KEY,
    value: CONFIG.endpointsValue,
  }]);
  const won = run(elect.next, { type: "ElectionResult", key: LEADER_KEY, leader: true });
  const [spawn] = ofType(won.effects, "spawnQueue");
  assert.equal(spawn?.start, "Start");
  assert.deepEqual(spawn?.entry.key, {
    invocationNamespace: "guest",
    action: ACTION,
    revision: REV,
  });
  assert.deepEqual(sentTo(won.effects, "ctl"), [response(true)]);
  const again = run(won.next, createQueue("ctl2"));
  assert.deepEqual(again.effects.map((e) => e.type), ["send"]);
  assert.deepEqual(sentTo(again.effects, "ctl2"), [response(true)]);
});

Deno.test("queueManagerTransition() answers success and creates nothing when it loses the election", () => {
  const { state, effects } = runAll(active(), [createQueue(), {
    type: "ElectionResult",
    key: LEADER_KEY,
    leader: false,
  }]);
  assert.deepEqual(sentTo(effects, "ctl"), [response(true)]);
  assert.equal(ofType(effects, "spawnQueue").length, 0);
  assert.equal(state.data.pool.size, 0);
});

Deno.test("queueManagerTransition() sends one ElectLeader for four concurrent CreateQueue requests and answers all four", () => {
  const { effects } = runAll(active(), [
    createQueue("a"),
    createQueue("b"),
    createQueue("c"),
    createQueue("d"),
    { type: "ElectionResult", key: LEADER_KEY, leader: true },
  ]);
  assert.equal(ofType(effects, "electLeader").length, 1);
  for (const path of ["a", "b", "c", "d"]) {
    assert.deepEqual(sentTo(effects, path), [response(true)], path);
  }
  assert.equal(ofType(effects, "spawnQueue").length, 1);
});

Deno.test("queueManagerTransition() answers success without a queue for the warm-up action, and failure for a non-executable one", () => {
  const warm = run(
    active(),
    { ...createQueue(), fqn: { path: "whisk.system", name: "warmUp" } } as QueueManagerMessage,
  );
  assert.deepEqual(warm.effects.map((e) => e.type), ["send"]);
  assert.equal((warm.effects[0] as { msg: { success: boolean } }).msg.success, true);
  const seq = run(active(), {
    ...createQueue(),
    whiskActionMetaData: { ...META, exec: { kind: "sequence", components: [] } },
  } as QueueManagerMessage);
  assert.deepEqual(sentTo(seq.effects, "ctl"), [response(false)]);
});

Deno.test("queueManagerTransition() delivers to the local leader queue", () => {
  const step = run(leading(), activation(1));
  assert.deepEqual(delivered(step.effects), [["1", activation(1).activationId]]);
});

Deno.test("queueManagerTransition() reads the leader key with exponential retries, forwards to the remote leader, then uses the cache", () => {
  let state = active();
  let step = run(state, activation(1));
  assert.deepEqual(ofType(step.effects, "readLeader"), [{
    type: "readLeader",
    leaderKey: LEADER_KEY,
    attempt: 0,
  }]);
  step = run(step.next, activation(2)); // joins the pending read
  assert.deepEqual(step.effects, []);
  const waits: number[] = [];
  state = step.next;
  for (let attempt = 0; attempt < 3; attempt++) {
    const missing = run(state, { type: "LeaderRead", leaderKey: LEADER_KEY, attempt });
    const [timer] = ofType(missing.effects, "startTimer");
    waits.push(timer!.ms);
    state = missing.next;
  }
  assert.deepEqual(waits, [1, 2, 4]);
  const found = run(state, {
    type: "LeaderRead",
    leaderKey: LEADER_KEY,
    attempt: 3,
    endpoints: REMOTE,
  });
  assert.deepEqual(
    ofType(found.effects, "forwardToLeader").map((e) => [e.msg.activationId, e.endpoints]),
    [
      [activation(1).activationId, REMOTE],
      [activation(2).activationId, REMOTE],
    ],
  );
  const cached = run(found.next, activation(3));
  assert.deepEqual(cached.effects.map((e) => e.type), ["forwardToLeader"]);
});

Deno.test("queueManagerTransition() ends waiting activations with a record when every leader-key read fails", () => {
  let state = run(active(), activation(1)).next;
  state = run(state, { type: "LeaderRead", leaderKey: LEADER_KEY, attempt: 12 }).next;
  const last = run(state, { type: "LeaderRead", leaderKey: LEADER_KEY, attempt: 13 });
  assert.deepEqual(ofType(last.effects, "complete").map((c) => c.outcome), [
    { statusCode: 3, message: "failed to get the queue endpoint" },
  ]);
  const bad = run(run(active(), activation(1)).next, {
    type: "LeaderRead",
    leaderKey: LEADER_KEY,
    attempt: 13,
    unparseable: true,
  });
  assert.equal(
    ofType(bad.effects, "complete")[0]?.outcome.message,
    "failed to parse the scheduler endpoint",
  );
});

Deno.test("queueManagerTransition() caches leader endpoints from watch inserts with a host, drops them on removal, and logs malformed ones", () => {
  const insert = (value: string) => ({
    type: "WatchEndpointInserted" as const,
    watchKey: "whisk/queue/",
    key: LEADER_KEY,
    value,
    isPrefix: true,
  });
  const cached = run(active(), insert(JSON.stringify(REMOTE))).next;
  assert.deepEqual(cached.data.leaders.get(LEADER_KEY), REMOTE);
  const malformed = run(active(), insert(`{"host": 5}`));
  assert.equal(malformed.next.data.leaders.size, 0);
  assert.deepEqual(malformed.effects.map((e) => e.type), ["log"]);
  assert.equal(run(active(), insert("no endpoints")).next.data.leaders.size, 0);
  const removed = run(cached, {
    type: "WatchEndpointRemoved",
    watchKey: "whisk/queue/",
    key: LEADER_KEY,
    prevValue: "",
    isPrefix: true,
  });
  assert.equal(removed.next.data.leaders.size, 0);
});

Deno.test("queueManagerTransition() on a newer revision outdates the old queue, creates the new one once with VersionUpdated and delivers in order", () => {
  const { state, effects } = runAll(leading(), [
    activation(1, { revision: NEW_REV }),
    activation(2, { revision: NEW_REV }),
    activation(3, { revision: REV }),
  ]);
  assert.deepEqual(delivered(effects), [["1", "StopSchedulingAsOutdated"]]);
  assert.equal(ofType(effects, "fetchMetadata").length, 1);
  const fetched = run(state, {
    type: "ActionMetadataFetched",
    purpose: "update",
    activation: activation(1, { revision: NEW_REV }),
    revision: NEW_REV,
    metadata: { ...META, version: "0.0.2" },
  });
  const spawns = ofType(fetched.effects, "spawnQueue");
  assert.deepEqual(spawns.map((s) => [s.entry.id, s.start, s.entry.key.revision]), [[
    "2",
    "VersionUpdated",
    NEW_REV,
  ]]);
  const toNew = ofType(fetched.effects, "toQueue");
  assert.deepEqual(
    toNew.map((
      e,
    ) => [
      e.queueId,
      (e.msg as ActivationMessage).activationId,
      (e.msg as ActivationMessage).revision,
    ]),
    [
      ["2", activation(1).activationId, NEW_REV],
      ["2", activation(2).activationId, NEW_REV],
      ["2", activation(3).activationId, NEW_REV],
    ],
  );
  assert.equal(fetched.next.data.revisions.get(LEADER_KEY), NEW_REV);
});

Deno.test("queueManagerTransition() creates the queue with the latest revision when the action changed again while fetching", () => {
  let state = run(leading(), activation(1, { revision: NEW_REV })).next;
  state = run(state, {
    type: "ActionMetadataFetched",
    purpose: "update",
    activation: activation(1, { revision: NEW_REV }),
    revision: "3-ccc",
    metadata: META,
  }).next;
  assert.equal([...state.data.pool.values()].find((e) => e.leader)?.key.revision, "3-ccc");
});

Deno.test("queueManagerTransition() re-stamps an older-revision activation with the current revision instead of dropping it", () => {
  const step = run(leading(), activation(1, { revision: "0-old" }));
  const [msg] = ofType(step.effects, "toQueue");
  assert.equal(msg?.queueId, "1");
  assert.equal((msg?.msg as ActivationMessage).revision, REV);
});

Deno.test("queueManagerTransition() recreates a queue once (Start) for messages looped back to itself and delivers them all", () => {
  const looped = (n: number) => ({
    type: "ForwardedActivation" as const,
    activation: activation(n),
    forwardedFrom: "0",
  });
  const { state, effects } = runAll(active(), [looped(1), looped(2)]);
  assert.equal(ofType(effects, "fetchMetadata").length, 1);
  const fetched = run(state, {
    type: "ActionMetadataFetched",
    purpose: "recover",
    activation: activation(1),
    revision: REV,
    metadata: META,
  });
  assert.deepEqual(ofType(fetched.effects, "spawnQueue").map((s) => s.start), ["Start"]);
  assert.deepEqual(delivered(fetched.effects).map(([, id]) => id), [
    activation(1).activationId,
    activation(2).activationId,
  ]);
  // Cached own endpoints loop locally without a bus hop.
  const own = run(active(), {
    type: "WatchEndpointInserted",
    watchKey: "whisk/queue/",
    key: LEADER_KEY,
    value: CONFIG.endpointsValue,
    isPrefix: true,
  }).next;
  assert.deepEqual(run(own, activation(3)).effects.map((e) => e.type), ["fetchMetadata"]);
});

Deno.test("queueManagerTransition() ends activations older than max-scheduling-time as system errors, but not younger ones", () => {
  const old = run(leading(), activation(1, { start: 0 }), 10_001);
  assert.deepEqual(ofType(old.effects, "complete").map((c) => c.outcome), [
    {
      statusCode: 3,
      message: "The activation has not been processed: too old activation is arrived.",
    },
  ]);
  const young = run(leading(), activation(1, { start: 0 }), 9_000);
  assert.equal(ofType(young.effects, "complete").length, 0);
});

Deno.test("queueManagerTransition() ends the waiting activations with records when the metadata fetch fails", () => {
  const state = run(leading(), activation(1, { revision: NEW_REV })).next;
  const failed = run(state, {
    type: "ActionMetadataFailed",
    purpose: "update",
    activation: activation(1, { revision: NEW_REV }),
    reason: "db down",
  });
  assert.deepEqual(
    ofType(failed.effects, "complete").map((c) => [c.msg.activationId, c.outcome.statusCode]),
    [
      [activation(1).activationId, 3],
    ],
  );
});

Deno.test("queueManagerTransition() drops a queue on QueueRemoved, answering QueueRemovedCompleted, and takes it back on QueueReactivated", () => {
  const key = { invocationNamespace: "guest", action: ACTION, revision: REV };
  const removed = run(leading(), {
    type: "QueueRemoved",
    queueId: "1",
    key,
    leaderKey: LEADER_KEY,
  });
  assert.equal(removed.next.data.pool.size, 0);
  assert.equal(removed.next.data.revisions.has(LEADER_KEY), false);
  assert.deepEqual(delivered(removed.effects), [["1", "QueueRemovedCompleted"]]);
  const kept = run(leading(), { type: "QueueRemoved", queueId: "1", key });
  assert.equal(kept.next.data.revisions.get(LEADER_KEY), REV);
  const demoted =
    run(leading(), { type: "QueueActivations", queueId: "1", key, activations: [] }).next;
  assert.equal(demoted.data.pool.get("1")?.leader, false);
  const back = run(demoted, { type: "QueueReactivated", queueId: "1", key }).next;
  assert.equal(back.data.pool.get("1")?.leader, true);
});

Deno.test("queueManagerTransition() never hands activations back to the queue that forwarded them (§9.18)", () => {
  const key = { invocationNamespace: "guest", action: ACTION, revision: REV };
  const step = run(leading(), {
    type: "QueueActivations",
    queueId: "1",
    key,
    activations: [activation(1)],
  });
  assert.equal(ofType(step.effects, "toQueue").length, 0);
  assert.deepEqual(step.effects.map((e) => e.type), ["readLeader"]);
});

Deno.test("queueManagerTransition() reports the pool size and asks every queue for its state", () => {
  const size = run(leading(), { type: "QueueSize", replyTo: fakeRef<QueueSizeResult>("size") });
  assert.deepEqual(sentTo(size.effects, "size"), [{
    type: "QueueSizeResult",
    size: 1,
    leaders: 1,
  }]);
  const states = run(leading(), { type: "GetState", replyTo: fakeRef("states") });
  assert.deepEqual(ofType(states.effects, "collectStates").map((e) => e.queueIds), [["1"]]);
});

Deno.test("queueManagerTransition() looks queues up for the ActivationService: exact revision, ActionMismatch or NoMemoryQueue", () => {
  const lookup = (revision: string, state = leading()) =>
    run(state, {
      type: "GetQueue",
      invocationNamespace: "guest",
      action: ACTION,
      revision,
      replyTo: fakeRef<QueueLookup>("svc"),
    }).effects;
  const [found] = lookup(REV);
  assert.equal(found?.type === "replyQueue" && found.queueId, "1");
  assert.deepEqual(sentTo(lookup("0-old"), "svc"), [{ type: "ActionMismatch" }]);
  assert.deepEqual(sentTo(lookup(REV, active()), "svc"), [{ type: "NoMemoryQueue" }]);
});

Deno.test("queueManagerTransition() on GracefulShutdown shuts every queue down and every later queue at once", () => {
  const step = run(leading(), { type: "GracefulShutdown" });
  assert.deepEqual(step.effects.map((e) => e.type), [
    "cancelTimer",
    "unregisterScheduler",
    "toQueue",
  ]);
  assert.deepEqual(delivered(step.effects), [["1", "GracefulShutdown"]]);
  const updated = runAll(step.next, [
    activation(1, { revision: NEW_REV }),
    {
      type: "ActionMetadataFetched",
      purpose: "update",
      activation: activation(1, { revision: NEW_REV }),
      revision: NEW_REV,
      metadata: META,
    },
  ]);
  assert.deepEqual(ofType(updated.effects, "spawnQueue").map((s) => s.shutdown), [true]);
});

Deno.test("queueManagerTransition() gives a crashed leader queue's activations to a new queue, or ends them with records while shutting down", () => {
  const crash = {
    type: "QueueCrashed" as const,
    queueId: "1",
    activations: [activation(1), activation(2)],
  };
  const step = run(leading(), crash);
  const [spawn] = ofType(step.effects, "spawnQueue");
  assert.equal(spawn?.entry.id, "2");
  assert.deepEqual(delivered(step.effects), [["2", activation(1).activationId], [
    "2",
    activation(2).activationId,
  ]]);
  assert.equal(step.next.data.pool.has("1"), false);
  const down = run(run(leading(), { type: "GracefulShutdown" }).next, crash);
  assert.equal(ofType(down.effects, "complete").length, 2);
  assert.equal(ofType(down.effects, "spawnQueue").length, 0);
});

const KEY = { invocationNamespace: "guest", action: ACTION, revision: REV };

Deno.test("queueManagerTransition() rebuilds its pool from adopted queues: the newest live revision leads, ids continue", () => {
  const adopting = run(initialManagerState(CONFIG), { type: "StateTimeout" }).next;
  const entry = (id: string, revision: string, leader: boolean) => ({
    id,
    key: { ...KEY, revision },
    metadata: META,
    leader,
  });
  const step = run(adopting, {
    ...NOTHING_ADOPTED,
    queues: [entry("3", REV, true), entry("7", NEW_REV, true), entry("5", "0-old", false)],
  });
  const { pool, revisions, nextQueueId } = step.next.data;
  assert.equal(step.next.name, "Active");
  assert.deepEqual([...pool.values()].map((e) => [e.id, e.leader]), [
    ["3", false],
    ["7", true],
    ["5", false],
  ]);
  assert.deepEqual([...revisions], [[LEADER_KEY, NEW_REV]]);
  assert.equal(nextQueueId, 8);
  assert.deepEqual(ofType(step.effects, "publishStates"), [{
    type: "publishStates",
    leaderCount: 1,
  }]);
  // An activation of the adopted revision goes to the adopted leader queue.
  const routed = run(step.next, activation(1, { revision: NEW_REV }));
  assert.deepEqual(delivered(routed.effects), [["7", activation(1).activationId]]);
});

Deno.test("queueManagerTransition() routes the activations a crashed incarnation held, ends those held twice, then replays the stash", () => {
  const adopting = run(initialManagerState(CONFIG), { type: "StateTimeout" }).next;
  const step = run(adopting, {
    ...NOTHING_ADOPTED,
    reroute: [activation(1)],
    abandon: [activation(2)],
  });
  assert.deepEqual(step.effects.map((e) => e.type), [
    "complete",
    "readLeader",
    "watchQueues",
    "publishStates",
    "startTimer",
    "unstashAll",
  ]);
  assert.equal(ofType(step.effects, "complete")[0]?.msg.activationId, activation(2).activationId);
  assert.deepEqual(step.next.data.leaderReads.get(LEADER_KEY), [activation(1)]);
});

Deno.test("queueManagerTransition() finishes a shutdown the crashed incarnation had begun instead of publishing", () => {
  const adopting = run(initialManagerState(CONFIG), { type: "StateTimeout" }).next;
  const step = run(adopting, {
    ...NOTHING_ADOPTED,
    queues: [{ id: "1", key: KEY, metadata: META, leader: false }],
    shuttingDown: true,
  });
  assert.equal(step.next.data.shuttingDown, true);
  assert.deepEqual(step.effects.map((e) => e.type), [
    "cancelTimer",
    "unregisterScheduler",
    "toQueue",
    "unstashAll",
  ]);
  assert.deepEqual(run(step.next, { ...NOTHING_ADOPTED }).effects, [{ type: "unhandled" }]);
});

Deno.test("queueManagerTransition() ignores a repeated QueueRemoved and does not answer a stopping queue", () => {
  const removed = run(leading(), { type: "QueueRemoved", queueId: "1", key: KEY });
  assert.deepEqual(delivered(removed.effects), [["1", "QueueRemovedCompleted"]]);
  const again = run(removed.next, { type: "QueueRemoved", queueId: "1", key: KEY });
  assert.deepEqual(again.effects, []);
  assert.deepEqual(again.next, removed.next);
  const stopping = run(leading(), {
    type: "QueueRemoved",
    queueId: "1",
    key: KEY,
    leaderKey: LEADER_KEY,
    stopping: true,
  });
  assert.deepEqual(stopping.effects, [{ type: "forgetQueue", queueId: "1" }]);
  assert.equal(stopping.next.data.pool.size, 0);
  assert.equal(stopping.next.data.revisions.has(LEADER_KEY), false);
});
