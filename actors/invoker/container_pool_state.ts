/**
 * The classic ContainerPool's pure state, its memory accounting and where a run goes:
 * a warm container of the same action with spare concurrency, a matching prewarm, a
 * cold start, or a cold start after evicting idle containers oldest first.
 *
 * Mirrors `freePool`/`busyPool`/`prewarmedPool`/`prewarmStartingPool`, `schedule`,
 * `takePrewarmContainer`, `hasPoolSpaceFor` and `remove` of
 * `core/invoker/.../containerpool/ContainerPool.scala`; differences: free and busy are
 * one map (capacity is computed from the activation count), the sets are keyed by an
 * id the pure FSM allocates, free memory is also bounded by the host's usable memory
 * minus the reservations of containers still starting (like the FunctionPullingContainerPool),
 * and eviction may also take prewarms of other kinds once no idle container is left.
 *
 * @module
 */

import type { ContainerPoolStateName } from "../../protocols/container_pool.ts";
import type { ContainerPoolPrewarmConfig } from "../../protocols/container_pool.ts";
import type {
  PreWarmedData,
  Run,
  WarmedData,
  WarmingColdData,
  WarmingData,
} from "../../protocols/container_proxy.ts";
import type { Container } from "../../protocols/container_runtime.ts";

/** A pool-local proxy id (`p1`, `p2`, ...), allocated by the FSM. */
export type ProxyId = string;

/** A container bound to an action: starting, running, idle or paused. */
export interface WarmEntry {
  readonly data: WarmingColdData | WarmingData | WarmedData;
  readonly memoryMb: number;
  /** Runs sent to it and not yet reported done (`NeedWork`). */
  readonly active: number;
  readonly paused: boolean;
}

/** A stem cell, ready (with its container) or starting. */
export interface PrewarmEntry {
  readonly kind: string;
  readonly memoryMb: number;
  readonly container?: Container;
}

/** Everything the pure pool remembers. */
export interface ContainerPoolState {
  readonly name: ContainerPoolStateName;
  readonly nextId: number;
  readonly warm: Readonly<Record<ProxyId, WarmEntry>>;
  readonly prewarmed: Readonly<Record<ProxyId, PrewarmEntry>>;
  readonly prewarmStarting: Readonly<Record<ProxyId, PrewarmEntry>>;
  /** Runs waiting for memory, oldest first. */
  readonly buffer: readonly Run[];
  /** The host's usable memory last read (MB); unbounded until the first read. */
  readonly hostUsableMb?: number;
  /** Prewarms that failed to start since the last one that did. */
  readonly prewarmFailures: number;
}

/** The pool's settings. Memory in MB, durations in ms. */
export interface ContainerPoolConfig {
  readonly userMemoryMb: number;
  readonly hostMemoryIntervalMs: number;
  readonly prewarm: readonly ContainerPoolPrewarmConfig[];
  /** Backfill stops after this many prewarm start failures in a row. */
  readonly prewarmMaxRetryLimit: number;
}

/** The state at spawn and after a restart. */
export const initialPoolState: ContainerPoolState = {
  name: "Booting",
  nextId: 1,
  warm: {},
  prewarmed: {},
  prewarmStarting: {},
  buffer: [],
  prewarmFailures: 0,
};

const total = (
  entries:
    | Readonly<Record<string, { readonly memoryMb: number }>>
    | readonly {
      readonly memoryMb: number;
    }[],
) => Object.values(entries).reduce((sum, e) => sum + e.memoryMb, 0);

/** Memory held by every container, starting ones included (never overprovision). */
export function usedMemory(state: ContainerPoolState): number {
  return total(state.warm) + total(state.prewarmed) + total(state.prewarmStarting);
}

/** Memory of containers still starting: the host cannot see it yet. */
export function reservedMemory(state: ContainerPoolState): number {
  const cold = Object.values(state.warm).filter((e) => e.data.type === "WarmingColdData");
  return total(cold) + total(state.prewarmStarting);
}

/** Memory free for a new container without evicting anything (may be negative). */
export function freeMemory(state: ContainerPoolState, config: ContainerPoolConfig): number {
  const host = state.hostUsableMb === undefined
    ? Number.POSITIVE_INFINITY
    : state.hostUsableMb - reservedMemory(state);
  return Math.min(config.userMemoryMb - usedMemory(state), host);
}

/** Numeric order of ids, so `p10` comes after `p9`. */
export function byId(a: ProxyId, b: ProxyId): number {
  return Number(a.slice(1)) - Number(b.slice(1));
}

