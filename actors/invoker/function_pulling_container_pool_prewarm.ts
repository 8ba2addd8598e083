/**
 * The pool's stem cells: desired counts, backfill (`increasePrewarms`), paced starts,
 * and the scheduled adjustment that expires old prewarms.
 *
 * Mirrors `increasePrewarms`, `prewarmContainer`, `adjustPrewarmedContainer` and
 * `ContainerPool.increasePrewarms` of `core/invoker/.../v2/FunctionPullingContainerPool.scala`;
 * differences: a prewarm is not started while the host's headroom is below its memory.
 *
 * @module
 */

import type { PrewarmConfig } from "../../protocols/function_pulling_container_pool.ts";
import type { FsmEffect } from "../../runtime/actors/fsm.ts";
import { hostHeadroom } from "./function_pulling_container_pool_memory.ts";
import {
  allocateId,
  type PoolConfig,
  type PoolEffect,
  type PoolState,
  type PrewarmEntry,
  prewarmKey,
  withEntry,
} from "./function_pulling_container_pool_state.ts";

/** Why prewarms are being counted. */
export type BackfillMode = "init" | "scheduled" | "backfill";

/** A pure step of the pool: the next state and the effects. */
export interface PoolStep<M> {
  readonly state: PoolState;
  readonly effects: readonly (PoolEffect | FsmEffect<M>)[];
}

/**
 * How many prewarms of a config the pool wants: `initialCount` at start; on a scheduled
 * run of a reactive config `clamp(minCount, ⌊coldStarts / threshold⌋ × increment,
 * maxCount)` when there were cold starts, else `minCount`; on a backfill `minCount` for
 * reactive configs, else `initialCount`.
 */
export function desiredCount(
  config: PrewarmConfig,
  mode: BackfillMode,
  coldStarts: number,
): number {
  const reactive = config.reactive;
  if (mode === "init" || !reactive) return config.initialCount;
  if (mode === "backfill" || coldStarts === 0) return reactive.minCount;
  const wanted = Math.floor(coldStarts / reactive.threshold) * reactive.increment;
  return Math.min(reactive.maxCount, Math.max(reactive.minCount, wanted));
}

/** Ready + starting + queued prewarms of one (kind, memory). */
export function currentCount(state: PoolState, kind: string, memoryMb: number): number {
  const same = (p: PrewarmEntry) => p.kind === kind && p.memoryMb === memoryMb;
  return Object.values(state.prewarmed).filter(same).length +
    Object.values(state.prewarmStarting).filter(same).length +
    state.prewarmQueue.filter(same).length;
}

/** Starts one prewarm now (a new proxy told `Start`), unless the host lacks the memory. */
export function startPrewarm<M>(
  state: PoolState,
  entry: PrewarmEntry,
  ttlMs?: number,
): PoolStep<M> {
  if (hostHeadroom(state) < entry.memoryMb) return { state, effects: [] };
  const [id, next] = allocateId(state);
  const command = {
    type: "Start" as const,
    kind: entry.kind,
    memoryMb: entry.memoryMb,
    ...(ttlMs === undefined ? {} : { ttlMs }),
  };
  return {
    state: { ...next, prewarmStarting: withEntry(next.prewarmStarting, id, entry) },
    effects: [{ type: "SpawnProxy", id, command }],
  };
}

/**
 * Brings every config (or only those matching `only`) up to its desired count. Skipped
 * (except at init) while the prewarm failure count exceeds the retry limit. With a
 * creation config the prewarms are queued for the pacing tick.
 */
export function increasePrewarms<M>(
  state: PoolState,
  config: PoolConfig,
  mode: BackfillMode,
  only?: { readonly kind: string; readonly memoryMb: number },
): PoolStep<M> {
  if (mode !== "init" && state.prewarmFailures > config.prewarmMaxRetryLimit) {
    return { state, effects: [] };
  }
  let current = state;
  const effects: (PoolEffect | FsmEffect<M>)[] = [];
  for (const cell of config.prewarm) {
    if (only && (only.kind !== cell.kind || only.memoryMb !== cell.memoryMb)) continue;
    const cold = state.coldStarts[prewarmKey(cell.kind, cell.memoryMb)] ?? 0;
    const missing = desiredCount(cell, mode, cold) -
      currentCount(current, cell.kind, cell.memoryMb);
    for (let i = 0; i < missing; i++) {
      const entry: PrewarmEntry = { kind: cell.kind, memoryMb: cell.memoryMb };
      if (config.prewarmCreation) {
        current = { ...current, prewarmQueue: [...current.prewarmQueue, entry] };
        continue;
      }
      const step = startPrewarm<M>(current, entry, cell.reactive?.ttlMs);
      current = step.state;
      effects.push(...step.effects);
    }
  }
  return { state: current, effects };
}

/** The pacing tick: starts up to `maxConcurrent` queued prewarms. */
export function startQueuedPrewarms<M>(state: PoolState, config: PoolConfig): PoolStep<M> {
  const limit = config.prewarmCreation?.maxConcurrent ?? state.prewarmQueue.length;
  let current: PoolState = { ...state, prewarmQueue: state.prewarmQueue.slice(limit) };
  const effects: (PoolEffect | FsmEffect<M>)[] = [];
  for (const entry of state.prewarmQueue.slice(0, limit)) {
    const ttl = config.prewarm.find((c) => c.kind === entry.kind && c.memoryMb === entry.memoryMb)
      ?.reactive?.ttlMs;
    const step = startPrewarm<M>(current, entry, ttl);
    current = step.state;
    effects.push(...step.effects);
  }
  return { state: current, effects };
}

/**
 * The adjustment: reset the failure count, remove at most `prewarmExpirationLimit`
 * expired prewarms, backfill (scheduled counts when `scheduled`), reset cold starts.
 */
export function adjustPrewarms<M>(
  state: PoolState,
  config: PoolConfig,
  now: number,
  scheduled: boolean,
): PoolStep<M> {
  const expired = Object.entries(state.prewarmed)
    .filter(([, p]) => p.expiresAt !== undefined && p.expiresAt <= now)
    .slice(0, config.prewarmExpirationLimit)
    .map(([id]) => id);
  let current: PoolState = { ...state, prewarmFailures: 0 };
  const effects: (PoolEffect | FsmEffect<M>)[] = [];
  for (const id of expired) {
    const { [id]: _gone, ...prewarmed } = current.prewarmed;
    current = { ...current, prewarmed, removing: { ...current.removing, [id]: true } };
    effects.push({ type: "TellProxy", id, command: { type: "Remove" } });
  }
  const step = increasePrewarms<M>(current, config, scheduled ? "scheduled" : "backfill");
  return { state: { ...step.state, coldStarts: {} }, effects: [...effects, ...step.effects] };
}

/** Whether any config is reactive (only then is the adjustment scheduled). */
export function hasReactiveConfig(config: PoolConfig): boolean {
  return config.prewarm.some((c) => c.reactive !== undefined);
}
