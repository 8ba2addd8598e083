/**
 * The QueueManager's pure transition. Mirrors upstream `QueueManager.scala` (reference
 * §2.2 steps 5–8, §2.4 step 4, §2.5, §2.6, §4.2). Upstream is a plain actor with four
 * mutable maps; here they are one immutable value, queues are named by id, and the
 * shell holds the refs. Differences:
 * - The queue lookup of the ActivationService is a message (`GetQueue`), not a read of
 *   a process-global pool.
 * - A loop back to this scheduler is recognised by the `forwarded-from` scheduler id, or
 *   before any hop when the cached leader endpoints are this scheduler's own.
 * - Activations a queue hands back (`QueueActivations`) first demote that queue, so they
 *   never bounce between a dying queue and the manager (reference §9.18).
 * - A crashed queue's activations go to a new queue (it was the leader) or through normal
 *   routing; while shutting down they end with records.
 * - Activations of one leader key that wait for a metadata fetch are batched: one queue
 *   is created, and they are delivered in arrival order.
 * - A restarted manager adopts the queues that outlived it (`Adopting`), see
 *   `_queue_manager_lifecycle.ts`.
 *
 * @module
 */

import { decodeSchedulerEndpoints } from "../../protocols/health.ts";
import { queuePrefix } from "../../protocols/etcd_keys.ts";
import type { QueueManagerMessage } from "../../protocols/queue_manager.ts";
import type { CreateQueueRequest } from "../../protocols/queue_manager.ts";
import type { ElectionResult } from "../../protocols/data_management_service.ts";
import {
  BAD_QUEUE_ENDPOINT,
  entriesOf,
  initialManagerData,
  isWarmUpAction,
  leaderKeyOf,
  type ManagerEffect,
  type ManagerMessage,
  type ManagerStep,
  NO_QUEUE_ENDPOINT,
  type QueueManagerConfig,
  type QueueManagerData,
  type QueueManagerState,
  withEntry,
} from "./_queue_manager_model.ts";
import {
  completeAll,
  createQueue,
  handleActivation,
  handleCycle,
  onMetadata,
  onMetadataFailed,
  routeAll,
  type Routed,
} from "./_queue_manager_routing.ts";
import {
  onQueueCrashed,
  onQueueRemoved,
  onQueuesAdopted,
  onShutdown,
  onStartingTimeout,
} from "./_queue_manager_lifecycle.ts";

export type {
  ManagerMessage,
  PoolEntry,
  QueueManagerConfig,
  QueueManagerData,
  QueueManagerEffect,
  QueueManagerState,
  QueuesAdopted,
} from "./_queue_manager_model.ts";

export { PUBLISH_TIMER } from "./_queue_manager_lifecycle.ts";

/** The state a manager is spawned (and restarted) in. */
export function initialManagerState(config: QueueManagerConfig): QueueManagerState {
  return { name: "Starting", data: initialManagerData(config) };
}

/** `Starting` times out at once; `Adopting` and `Active` have no timeout. */
export function managerStateTimeout(state: QueueManagerState): number | undefined {
  return state.name === "Starting" ? 0 : undefined;
}

const step = (state: QueueManagerState, routed: Routed): ManagerStep => ({
  next: { ...state, data: routed.data },
  effects: routed.effects,
});

const same = (state: QueueManagerState, effects: ManagerEffect[] = []): ManagerStep => ({
  next: state,
  effects,
});

function onCreateQueue(data: QueueManagerData, msg: CreateQueueRequest): Routed {
  const answer = (success: boolean): ManagerEffect[] =>
    msg.replyTo === undefined ? [] : [{
      type: "send",
      to: msg.replyTo,
      msg: {
        type: "CreateQueueResponse",
        invocationNamespace: msg.invocationNamespace,
        fqn: msg.fqn,
        success,
      },
    }];
  const ns = msg.invocationNamespace;
  const exists = entriesOf(data, ns, msg.fqn).some((e) => e.key.revision === msg.revision);
  if (isWarmUpAction(msg.fqn) || exists) return { data, effects: answer(true) };
  if (msg.whiskActionMetaData.exec.kind === "sequence") return { data, effects: answer(false) };
  const key = leaderKeyOf(data, ns, msg.fqn);
  if (data.elections.has(key)) return { data, effects: answer(true) };
  const election = {
    key: { invocationNamespace: ns, action: msg.fqn, revision: msg.revision },
    metadata: msg.whiskActionMetaData,
    replyTo: msg.replyTo === undefined ? [] : [msg.replyTo],
  };
  return {
    data: { ...data, elections: withEntry(data.elections, key, election) },
    effects: [{ type: "electLeader", key, value: data.config.endpointsValue }],
  };
}

