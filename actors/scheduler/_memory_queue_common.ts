/**
 * The MemoryQueue behaviour shared by every state (upstream `whenUnhandled` in
 * `MemoryQueue.scala`, reference §4.1): serving and parking fetches, enqueueing,
 * watch-fed container counts, leader-key restoration, expiry, status, shutdown and
 * outdating, and the decision tick (§5.3).
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { FetchResponse } from "../../protocols/activation_service.ts";
import type { InitialDataStorageResults } from "../../protocols/data_management_service.ts";
import type { GetActivation, QueueStatus } from "../../protocols/memory_queue.ts";
import type { WatchEndpointInserted, WatchEndpointRemoved } from "../../protocols/watcher.ts";
import { fqnAsString } from "../../protocols/entity_name.ts";
import { emptyFifo, items, push, shift, takeWhile } from "./memory_queue_fifo.ts";
import {
  inProgressCount,
  lastSegment,
  noteContainer,
  onCreationEnded,
  onCreationSucceeded,
  onEarlyContainerExpired,
  onInProgressWatch,
} from "./_memory_queue_creations.ts";
import {
  type ErrorEnding,
  forwardToParent,
  goto,
  type MemoryQueueMessage,
  type MemoryQueueState,
  notInitiated,
  type ParkedPoll,
  pollTimer,
  type QueueData,
  type QueueEffect,
  queueRemoved,
  type QueueStep,
  removed,
  sameAction,
  stay,
  stopWorkers,
  TOO_MANY_REQUESTS,
  unregisterKeys,
  unwatchAll,
} from "./_memory_queue_model.ts";

const reply = (poll: { replyTo: ParkedPoll["replyTo"] }, msg: FetchResponse): QueueEffect => ({
  type: "send",
  to: poll.replyTo,
  msg,
});

/** Completes every queued activation with `ending`; the queue is left empty. */
export function completeAll(data: QueueData, ending: ErrorEnding): [QueueData, QueueEffect[]] {
  const effects: QueueEffect[] = [...items(data.queue)].map(({ msg }) => ({
    type: "complete",
    msg,
    ending,
  }));
  return [{ ...data, queue: emptyFifo() }, effects];
}

/** Takes every queued activation out (to forward it); the queue is left empty. */
export function drainQueue(data: QueueData): [QueueData, ActivationMessage[]] {
  const msgs = [...items(data.queue)].map((entry) => entry.msg);
  return [{ ...data, queue: emptyFifo() }, msgs];
}

/** Answers every parked poll `NoActivation` (or those of one container). */
export function releasePolls(data: QueueData, containerId?: string): [QueueData, QueueEffect[]] {
  const released = data.polls.filter((p) =>
    containerId === undefined || p.containerId === containerId
  );
  const effects = released.flatMap((p): QueueEffect[] => [
    { type: "cancelTimer", key: pollTimer(p.id) },
    reply(p, { type: "NoActivation" }),
  ]);
  return [{ ...data, polls: data.polls.filter((p) => !released.includes(p)) }, effects];
}

/** The rejection of too many requests (whisk or developer error by configuration). */
export function tooManyRequests(data: QueueData): ErrorEnding {
  return {
    statusCode: data.ctx.config.failThrottleAsWhiskError ? 3 : 2,
    message: TOO_MANY_REQUESTS,
    tooManyRequests: true,
  };
}

/** Expires queued activations older than the retention time (upstream `dropOld`). */
export function expireOld(
  data: QueueData,
  now: number,
  reason?: string,
): [QueueData, QueueEffect[]] {
  const retention = data.ctx.retentionMs;
  const [old, rest] = takeWhile(data.queue, (e) => now - e.at > retention);
  const effects: QueueEffect[] = old.map((e) => ({
    type: "complete",
    msg: e.msg,
    ending: { statusCode: 3, message: reason ?? notInitiated(now - e.at) },
  }));
  return [{ ...data, queue: rest }, effects];
}

/** Hands `msg` to the best parked poll, or queues it (Flow C step 5). */
export function deliverOrEnqueue(
  state: MemoryQueueState,
  msg: ActivationMessage,
  now: number,
): QueueStep {
  const data = state.data;
  const [poll, ...others] = data.polls;
  if (poll !== undefined) {
    return stay(state, { ...data, polls: others }, [
      { type: "cancelTimer", key: pollTimer(poll.id) },
      reply(poll, { type: "Activation", activation: msg }),
    ]);
  }
  const queued = { ...data, queue: push(data.queue, { at: now, msg }) };
  const { keys, config } = data.ctx;
  if (state.name === "Running" && queued.queue.size >= config.maxRetentionSize) {
    return goto("ActionThrottled", queued, [
      { type: "registerData", key: keys.actionThrottling, value: "true" },
    ]);
  }
  return stay(
    state,
    queued,
    needsEarlyDecision(state, queued) ? [{ type: "readNamespaceLimits" }] : [],
  );
}

