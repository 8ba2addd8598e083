import assert from "node:assert/strict";
import { memoryQueueTransition } from "../../../actors/scheduler/memory_queue_fsm.ts";
import type {
  MemoryQueueMessage,
  MemoryQueueState,
} from "../../../actors/scheduler/memory_queue_fsm.ts";
import {
  CREATED_KEY_RETENTION_MS,
  type QueueEffect,
} from "../../../actors/scheduler/_memory_queue_model.ts";
import {
  inProgressCount,
  namespaceInProgressCount,
} from "../../../actors/scheduler/_memory_queue_creations.ts";
import type { FetchResponse } from "../../../protocols/activation_service.ts";
import type { QueueStatus } from "../../../protocols/memory_queue.ts";
import { ACTION, activation, context, fakeRef, inState, REV } from "./_memory_queue_fixtures.ts";

const KEYS = context().keys;
const ID1 = "q1-00000001";
const ID2 = "q1-00000002";

/** Feeds messages in order; returns the last state and the effects of each step. */
function runAll(state: MemoryQueueState, msgs: readonly MemoryQueueMessage[]) {
  let current = state;
  const steps: QueueEffect[][] = [];
  for (const msg of msgs) {
    const step = memoryQueueTransition(current, msg, 1_000);
    current = step.next;
    steps.push([...step.effects]);
  }
  return { state: current, steps, effects: steps.flat() };
}

const created = (effects: readonly QueueEffect[]) =>
  effects.flatMap((e) => e.type === "createContainers" ? e.creationIds : []);

const tick = { type: "NamespaceLimitsRead", limits: { namespaceLimit: 10 } } as const;
const succeeded = (creationId: string) => ({
  type: "SuccessfulCreationJob" as const,
  creationId,
  invocationNamespace: "guest",
  action: ACTION,
  revision: REV,
});
const failed = (creationId: string) => ({
  type: "FailedCreationJob" as const,
  creationId,
  invocationNamespace: "guest",
  action: ACTION,
  revision: REV,
  error: "NoAvailableInvokersError" as const,
  reason: "no invokers",
});
const watch = (put: boolean, watchKey: string, key: string): MemoryQueueMessage =>
  put
    ? { type: "WatchEndpointInserted", watchKey, key, value: "", isPrefix: true }
    : { type: "WatchEndpointRemoved", watchKey, key, prevValue: "", isPrefix: true };
const inProgressKey = (id: string) => `${KEYS.inProgress}scheduler/0/creationId/${id}`;
const existingKey = (containerId: string) => `${KEYS.existing}invoker0/${containerId}`;
const fetch = (containerId: string): MemoryQueueMessage => ({
  type: "GetActivation",
  action: ACTION,
  revision: REV,
  containerId,
  warmed: false,
  alive: true,
  replyTo: fakeRef<FetchResponse>(`c-${containerId}`),
});

/** A Running queue with one queued activation that has already asked for container ID1. */
function creating() {
  const start = inState("Running", { queued: [activation(1)], data: { initialized: true } });
  const { state, effects } = runAll(start, [tick]);
  assert.deepEqual(created(effects), [ID1]);
  return state;
}

Deno.test("memoryQueueTransition() asks for no second container on ticks between a creation's success and its container's key", () => {
  const { state, steps } = runAll(creating(), [succeeded(ID1), tick, tick, tick]);
  assert.deepEqual(created(steps.flat()), []);
  assert.deepEqual([...state.data.createdAwaitingKey], [ID1]);
  assert.equal(inProgressCount(state.data), 1);
  assert.ok(
    steps[0]?.some((e) =>
      e.type === "startTimer" && e.key === `creation-${ID1}` && e.ms === CREATED_KEY_RETENTION_MS
    ),
  );
});

Deno.test("memoryQueueTransition() counts its own creations from the decision on, before the in-progress watch event", () => {
  const { state, effects } = runAll(creating(), [
    tick,
    watch(true, KEYS.inProgress, inProgressKey(ID1)),
    tick,
  ]);
  assert.deepEqual(created(effects), []);
  assert.deepEqual([...state.data.creationIds], [ID1]);
  assert.equal(state.data.nextCreationSeq, 2);
});

Deno.test("memoryQueueTransition() keeps a minted creation counted when its in-progress key goes before its outcome", () => {
  const { state, steps } = runAll(creating(), [
    watch(true, KEYS.inProgress, inProgressKey(ID1)),
    watch(false, KEYS.inProgress, inProgressKey(ID1)),
    tick,
  ]);
  assert.deepEqual([...state.data.creationIds], [ID1]);
  assert.deepEqual(created(steps.flat()), []);
  assert.ok(steps[1]?.some((e) => e.type === "startTimer" && e.key === `creation-${ID1}`));
  const after = runAll(state, [succeeded(ID1)]).state;
  assert.deepEqual([...after.data.createdAwaitingKey], [ID1]);
  assert.equal(after.data.creationIds.size, 0);
});

Deno.test("memoryQueueTransition() still drops a foreign creation on its in-progress key's DELETE", () => {
  const foreign = "other-1";
  const { state } = runAll(inState("Running"), [
    watch(true, KEYS.inProgress, inProgressKey(foreign)),
    watch(false, KEYS.inProgress, inProgressKey(foreign)),
  ]);
  assert.equal(state.data.creationIds.size, 0);
});

