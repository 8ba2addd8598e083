/**
 * How the QueueManager routes one activation (reference §2.4 step 4, §2.5): to the local
 * leader queue, through a revision update, to the remote leader (leader-key cache or a
 * read with exponential retries), or back into a recovered local queue when it looped
 * back here. Mirrors `handleActivationMessage`, `handleCycle`, `sendToLeader`,
 * `UpdateMemoryQueue`, `CreateNewQueue` and `RecoverQueue` of upstream
 * `QueueManager.scala`.
 *
 * Every function takes the data and returns the new data with the effects to perform.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import { compareRevisions } from "../../protocols/revision.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { ErrorOutcome } from "./_error_completion.ts";
import {
  entriesOf,
  isSelf,
  leaderKeyOf,
  leaderOf,
  type ManagerEffect,
  type PoolEntry,
  type QueueManagerData,
  restamp,
  TOO_OLD,
  withEntry,
} from "./_queue_manager_model.ts";

/** New data and the effects to perform. */
export interface Routed {
  readonly data: QueueManagerData;
  readonly effects: ManagerEffect[];
}

const whiskError = (message: string): ErrorOutcome => ({ statusCode: 3, message });

/** Ends `msgs` with a whisk-error record each. */
export function completeAll(
  data: QueueManagerData,
  msgs: readonly ActivationMessage[],
  message: string,
): Routed {
  return {
    data,
    effects: msgs.map((msg) => ({ type: "complete", msg, outcome: whiskError(message) })),
  };
}

function deliver(data: QueueManagerData, entry: PoolEntry, msg: ActivationMessage): Routed {
  return {
    data,
    effects: [{ type: "toQueue", queueId: entry.id, msg: restamp(msg, entry.key.revision) }],
  };
}

/** Runs `route` over `msgs` in order, threading the data. */
export function routeAll(
  data: QueueManagerData,
  msgs: readonly ActivationMessage[],
  route: (data: QueueManagerData, msg: ActivationMessage) => Routed,
): Routed {
  let current = data;
  const effects: ManagerEffect[] = [];
  for (const msg of msgs) {
    const routed = route(current, msg);
    current = routed.data;
    effects.push(...routed.effects);
  }
  return { data: current, effects };
}

/** Queues `msg` behind a pending metadata fetch of its leader key, starting the fetch if none. */
function awaitFetch(
  data: QueueManagerData,
  msg: ActivationMessage,
  purpose: "update" | "recover",
  extra: ManagerEffect[] = [],
): Routed {
  const key = leaderKeyOf(data, msg.user.namespace.name, msg.action);
  const waiting = data.fetches.get(key);
  if (waiting !== undefined) {
    return {
      data: { ...data, fetches: withEntry(data.fetches, key, [...waiting, msg]) },
      effects: [],
    };
  }
  return {
    data: { ...data, fetches: withEntry(data.fetches, key, [msg]) },
    effects: [...extra, { type: "fetchMetadata", purpose, activation: msg }],
  };
}

/** A message came back to this scheduler: a leader with a revision ≥ it takes it, else recover. */
export function handleCycle(data: QueueManagerData, msg: ActivationMessage): Routed {
  const ns = msg.user.namespace.name;
  const best = entriesOf(data, ns, msg.action)
    .filter((e) => e.leader && compareRevisions(e.key.revision, msg.revision) >= 0)
    .sort((a, b) => compareRevisions(b.key.revision, a.key.revision))[0];
  if (best !== undefined) return deliver(data, best, msg);
  return awaitFetch(data, msg, "recover");
}

/** Sends `msg` to the leader scheduler: cached endpoints, else a leader-key read. */
export function sendToLeader(data: QueueManagerData, msg: ActivationMessage): Routed {
  const key = leaderKeyOf(data, msg.user.namespace.name, msg.action);
  const endpoints = data.leaders.get(key);
  if (endpoints !== undefined) {
    if (isSelf(data, endpoints)) return handleCycle(data, msg);
    return { data, effects: [{ type: "forwardToLeader", msg, endpoints }] };
  }
  const waiting = data.leaderReads.get(key);
  if (waiting !== undefined) {
    return {
      data: { ...data, leaderReads: withEntry(data.leaderReads, key, [...waiting, msg]) },
      effects: [],
    };
  }
  return {
    data: { ...data, leaderReads: withEntry(data.leaderReads, key, [msg]) },
    effects: [{ type: "readLeader", leaderKey: key, attempt: 0 }],
  };
}

