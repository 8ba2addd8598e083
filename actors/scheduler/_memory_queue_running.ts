/**
 * The MemoryQueue's serving phase: Running, NamespaceThrottled, ActionThrottled and
 * Flushing (reference §4.1 transition table). Each function answers the messages its
 * state treats specially and returns `undefined` for the rest, which then go to the
 * shared handler (upstream `whenUnhandled`).
 *
 * @module
 */

import type { FailedCreationJob } from "../../protocols/container_manager.ts";
import { isWhiskError } from "../../protocols/container_manager.ts";
import { STATE_TIMEOUT_KEY } from "../../runtime/actors/fsm.ts";
import {
  completeAll,
  deliverOrEnqueue,
  expireOld,
  tooManyRequests,
} from "./_memory_queue_common.ts";
import {
  inProgressCount,
  onCreationEnded,
  onCreationSucceeded,
} from "./_memory_queue_creations.ts";
import {
  type ErrorEnding,
  FLUSH_TIMER,
  goto,
  type MemoryQueueMessage,
  type MemoryQueueState,
  type QueueData,
  type QueueEffect,
  queueRemoved,
  type QueueStep,
  removed,
  stay,
  stopWorkers,
  unregisterKeys,
  unwatchAll,
} from "./_memory_queue_model.ts";

type Flushing = Extract<MemoryQueueState, { name: "Flushing" }>;

/** Re-arms the state timeout after staying (the FSM kit arms it only on entering a state). */
export function rearm(ms: number): QueueEffect {
  return { type: "startTimer", key: STATE_TIMEOUT_KEY, msg: { type: "StateTimeout" }, ms };
}

function toFlushing(
  data: QueueData,
  error: FailedCreationJob["error"],
  reason: string,
  extra: QueueEffect[],
): QueueStep {
  return {
    next: { name: "Flushing", data, error, reason, activeDuringFlush: false },
    effects: [
      ...extra,
      {
        type: "startTimer",
        key: FLUSH_TIMER,
        msg: { type: "FlushTick" },
        ms: data.ctx.config.flushGraceMs,
        repeat: true,
      },
    ],
  };
}

/** A creation failed for good while Running: flush when no container serves the queue. */
function onFailedCreation(state: MemoryQueueState, msg: FailedCreationJob): QueueStep {
  const [data, ended] = onCreationEnded(state.data, msg.creationId);
  if (data.containers.size > 0) return stay(state, data, ended);
  const [flushed, effects] = isWhiskError(msg.error)
    ? [data, []]
    : completeAll(data, { statusCode: 2, message: msg.reason });
  return toFlushing(flushed, msg.error, msg.reason, [...ended, ...effects]);
}

/** Running: idle detection and creation failures. */
export function running(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
): QueueStep | undefined {
  const data = state.data;
  switch (msg.type) {
    case "StateTimeout": {
      const busy = data.queue.size > 0 || data.containers.size + inProgressCount(data) > 0;
      if (busy) return stay(state, data, [rearm(data.ctx.config.idleGraceMs)]);
      return goto("Idle", data, stopWorkers());
    }
    case "FailedCreationJob":
      return onFailedCreation(state, msg);
    default:
      return undefined;
  }
}

/** NamespaceThrottled: refuse new work when nothing could ever serve it. */
export function namespaceThrottled(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
  now: number,
): QueueStep | undefined {
  if (msg.type !== "ActivationMessage") return undefined;
  const data = state.data;
  if (data.containers.size + inProgressCount(data) > 0) return deliverOrEnqueue(state, msg, now);
  return stay(state, data, [{ type: "complete", msg, ending: tooManyRequests(data) }]);
}

/** ActionThrottled: refuse new work until fetches bring the queue below the fraction. */
export function actionThrottled(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
): QueueStep | undefined {
  if (msg.type !== "ActivationMessage") return undefined;
  return stay(state, state.data, [{
    type: "complete",
    msg,
    ending: tooManyRequests(state.data),
  }]);
}

function flushEnding(state: Flushing): ErrorEnding {
  return { statusCode: isWhiskError(state.error) ? 3 : 2, message: state.reason };
}

/** Leaves Flushing for Removed, giving up the keys (`leaveKeys`: a newer revision owns them). */
function flushDone(data: QueueData, effects: QueueEffect[], leaveKeys: boolean): QueueStep {
  return removed(data, leaveKeys, [
    ...effects,
    { type: "cancelTimer", key: FLUSH_TIMER },
    ...stopWorkers(),
    ...unwatchAll(data.ctx.keys),
    ...(leaveKeys ? [] : unregisterKeys(data)),
    queueRemoved(data.ctx, !leaveKeys),
  ]);
}

/** Flushing: no container can be created; keep (whisk error) or refuse (developer error) work. */
export function flushing(
  state: Flushing,
  msg: MemoryQueueMessage,
  now: number,
): QueueStep | undefined {
  const data = state.data;
  switch (msg.type) {
    case "SuccessfulCreationJob": {
      const [next, counted] = onCreationSucceeded(data, msg.creationId);
      return goto("Running", next, [...counted, { type: "cancelTimer", key: FLUSH_TIMER }]);
    }
    case "FailedCreationJob": {
      const [next, ended] = onCreationEnded(data, msg.creationId);
      if (msg.error === "InvalidActionLimitError") {
        const [emptied, effects] = completeAll(next, { statusCode: 2, message: state.reason });
        return flushDone(emptied, [...ended, ...effects], false);
      }
      return {
        next: { ...state, data: next, error: msg.error, reason: msg.reason },
        effects: ended,
      };
    }
    case "ActivationMessage": {
      const active = { ...state, activeDuringFlush: true };
      if (isWhiskError(state.error)) return deliverOrEnqueue(active, msg, now);
      return {
        next: active,
        effects: [{ type: "complete", msg, ending: flushEnding(state) }],
      };
    }
    case "FlushTick":
    case "DropTick": {
      const [next, effects] = expireOld(data, now, state.reason);
      if (state.activeDuringFlush || next.queue.size > 0) {
        return { next: { ...state, data: next, activeDuringFlush: false }, effects };
      }
      return flushDone(next, effects, false);
    }
    case "GracefulShutdown": {
      const [emptied, effects] = completeAll(data, flushEnding(state));
      return flushDone(emptied, effects, false);
    }
    case "StopSchedulingAsOutdated": {
      // Reference §9.7: the new revision's queue uses the same leader and throttle keys.
      const [emptied, effects] = completeAll(data, flushEnding(state));
      return flushDone(emptied, effects, true);
    }
    default:
      return undefined;
  }
}
