import assert from "node:assert/strict";
import { spawnMemoryQueue } from "../../../actors/scheduler/memory_queue.ts";
import { spawnQueueManager } from "../../../actors/scheduler/queue_manager.ts";
import type { ErrorCompletion } from "../../../actors/scheduler/_error_completion.ts";
import type { ActivationMessage } from "../../../protocols/activation.ts";
import type { FetchResponse } from "../../../protocols/activation_service.ts";
import type { ContainerManagerCommand } from "../../../protocols/container_manager.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import { queueLeaderKey, schedulerKey } from "../../../protocols/etcd_keys.ts";
import type { SchedulerEndpoints } from "../../../protocols/health.ts";
import { schedulerInstance } from "../../../protocols/instance_id.ts";
import type { MemoryQueueCommand } from "../../../protocols/memory_queue.ts";
import type { CreateQueueResponse } from "../../../protocols/queue.ts";
import type { QueueLookup, QueueManagerCommand } from "../../../protocols/queue_manager.ts";
import type { WatcherCommand } from "../../../protocols/watcher.ts";
import { ask, type Ref, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { ACTION, activation, CONFIG, META, NEW_REV, REV } from "./_memory_queue_fixtures.ts";

const ENDPOINTS = { host: "127.0.0.1", rpcPort: 13001 };
const LEADER_KEY = queueLeaderKey("guest", ACTION);

function managerHarness(o: {
  leaderValues?: (string | undefined)[];
  limit?: () => number;
  readLeader?: (key: string) => Promise<string | undefined>;
} = {}) {
  const h = actorHarness();
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const watcher = createProbe<WatcherCommand>(h.system, "watcher");
  const containerManager = createProbe<ContainerManagerCommand>(h.system, "cm");
  const completions: ErrorCompletion[] = [];
  const forwarded: [ActivationMessage, SchedulerEndpoints][] = [];
  const leaderValues = [...(o.leaderValues ?? [])];
  let leaderReads = 0;
  const manager = spawnQueueManager(h.system, {
    logger: h.logger,
    schedulerId: schedulerInstance(0),
    endpoints: ENDPOINTS,
    maxSchedulingTimeMs: 20_000,
    maxRetriesToGetQueue: 13,
    dataManagement: dms.ref,
    watcher: watcher.ref,
    spawnQueue: (parent, options) =>
      spawnMemoryQueue(parent, {
        logger: h.logger,
        schedulerId: schedulerInstance(0),
        endpoints: ENDPOINTS,
        config: CONFIG,
        containerManager: containerManager.ref,
        dataManagement: dms.ref,
        watcher: watcher.ref,
        completeActivation: (c) => completions.push(c),
        getNamespaceLimits: () => ({ namespaceLimit: o.limit?.() ?? 10 }),
      }, options),
    getActionMetadata: (_ns, _action, revision) =>
      Promise.resolve({ metadata: META, revision: revision || REV }),
    readLeader: (key) => {
      leaderReads++;
      return o.readLeader?.(key) ?? Promise.resolve(leaderValues.shift());
    },
    forwardToLeader: (msg, endpoints) => forwarded.push([msg, endpoints]),
    completeActivation: (c) => completions.push(c),
  });
  h.clock.advance(0); // the Starting state's 0 ms timeout: watch and publish timer
  return Object.assign(h, {
    dms,
    watcher,
    containerManager,
    completions,
    forwarded,
    manager,
    leaderReads: () => leaderReads,
  });
}

type Harness = ReturnType<typeof managerHarness>;

async function createLeaderQueue(h: Harness): Promise<void> {
  const reply = ask<CreateQueueResponse, QueueManagerCommand>(h.system, h.manager, (replyTo) => ({
    type: "CreateQueue",
    invocationNamespace: "guest",
    fqn: ACTION,
    revision: REV,
    whiskActionMetaData: META,
    replyTo,
  }), 5_000);
  const elect = await h.dms.fishForMessage((m) => m.type === "ElectLeader");
  assert.equal(elect.type === "ElectLeader" && elect.key, LEADER_KEY);
  tell(h.system, h.manager, { type: "ElectionResult", key: LEADER_KEY, leader: true });
  assert.equal((await reply).success, true);
  await settle(h.system);
}

function lookup(h: Harness, revision: string): Promise<QueueLookup> {
  return ask<QueueLookup, QueueManagerCommand>(h.system, h.manager, (replyTo) => ({
    type: "GetQueue",
    invocationNamespace: "guest",
    action: ACTION,
    revision,
    replyTo,
  }), 1_000);
}

function fetchFrom(
  h: Harness,
  queue: Ref<MemoryQueueCommand>,
  revision = REV,
): Promise<FetchResponse> {
  return ask<FetchResponse, MemoryQueueCommand>(h.system, queue, (replyTo) => ({
    type: "GetActivation",
    action: ACTION,
    revision,
    containerId: "k1",
    warmed: false,
    alive: true,
    replyTo,
  }), 60_000);
}

Deno.test("spawnQueueManager() hands out its queue for the exact revision and answers ActionMismatch for an old one", async () => {
  await using h = managerHarness();
  await createLeaderQueue(h);
  const found = await lookup(h, REV);
  assert.equal(found.type, "Queue");
  assert.deepEqual(await lookup(h, "0-old"), { type: "ActionMismatch" });
  tell(h.system, h.manager, activation(1));
  await settle(h.system);
  assert.deepEqual(await fetchFrom(h, (found as { ref: Ref<MemoryQueueCommand> }).ref), {
    type: "Activation",
    activation: activation(1),
  });
});

Deno.test("spawnQueueManager() stops a crashing queue and hands its activations to a new queue", async () => {
  let limit = 10;
  await using h = managerHarness({ limit: () => limit });
  await createLeaderQueue(h);
  const first = await lookup(h, REV);
  tell(h.system, h.manager, activation(1));
  tell(h.system, h.manager, activation(2));
  await settle(h.system);
  limit = 1.5; // decide() throws on a malformed limit: the queue crashes
  h.clock.advance(CONFIG.checkIntervalMs);
  await settle(h.system);
  limit = 10;
  assert.equal(h.logs("actor crashed").length, 1);
  const second = await lookup(h, REV);
  assert.equal(second.type, "Queue");
  assert.notEqual(
    (second as { ref: Ref<unknown> }).ref.path,
    (first as { ref: Ref<unknown> }).ref.path,
  );
  const ref = (second as { ref: Ref<MemoryQueueCommand> }).ref;
  assert.deepEqual(await fetchFrom(h, ref), { type: "Activation", activation: activation(1) });
  assert.deepEqual(await fetchFrom(h, ref), { type: "Activation", activation: activation(2) });
  assert.equal(h.completions.length, 0);
});

Deno.test("spawnQueueManager() retries the leader-key read on the clock and forwards to the remote leader", async () => {
  const remote = { host: "10.0.0.2", rpcPort: 13002 };
  await using h = managerHarness({ leaderValues: [undefined, undefined, JSON.stringify(remote)] });
  tell(h.system, h.manager, activation(1));
  await settle(h.system);
  assert.equal(h.leaderReads(), 1);
  h.clock.advance(1); // 1 ms after the first miss
  await settle(h.system);
  assert.equal(h.leaderReads(), 2);
  h.clock.advance(1); // only 1 of the 2 ms
  await settle(h.system);
  assert.equal(h.leaderReads(), 2);
  h.clock.advance(1);
  await settle(h.system);
  assert.equal(h.leaderReads(), 3);
  assert.deepEqual(h.forwarded, [[activation(1), remote]]);
  tell(h.system, h.manager, activation(2)); // the cache answers now
  await settle(h.system);
  assert.equal(h.leaderReads(), 3);
  assert.equal(h.forwarded.length, 2);
});

Deno.test("spawnQueueManager() ends an activation with a record after 13 failed leader-key reads (about 8.2 s)", async () => {
  await using h = managerHarness();
  tell(h.system, h.manager, activation(1));
  for (let i = 0; i < 14; i++) {
    await settle(h.system);
    h.clock.advance(2 ** i);
  }
  await settle(h.system);
  assert.equal(h.leaderReads(), 14);
  assert.equal(h.completions.length, 1);
  assert.equal(h.completions[0]?.record.response.statusCode, 3);
});

Deno.test("spawnQueueManager() watches the queue prefix, publishes its state and unregisters it on GracefulShutdown", async () => {
  await using h = managerHarness();
  await h.watcher.expectMessage((m) => m.type === "WatchEndpoint" && m.key === "whisk/queue/");
  const published = (m: { type: string; key?: string; value?: string }) =>
    m.type === "UpdateDataOnChange" && m.key === schedulerKey(0) &&
    (m.value ?? "").includes(`"queueSize":0`);
  // Published at once on start (regression: a fresh platform had no scheduler for 1 s) ...
  await h.dms.expectMessage(published);
  // ... and again on every tick.
  h.clock.advance(1_000);
  await h.dms.expectMessage(published);
  tell(h.system, h.manager, { type: "GracefulShutdown" });
  await h.dms.expectMessage({ type: "UnregisterData", key: schedulerKey(0) });
});

Deno.test("spawnQueueManager() restarted after a crash keeps its queues: they serve fetches and hand out every activation queued before", async () => {
  const remote = { host: "10.0.0.2", rpcPort: 13002 };
  let faulty = false;
  await using h = managerHarness({
    readLeader: () => {
      if (faulty) throw new Error("a bug in the leader read"); // thrown in the handler
      return Promise.resolve(JSON.stringify(remote));
    },
  });
  await createLeaderQueue(h);
  const before = await lookup(h, REV);
  assert.equal(before.type, "Queue");
  const queue = (before as { ref: Ref<MemoryQueueCommand> }).ref;
  assert.ok(!queue.path.startsWith(`${h.manager.path}/`), "the queue is no child of the manager");
  for (const n of [1, 2, 3]) tell(h.system, h.manager, activation(n));
  await settle(h.system);
  await h.watcher.fishForMessage((m) => m.type === "WatchEndpoint" && m.name === "queue-manager");

  faulty = true; // an activation of an unknown action makes the manager read its leader key
  const other = { ...activation(9), action: { path: "guest", name: "other" } };
  tell(h.system, h.manager, other);
  await settle(h.system);
  faulty = false;
  assert.equal(h.logs("actor crashed").length, 1);
  h.clock.advance(0); // the restarted manager's Starting state: adopt the live queues
  await settle(h.system);

  // Restarted: the watch is re-opened, and the same queue is found and serves.
  await h.watcher.fishForMessage((m) => m.type === "WatchEndpoint" && m.name === "queue-manager");
  const after = await lookup(h, REV);
  assert.equal(after.type, "Queue");
  assert.equal((after as { ref: Ref<MemoryQueueCommand> }).ref.path, queue.path);
  tell(h.system, h.manager, activation(4)); // routed to the adopted leader queue
  await settle(h.system);
  for (const n of [1, 2, 3, 4]) {
    assert.deepEqual(await fetchFrom(h, queue), { type: "Activation", activation: activation(n) });
  }
  // The activation the crashed incarnation held is routed again, and nothing ended.
  assert.deepEqual(h.forwarded, [[other, remote]]);
  assert.equal(h.completions.length, 0);
  assert.equal(h.system.deadLetters, 0);
});

Deno.test("spawnQueueManager() ends an activation held at two crashes in a row with a record instead of crashing forever", async () => {
  await using h = managerHarness({
    readLeader: () => {
      throw new Error("a bug in the leader read");
    },
  });
  tell(h.system, h.manager, activation(1));
  for (let crash = 1; crash <= 2; crash++) {
    await settle(h.system);
    assert.equal(h.logs("actor crashed").length, crash);
    h.clock.advance(0); // adopt (nothing), then route the salvaged activation again
  }
  await settle(h.system);
  assert.equal(h.logs("actor crashed").length, 2);
  assert.equal(h.completions.length, 1);
  assert.equal(h.completions[0]?.record.activationId, activation(1).activationId);
  assert.equal(h.completions[0]?.record.response.statusCode, 3);
});

Deno.test("spawnQueueManager() answers the QueueRemoved of an outdated queue once and ignores its repetition, without warnings", async () => {
  await using h = managerHarness();
  await createLeaderQueue(h);
  const found = await lookup(h, REV);
  const queue = (found as { ref: Ref<MemoryQueueCommand> }).ref;
  tell(h.system, h.manager, activation(1, { revision: NEW_REV })); // an action update
  await settle(h.system);
  h.clock.advance(CONFIG.gracefulShutdownTimeoutMs); // the Removed queue's state timeout
  await settle(h.system);
  assert.equal(h.system.actors().some((a) => a.path === queue.path), false, "old queue stopped");
  assert.deepEqual(h.logs("no ref for queue"), []);
  assert.equal(h.system.deadLetters, 0);
  const updated = await lookup(h, NEW_REV);
  assert.equal(updated.type, "Queue");
  const fresh = (updated as { ref: Ref<MemoryQueueCommand> }).ref;
  assert.deepEqual(await fetchFrom(h, fresh, NEW_REV), {
    type: "Activation",
    activation: activation(1, { revision: NEW_REV }),
  });
});