/** The action's concurrency limit. */
export function maxConcurrent(run: Pick<Run, "action">): number {
  return Math.max(1, run.action.limits.concurrency);
}

/** Whether a container's data is bound to the run's invocation namespace and action. */
export function sameAction(data: WarmEntry["data"], run: Run): boolean {
  return data.invocationNamespace === run.msg.user.namespace.name &&
    data.action.namespace === run.action.namespace && data.action.name === run.action.name &&
    data.revision === run.msg.revision;
}

const WARM_ORDER: Readonly<Record<WarmEntry["data"]["type"], number>> = {
  WarmedData: 0,
  WarmingData: 1,
  WarmingColdData: 2,
};

/**
 * Upstream `schedule`: a container of the same action with spare concurrency; warmed
 * before warming before warming-cold, unpaused before paused, most recently used first.
 */
export function scheduleWarm(state: ContainerPoolState, run: Run): ProxyId | undefined {
  const rank = (e: WarmEntry) => WARM_ORDER[e.data.type] * 2 + (e.paused ? 1 : 0);
  return Object.entries(state.warm)
    .filter(([, e]) => sameAction(e.data, run) && e.active < maxConcurrent(run))
    .sort(([a, x], [b, y]) => rank(x) - rank(y) || y.data.lastUsed - x.data.lastUsed || byId(a, b))
    .map(([id]) => id)[0];
}

/** Upstream `takePrewarmContainer`: a ready prewarm of the action's kind and memory. */
export function matchingPrewarm(state: ContainerPoolState, run: Run): ProxyId | undefined {
  return Object.entries(state.prewarmed)
    .filter(([, p]) => p.kind === run.action.exec.kind && p.memoryMb === run.action.limits.memory)
    .map(([id]) => id)
    .sort(byId)[0];
}

/**
 * Upstream `remove`: idle containers (no run in flight), least recently used first,
 * then ready prewarms, until `neededMb` is covered; undefined when they cannot free it.
 */
export function chooseVictims(state: ContainerPoolState, neededMb: number): ProxyId[] | undefined {
  const idle = Object.entries(state.warm)
    .filter(([, e]) => e.active === 0 && e.data.type === "WarmedData")
    .sort(([a, x], [b, y]) => x.data.lastUsed - y.data.lastUsed || byId(a, b))
    .map(([id, e]) => ({ id, memoryMb: e.memoryMb }));
  const stems = Object.entries(state.prewarmed)
    .sort(([a], [b]) => byId(a, b))
    .map(([id, p]) => ({ id, memoryMb: p.memoryMb }));
  const chosen: ProxyId[] = [];
  let freed = 0;
  for (const c of [...idle, ...stems]) {
    if (freed >= neededMb) break;
    chosen.push(c.id);
    freed += c.memoryMb;
  }
  return freed >= neededMb ? chosen : undefined;
}

/** Where a run goes. */
export type Placement =
  | { readonly via: "warm"; readonly id: ProxyId }
  | { readonly via: "prewarm"; readonly id: ProxyId }
  | { readonly via: "cold"; readonly evict: readonly ProxyId[] };

/** Warm, then prewarm, then cold if memory allows, then cold after evicting; else nothing. */
export function placeRun(
  state: ContainerPoolState,
  run: Run,
  config: ContainerPoolConfig,
): Placement | undefined {
  const warm = scheduleWarm(state, run);
  if (warm !== undefined) return { via: "warm", id: warm };
  const prewarm = matchingPrewarm(state, run);
  if (prewarm !== undefined) return { via: "prewarm", id: prewarm };
  const required = run.action.limits.memory;
  const free = freeMemory(state, config);
  if (required <= free) return { via: "cold", evict: [] };
  const evict = chooseVictims(state, required - free);
  return evict === undefined ? undefined : { via: "cold", evict };
}

/** Drops `id` from `record` (a copy; the same object when absent). */
export function without<T>(record: Readonly<Record<ProxyId, T>>, id: ProxyId): Record<ProxyId, T> {
  if (!(id in record)) return record as Record<ProxyId, T>;
  const { [id]: _gone, ...rest } = record;
  return rest;
}

/** Forgets `id` in every set. */
export function forget(state: ContainerPoolState, id: ProxyId): ContainerPoolState {
  return {
    ...state,
    warm: without(state.warm, id),
    prewarmed: without(state.prewarmed, id),
    prewarmStarting: without(state.prewarmStarting, id),
  };
}

/** The ready prewarm data of an entry. */
export function prewarmEntry(data: PreWarmedData): PrewarmEntry {
  return { kind: data.kind, memoryMb: data.memoryMb, container: data.container };
}
