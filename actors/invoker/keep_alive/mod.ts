/**
 * Keep-alive policies for the invoker's container pool: `ttl` (upstream's fixed 10 min
 * and oldest-first eviction), `lru`, and `greedy-dual` (FaasCache's
 * Greedy-Dual-Size-Frequency), behind one clock-free interface.
 *
 * @module
 */

export {
  type ActionStats,
  KEEP_ALIVE_POLICY_NAMES,
  type KeepAliveContainer,
  type KeepAlivePolicy,
  type KeepAlivePolicyName,
  parseKeepAlivePolicyName,
  UPSTREAM_KEEP_ALIVE_MS,
} from "./keep_alive_policy.ts";
export { createTtlPolicy, type TtlPolicyOptions } from "./ttl_policy.ts";
export { createLruPolicy } from "./lru_policy.ts";
export {
  createGreedyDualPolicy,
  type GreedyDualActionRecord,
  type GreedyDualPolicy,
} from "./greedy_dual_policy.ts";
export { createKeepAlivePolicy, type KeepAlivePolicyOptions } from "./create_keep_alive_policy.ts";