/**
 * True when an activation just queued is the first one of a Running queue started by
 * `Start` that has no container and no creation under way: the decision is made at once
 * instead of on the next tick (a cold start saves up to `checkIntervalMs`, 50 ms on
 * average). A difference from upstream, which waits for the tick. A tick that follows
 * sees the creation in progress, as two ticks in a row would.
 */
function needsEarlyDecision(state: MemoryQueueState, queued: QueueData): boolean {
  return state.name === "Running" && queued.decideOnFirstActivation &&
    queued.queue.size === 1 && queued.containers.size === 0 && inProgressCount(queued) === 0;
}

function byPriority(a: ParkedPoll, b: ParkedPoll): number {
  if (a.warmed !== b.warmed) return a.warmed ? -1 : 1;
  return a.containerId < b.containerId ? 1 : a.containerId > b.containerId ? -1 : 0;
}

/** Serves a fetch from a live container: the head of the queue, or a parked poll. */
export function serveFetch(state: MemoryQueueState, msg: GetActivation): QueueStep {
  const { config, keys } = state.data.ctx;
  const durations = msg.lastDuration === undefined
    ? state.data.durations
    : [...state.data.durations, msg.lastDuration].slice(-config.durationBufferSize);
  const [noted, counted] = noteContainer(state.data, msg.containerId);
  const data = { ...noted, durations };
  const head = shift(data.queue);
  if (head === undefined) {
    const poll: ParkedPoll = {
      id: data.nextPollId,
      containerId: msg.containerId,
      warmed: msg.warmed,
      replyTo: msg.replyTo,
    };
    return stay(state, {
      ...data,
      polls: [...data.polls, poll].sort(byPriority),
      nextPollId: data.nextPollId + 1,
    }, [...counted, {
      type: "startTimer",
      key: pollTimer(poll.id),
      msg: { type: "CancelPoll", pollId: poll.id },
      ms: config.longPollMs,
    }]);
  }
  const served = { ...data, queue: head[1] };
  const answer = reply(msg, { type: "Activation", activation: head[0].msg });
  const belowFraction = head[1].size <= config.maxRetentionSize * config.throttlingFraction;
  if (state.name === "ActionThrottled" && belowFraction) {
    return goto("Running", served, [
      ...counted,
      answer,
      { type: "registerData", key: keys.actionThrottling, value: "false" },
    ]);
  }
  return stay(state, served, [...counted, answer]);
}

/** `GetActivation` in any serving state: mismatch, shutdown of a container, or serve. */
export function onGetActivation(state: MemoryQueueState, msg: GetActivation): QueueStep {
  const ctx = state.data.ctx;
  if (!sameAction(ctx, msg.action, msg.revision)) {
    return stay(state, state.data, [reply(msg, { type: "ActionMismatch" })]);
  }
  if (!msg.alive) {
    const [released, effects] = releasePolls(state.data, msg.containerId);
    const containers = new Set(released.containers);
    containers.delete(msg.containerId);
    return stay(state, { ...released, containers }, [
      ...effects,
      reply(msg, { type: "NoActivation" }),
    ]);
  }
  return serveFetch(state, msg);
}

function toggled(set: ReadonlySet<string>, item: string, present: boolean): ReadonlySet<string> {
  if (set.has(item) === present) return set;
  const copy = new Set(set);
  if (present) copy.add(item);
  else copy.delete(item);
  return copy;
}

/** A watch event: container and creation counts, or the leader key's deletion. */
export function onWatch(
  state: MemoryQueueState,
  msg: WatchEndpointInserted | WatchEndpointRemoved,
): QueueStep {
  const data = state.data;
  const { keys } = data.ctx;
  const put = msg.type === "WatchEndpointInserted";
  switch (msg.watchKey) {
    case keys.inProgress:
      return stay(state, ...onInProgressWatch(data, msg.key, put));
    case keys.existing: {
      const id = lastSegment(msg.key);
      if (put) return stay(state, ...noteContainer(data, id));
      const [next, effects] = releasePolls(data, id);
      return stay(state, { ...next, containers: toggled(data.containers, id, false) }, effects);
    }
    case keys.namespaceInProgress:
      return stay(state, {
        ...data,
        namespaceCreations: toggled(data.namespaceCreations, msg.key, put),
      });
    case keys.namespaceExisting: {
      const counted = {
        ...data,
        namespaceContainers: toggled(data.namespaceContainers, msg.key, put),
      };
      // The same key as the revision's existing key: a container of this queue shows up.
      const mine = put && msg.key.startsWith(keys.existing);
      if (!mine) return stay(state, counted);
      return stay(state, ...noteContainer(counted, lastSegment(msg.key)));
    }
    case keys.leader:
      if (put || state.name === "Removing" || state.name === "Removed") return stay(state, data);
      return stay(state, data, [
        { type: "registerInitialData", key: keys.leader, value: data.ctx.endpointsValue },
      ]);
    default:
      return stay(state, data, [{ type: "unhandled" }]);
  }
}

