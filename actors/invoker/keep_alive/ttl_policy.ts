/**
 * The `ttl` keep-alive policy: upstream's behaviour. An idle container is removed a
 * fixed time after it last finished work (10 min by default), and when memory is short
 * paused containers are evicted oldest `lastUsed` first (ties by id).
 *
 * Mirrors the proxy's idle timeout (`container-proxy.timeouts.keeping-duration`) and the
 * eviction order of `removeUnusedContainer` in
 * `core/invoker/.../v2/FunctionPullingContainerPool.scala`; differences: none in the rule.
 *
 * @module
 */

import {
  type KeepAliveContainer,
  type KeepAlivePolicy,
  UPSTREAM_KEEP_ALIVE_MS,
} from "./keep_alive_policy.ts";
import { byLastUsed, pickVictims } from "./_victims.ts";

/** Options of {@link createTtlPolicy}. */
export interface TtlPolicyOptions {
  /** Idle time after which a container is removed (ms); upstream's 10 min by default. */
  readonly ttlMs?: number;
}

/**
 * Creates the fixed keep-alive policy.
 *
 * @example
 * ```ts
 * import { createTtlPolicy } from "./ttl_policy.ts";
 * const ttl = createTtlPolicy({ ttlMs: 1_000 });
 * const c = { id: "c1", action: "a", memoryMb: 256, lastUsed: 5_000 };
 * console.assert(ttl.keepAliveFor(c, 5_400) === 600);
 * ```
 */
export function createTtlPolicy(options: TtlPolicyOptions = {}): KeepAlivePolicy {
  const ttlMs = options.ttlMs ?? UPSTREAM_KEEP_ALIVE_MS;
  if (!(ttlMs >= 0)) throw new RangeError(`TTL must be ≥ 0 ms, received ${ttlMs}`);
  return {
    name: "ttl",
    onHit() {},
    onMiss() {},
    onRemoved() {},
    chooseVictims: (paused, neededMb) =>
      pickVictims(paused, neededMb, byLastUsed)?.chosen.map((c) => c.id),
    keepAliveFor: (container: KeepAliveContainer, now: number) =>
      Math.max(0, container.lastUsed + ttlMs - now),
  };
}
