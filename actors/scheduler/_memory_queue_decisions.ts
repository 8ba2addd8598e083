/**
 * How the MemoryQueue turns a decision tick into action (reference §5.3): build the
 * `QueueSnapshot`, call the pure `decide()`, and apply every result kind (§9.6). Upstream
 * sends the snapshot to a SchedulingDecisionMaker actor; here the queue calls the
 * function on its own tick.
 *
 * @module
 */

import type { FailedCreationJob } from "../../protocols/container_manager.ts";
import {
  type DecisionResults,
  PAUSING_CREATION_ID,
  PAUSING_REASON,
} from "../../protocols/scheduling_decision_maker.ts";
import {
  countStaleActivations,
  decide,
  effectiveActionLimit,
} from "./scheduling_decision_maker.ts";
import { items } from "./memory_queue_fifo.ts";
import { completeAll, tooManyRequests } from "./_memory_queue_common.ts";
import {
  inProgressCount,
  mintCreations,
  namespaceInProgressCount,
} from "./_memory_queue_creations.ts";
import {
  goto,
  type MemoryQueueState,
  type NamespaceLimits,
  type QueueData,
  type QueueEffect,
  type QueueStep,
  stay,
} from "./_memory_queue_model.ts";

/** The decision tick's answer, or the `FailedCreationJob` a `Pausing` decision stands for. */
export type DecisionOutcome = QueueStep | FailedCreationJob;

/** What a decision tick yields: a step, or `Pausing` to apply to `state` (decision recorded). */
export type TickOutcome = QueueStep | {
  readonly pausing: FailedCreationJob;
  readonly state: MemoryQueueState;
};

/** `state` with `result` recorded as its latest decision at `now` (`Skip` is not recorded). */
export function recordDecision(
  state: MemoryQueueState,
  result: DecisionResults,
  now: number,
): MemoryQueueState {
  if (result.type === "Skip") return state;
  const lastDecision = "num" in result
    ? { type: result.type, num: result.num, at: now }
    : { type: result.type, at: now };
  return { ...state, data: { ...state.data, lastDecision } };
}

/**
 * Builds the snapshot, calls `decide()`, records the decision and applies it
 * (reference §5.3).
 */
export function onNamespaceLimits(
  state: MemoryQueueState,
  limits: NamespaceLimits,
  now: number,
): TickOutcome {
  const data = state.data;
  const { ctx } = data;
  if (state.name === "Uninitialized" || state.name === "Idle" || state.name === "Removed") {
    return stay(state, data);
  }
  const stale = countStaleActivations(
    [...items(data.queue)].map((e) => e.at),
    now,
    ctx.config.scheduling.staleThresholdMs,
  );
  const durations = data.durations;
  const result = decide({
    initialized: data.initialized,
    incomingMsgCount: 0,
    currentMsgCount: data.queue.size,
    existingContainerCount: data.containers.size,
    inProgressContainerCount: inProgressCount(data),
    staleActivationNum: stale,
    existingContainerCountInNamespace: data.namespaceContainers.size,
    inProgressContainerCountInNamespace: namespaceInProgressCount(data),
    averageDurationMs: durations.length === 0
      ? null
      : durations.reduce((a, b) => a + b, 0) / durations.length,
    namespaceLimit: limits.namespaceLimit,
    actionLimit: effectiveActionLimit(
      limits.namespaceLimit,
      ctx.metadata.limits.instances ?? limits.maxActionInstances,
    ),
    maxActionConcurrency: Math.max(1, ctx.metadata.limits.concurrency),
    stateName: state.name,
  }, ctx.config.scheduling);
  const recorded = recordDecision(state, result, now);
  const outcome = applyDecision(recorded, result);
  return "type" in outcome ? { pausing: outcome, state: recorded } : outcome;
}

/**
 * Mints `num` creation ids, counted as in progress from now on, and the effect that asks
 * for them (none for `num` ≤ 0).
 */
function create(state: MemoryQueueState, num: number): [QueueData, QueueEffect[]] {
  const [data, creationIds] = mintCreations(state.data, num);
  return [data, creationIds.length > 0 ? [{ type: "createContainers", creationIds }] : []];
}

/** Applies a decision; every kind is handled (reference §9.6). */
export function applyDecision(state: MemoryQueueState, result: DecisionResults): DecisionOutcome {
  const { keys } = state.data.ctx;
  switch (result.type) {
    case "AddInitialContainer": {
      const [data, creating] = create(state, result.num);
      return stay(state, { ...data, initialized: true }, creating);
    }
    case "AddContainer":
      return stay(state, ...create(state, result.num));
    case "EnableNamespaceThrottling": {
      const [data, creating] = create(state, result.num);
      if (state.name !== "Running") return stay(state, data, creating);
      const [emptied, dropped] = result.dropMsg
        ? completeAll(data, tooManyRequests(data))
        : [data, []];
      return goto("NamespaceThrottled", { ...emptied, holdsNamespaceThrottle: true }, [
        ...creating,
        ...dropped,
        { type: "registerData", key: keys.namespaceThrottling, value: "true" },
      ]);
    }
    case "DisableNamespaceThrottling": {
      const [data, creating] = create(state, result.num);
      if (state.name !== "NamespaceThrottled") return stay(state, data, creating);
      return goto("Running", { ...data, holdsNamespaceThrottle: false }, [
        ...creating,
        { type: "registerData", key: keys.namespaceThrottling, value: "false" },
      ]);
    }
    case "Pausing":
      return {
        type: "FailedCreationJob",
        creationId: PAUSING_CREATION_ID,
        invocationNamespace: state.data.ctx.invocationNamespace,
        action: state.data.ctx.action,
        revision: state.data.ctx.revision,
        error: "ZeroNamespaceLimit",
        reason: PAUSING_REASON,
      };
    case "Skip":
      return stay(state, state.data);
    default:
      return result satisfies never;
  }
}
