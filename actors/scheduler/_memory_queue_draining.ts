/**
 * The MemoryQueue's ending phase: Idle, Removing and Removed (reference §4.1 transition
 * table). Each function answers the messages its state treats specially and returns
 * `undefined` for the rest (the shared handler takes them).
 *
 * @module
 */

import { deliverOrEnqueue, drainQueue, releasePolls } from "./_memory_queue_common.ts";
import {
  forwardToParent,
  goto,
  type MemoryQueueMessage,
  type MemoryQueueState,
  type QueueEffect,
  queueRemoved,
  type QueueStep,
  removed,
  sameAction,
  startWorkers,
  stay,
  stopWorkers,
  unregisterKeys,
  unwatchAll,
} from "./_memory_queue_model.ts";
import { rearm } from "./_memory_queue_running.ts";

type Removing = Extract<MemoryQueueState, { name: "Removing" }>;
type Removed = Extract<MemoryQueueState, { name: "Removed" }>;

/** Idle: no work and no containers; wake on an activation, end after stop-grace. */
export function idle(
  state: MemoryQueueState,
  msg: MemoryQueueMessage,
  now: number,
): QueueStep | undefined {
  const data = state.data;
  const { ctx } = data;
  switch (msg.type) {
    case "ActivationMessage": {
      const step = deliverOrEnqueue(goto("Running", data).next, msg, now);
      return { next: step.next, effects: [...startWorkers(ctx), ...step.effects] };
    }
    case "GetActivation":
      return stay(state, data, [{
        type: "send",
        to: msg.replyTo,
        msg: sameAction(ctx, msg.action, msg.revision)
          ? { type: "NoActivation" }
          : { type: "ActionMismatch" },
      }]);
    case "StateTimeout":
    case "GracefulShutdown":
      return removed(data, false, [
        ...unwatchAll(ctx.keys),
        ...unregisterKeys(data),
        queueRemoved(ctx, true),
      ]);
    case "StopSchedulingAsOutdated":
      return removed(data, true, [
        ...unwatchAll(ctx.keys),
        queueRemoved(ctx, false),
        { type: "deleteContainers" },
      ]);
    default:
      return undefined;
  }
}

/** Removing ends once the queue is empty: parked polls are answered, ticks and watches stop. */
function finishRemoving(state: Removing): QueueStep {
  const [released, effects] = releasePolls(state.data);
  return removed(released, state.outdated, [
    ...effects,
    ...stopWorkers(),
    ...unwatchAll(state.data.ctx.keys),
    ...(state.outdated ? [{ type: "deleteContainers" } as const] : []),
  ]);
}

/** Removing: keep serving until the queue is empty. */
export function removing(state: Removing, msg: MemoryQueueMessage): QueueStep | undefined {
  const data = state.data;
  switch (msg.type) {
    case "QueueRemovedCompleted":
    case "StateTimeout":
    case "GracefulShutdown": {
      if (data.queue.size === 0) return finishRemoving(state);
      const again: QueueEffect[] = msg.type === "StateTimeout"
        ? [rearm(data.ctx.config.gracefulShutdownTimeoutMs)]
        : [];
      return { next: state, effects: again };
    }
    case "StopSchedulingAsOutdated": {
      const [drained, forwarded] = data.containers.size === 0 ? drainQueue(data) : [data, []];
      return {
        next: { name: "Removing", data: drained, outdated: true },
        effects: [queueRemoved(data.ctx, false), ...forwardToParent(data.ctx, forwarded)],
      };
    }
    default:
      return undefined;
  }
}

/** Removed: hand everything to the parent and stop once it has dropped the queue. */
export function removedState(
  state: Removed,
  msg: MemoryQueueMessage,
): QueueStep | undefined {
  const data = state.data;
  const { ctx } = data;
  switch (msg.type) {
    case "ActivationMessage":
      return stay(state, data, forwardToParent(ctx, [msg]));
    case "GetActivation": {
      if (!sameAction(ctx, msg.action, msg.revision)) {
        return stay(state, data, [{
          type: "send",
          to: msg.replyTo,
          msg: { type: "ActionMismatch" },
        }]);
      }
      const [drained, forwarded] = drainQueue(data);
      return stay(state, drained, [
        ...forwardToParent(ctx, forwarded),
        { type: "send", to: msg.replyTo, msg: { type: "NoMemoryQueue" } },
      ]);
    }
    case "QueueRemovedCompleted":
      return stay(state, data, [{ type: "stop" }]);
    case "StateTimeout":
      return stay(state, data, [queueRemoved(ctx, !state.outdated, true), { type: "stop" }]);
    case "CancelPoll":
    case "GetState":
      return undefined;
    default:
      // Ticks, watch events, creation outcomes, shutdown and outdating: nothing left to do.
      return stay(state, data);
  }
}
