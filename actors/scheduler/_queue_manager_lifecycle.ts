/**
 * The QueueManager's lifecycle transitions: start and restart (adopting the MemoryQueues
 * that outlived a crashed incarnation), queue removal and crash, and graceful shutdown.
 * Mirrors `QueueRemoved` and `GracefulShutdown` of upstream `QueueManager.scala`
 * (reference §4.2); the adoption has no upstream counterpart (there a restarted manager
 * loses its children, ARCHITECTURE "Supervision" asks for its state to be rebuilt).
 *
 * Differences from upstream:
 * - A `QueueRemoved` for a queue no longer in the pool (a Removed queue repeats it when its
 *   state timeout fires) changes nothing and is not answered; nor is one marked
 *   `stopping` (the queue stops right after sending it). Upstream answers both with a
 *   `QueueRemovedCompleted` to a sender that may be gone.
 *
 * @module
 */

import type { QueueManagerMessage } from "../../protocols/queue_manager.ts";
import { compareRevisions } from "../../protocols/revision.ts";
import {
  leaderKeyOf,
  type ManagerEffect,
  type ManagerStep,
  type PoolEntry,
  type QueueManagerData,
  type QueueManagerState,
  type QueuesAdopted,
  withEntry,
} from "./_queue_manager_model.ts";
import {
  completeAll,
  createQueue,
  handleActivation,
  routeAll,
  type Routed,
} from "./_queue_manager_routing.ts";

/** Timer key of the `SchedulerStates` publication. */
export const PUBLISH_TIMER = "publish-states";

/** Ends every activation of a failed queue or a failed manager with this text. */
export const QUEUE_FAILED = "The queue of the action failed.";

const leaderCount = (data: QueueManagerData) =>
  [...data.pool.values()].filter((e) => e.leader).length;

/** `Starting` times out at once: ask the shell for the queues a previous incarnation left. */
export function onStartingTimeout(state: QueueManagerState): ManagerStep {
  return { next: { name: "Adopting", data: state.data }, effects: [{ type: "adoptQueues" }] };
}

/**
 * The pool rebuilt from the adopted queues: per leader key, the live queue of the
 * highest revision leads (its revision goes to `revisions`), every other one is demoted.
 */
export function adoptedPool(
  data: QueueManagerData,
  queues: readonly PoolEntry[],
): QueueManagerData {
  const leaders = new Map<string, PoolEntry>();
  for (const entry of queues.filter((e) => e.leader)) {
    const key = leaderKeyOf(data, entry.key.invocationNamespace, entry.key.action);
    const held = leaders.get(key);
    if (held === undefined || compareRevisions(entry.key.revision, held.key.revision) > 0) {
      leaders.set(key, entry);
    }
  }
  const leading = new Set([...leaders.values()].map((e) => e.id));
  const pool = new Map(queues.map((e) => [e.id, { ...e, leader: leading.has(e.id) }]));
  const revisions = new Map([...leaders].map(([key, e]) => [key, e.key.revision]));
  const ids = queues.map((e) => Number(e.id)).filter(Number.isFinite);
  return {
    ...data,
    pool,
    revisions,
    nextQueueId: Math.max(data.nextQueueId, ...ids.map((id) => id + 1)),
  };
}

/**
 * `Adopting` + `QueuesAdopted` → `Active`: rebuild the pool, route the activations the
 * crashed incarnation held (ending those held twice), then start the watch and the
 * publication (or finish the shutdown the crashed incarnation had begun), and replay
 * whatever arrived meanwhile.
 */
export function onQueuesAdopted(
  state: QueueManagerState,
  msg: QueuesAdopted,
  now: number,
): ManagerStep {
  const adopted = adoptedPool(state.data, msg.queues);
  const base = msg.shuttingDown ? { ...adopted, shuttingDown: true } : adopted;
  const ended = completeAll(base, msg.abandon, QUEUE_FAILED);
  const routed = routeAll(ended.data, msg.reroute, (d, m) => handleActivation(d, m, now));
  const start: ManagerEffect[] = msg.shuttingDown ? onShutdown(routed.data).effects : [
    { type: "watchQueues" },
    // Announce this scheduler's endpoints at once (upstream's scheduler registers
    // them on start): controllers cannot place an activation before this key
    // exists, so waiting for the first timer tick delayed readiness by a second.
    { type: "publishStates", leaderCount: leaderCount(routed.data) },
    {
      type: "startTimer",
      key: PUBLISH_TIMER,
      msg: { type: "PublishStates" },
      ms: routed.data.config.publishIntervalMs,
      repeat: true,
    },
  ];
  return {
    next: { name: "Active", data: routed.data },
    effects: [...ended.effects, ...routed.effects, ...start, { type: "unstashAll" }],
  };
}

/** `GracefulShutdown` (Flow E): stop publishing, unregister, shut every queue down. */
export function onShutdown(data: QueueManagerData): Routed {
  return {
    data: { ...data, shuttingDown: true },
    effects: [
      { type: "cancelTimer", key: PUBLISH_TIMER },
      { type: "unregisterScheduler" },
      ...[...data.pool.keys()].map((queueId): ManagerEffect => ({
        type: "toQueue",
        queueId,
        msg: { type: "GracefulShutdown" },
      })),
    ],
  };
}

/**
 * `QueueRemoved`: drop the queue (and its leader key's revision when it owned it) and
 * answer `QueueRemovedCompleted`, unless the queue is stopping anyway or was already
 * dropped (a repeated `QueueRemoved`, see the module doc).
 */
export function onQueueRemoved(
  data: QueueManagerData,
  msg: Extract<QueueManagerMessage, { type: "QueueRemoved" }>,
): Routed {
  const entry = data.pool.get(msg.queueId);
  if (entry === undefined) return { data, effects: [] };
  const owns = msg.leaderKey !== undefined &&
    data.revisions.get(msg.leaderKey) === entry.key.revision;
  const next = {
    ...data,
    pool: withEntry(data.pool, msg.queueId, undefined),
    revisions: owns ? withEntry(data.revisions, msg.leaderKey!, undefined) : data.revisions,
  };
  const answer: ManagerEffect[] = msg.stopping ? [] : [
    { type: "toQueue", queueId: msg.queueId, msg: { type: "QueueRemovedCompleted" } },
  ];
  return { data: next, effects: [...answer, { type: "forgetQueue", queueId: msg.queueId }] };
}

/** A queue crashed: its activations go to a new queue (it led), through routing, or end. */
export function onQueueCrashed(
  data: QueueManagerData,
  msg: Extract<QueueManagerMessage, { type: "QueueCrashed" }>,
  now: number,
): Routed {
  const entry = data.pool.get(msg.queueId);
  const without = { ...data, pool: withEntry(data.pool, msg.queueId, undefined) };
  const forget: ManagerEffect = { type: "forgetQueue", queueId: msg.queueId };
  if (data.shuttingDown || entry === undefined) {
    const ended = completeAll(without, msg.activations, QUEUE_FAILED);
    return { data: ended.data, effects: [forget, ...ended.effects] };
  }
  if (!entry.leader) {
    const routed = routeAll(without, msg.activations, (d, m) => handleActivation(d, m, now));
    return { data: routed.data, effects: [forget, ...routed.effects] };
  }
  const [created, fresh, effects] = createQueue(
    without,
    entry.key,
    entry.metadata,
    "VersionUpdated",
  );
  return {
    data: created,
    effects: [
      forget,
      ...effects,
      ...msg.activations.map((m): ManagerEffect => ({
        type: "toQueue",
        queueId: fresh.id,
        msg: m,
      })),
    ],
  };
}
