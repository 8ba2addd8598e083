/**
 * The throttling flags the schedulers' queues publish in etcd, as the controller reads
 * them (pure): `whisk/throttling/<invNs>` (namespace) and `whisk/throttling/<invNs>/<action>`
 * (action), each `"true"` or `"false"`.
 *
 * Mirrors `checkThrottle` of `core/controller/.../loadBalancer/FPCPoolBalancer.scala`:
 * the action key decides when it exists, else the namespace key, else not throttled.
 * Differences: a value other than `"true"`/`"false"` is refused (logged) and counts as
 * absent.
 *
 * @module
 */
import {
  actionThrottlingKey,
  namespaceThrottlingKey,
  type WhiskAction,
} from "../../protocols/mod.ts";
import type { FamilyDecoder } from "./pool_balancer_view.ts";

/** Reads a flag value: `"true"` / `"false"`, anything else refused. */
export const throttleFlagDecoder: FamilyDecoder<boolean> = (_key, value) =>
  value === "true" ? true : value === "false" ? false : undefined;

/**
 * Whether `action`, invoked in `invocationNamespace`, is throttled by the flags.
 *
 * @example
 * ```ts
 * import { flagsThrottle } from "./entitlement_flags.ts";
 * const flags = new Map([["whisk/throttling/guest", true]]);
 * const action = { namespace: "guest", name: "hello" };
 * console.assert(flagsThrottle(flags, "guest", action, "whisk") === true);
 * ```
 */
export function flagsThrottle(
  flags: ReadonlyMap<string, boolean>,
  invocationNamespace: string,
  action: Pick<WhiskAction, "namespace" | "name">,
  cluster: string,
): boolean {
  const fqn = { path: action.namespace, name: action.name };
  const actionKey = actionThrottlingKey(invocationNamespace, fqn, cluster);
  const byAction = flags.get(actionKey);
  if (byAction !== undefined) return byAction;
  return flags.get(namespaceThrottlingKey(invocationNamespace, cluster)) ?? false;
}
