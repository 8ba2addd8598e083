/**
 * The `greedy-dual` keep-alive policy: FaasCache's Greedy-Dual-Size-Frequency (Fuerst &
 * Sharma, ASPLOS'21). Idle containers never expire; when memory is short the paused
 * containers with the lowest priority go first:
 *
 * ```
 * priority(container) = stamp(action) + frequency(action) × (coldMs − warmMs) / memoryMb
 * ```
 *
 * - `stamp`: the policy's logical `clock` at the action's last call (hit or miss); all
 *   containers of one action share it, as FaasCache re-prices every clone on access.
 *   An action the policy has never seen is priced at the current clock.
 * - `clock`: starts at 0; each `chooseVictims` that returns victims raises it to the
 *   priority of the last (highest-priority) victim, so actions called since then
 *   outrank those that sat idle through evictions (Greedy-Dual's aging). It never falls.
 * - `frequency`: the action's invocations served by its live containers: +1 on every
 *   hit and miss, minus a container's own uses when it is removed (so 0 once the last
 *   container is gone).
 * - `coldMs − warmMs`: what a cold start costs over a warm run (init time), from the
 *   action's latest `onMiss`; never below 0.
 * - `memoryMb`: the container's size (at least 1 MB in the division).
 *
 * Ties: equal priorities go least recently used first (`lastUsed`), then by container
 * id compared by UTF-16 code units, so the choice is deterministic. Busy containers are
 * never victims. Priorities are computed when victims are chosen, from the current
 * frequency.
 *
 * Mirrors FaasCache's GD policy (the artifact aFuerst/faascache-sim `LambdaScheduler.py`
 * and aFuerst/openwhisk-caching's `ContainerPool`, as summarised in
 * `reference/performance.md` appendix B); differences: priorities are recomputed at
 * eviction time rather than stored at access time, and cold and warm times come from
 * the action's latest cold start.
 *
 * @module
 */

import type { KeepAliveContainer, KeepAlivePolicy } from "./keep_alive_policy.ts";
import { pickVictims } from "./_victims.ts";

/** What greedy-dual knows about one action. */
export interface GreedyDualActionRecord {
  /** When the action was last called (hit or miss), ms. */
  readonly lastCall: number;
  /** Invocations served by the action's live containers. */
  readonly frequency: number;
  readonly coldMs: number;
  readonly warmMs: number;
  readonly memoryMb: number;
  /** The clock at the action's last call: the stamp of all its containers. */
  readonly clockAtLastCall: number;
  /** Containers of the action created and not yet removed. */
  readonly live: number;
}

/** The greedy-dual policy, with read-only views for inspection and tests. */
export interface GreedyDualPolicy extends KeepAlivePolicy {
  readonly name: "greedy-dual";
  /** The logical clock (the priority of the last evicted container). */
  clock(): number;
  /** The container's current priority. */
  priority(container: KeepAliveContainer): number;
  /** The action's record, if any. */
  actionRecord(action: string): GreedyDualActionRecord | undefined;
}

/**
 * Creates a greedy-dual policy with its clock at 0.
 *
 * @example
 * ```ts
 * import { createGreedyDualPolicy } from "./greedy_dual_policy.ts";
 * const gd = createGreedyDualPolicy();
 * gd.onMiss({ action: "a", memoryMb: 100, coldMs: 1_100, warmMs: 100, containerId: "c1" }, 0);
 * const c1 = { id: "c1", action: "a", memoryMb: 100, lastUsed: 1_100 };
 * console.assert(gd.priority(c1) === 10); // 0 + 1 × (1100 − 100) / 100
 * ```
 */
export function createGreedyDualPolicy(): GreedyDualPolicy {
  let clock = 0;
  // Mutable inside; callers only ever see copies.
  const actions = new Map<string, Mutable<GreedyDualActionRecord>>();
  /** Uses served by each live container the policy knows by id. */
  const uses = new Map<string, number>();

  const called = (key: string, now: number, memoryMb: number) => {
    let record = actions.get(key);
    if (record === undefined) {
      record = {
        coldMs: 0,
        warmMs: 0,
        memoryMb,
        live: 0,
        frequency: 0,
        lastCall: now,
        clockAtLastCall: clock,
      };
      actions.set(key, record);
    }
    record.frequency++;
    record.lastCall = now;
    record.clockAtLastCall = clock;
    return record;
  };

  const priorityFrom = (record: GreedyDualActionRecord | undefined, c: KeepAliveContainer) => {
    if (record === undefined) return clock;
    const cost = Math.max(0, record.coldMs - record.warmMs);
    return record.clockAtLastCall + record.frequency * cost / Math.max(1, c.memoryMb);
  };
  const priority = (c: KeepAliveContainer) => priorityFrom(actions.get(c.action), c);

  return {
    name: "greedy-dual",
    clock: () => clock,
    priority,
    actionRecord: (action) => {
      const record = actions.get(action);
      return record === undefined ? undefined : { ...record };
    },
    onHit(container, now) {
      const record = called(container.action, now, container.memoryMb);
      record.live = Math.max(1, record.live);
      uses.set(container.id, (uses.get(container.id) ?? 0) + 1);
    },
    onMiss(stats, now) {
      const record = called(stats.action, now, stats.memoryMb);
      record.live++;
      record.coldMs = stats.coldMs;
      record.warmMs = stats.warmMs;
      record.memoryMb = stats.memoryMb;
      if (stats.containerId !== undefined) uses.set(stats.containerId, 1);
    },
    onRemoved(container) {
      const served = uses.get(container.id) ?? 0;
      uses.delete(container.id);
      const record = actions.get(container.action);
      if (record === undefined) return;
      record.live = Math.max(0, record.live - 1);
      record.frequency = record.live === 0 ? 0 : Math.max(0, record.frequency - served);
    },
    chooseVictims(paused, neededMb) {
      const victims = pickVictims(paused, neededMb, priority);
      if (victims?.lastPriority !== undefined) clock = Math.max(clock, victims.lastPriority);
      return victims?.chosen.map((c) => c.id);
    },
    keepAliveFor: () => undefined,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