/** A newer revision arrived: demote the old queues, fetch the metadata (upstream `UpdateMemoryQueue`). */
function updateQueue(data: QueueManagerData, msg: ActivationMessage): Routed {
  const ns = msg.user.namespace.name;
  const demoted = entriesOf(data, ns, msg.action).filter((e) => e.leader);
  let pool = data.pool;
  for (const entry of demoted) pool = withEntry(pool, entry.id, { ...entry, leader: false });
  return awaitFetch(
    { ...data, pool },
    msg,
    "update",
    demoted.map((e) => ({
      type: "toQueue",
      queueId: e.id,
      msg: { type: "StopSchedulingAsOutdated" },
    })),
  );
}

/**
 * Routes one activation (upstream `handleActivationMessage`): too old → record; local
 * leader → deliver; otherwise by the known revision of its leader key.
 */
export function handleActivation(
  data: QueueManagerData,
  msg: ActivationMessage,
  now: number,
): Routed {
  if (now - msg.transid.start > data.config.maxSchedulingTimeMs) {
    return completeAll(data, [msg], TOO_OLD);
  }
  const ns = msg.user.namespace.name;
  const leader = leaderOf(data, ns, msg.action, msg.revision);
  if (leader !== undefined) return deliver(data, leader, msg);
  const key = leaderKeyOf(data, ns, msg.action);
  if (data.fetches.has(key)) return awaitFetch(data, msg, "update"); // a queue is on its way
  const known = data.revisions.get(key);
  if (known === undefined) return sendToLeader(data, msg);
  const order = compareRevisions(msg.revision, known);
  if (order > 0) return updateQueue(data, msg);
  const current = restamp(msg, known);
  const local = leaderOf(data, ns, msg.action, known);
  return local !== undefined ? deliver(data, local, current) : sendToLeader(data, current);
}

/** Adds a new leader queue to the pool and starts it (`Start` or `VersionUpdated`). */
export function createQueue(
  data: QueueManagerData,
  key: PoolEntry["key"],
  metadata: WhiskActionMetaData,
  start: "Start" | "VersionUpdated",
): [QueueManagerData, PoolEntry, ManagerEffect[]] {
  const entry: PoolEntry = { id: String(data.nextQueueId), key, metadata, leader: true };
  const leaderKey = leaderKeyOf(data, key.invocationNamespace, key.action);
  const next = {
    ...data,
    pool: withEntry(data.pool, entry.id, entry),
    revisions: withEntry(data.revisions, leaderKey, key.revision),
    nextQueueId: data.nextQueueId + 1,
  };
  return [next, entry, [{ type: "spawnQueue", entry, start, shutdown: data.shuttingDown }]];
}

/**
 * The metadata of a pending update or recovery arrived (upstream `CreateNewQueue` /
 * `RecoverQueue`): use a fitting leader, or create one, then deliver everything waiting,
 * re-stamped with the revision the store returned.
 */
export function onMetadata(
  data: QueueManagerData,
  purpose: "update" | "recover",
  activation: ActivationMessage,
  revision: DocRevision,
  metadata: WhiskActionMetaData,
): Routed {
  const ns = activation.user.namespace.name;
  const leaderKey = leaderKeyOf(data, ns, activation.action);
  const waiting = data.fetches.get(leaderKey) ?? [activation];
  const cleared = { ...data, fetches: withEntry(data.fetches, leaderKey, undefined) };
  if (metadata.exec.kind === "sequence") {
    return completeAll(cleared, waiting, "The action is not executable by a container.");
  }
  const fits = (e: PoolEntry) =>
    e.leader &&
    (purpose === "update"
      ? e.key.revision === revision
      : compareRevisions(e.key.revision, revision) >= 0);
  const existing = entriesOf(cleared, ns, activation.action).find(fits);
  if (existing !== undefined) return routeAll(cleared, waiting, (d, m) => deliver(d, existing, m));
  const action = { ...activation.action, version: metadata.version };
  const key = { invocationNamespace: ns, action, revision };
  const [created, entry, effects] = createQueue(
    cleared,
    key,
    metadata,
    purpose === "update" ? "VersionUpdated" : "Start",
  );
  const routed = routeAll(created, waiting, (d, m) => deliver(d, entry, m));
  return { data: routed.data, effects: [...effects, ...routed.effects] };
}

/** A metadata fetch failed: every waiting activation ends with a record. */
export function onMetadataFailed(
  data: QueueManagerData,
  activation: ActivationMessage,
  reason: string,
): Routed {
  const leaderKey = leaderKeyOf(data, activation.user.namespace.name, activation.action);
  const waiting = data.fetches.get(leaderKey) ?? [activation];
  return completeAll(
    { ...data, fetches: withEntry(data.fetches, leaderKey, undefined) },
    waiting,
    `Failed to get the action metadata: ${reason}`,
  );
}
