/**
 * The pool's answer to a creation request: refuse while shutting down or for a
 * non-executable action, else resume a paused container of the same revision, else
 * promote a prewarm or cold-start (evicting paused containers when short), else ack
 * `ResourceNotEnoughError`; and the creation acks themselves.
 *
 * Mirrors the `CreationContainer` case and `sendAckToScheduler` of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`; differences:
 * the victims come from the keep-alive policy, which is told of each eviction.
 *
 * @module
 */

import type { ContainerCreationAckMessage } from "../../protocols/container.ts";
import {
  type ContainerCreationError,
  creationErrorMessage,
} from "../../protocols/container_manager.ts";
import type { Initialize } from "../../protocols/function_pulling_container_proxy.ts";
import {
  memoryInfo,
  pauseCandidates,
  takeContainer,
  takePausedContainer,
} from "./function_pulling_container_pool_memory.ts";
import { increasePrewarms } from "./function_pulling_container_pool_prewarm.ts";
import { untrack } from "./function_pulling_container_pool_keep_alive.ts";
import {
  allocateId,
  type Effects,
  type PendingCreation,
  type PoolConfig,
  type PoolEffect,
  type PoolInput,
  type PoolState,
  type PoolTransitionStep,
  prewarmKey,
  type ProxyId,
  type ReadonlyEffects,
  stay,
  withEntry,
  without,
} from "./function_pulling_container_pool_state.ts";

/** The creation ack for `creation`: success, or `error` with its reason. */
export function ack(
  creation: PendingCreation,
  config: PoolConfig,
  error?: { readonly error: ContainerCreationError; readonly reason?: string },
): PoolEffect {
  const m = creation.msg;
  const base = {
    type: "ContainerCreationAckMessage" as const,
    transid: m.transid,
    invocationNamespace: m.invocationNamespace,
    action: m.action,
    revision: m.revision,
    creationId: m.creationId,
    actionMetaData: m.whiskActionMetaData,
    rootInvokerIndex: config.invoker,
    schedulerHost: m.schedulerHost,
    rpcPort: m.rpcPort,
    retryCount: m.retryCount,
  };
  const message: ContainerCreationAckMessage = error
    ? {
      ...base,
      success: false,
      error: error.error,
      reason: error.reason ?? creationErrorMessage(error.error),
    }
    : { ...base, success: true };
  return { type: "SendAck", schedulerIndex: m.rootSchedulerIndex, ack: message };
}

function initializeFor(creation: PendingCreation): Initialize {
  const m = creation.msg;
  return {
    type: "Initialize",
    invocationNamespace: m.invocationNamespace,
    action: creation.action,
    revision: m.revision,
    schedulerHost: m.schedulerHost,
    rpcPort: m.rpcPort,
    tid: m.transid,
    creationId: m.creationId,
  };
}

/** Handles a creation request (also the retry after a resume failure) at `now`. */
export function create(
  state: PoolState,
  creation: PendingCreation,
  config: PoolConfig,
  now: number,
): PoolTransitionStep {
  if (state.name === "ShuttingDown") {
    return stay(state, [ack(creation, config, { error: "ShuttingDownError" })]);
  }
  if (creation.action.exec.kind === "sequence") {
    return stay(state, [ack(creation, config, { error: "NonExecutableActionError" })]);
  }
  const pausedId = takePausedContainer(state, creation.msg);
  if (pausedId !== undefined) {
    const entry = state.paused[pausedId]!;
    return stay({
      ...state,
      paused: without(state.paused, pausedId),
      inProgress: withEntry(state.inProgress, pausedId, {
        memoryMb: entry.memoryMb,
        via: "warm",
        creation,
      }),
    }, [{ type: "TellProxy", id: pausedId, command: initializeFor(creation) }]);
  }
  const placement = takeContainer(state, creation.action, config, now);
  if (!placement) {
    return stay(state, [
      ack(creation, config, { error: "ResourceNotEnoughError" }),
      { type: "ReportMemory", info: memoryInfo(state, config.userMemoryMb) },
      ...pauseSoon(state, creation.action.limits.memory, config),
    ]);
  }
  const evicted = evict(state, placement.evict, now);
  const step = placement.via === "prewarm"
    ? promote(evicted.next, placement.id, creation, config, evicted.effects, now)
    : coldStart(evicted.next, placement.memoryMb, creation, evicted.effects, now);
  // Keep room for one more container of this size: the scheduler only sends a creation
  // to an invoker whose report shows the memory, and warm containers count as used.
  return {
    ...step,
    effects: [...step.effects, ...pauseSoon(step.next, placement.memoryMb, config)],
  };
}

/** `PauseWhenIdle` to the warm containers {@link pauseCandidates} picks for `requiredMb`. */
function pauseSoon(state: PoolState, requiredMb: number, config: PoolConfig): Effects {
  return pauseCandidates(state, requiredMb, config.userMemoryMb).map((id) => ({
    type: "TellProxy",
    id,
    command: { type: "PauseWhenIdle" },
  }));
}

function evict(state: PoolState, ids: readonly ProxyId[], now: number): PoolTransitionStep {
  let next = state;
  const effects: Effects = [];
  for (const id of ids) {
    const lastUsed = next.paused[id]?.data.lastUsed;
    const forgotten = untrack(next, id, now, lastUsed);
    next = {
      ...forgotten.next,
      paused: without(next.paused, id),
      removing: withEntry(next.removing, id, true as const),
    };
    effects.push(...forgotten.effects, { type: "TellProxy", id, command: { type: "Remove" } });
  }
  return { next, effects };
}

function promote(
  state: PoolState,
  id: ProxyId,
  creation: PendingCreation,
  config: PoolConfig,
  effects: ReadonlyEffects,
  now: number,
): PoolTransitionStep {
  const cell = state.prewarmed[id]!;
  const next: PoolState = {
    ...state,
    prewarmed: without(state.prewarmed, id),
    inProgress: withEntry(state.inProgress, id, {
      memoryMb: cell.memoryMb,
      via: "prewarm",
      creation,
      startedAt: now,
    }),
  };
  const backfill = increasePrewarms<PoolInput>(next, config, "backfill", cell);
  return stay(backfill.state, [
    ...effects,
    { type: "TellProxy", id, command: initializeFor(creation) },
    ...backfill.effects,
  ]);
}

function coldStart(
  state: PoolState,
  memoryMb: number,
  creation: PendingCreation,
  effects: ReadonlyEffects,
  now: number,
): PoolTransitionStep {
  const [id, allocated] = allocateId(state);
  const key = prewarmKey(creation.action.exec.kind, memoryMb);
  return stay({
    ...allocated,
    inProgress: withEntry(allocated.inProgress, id, {
      memoryMb,
      via: "cold",
      creation,
      startedAt: now,
    }),
    coldStarts: { ...allocated.coldStarts, [key]: (allocated.coldStarts[key] ?? 0) + 1 },
  }, [...effects, { type: "SpawnProxy", id, command: initializeFor(creation) }]);
}