Deno.test("memoryQueueTransition() ends one created-awaiting-key entry when a new container's existing key appears", () => {
  const start = inState("Running", {
    data: { createdAwaitingKey: new Set([ID1, ID2]), nextCreationSeq: 3 },
  });
  const { state, steps } = runAll(start, [
    watch(true, KEYS.existing, existingKey("k1")),
    watch(true, KEYS.existing, existingKey("k1")), // not new: nothing more ends
  ]);
  assert.deepEqual([...state.data.createdAwaitingKey], [ID2]);
  assert.deepEqual([...state.data.containers], ["k1"]);
  assert.deepEqual(steps[0], [{ type: "cancelTimer", key: `creation-${ID1}` }]);
  assert.deepEqual(steps[1], []);
});

Deno.test("memoryQueueTransition() ends a created-awaiting-key entry on a new container's first fetch or namespace existing key", () => {
  const start = inState("Running", { data: { createdAwaitingKey: new Set([ID1, ID2]) } });
  const { state } = runAll(start, [
    fetch("k1"),
    fetch("k1"),
    watch(true, KEYS.namespaceExisting, existingKey("k2")),
    watch(true, KEYS.existing, existingKey("k2")),
  ]);
  assert.equal(state.data.createdAwaitingKey.size, 0);
  assert.deepEqual([...state.data.containers], ["k1", "k2"]);
});

Deno.test("memoryQueueTransition() drops a created entry whose container never shows up when its timer fires, then creates again", () => {
  const { state, effects } = runAll(creating(), [
    succeeded(ID1),
    { type: "CreationRetentionExpired", creationId: ID1 },
    tick,
  ]);
  assert.deepEqual(created(effects), [ID2]);
  assert.deepEqual([...state.data.creationIds], [ID2]);
  assert.equal(state.data.createdAwaitingKey.size, 0);
});

Deno.test("memoryQueueTransition() drops a created entry on FailedCreationJob, cancelling its timer", () => {
  const start = inState("Running", {
    data: { createdAwaitingKey: new Set([ID1]), containers: new Set(["k0"]) },
  });
  const { state, effects } = runAll(start, [failed(ID1)]);
  assert.equal(inProgressCount(state.data), 0);
  assert.deepEqual(effects, [{ type: "cancelTimer", key: `creation-${ID1}` }]);
});

Deno.test("memoryQueueTransition() does not count a success twice when the container fetched before it", () => {
  const { state, effects } = runAll(creating(), [fetch("k1"), succeeded(ID1), tick]);
  assert.deepEqual([...state.data.containers], ["k1"]);
  assert.equal(inProgressCount(state.data), 0);
  assert.equal(state.data.earlyContainers.size, 0);
  assert.ok(effects.some((e) => e.type === "cancelTimer" && e.key === "early-k1"));
});

Deno.test("memoryQueueTransition() forgets an early container that matched no success in time", () => {
  const { state } = runAll(creating(), [
    fetch("k1"),
    { type: "EarlyContainerExpired", containerId: "k1" },
    succeeded(ID1),
  ]);
  assert.deepEqual([...state.data.createdAwaitingKey], [ID1]);
});

Deno.test("memoryQueueTransition() ignores a late in-progress PUT of a creation that already succeeded", () => {
  const { state } = runAll(creating(), [
    succeeded(ID1),
    watch(true, KEYS.inProgress, inProgressKey(ID1)),
    watch(false, KEYS.inProgress, inProgressKey(ID1)),
  ]);
  assert.equal(state.data.creationIds.size, 0);
  assert.deepEqual([...state.data.createdAwaitingKey], [ID1]);
});

Deno.test("memoryQueueTransition() goes Flushing → Running on a success and keeps that container counted", () => {
  const flushing = inState("Flushing", { data: { creationIds: new Set([ID1]) } });
  const { state } = runAll(flushing, [succeeded(ID1)]);
  assert.equal(state.name, "Running");
  assert.deepEqual([...state.data.createdAwaitingKey], [ID1]);
});

Deno.test("namespaceInProgressCount() counts a creation seen both as minted and as a namespace key once", () => {
  const data = inState("Running", {
    data: {
      creationIds: new Set([ID1, ID2]),
      createdAwaitingKey: new Set(["q1-00000003"]),
      namespaceCreations: new Set([
        inProgressKey(ID1),
        `${KEYS.namespaceInProgress}guest/other/1-x/scheduler/0/creationId/z9`,
      ]),
    },
  }).data;
  assert.equal(namespaceInProgressCount(data), 4); // ID1, ID2, z9, and the created one
});

Deno.test("memoryQueueTransition() reports creations in progress and created-awaiting-key in the status", () => {
  const start = inState("Running", {
    data: { creationIds: new Set([ID2]), createdAwaitingKey: new Set([ID1]) },
  });
  const replyTo = fakeRef<QueueStatus>("status");
  const { effects } = runAll(start, [{ type: "GetState", replyTo }]);
  const sent = effects.find((e) => e.type === "send");
  assert.equal(sent?.type === "send" && (sent.msg as QueueStatus).creationIds, 2);
});

Deno.test("memoryQueueTransition() stays Running on the idle timeout while a created container has not shown up", () => {
  const start = inState("Running", { data: { createdAwaitingKey: new Set([ID1]) } });
  const { state } = runAll(start, [{ type: "StateTimeout" }]);
  assert.equal(state.name, "Running");
});
