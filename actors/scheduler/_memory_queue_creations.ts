/**
 * The MemoryQueue's count of containers on their way: creation ids it mints, the
 * in-progress watch, creation outcomes, and containers that succeeded but whose
 * existing key (or first fetch) has not arrived yet. Mirrors the `creationIds` handling
 * of upstream `MemoryQueue.scala`; differences:
 * - Ids are minted by the pure transition when a decision asks for containers, and are
 *   counted from that moment, not from the in-progress key's watch event: a decision
 *   made before that event sees its own creations.
 * - A minted id stays counted until its outcome arrives, even when its in-progress key
 *   is deleted first (a keyed timer drops it should no outcome ever come).
 * - A `SuccessfulCreationJob` (the invoker's fast path) does not end the count: the id
 *   moves to `createdAwaitingKey` until a new container shows up (existing key or first
 *   fetch, the slow path) or its timer fires. Without this, the ticks in between saw no
 *   container and no creation and asked for another container each time.
 * - A new container that shows up before its creation's success is remembered
 *   (`earlyContainers`) so that success is not counted a second time.
 *
 * @module
 */

import {
  CREATED_KEY_RETENTION_MS,
  creationTimer,
  earlyContainerTimer,
  type MemoryQueueMessage,
  type QueueData,
  type QueueEffect,
} from "./_memory_queue_model.ts";

type Change = [QueueData, QueueEffect[]];

/** The last `/`-separated segment of an etcd key (a creation or container id). */
export const lastSegment = (key: string): string => key.slice(key.lastIndexOf("/") + 1);

const retentionMs = (data: QueueData) =>
  data.ctx.config.createdKeyRetentionMs ?? CREATED_KEY_RETENTION_MS;

function without(set: ReadonlySet<string>, item: string): ReadonlySet<string> {
  if (!set.has(item)) return set;
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}

const withItem = (set: ReadonlySet<string>, item: string): ReadonlySet<string> =>
  set.has(item) ? set : new Set(set).add(item);

/** True for an id this queue minted. */
export function isOwnCreation(data: QueueData, creationId: string): boolean {
  return creationId.startsWith(data.ctx.creationIdPrefix);
}

/** Containers of this action on their way: in progress, or created and not yet seen. */
export function inProgressCount(data: QueueData): number {
  return data.creationIds.size + data.createdAwaitingKey.size;
}

/**
 * Containers of the namespace on their way: the namespace's in-progress keys, this
 * queue's creations whose key has not been seen yet, and its created ones not yet seen.
 */
export function namespaceInProgressCount(data: QueueData): number {
  const ids = new Set([...data.namespaceCreations].map(lastSegment));
  for (const id of data.creationIds) ids.add(id);
  return ids.size + data.createdAwaitingKey.size;
}

/** Mints `num` creation ids and counts them as in progress at once. */
export function mintCreations(data: QueueData, num: number): [QueueData, string[]] {
  const ids = Array.from(
    { length: Math.max(0, num) },
    (_, i) =>
      `${data.ctx.creationIdPrefix}${(data.nextCreationSeq + i).toString(16).padStart(8, "0")}`,
  );
  if (ids.length === 0) return [data, ids];
  return [{
    ...data,
    creationIds: new Set([...data.creationIds, ...ids]),
    nextCreationSeq: data.nextCreationSeq + ids.length,
  }, ids];
}

const startTimer = (data: QueueData, key: string, msg: MemoryQueueMessage): QueueEffect => ({
  type: "startTimer",
  key,
  msg,
  ms: retentionMs(data),
});

/**
 * An in-progress key appeared or went away. A late PUT of a creation that already
 * succeeded is ignored; the DELETE of an id this queue minted keeps it counted until its
 * outcome arrives (under a timer, should it never come).
 */
export function onInProgressWatch(data: QueueData, key: string, put: boolean): Change {
  const id = lastSegment(key);
  if (put) {
    if (data.createdAwaitingKey.has(id)) return [data, []];
    return [{ ...data, creationIds: withItem(data.creationIds, id) }, []];
  }
  if (isOwnCreation(data, id) && data.creationIds.has(id)) {
    return [data, [
      startTimer(data, creationTimer(id), { type: "CreationRetentionExpired", creationId: id }),
    ]];
  }
  return [{ ...data, creationIds: without(data.creationIds, id) }, []];
}

/**
 * `SuccessfulCreationJob`: the id stops being in progress; its container is counted as
 * on its way until it shows up, unless it already did (an early container).
 */
export function onCreationSucceeded(data: QueueData, creationId: string): Change {
  if (!data.creationIds.has(creationId)) return [data, []];
  const rest = { ...data, creationIds: without(data.creationIds, creationId) };
  const [early] = data.earlyContainers;
  if (early !== undefined) {
    return [{ ...rest, earlyContainers: without(data.earlyContainers, early) }, [
      { type: "cancelTimer", key: creationTimer(creationId) },
      { type: "cancelTimer", key: earlyContainerTimer(early) },
    ]];
  }
  return [{ ...rest, createdAwaitingKey: withItem(data.createdAwaitingKey, creationId) }, [
    startTimer(data, creationTimer(creationId), { type: "CreationRetentionExpired", creationId }),
  ]];
}

/** `FailedCreationJob` or the creation's timer: the id is no longer counted anywhere. */
export function onCreationEnded(data: QueueData, creationId: string): Change {
  const known = data.creationIds.has(creationId) || data.createdAwaitingKey.has(creationId);
  if (!known) return [data, []];
  return [{
    ...data,
    creationIds: without(data.creationIds, creationId),
    createdAwaitingKey: without(data.createdAwaitingKey, creationId),
  }, [{ type: "cancelTimer", key: creationTimer(creationId) }]];
}

/** An early container matched no success in time. */
export function onEarlyContainerExpired(data: QueueData, containerId: string): Change {
  return [{ ...data, earlyContainers: without(data.earlyContainers, containerId) }, []];
}

function ownPendingCount(data: QueueData): number {
  return [...data.creationIds].filter((id) => isOwnCreation(data, id)).length;
}

/**
 * A container of this revision is known (existing key or fetch). The first time a
 * container id shows up it ends the oldest created-awaiting-key entry, or, while this
 * queue's creations are still pending, is remembered as an early container.
 */
export function noteContainer(data: QueueData, containerId: string): Change {
  if (data.containers.has(containerId)) return [data, []];
  const seen = { ...data, containers: new Set(data.containers).add(containerId) };
  const [oldest] = data.createdAwaitingKey;
  if (oldest !== undefined) {
    return [{ ...seen, createdAwaitingKey: without(data.createdAwaitingKey, oldest) }, [
      { type: "cancelTimer", key: creationTimer(oldest) },
    ]];
  }
  if (ownPendingCount(data) > data.earlyContainers.size) {
    return [{ ...seen, earlyContainers: withItem(data.earlyContainers, containerId) }, [
      startTimer(data, earlyContainerTimer(containerId), {
        type: "EarlyContainerExpired",
        containerId,
      }),
    ]];
  }
  return [seen, []];
}