/** The create-only put of the leader key came back: restored, or another scheduler leads. */
export function onStorageResult(
  state: MemoryQueueState,
  msg: InitialDataStorageResults,
): QueueStep {
  const { ctx } = state.data;
  if (msg.key !== ctx.keys.leader) return stay(state, state.data);
  if (msg.result !== "AlreadyExist") {
    return stay(state, state.data, [
      { type: "log", level: "info", msg: "leader key restored", meta: { key: msg.key } },
    ]);
  }
  const [drained, forwarded] = drainQueue(state.data);
  return removed(drained, false, [
    { type: "log", level: "warn", msg: "another scheduler took over the queue" },
    queueRemoved(ctx, true),
    ...forwardToParent(ctx, forwarded),
    ...stopWorkers(),
    ...unwatchAll(ctx.keys),
  ]);
}

/** `GracefulShutdown`: give up the keys, keep serving until empty (→ Removing). */
export function onGracefulShutdown(state: MemoryQueueState): QueueStep {
  return {
    next: { name: "Removing", data: state.data, outdated: false },
    effects: unregisterKeys(state.data),
  };
}

/** `StopSchedulingAsOutdated`: hand queued work to the new revision when no container serves it. */
export function onOutdated(state: MemoryQueueState): QueueStep {
  const { ctx } = state.data;
  const [data, forwarded] = state.data.containers.size === 0
    ? drainQueue(state.data)
    : [state.data, []];
  return {
    next: { name: "Removing", data, outdated: true },
    effects: [queueRemoved(ctx, false), ...forwardToParent(ctx, forwarded)],
  };
}

/** The queue's status (upstream `StatusData`, plus the latest decision). */
export function status(state: MemoryQueueState): QueueStatus {
  const { ctx, lastDecision } = state.data;
  return {
    type: "QueueStatus" as const,
    invocationNamespace: ctx.invocationNamespace,
    action: fqnAsString(ctx.action),
    revision: ctx.revision,
    waitingActivation: [...items(state.data.queue)].map((e) => e.msg.activationId),
    stateName: state.name,
    containers: state.data.containers.size,
    creationIds: inProgressCount(state.data),
    ...(lastDecision === undefined ? {} : { lastDecision }),
  };
}

/** The shared handler (upstream `whenUnhandled`). */
export function whenUnhandled(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
  now: number,
): QueueStep {
  const data = state.data;
  switch (msg.type) {
    case "WatchEndpointInserted":
    case "WatchEndpointRemoved":
      return onWatch(state, msg);
    case "InitialDataStorageResults":
      return onStorageResult(state, msg);
    case "SuccessfulCreationJob":
      return stay(state, ...onCreationSucceeded(data, msg.creationId));
    case "FailedCreationJob":
    case "CreationRetentionExpired":
      return stay(state, ...onCreationEnded(data, msg.creationId));
    case "EarlyContainerExpired":
      return stay(state, ...onEarlyContainerExpired(data, msg.containerId));
    case "CancelPoll": {
      const poll = data.polls.find((p) => p.id === msg.pollId);
      if (poll === undefined) return stay(state, data);
      return stay(state, { ...data, polls: data.polls.filter((p) => p !== poll) }, [
        reply(poll, { type: "NoActivation" }),
      ]);
    }
    case "ActivationMessage":
      return deliverOrEnqueue(state, msg, now);
    case "GetActivation":
      return onGetActivation(state, msg);
    case "DropTick": {
      const [next, effects] = expireOld(data, now);
      const reassert: QueueEffect[] = state.name === "NamespaceThrottled"
        ? [{ type: "registerData", key: data.ctx.keys.namespaceThrottling, value: "true" }]
        : [];
      return stay(state, next, [...effects, ...reassert]);
    }
    case "GetState":
      return stay(state, data, [{ type: "send", to: msg.replyTo, msg: status(state) }]);
    case "GracefulShutdown":
      return onGracefulShutdown(state);
    case "StopSchedulingAsOutdated":
      return onOutdated(state);
    case "DecisionTick":
      return stay(state, data, [{ type: "readNamespaceLimits" }]);
    case "NamespaceLimitsFailed":
      return stay(state, data, [{
        type: "log",
        level: "warn",
        msg: "namespace limits unavailable; skipping this decision tick",
        meta: { reason: msg.reason },
      }]);
    case "StateTimeout":
    case "FlushTick":
    case "WatcherClosed":
    case "NamespaceLimitsRead": // only reached in states that make no decisions
      return stay(state, data);
    case "Start":
    case "VersionUpdated":
    case "QueueRemovedCompleted":
      return stay(state, data, [{ type: "unhandled" }]);
    default:
      return msg satisfies never;
  }
}
