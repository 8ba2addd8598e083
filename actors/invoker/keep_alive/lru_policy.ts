/**
 * The `lru` keep-alive policy: keep every idle container while memory allows, and when
 * memory is short evict the least recently used paused containers first (ties by id).
 *
 * Mirrors the eviction order of `removeUnusedContainer` in
 * `core/invoker/.../v2/FunctionPullingContainerPool.scala`; differences: no timed removal
 * (FaasCache's LRU baseline).
 *
 * @module
 */

import type { KeepAlivePolicy } from "./keep_alive_policy.ts";
import { byLastUsed, pickVictims } from "./_victims.ts";

/**
 * Creates the least-recently-used policy.
 *
 * @example
 * ```ts
 * import { createLruPolicy } from "./lru_policy.ts";
 * const lru = createLruPolicy();
 * const paused = [
 *   { id: "new", action: "a", memoryMb: 256, lastUsed: 9 },
 *   { id: "old", action: "b", memoryMb: 256, lastUsed: 1 },
 * ];
 * console.assert(lru.chooseVictims(paused, 100, 10)?.[0] === "old");
 * ```
 */
export function createLruPolicy(): KeepAlivePolicy {
  return {
    name: "lru",
    onHit() {},
    onMiss() {},
    onRemoved() {},
    chooseVictims: (paused, neededMb) =>
      pickVictims(paused, neededMb, byLastUsed)?.chosen.map((c) => c.id),
    keepAliveFor: () => undefined,
  };
}
