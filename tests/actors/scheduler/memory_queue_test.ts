import assert from "node:assert/strict";
import { spawnMemoryQueue } from "../../../actors/scheduler/memory_queue.ts";
import type { ErrorCompletion } from "../../../actors/scheduler/_error_completion.ts";
import type { FetchResponse } from "../../../protocols/activation_service.ts";
import type { ContainerManagerCommand } from "../../../protocols/container_manager.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import { schedulerInstance } from "../../../protocols/instance_id.ts";
import type { MemoryQueueCommand, QueueToManager } from "../../../protocols/memory_queue.ts";
import type { WatcherCommand } from "../../../protocols/watcher.ts";
import { ask, type Ref, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { ACTION, activation, CONFIG, context, META, REV } from "./_memory_queue_fixtures.ts";

const KEYS = context().keys;

function queueHarness(
  o: { namespaceLimit?: number | (() => number); maxRetentionSize?: number } = {},
) {
  const h = actorHarness();
  const parent = createProbe<QueueToManager>(h.system, "parent");
  const containerManager = createProbe<ContainerManagerCommand>(h.system, "container-manager");
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const watcher = createProbe<WatcherCommand>(h.system, "watcher");
  const completions: ErrorCompletion[] = [];
  const crashed: string[][] = [];
  const limit = o.namespaceLimit ?? 10;
  const queue = spawnMemoryQueue(h.system, {
    logger: h.logger,
    schedulerId: schedulerInstance(0),
    endpoints: { host: "127.0.0.1", rpcPort: 13001 },
    config: { ...CONFIG, maxRetentionSize: o.maxRetentionSize ?? CONFIG.maxRetentionSize },
    containerManager: containerManager.ref,
    dataManagement: dms.ref,
    watcher: watcher.ref,
    completeActivation: (c) => completions.push(c),
    getNamespaceLimits: () => ({ namespaceLimit: typeof limit === "function" ? limit() : limit }),
    newCreationIdPrefix: () => "creation",
  }, {
    queueId: "q1",
    invocationNamespace: "guest",
    action: ACTION,
    revision: REV,
    metadata: META,
    parent: parent.ref,
    onCrashed: (held) => crashed.push(held.map((m) => m.activationId)),
  });
  return Object.assign(h, { parent, containerManager, dms, watcher, completions, crashed, queue });
}

function fetchFrom(
  h: ReturnType<typeof queueHarness>,
  containerId: string,
  alive = true,
): Promise<FetchResponse> {
  return ask<FetchResponse, MemoryQueueCommand>(h.system, h.queue, (replyTo) => ({
    type: "GetActivation",
    action: ACTION,
    revision: REV,
    containerId,
    warmed: false,
    alive,
    replyTo,
  }), 60_000);
}

Deno.test("spawnMemoryQueue() hands each of 1,000 queued activations out exactly once to concurrent polls", async () => {
  await using h = queueHarness({ maxRetentionSize: 10_000 });
  tell(h.system, h.queue, { type: "VersionUpdated" });
  for (let i = 1; i <= 1000; i++) tell(h.system, h.queue, activation(i));
  const containers = Array.from({ length: 20 }, (_, i) => `c${i}`);
  const served: string[] = [];
  // 20 containers poll concurrently, each polling again after every answer; once all
  // are served, the long polls run out and every poller stops on NoActivation.
  let done = false;
  const pollers = Promise.all(containers.map(async (id) => {
    for (;;) {
      const result = await fetchFrom(h, id);
      if (result.type !== "Activation") return;
      served.push(result.activation.activationId);
    }
  })).finally(() => done = true);
  for (let round = 0; !done && round < 10_000; round++) {
    await settle(h.system);
    if (served.length >= 1000) h.clock.advance(CONFIG.longPollMs);
  }
  await pollers;
  assert.equal(served.length, 1000);
  assert.equal(new Set(served).size, 1000);
  assert.equal(h.completions.length, 0);
});

Deno.test("spawnMemoryQueue() runs the full lifecycle: start, activation, creation, fetch, created, non-alive fetch, Idle, Removed, stop", async () => {
  await using h = queueHarness();
  tell(h.system, h.queue, { type: "Start" });
  await h.dms.expectMessage({
    type: "RegisterInitialData",
    key: KEYS.namespaceThrottling,
    value: "false",
    failoverEnabled: false,
    replyTo: h.queue as never,
  });
  await h.dms.expectMessage({
    type: "RegisterData",
    key: KEYS.actionThrottling,
    value: "false",
    failoverEnabled: false,
  });
  const watches = await h.watcher.receiveMessages(5);
  assert.deepEqual(watches.map((w) => w.type === "WatchEndpoint" && w.key), [
    KEYS.inProgress,
    KEYS.existing,
    KEYS.namespaceInProgress,
    KEYS.namespaceExisting,
    KEYS.leader,
  ]);

  tell(h.system, h.queue, activation(1));
  h.clock.advance(CONFIG.checkIntervalMs);
  await settle(h.system);
  const creation = await h.containerManager.expectMessageType("ContainerCreation");
  assert.equal(creation.invocationNamespace, "guest");
  assert.equal(creation.actionMemoryMb, META.limits.memory);
  const [msg] = creation.msgs;
  assert.equal(msg?.creationId, "creation00000001");
  assert.deepEqual(msg?.action, ACTION);
  assert.equal(msg?.revision, REV);
  assert.deepEqual(msg?.whiskActionMetaData, META);
  assert.deepEqual(msg?.rootSchedulerIndex, schedulerInstance(0));
  assert.equal(msg?.schedulerHost, "127.0.0.1");
  assert.equal(msg?.rpcPort, 13001);

  // The CreationJobManager's key appears, the container fetches, the creation succeeds.
  tell(h.system, h.queue, {
    type: "WatchEndpointInserted",
    watchKey: KEYS.inProgress,
    key: `${KEYS.inProgress}scheduler/0/creationId/creation00000001`,
    value: "",
    isPrefix: true,
  });
  const answer = await fetchFrom(h, "k1");
  assert.deepEqual(answer, { type: "Activation", activation: activation(1) });
  tell(h.system, h.queue, {
    type: "SuccessfulCreationJob",
    creationId: "creation00000001",
    invocationNamespace: "guest",
    action: ACTION,
    revision: REV,
  });
  assert.deepEqual(await fetchFrom(h, "k1", false), { type: "NoActivation" });

  h.clock.advance(CONFIG.idleGraceMs); // Running → Idle
  await settle(h.system);
  h.clock.advance(CONFIG.stopGraceMs); // Idle → Removed
  await settle(h.system);
  const removed = await h.parent.expectMessageType("QueueRemoved");
  assert.equal(removed.leaderKey, KEYS.leader);
  assert.deepEqual(
    (await h.dms.receiveMessages(2)).map((m) => m.type === "UnregisterData" && m.key),
    [KEYS.leader, KEYS.actionThrottling],
  );
  tell(h.system, h.queue, { type: "QueueRemovedCompleted" });
  await settle(h.system);
  assert.equal(h.system.actors().some((a) => a.path === h.queue.path), false);
});

Deno.test("spawnMemoryQueue() ends activations past max retention with a whisk-error record and ack", async () => {
  await using h = queueHarness({ namespaceLimit: 0 }); // no container will ever be created
  tell(h.system, h.queue, { type: "VersionUpdated" });
  tell(h.system, h.queue, activation(1, { blocking: true }));
  await settle(h.system);
  h.clock.advance(CONFIG.maxRetentionMs + CONFIG.dropIntervalMs);
  await settle(h.system);
  assert.equal(h.completions.length, 1);
  const [done] = h.completions;
  assert.equal(done?.record.activationId, activation(1).activationId);
  assert.equal(done?.record.response.statusCode, 3);
  assert.equal(done?.ack.type, "CombinedCompletionAndResultMessage");
  assert.equal(done?.ack.isSystemError, true);
});

Deno.test("spawnMemoryQueue() stops on a crash and hands the activations it held to onCrashed", async () => {
  let limit = 10;
  await using h = queueHarness({ namespaceLimit: () => limit });
  tell(h.system, h.queue, { type: "VersionUpdated" });
  tell(h.system, h.queue, activation(1));
  tell(h.system, h.queue, activation(2));
  await settle(h.system);
  limit = 1.5; // a malformed limit makes decide() throw: a bug, so a crash
  h.clock.advance(CONFIG.checkIntervalMs);
  await settle(h.system);
  assert.deepEqual(h.crashed, [[activation(1).activationId, activation(2).activationId]]);
  assert.equal(h.system.actors().some((a) => a.path === h.queue.path), false);
  assert.equal(h.logs("actor crashed").length, 1);
});

Deno.test("spawnMemoryQueue() restores its leader key and answers ActionMismatch for an old revision", async () => {
  await using h = queueHarness();
  tell(h.system, h.queue, { type: "VersionUpdated" });
  tell(h.system, h.queue, {
    type: "WatchEndpointRemoved",
    watchKey: KEYS.leader,
    key: KEYS.leader,
    prevValue: "",
    isPrefix: false,
  });
  await h.dms.expectMessage((m) => m.type === "RegisterInitialData" && m.key === KEYS.leader);
  const mismatch = await ask<FetchResponse, MemoryQueueCommand>(h.system, h.queue, (replyTo) => ({
    type: "GetActivation",
    action: ACTION,
    revision: "0-old",
    containerId: "k1",
    warmed: true,
    alive: true,
    replyTo: replyTo as Ref<FetchResponse>,
  }), 1_000);
  assert.deepEqual(mismatch, { type: "ActionMismatch" });
});

Deno.test("spawnMemoryQueue() asks for one container per activation while a created container's key is on its way", async () => {
  await using h = queueHarness();
  tell(h.system, h.queue, { type: "Start" });
  tell(h.system, h.queue, activation(1)); // decides at once
  await settle(h.system);
  const creation = await h.containerManager.expectMessageType("ContainerCreation");
  assert.deepEqual(creation.msgs.map((m) => m.creationId), ["creation00000001"]);
  h.clock.advance(CONFIG.checkIntervalMs); // before the in-progress key's watch event
  await settle(h.system);
  tell(h.system, h.queue, {
    type: "SuccessfulCreationJob",
    creationId: "creation00000001",
    invocationNamespace: "guest",
    action: ACTION,
    revision: REV,
  });
  for (let i = 0; i < 3; i++) {
    h.clock.advance(CONFIG.checkIntervalMs); // the existing key has not arrived yet
    await settle(h.system);
  }
  await h.containerManager.expectNoMessage();
  assert.deepEqual(await fetchFrom(h, "k1"), { type: "Activation", activation: activation(1) });
});
