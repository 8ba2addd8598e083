/**
 * The pool's memory accounting and container choice: free and evictable memory (never
 * overprovisioned: starting containers hold reservations, and free memory is bounded
 * by the host's usable memory last read), the memory report, the paused-container
 * match, `takeContainer`, the eviction policy seam, and which busy containers to ask to
 * pause early when memory runs out (ours: upstream waits out the pause grace).
 *
 * Mirrors `memoryConsumptionOf`, `takeWarmedContainer`, `takeContainer` and
 * `removeUnusedContainer` of `core/invoker/.../v2/FunctionPullingContainerPool.scala`;
 * differences: free memory is also bounded by the host (`hostUsableMb` minus the
 * reservations of containers still starting, which the host cannot see yet),
 * containers told to shut down keep counting until they are gone, and the victims come
 * from the pool's keep-alive policy (`ttl` keeps upstream's oldest-first order).
 *
 * @module
 */

import type { ContainerCreationMessage } from "../../protocols/container.ts";
import type { MemoryInfo } from "../../protocols/invoker_health_manager.ts";
import type { WhiskAction } from "../../protocols/whisk_action.ts";
import type {
  EvictionPolicy,
  PausedCandidate,
  PoolConfig,
  PoolState,
  ProxyId,
} from "./function_pulling_container_pool_state.ts";

const total = (record: Readonly<Record<string, { readonly memoryMb: number }>>) =>
  Object.values(record).reduce((sum, e) => sum + e.memoryMb, 0);

/** Memory held by every live, non-prewarm container (prewarms do not count, as upstream). */
export function usedMemory(state: PoolState): number {
  return total(state.inProgress) + total(state.busy) + total(state.paused) +
    total(state.disabling);
}

/** Memory of paused containers: what eviction can free. */
export function deletableMemory(state: PoolState): number {
  return total(state.paused);
}

/** What the host can still give, minus reservations it cannot see yet; unbounded when unknown. */
export function hostHeadroom(state: PoolState): number {
  if (state.hostUsableMb === undefined) return Number.POSITIVE_INFINITY;
  return state.hostUsableMb - total(state.inProgress) - total(state.prewarmStarting);
}

/** Memory free for a new container without evicting anything (may be negative). */
export function freeMemory(state: PoolState, userMemoryMb: number): number {
  return Math.min(userMemoryMb - usedMemory(state), hostHeadroom(state));
}

/** The report to the health manager: paused memory counts as free (it is evictable). */
export function memoryInfo(state: PoolState, userMemoryMb: number): MemoryInfo {
  return {
    type: "MemoryInfo",
    freeMemory: Math.max(0, freeMemory(state, userMemoryMb) + deletableMemory(state)),
    busyMemory: total(state.busy) + total(state.disabling),
    inProgressMemory: total(state.inProgress),
  };
}

/**
 * Busy containers to ask to pause as soon as they are idle (`PauseWhenIdle`) so that
 * `requiredMb` becomes free or evictable: the longest-serving first, until their memory
 * covers what free and paused memory lack. A container with work keeps it (its next
 * activation cancels the request); an idle one pauses within a long poll instead of the
 * pause grace, and its memory is then reported free.
 */
export function pauseCandidates(
  state: PoolState,
  requiredMb: number,
  userMemoryMb: number,
): ProxyId[] {
  let short = requiredMb - freeMemory(state, userMemoryMb) - deletableMemory(state);
  const busy = Object.entries(state.busy)
    .sort(([a, x], [b, y]) => (x.since ?? 0) - (y.since ?? 0) || a.localeCompare(b));
  const chosen: ProxyId[] = [];
  for (const [id, entry] of busy) {
    if (short <= 0) break;
    chosen.push(id);
    short -= entry.memoryMb;
  }
  return chosen;
}

/**
 * The default eviction policy: oldest `lastUsed` first until `neededMb` is covered.
 *
 * @example
 * ```ts
 * import { oldestFirst } from "./function_pulling_container_pool_memory.ts";
 * const paused = [
 *   { id: "a", action: "guest/x", memoryMb: 256, lastUsed: 5 },
 *   { id: "b", action: "guest/y", memoryMb: 256, lastUsed: 1 },
 * ];
 * console.assert(oldestFirst(paused, 200, 10)?.join() === "b");
 * ```
 */
