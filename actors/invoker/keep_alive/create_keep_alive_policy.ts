/**
 * Builds a keep-alive policy from its configuration name (`containerPool.keepAlivePolicy`).
 *
 * Mirrors no upstream file: upstream has only the fixed keep-alive.
 *
 * @module
 */

import type { KeepAlivePolicy, KeepAlivePolicyName } from "./keep_alive_policy.ts";
import { createGreedyDualPolicy } from "./greedy_dual_policy.ts";
import { createLruPolicy } from "./lru_policy.ts";
import { createTtlPolicy, type TtlPolicyOptions } from "./ttl_policy.ts";

/** Options of {@link createKeepAlivePolicy}; `ttlMs` applies to `ttl` only. */
export type KeepAlivePolicyOptions = TtlPolicyOptions;

/**
 * A fresh policy instance for `name` (one per pool or simulation run).
 *
 * @example
 * ```ts
 * import { createKeepAlivePolicy } from "./create_keep_alive_policy.ts";
 * console.assert(createKeepAlivePolicy("lru").name === "lru");
 * ```
 */
export function createKeepAlivePolicy(
  name: KeepAlivePolicyName,
  options: KeepAlivePolicyOptions = {},
): KeepAlivePolicy {
  switch (name) {
    case "ttl":
      return createTtlPolicy(options);
    case "lru":
      return createLruPolicy();
    case "greedy-dual":
      return createGreedyDualPolicy();
    default:
      return name satisfies never;
  }
}