function onElection(data: QueueManagerData, msg: ElectionResult): Routed {
  const pending = data.elections.get(msg.key);
  if (pending === undefined) return { data, effects: [{ type: "unhandled" }] };
  const cleared = { ...data, elections: withEntry(data.elections, msg.key, undefined) };
  const replies: ManagerEffect[] = pending.replyTo.map((to) => ({
    type: "send",
    to,
    msg: {
      type: "CreateQueueResponse",
      invocationNamespace: pending.key.invocationNamespace,
      fqn: pending.key.action,
      success: true,
    },
  }));
  if (!msg.leader) return { data: cleared, effects: replies };
  const [created, , effects] = createQueue(cleared, pending.key, pending.metadata, "Start");
  return { data: created, effects: [...effects, ...replies] };
}

function onLeaderRead(
  data: QueueManagerData,
  msg: Extract<QueueManagerMessage, { type: "LeaderRead" }>,
): Routed {
  const waiting = data.leaderReads.get(msg.leaderKey) ?? [];
  if (msg.endpoints === undefined && msg.attempt < data.config.maxRetriesToGetQueue) {
    return {
      data,
      effects: [{
        type: "startTimer",
        key: `leader-read:${msg.leaderKey}`,
        msg: { type: "RetryLeaderRead", leaderKey: msg.leaderKey, attempt: msg.attempt + 1 },
        ms: 2 ** msg.attempt,
      }],
    };
  }
  const cleared = { ...data, leaderReads: withEntry(data.leaderReads, msg.leaderKey, undefined) };
  if (msg.endpoints === undefined) {
    return completeAll(cleared, waiting, msg.unparseable ? BAD_QUEUE_ENDPOINT : NO_QUEUE_ENDPOINT);
  }
  const endpoints = msg.endpoints;
  const cached = { ...cleared, leaders: withEntry(cleared.leaders, msg.leaderKey, endpoints) };
  return routeAll(
    cached,
    waiting,
    (d, m) =>
      endpoints.host === d.config.endpoints.host && endpoints.rpcPort === d.config.endpoints.rpcPort
        ? handleCycle(d, m)
        : { data: d, effects: [{ type: "forwardToLeader", msg: m, endpoints }] },
  );
}

function onLeaderWatch(
  data: QueueManagerData,
  msg: Extract<QueueManagerMessage, { type: "WatchEndpointInserted" | "WatchEndpointRemoved" }>,
): Routed {
  if (!msg.key.endsWith("/leader")) return { data, effects: [] };
  if (msg.type === "WatchEndpointRemoved") {
    return { data: { ...data, leaders: withEntry(data.leaders, msg.key, undefined) }, effects: [] };
  }
  try {
    if (!msg.value.includes("host")) throw new TypeError("no host");
    const endpoints = decodeSchedulerEndpoints(msg.value);
    return { data: { ...data, leaders: withEntry(data.leaders, msg.key, endpoints) }, effects: [] };
  } catch (error) {
    return {
      data,
      effects: [{
        type: "log",
        level: "warn",
        msg: "unparseable queue leader endpoints; not cached",
        meta: { key: msg.key, value: msg.value, error: String(error) },
      }],
    };
  }
}

function lookup(
  data: QueueManagerData,
  msg: Extract<QueueManagerMessage, { type: "GetQueue" }>,
): ManagerEffect {
  const entries = entriesOf(data, msg.invocationNamespace, msg.action);
  const exact = entries.find((e) => e.key.revision === msg.revision && e.leader) ??
    entries.find((e) => e.key.revision === msg.revision);
  if (exact !== undefined) return { type: "replyQueue", replyTo: msg.replyTo, queueId: exact.id };
  return {
    type: "send",
    to: msg.replyTo,
    msg: { type: entries.length > 0 ? "ActionMismatch" : "NoMemoryQueue" },
  };
}