export const oldestFirst: EvictionPolicy = (paused, neededMb) => {
  const chosen: ProxyId[] = [];
  let freed = 0;
  for (const c of [...paused].sort((a, b) => a.lastUsed - b.lastUsed || a.id.localeCompare(b.id))) {
    if (freed >= neededMb) break;
    chosen.push(c.id);
    freed += c.memoryMb;
  }
  return freed >= neededMb ? chosen : undefined;
};

/**
 * The keep-alive policy's key of the action a container serves:
 * `invocationNamespace/namespace/name@revision`.
 */
export function actionKeyOf(
  data: {
    readonly invocationNamespace: string;
    readonly action: { readonly namespace: string; readonly name: string };
    readonly revision: string;
  },
): string {
  return `${data.invocationNamespace}/${data.action.namespace}/${data.action.name}@${data.revision}`;
}

/** Paused containers as eviction candidates. */
export function pausedCandidates(state: PoolState): PausedCandidate[] {
  return Object.entries(state.paused).map(([id, e]) => ({
    id,
    action: actionKeyOf(e.data),
    memoryMb: e.memoryMb,
    lastUsed: e.data.lastUsed,
  }));
}

/** Whether an action document is the one a creation or deletion message names. */
export function sameAction(
  data: {
    readonly invocationNamespace: string;
    readonly action: { namespace: string; name: string };
  },
  msg: { readonly invocationNamespace: string; readonly action: { path: string; name: string } },
): boolean {
  return data.invocationNamespace === msg.invocationNamespace &&
    data.action.namespace === msg.action.path && data.action.name === msg.action.name;
}

/**
 * A paused container of the same invocation namespace, action and revision (upstream
 * `takeWarmedContainer`): the most recently used one.
 */
export function takePausedContainer(
  state: PoolState,
  msg: ContainerCreationMessage,
): ProxyId | undefined {
  const matches = Object.entries(state.paused)
    .filter(([, e]) => sameAction(e.data, msg) && e.data.revision === msg.revision)
    .sort(([, a], [, b]) => b.data.lastUsed - a.data.lastUsed);
  return matches[0]?.[0];
}

/**
 * The policy's victims, kept only when they are distinct paused containers that free
 * `neededMb` (a policy bug must not evict busy containers nor overcommit).
 */
function victims(
  state: PoolState,
  neededMb: number,
  config: PoolConfig,
  now: number,
): readonly ProxyId[] | undefined {
  const chosen = config.chooseVictims(pausedCandidates(state), neededMb, now);
  if (chosen === undefined) return undefined;
  const ids = [...new Set(chosen)].filter((id) => id in state.paused);
  const freed = ids.reduce((sum, id) => sum + state.paused[id]!.memoryMb, 0);
  return freed >= neededMb ? ids : undefined;
}

/** Where a creation goes when no paused container matches. */
export type Placement =
  | {
    readonly via: "prewarm";
    readonly id: ProxyId;
    readonly memoryMb: number;
    readonly evict: readonly ProxyId[];
  }
  | { readonly via: "cold"; readonly memoryMb: number; readonly evict: readonly ProxyId[] };

/**
 * Upstream `takeContainer`: nothing when the action needs more than free plus paused
 * memory; else the smallest matching prewarm (memory ≥ required and ≤ required, or
 * ≤ free + paused under promotion), else a cold start, evicting paused containers
 * through `config.chooseVictims` when free memory alone is short.
 */
export function takeContainer(
  state: PoolState,
  action: WhiskAction,
  config: PoolConfig,
  now: number,
): Placement | undefined {
  const required = action.limits.memory;
  const free = freeMemory(state, config.userMemoryMb);
  const reachable = free + deletableMemory(state);
  if (required > reachable) return undefined;
  const ceiling = config.prewarmPromotion ? reachable : required;
  const prewarm = Object.entries(state.prewarmed)
    .filter(([, p]) =>
      p.kind === action.exec.kind && p.memoryMb >= required && p.memoryMb <= ceiling
    )
    .sort(([, a], [, b]) => a.memoryMb - b.memoryMb)[0];
  const memoryMb = prewarm ? prewarm[1].memoryMb : required;
  const evict = memoryMb > free ? victims(state, memoryMb - free, config, now) : [];
  if (evict === undefined) return undefined;
  return prewarm
    ? { via: "prewarm", id: prewarm[0], memoryMb, evict }
    : { via: "cold", memoryMb, evict };
}
