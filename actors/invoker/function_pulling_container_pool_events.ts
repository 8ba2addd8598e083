/**
 * The pool's handling of its proxies' events: prewarms ready, containers initialized
 * or resumed (success ack), resume failures (retry elsewhere), creation failures
 * (error ack), pauses, and removals (memory freed, pending creation acked
 * `UnknownError`, held activations recorded, a crashed proxy's container destroyed,
 * prewarms backfilled).
 *
 * Mirrors the proxy-event cases of `receive` in
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { ContainerCreationError } from "../../protocols/container_manager.ts";
import type {
  ContainerCreationFailed,
  ContainerRemoved,
  FunctionPullingContainerProxyEvent,
} from "../../protocols/function_pulling_container_proxy.ts";
import { ack, create } from "./function_pulling_container_pool_create.ts";
import { increasePrewarms } from "./function_pulling_container_pool_prewarm.ts";
import { learnUsage, untrack } from "./function_pulling_container_pool_keep_alive.ts";
import {
  type Effects,
  forget,
  type PoolConfig,
  type PoolEffect,
  type PoolInput,
  type PoolState,
  type PoolTransitionStep,
  PROXY_INIT_FAILED,
  type ProxyId,
  stay,
  withEntry,
  without,
} from "./function_pulling_container_pool_state.ts";

/** Handles one event of proxy `id`. */
export function proxyEvent(
  state: PoolState,
  id: ProxyId,
  event: FunctionPullingContainerProxyEvent,
  config: PoolConfig,
  now: number,
): PoolTransitionStep {
  switch (event.type) {
    case "ReadyToWork": {
      const starting = state.prewarmStarting[id];
      if (!starting) return stay(state, [{ type: "unhandled" }]);
      const entry = {
        kind: starting.kind,
        memoryMb: starting.memoryMb,
        ...(event.data.expiresAt === undefined ? {} : { expiresAt: event.data.expiresAt }),
      };
      return stay({
        ...state,
        prewarmStarting: without(state.prewarmStarting, id),
        prewarmed: withEntry(state.prewarmed, id, entry),
        prewarmFailures: 0,
      });
    }
    case "Initialized":
    case "Resumed":
      return ready(state, id, event.data, config, now);
    case "ResumeFailed":
      return resumeFailed(state, id, config, now);
    case "ContainerCreationFailed":
      return creationFailed(state, id, event, config);
    case "ContainerIsPaused": {
      const busy = state.busy[id];
      if (!busy) return stay(state);
      const entry = { memoryMb: busy.memoryMb, data: event.data };
      const learnt = learnUsage(state, id, busy, entry, event.usage, now);
      return stay({
        ...learnt.next,
        busy: without(state.busy, id),
        paused: withEntry(state.paused, id, entry),
      }, learnt.effects);
    }
    case "ContainerRemoved":
      return removed(state, id, event, config, now);
  }
}

function ready(
  state: PoolState,
  id: ProxyId,
  data: Extract<FunctionPullingContainerProxyEvent, { type: "Initialized" | "Resumed" }>["data"],
  config: PoolConfig,
  now: number,
): PoolTransitionStep {
  const entry = state.inProgress[id];
  if (!entry) return stay(state, [{ type: "unhandled" }]);
  const startup = entry.startedAt === undefined ? {} : { startupMs: now - entry.startedAt };
  const next: PoolState = {
    ...state,
    inProgress: without(state.inProgress, id),
    busy: withEntry(state.busy, id, { memoryMb: entry.memoryMb, data, since: now, ...startup }),
  };
  return stay(next, entry.creation ? [ack(entry.creation, config)] : []);
}

function resumeFailed(
  state: PoolState,
  id: ProxyId,
  config: PoolConfig,
  now: number,
): PoolTransitionStep {
  const entry = state.inProgress[id];
  if (!entry) return stay(state);
  const next: PoolState = {
    ...state,
    inProgress: without(state.inProgress, id),
    disabling: withEntry(state.disabling, id, { memoryMb: entry.memoryMb }),
  };
  return entry.creation ? create(next, entry.creation, config, now) : stay(next);
}

const STARTUP_ERRORS: Readonly<Record<ContainerCreationFailed["reason"], ContainerCreationError>> =
  {
    WhiskContainerStartupError: "WhiskError",
    BlackboxStartupError: "BlackBoxError",
    Unknown: "WhiskError",
  };

function creationFailed(
  state: PoolState,
  id: ProxyId,
  event: ContainerCreationFailed,
  config: PoolConfig,
): PoolTransitionStep {
  const entry = state.inProgress[id];
  if (!entry?.creation) return stay(state);
  const reason = event.reason === "Unknown" ? "resource provision error" : event.message;
  const { creation: _acked, ...rest } = entry;
  return stay(
    { ...state, inProgress: withEntry(state.inProgress, id, rest) },
    [ack(entry.creation, config, { error: STARTUP_ERRORS[event.reason], reason })],
  );
}

function removed(
  state: PoolState,
  id: ProxyId,
  event: ContainerRemoved,
  config: PoolConfig,
  now: number,
): PoolTransitionStep {
  const forgotten = untrack(state, id, now);
  const effects: Effects = [...forgotten.effects];
  const pending = state.inProgress[id]?.creation;
  if (pending) {
    effects.push(ack(pending, config, { error: "UnknownError", reason: PROXY_INIT_FAILED }));
  }
  if (event.heldActivations.length > 0) {
    effects.push(storeRecords(event.heldActivations, event.crashedWith?.error));
  }
  if (event.crashedWith?.container) {
    effects.push({ type: "DestroyContainer", id, container: event.crashedWith.container });
  }
  const wasStarting = id in state.prewarmStarting;
  let next = forget(state, id);
  if (wasStarting) next = { ...next, prewarmFailures: next.prewarmFailures + 1 };
  if (!event.replacePrewarm) return stay(next, effects);
  const backfill = increasePrewarms<PoolInput>(next, config, "backfill");
  return stay(backfill.state, [...effects, ...backfill.effects]);
}

function storeRecords(activations: readonly ActivationMessage[], crash?: string): PoolEffect {
  const reason = crash === undefined
    ? "The container was removed before the activation completed."
    : `The container proxy failed: ${crash}`;
  return { type: "StoreRecords", activations, reason };
}