function active(state: QueueManagerState, msg: QueueManagerMessage, now: number): ManagerStep {
  const data = state.data;
  switch (msg.type) {
    case "CreateQueue":
      return step(state, onCreateQueue(data, msg));
    case "ElectionResult":
      return step(state, onElection(data, msg));
    case "ActivationMessage":
      return step(state, handleActivation(data, msg, now));
    case "ForwardedActivation":
      return step(
        state,
        msg.forwardedFrom === data.config.schedulerId
          ? handleCycle(data, msg.activation)
          : handleActivation(data, msg.activation, now),
      );
    case "RescheduleActivation": {
      const routed = handleActivation(data, { ...msg.activation, revision: msg.revision }, now);
      const answer: ManagerEffect[] = msg.replyTo === undefined ? [] : [{
        type: "send",
        to: msg.replyTo,
        msg: { type: "RescheduleResponse", isRescheduled: true },
      }];
      return step(state, { data: routed.data, effects: [...routed.effects, ...answer] });
    }
    case "GetQueue":
      return same(state, [lookup(data, msg)]);
    case "QueueRemoved":
      return step(state, onQueueRemoved(data, msg));
    case "QueueActivations": {
      const entry = data.pool.get(msg.queueId);
      const demoted = entry === undefined || !entry.leader
        ? data
        : { ...data, pool: withEntry(data.pool, entry.id, { ...entry, leader: false }) };
      return step(state, routeAll(demoted, msg.activations, (d, m) => handleActivation(d, m, now)));
    }
    case "QueueReactivated": {
      const entry = data.pool.get(msg.queueId);
      if (entry === undefined) return same(state, [{ type: "unhandled" }]);
      const leaderKey = leaderKeyOf(data, msg.key.invocationNamespace, msg.key.action);
      return step(state, {
        data: {
          ...data,
          pool: withEntry(data.pool, entry.id, { ...entry, leader: true }),
          revisions: withEntry(data.revisions, leaderKey, entry.key.revision),
        },
        effects: [],
      });
    }
    case "QueueCrashed":
      return step(state, onQueueCrashed(data, msg, now));
    case "WatchEndpointInserted":
    case "WatchEndpointRemoved":
      return step(state, onLeaderWatch(data, msg));
    case "GracefulShutdown":
      return step(state, onShutdown(data));
    case "QueueSize":
      return same(state, [{
        type: "send",
        to: msg.replyTo,
        msg: {
          type: "QueueSizeResult",
          size: data.pool.size,
          leaders: [...data.pool.values()].filter((e) => e.leader).length,
        },
      }]);
    case "GetState":
      return same(state, [{
        type: "collectStates",
        queueIds: [...data.pool.keys()],
        replyTo: msg.replyTo,
      }]);
    case "ActionMetadataFetched":
      return step(state, onMetadata(data, msg.purpose, msg.activation, msg.revision, msg.metadata));
    case "ActionMetadataFailed":
      return step(state, onMetadataFailed(data, msg.activation, msg.reason));
    case "LeaderRead":
      return step(state, onLeaderRead(data, msg));
    case "RetryLeaderRead":
      return same(state, [{ type: "readLeader", leaderKey: msg.leaderKey, attempt: msg.attempt }]);
    case "PublishStates":
      return same(state, [{
        type: "publishStates",
        leaderCount: [...data.pool.values()].filter((e) => e.leader).length,
      }]);
    case "StateTimeout":
    case "WatcherClosed":
      return same(state);
    default:
      return msg satisfies never;
  }
}

/**
 * The QueueManager transition.
 *
 * @param state the current state
 * @param msg the message being handled
 * @param now the injected clock's time
 */
export function queueManagerTransition(
  state: QueueManagerState,
  msg: ManagerMessage,
  now: number,
): ManagerStep {
  switch (state.name) {
    case "Starting":
      return msg.type === "StateTimeout"
        ? onStartingTimeout(state)
        : same(state, [{ type: "stash" }]);
    case "Adopting":
      return msg.type === "QueuesAdopted"
        ? onQueuesAdopted(state, msg, now)
        : same(state, [{ type: "stash" }]);
    case "Active":
      return msg.type === "QueuesAdopted"
        ? same(state, [{ type: "unhandled" }])
        : active(state, msg, now);
  }
}

/** The prefix the manager watches for leader endpoints. */
export function watchedQueuePrefix(config: QueueManagerConfig): string {
  return queuePrefix(config.cluster);
}
