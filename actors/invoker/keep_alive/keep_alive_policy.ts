/**
 * The keep-alive policy seam of the invoker's container pool: which paused containers
 * to evict when memory is short, and how long an idle container may stay.
 *
 * Mirrors the eviction rule inside `takeContainer`/`removeUnusedContainer` of
 * `core/invoker/.../v2/FunctionPullingContainerPool.scala` (paused containers, oldest
 * `lastUsed` first) and the proxy's idle timeout (`container-proxy.timeouts.keeping-duration`,
 * 10 min); differences: the rule is a pluggable policy chosen by name (`ttl`, `lru`,
 * `greedy-dual`, after FaasCache, Fuerst & Sharma, ASPLOS'21).
 *
 * A policy is clock-free and does no I/O: every time comes in as an argument (ms since
 * the epoch, or any monotonic origin), and its answers depend only on its arguments and
 * on the calls it has seen. Policies with memory (greedy-dual) keep it inside the
 * instance, so one instance serves one pool (or one simulation run).
 *
 * @module
 */

/** The policy names accepted by configuration (`containerPool.keepAlivePolicy`). */
export const KEEP_ALIVE_POLICY_NAMES = ["ttl", "lru", "greedy-dual"] as const;

/** A keep-alive policy name. */
export type KeepAlivePolicyName = typeof KEEP_ALIVE_POLICY_NAMES[number];

/** Upstream's idle-container keep-alive (`container-proxy.timeouts.keeping-duration`). */
export const UPSTREAM_KEEP_ALIVE_MS = 600_000;

/** What a policy sees of one container. */
export interface KeepAliveContainer {
  /** The pool's id for the container (its proxy). */
  readonly id: string;
  /** The key of the action it runs (e.g. `invocationNamespace/ns/name@revision`). */
  readonly action: string;
  readonly memoryMb: number;
  /** When it last finished work (ms). */
  readonly lastUsed: number;
  /** A busy container is never a victim; omitted means idle (paused). */
  readonly busy?: boolean;
}

/** What a cold start tells the policy about an action. */
export interface ActionStats {
  /** The action key, as in {@link KeepAliveContainer.action}. */
  readonly action: string;
  readonly memoryMb: number;
  /** Time of a cold start: initialisation plus the first run (ms). */
  readonly coldMs: number;
  /** Time of a warm run (ms); the first run's time when nothing better is known. */
  readonly warmMs: number;
  /** The id of the container the cold start created, when known (greedy-dual stamps it). */
  readonly containerId?: string;
}

/**
 * A keep-alive policy. Call `onMiss` for every cold start, `onHit` for every reuse of
 * a warm container, `onRemoved` for every container that goes away (evicted, expired
 * or failed), `keepAliveFor` when a container becomes idle, and `chooseVictims` only
 * when the returned containers will really be evicted (greedy-dual raises its clock).
 */
export interface KeepAlivePolicy {
  readonly name: KeepAlivePolicyName;
  /** A warm container of `container.action` takes a request at `now`. */
  onHit(container: KeepAliveContainer, now: number): void;
  /** A cold start (init + first run) of `stats.action` at `now`. */
  onMiss(stats: ActionStats, now: number): void;
  /** A container is gone; the policy forgets it (greedy-dual counts live containers). */
  onRemoved(container: KeepAliveContainer, now: number): void;
  /**
   * The ids of paused containers to evict, in eviction order, to free at least
   * `neededMb`; `[]` when nothing is needed; `undefined` when the idle containers
   * cannot free enough (nothing should then be evicted). Busy containers are skipped.
   */
  chooseVictims(
    paused: readonly KeepAliveContainer[],
    neededMb: number,
    now: number,
  ): readonly string[] | undefined;
  /**
   * How long from `now` the idle container may stay before it is removed (ms, ≥ 0),
   * or `undefined`: keep it while memory allows.
   */
  keepAliveFor(container: KeepAliveContainer, now: number): number | undefined;
}

/**
 * Reads a policy name from configuration.
 *
 * @throws {TypeError} when the value is not one of `ttl`, `lru`, `greedy-dual`.
 * @example
 * ```ts
 * import { parseKeepAlivePolicyName } from "./keep_alive_policy.ts";
 * console.assert(parseKeepAlivePolicyName("greedy-dual") === "greedy-dual");
 * ```
 */
export function parseKeepAlivePolicyName(value: unknown): KeepAlivePolicyName {
  const found = KEEP_ALIVE_POLICY_NAMES.find((name) => name === value);
  if (found === undefined) {
    throw new TypeError(
      `Cannot parse keep-alive policy: expected one of ${
        KEEP_ALIVE_POLICY_NAMES.join(", ")
      }, received ${JSON.stringify(value)}`,
    );
  }
  return found;
}
