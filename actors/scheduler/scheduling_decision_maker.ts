/**
 * The SchedulingDecisionMaker: a pure function from a queue snapshot to how many
 * containers to create and whether to (un)throttle the namespace. Mirrors
 * `core/scheduler/.../queue/SchedulingDecisionMaker.scala` (`decide` and
 * `addServersIfPossible`), reference `openwhisk-fpc.md` §5.
 *
 * Differences from upstream:
 * - Not an actor: the MemoryQueue calls {@linkcode decide} on its tick, so there is no
 *   `recipient`, no future and no reply; `Skip` is simply a result the queue ignores.
 * - {@linkcode explainDecision} also names the table row that fired, for the queue's
 *   structured log (upstream writes a free-text line per branch).
 * - A malformed snapshot (a negative or fractional count, a concurrency below 1, a
 *   NaN duration) is a bug in the caller and throws `RangeError` instead of computing
 *   with it.
 *
 * The rows, in the order they are tried (reference §5.2):
 * - `0`: a limit ≤ 0 → `Pausing` (or `Skip` while Flushing).
 * - `2-*`: no capacity → enable throttling (Running), disable it (NamespaceThrottled
 *   with over-provision room), else skip.
 * - `3a`…`3i`: capacity left → the first matching row of the §5.2 step 3 table.
 *
 * @module
 */

import type {
  DecisionResults,
  QueueSnapshot,
  SchedulingDecisionConfig,
} from "../../protocols/scheduling_decision_maker.ts";

/** Which row of the reference §5.2 decision table produced a result. */
export type DecisionRule =
  | "0-limit-not-positive"
  | "2-enable-throttling"
  | "2-disable-throttling"
  | "2-skip"
  | "3a-initial-container"
  | "3b-namespace-throttled"
  | "3c-first-container-for-messages"
  | "3d-flushing-probe"
  | "3e-stale-without-duration"
  | "3f-throughput"
  | "3g-removing-stale-with-duration"
  | "3h-removing-stale-without-duration"
  | "3i-nothing-to-do";

/** A decision with the table row that produced it. */
export interface ExplainedDecision {
  readonly result: DecisionResults;
  readonly rule: DecisionRule;
}

/** Upstream's scheduling defaults (`whisk.scheduler.scheduling`). */
export const DEFAULT_SCHEDULING_DECISION_CONFIG: SchedulingDecisionConfig = {
  staleThresholdMs: 100,
  allowOverProvisionBeforeThrottle: false,
  namespaceOverProvisionBeforeThrottleRatio: 1.5,
};

/**
 * Decides what a queue should do on this tick (upstream `decide`).
 *
 * @param snapshot The queue's counts, limits and state right now.
 * @param config Stale threshold and over-provision settings.
 * @returns The decision; `Skip` means do nothing.
 * @throws {RangeError} When the snapshot or config holds an impossible value.
 *
 * @example
 * ```ts
 * import { decide, DEFAULT_SCHEDULING_DECISION_CONFIG } from "./scheduling_decision_maker.ts";
 * const result = decide({
 *   initialized: false, incomingMsgCount: 0, currentMsgCount: 0,
 *   existingContainerCount: 0, inProgressContainerCount: 0, staleActivationNum: 0,
 *   existingContainerCountInNamespace: 0, inProgressContainerCountInNamespace: 0,
 *   averageDurationMs: null, namespaceLimit: 10, actionLimit: 10, maxActionConcurrency: 1,
 *   stateName: "Running",
 * }, DEFAULT_SCHEDULING_DECISION_CONFIG);
 * // result: { type: "AddInitialContainer", num: 1 }
 * ```
 */
export function decide(
  snapshot: QueueSnapshot,
  config: SchedulingDecisionConfig,
): DecisionResults {
  return explainDecision(snapshot, config).result;
}

/** Like {@linkcode decide}, and also names the table row that fired. */
export function explainDecision(
  snapshot: QueueSnapshot,
  config: SchedulingDecisionConfig,
): ExplainedDecision {
  assertValidSnapshot(snapshot);
  assertValidConfig(config);
  const s = snapshot;
  if (Math.min(s.namespaceLimit, s.actionLimit) <= 0) {
    const result: DecisionResults = s.stateName === "Flushing" ? SKIP : { type: "Pausing" };
    return { result, rule: "0-limit-not-positive" };
  }
  const d = demandOf(s, config);
  return d.capacity <= 0 ? withoutCapacity(d) : withCapacity(d);
}

/** The derived quantities of reference §5.2 ("Definitions"). */
interface Demand {
  readonly s: QueueSnapshot;
  readonly config: SchedulingDecisionConfig;
  /** existing + inProgress of this action. */
  readonly total: number;
  /** queued + incoming activations. */
  readonly available: number;
  /** Containers the namespace limit still allows. */
  readonly nsCap: number;
  /** Containers the namespace may still add within the over-provision ratio. */
  readonly overCap: number;
  /** How many containers this tick may add (step 1). */
  readonly capacity: number;
}

function demandOf(s: QueueSnapshot, config: SchedulingDecisionConfig): Demand {
  const total = s.existingContainerCount + s.inProgressContainerCount;
  const nsUsed = s.existingContainerCountInNamespace + s.inProgressContainerCountInNamespace;
  const actionCap = s.actionLimit - total;
  const nsCap = s.namespaceLimit - nsUsed;
  const overCap = Math.ceil(s.namespaceLimit * config.namespaceOverProvisionBeforeThrottleRatio) -
    nsUsed;
  // With over-provisioning on, a queue with no container may always start exactly one
  // while the namespace is within `ratio × limit`, so one busy action cannot starve a new one.
  const capacity = config.allowOverProvisionBeforeThrottle && total === 0
    ? (overCap > 0 ? 1 : 0)
    : Math.min(nsCap, actionCap);
  const available = s.currentMsgCount + s.incomingMsgCount;
  return { s, config, total, available, nsCap, overCap, capacity };
}

/** Step 2: nothing can be added. */
function withoutCapacity(d: Demand): ExplainedDecision {
  const op = d.config.allowOverProvisionBeforeThrottle;
  if (d.s.stateName === "Running" && (!op || d.overCap <= 0)) {
    // With no container at all, queued activations could never run: drop them.
    return {
      result: { type: "EnableNamespaceThrottling", dropMsg: d.total === 0, num: 0 },
      rule: "2-enable-throttling",
    };
  }
  if (d.s.stateName === "NamespaceThrottled" && op && d.overCap > 0) {
    return { result: { type: "DisableNamespaceThrottling", num: 0 }, rule: "2-disable-throttling" };
  }
  return { result: SKIP, rule: "2-skip" };
}

/** Step 3: the first matching row of the table wins. */
function withCapacity(d: Demand): ExplainedDecision {
  const { s, total, available } = d;
  const state = s.stateName;
  const avg = s.averageDurationMs;
  const stale = s.staleActivationNum;
  if (state === "Running" && avg === null && total === 0 && !s.initialized) {
    // Even with no message yet: a new queue warms one container up front.
    return { result: { type: "AddInitialContainer", num: 1 }, rule: "3a-initial-container" };
  }
  if (state === "NamespaceThrottled") {
    return {
      result: { type: "DisableNamespaceThrottling", num: 0 },
      rule: "3b-namespace-throttled",
    };
  }
  if (state === "Running" && total === 0 && available > 0) {
    return { result: { type: "AddContainer", num: 1 }, rule: "3c-first-container-for-messages" };
  }
  if (state === "Flushing" && total === 0) {
    // How a flushing queue probes whether creation works again.
    return { result: { type: "AddInitialContainer", num: 1 }, rule: "3d-flushing-probe" };
  }
  if (state === "Running" && avg === null && stale > 0) {
    return { result: add(d, staleWithoutDuration(d)), rule: "3e-stale-without-duration" };
  }
  if (state === "Running" && avg !== null) {
    return { result: throughputDecision(d, avg), rule: "3f-throughput" };
  }
  if (state === "Removing" && avg !== null && stale > 0) {
    const wanted = staleProvision(
      stale,
      throughputPerContainer(d, avg),
      s.inProgressContainerCount,
    );
    return { result: add(d, wanted), rule: "3g-removing-stale-with-duration" };
  }
  if (state === "Removing" && avg === null && stale > 0) {
    return { result: add(d, staleWithoutDuration(d)), rule: "3h-removing-stale-without-duration" };
  }
  return { result: SKIP, rule: "3i-nothing-to-do" };
}

/** Rows e and h: one container per `maxConc` stale activations, minus those starting. */
function staleWithoutDuration(d: Demand): number {
  const s = d.s;
  const num = Math.ceil(s.staleActivationNum / s.maxActionConcurrency) -
    s.inProgressContainerCount;
  return Math.min(num, d.available);
}

/**
 * Activations one container serves within one stale-threshold window. A duration
 * ≤ 0 (a clock glitch) counts as "one window per activation".
 */
function throughputPerContainer(d: Demand, durationMs: number): number {
  const conc = d.s.maxActionConcurrency;
  return durationMs <= 0 ? conc : (d.config.staleThresholdMs / durationMs) * conc;
}

/** Containers for the stale activations, never more than there are stale ones. */
function staleProvision(stale: number, tp: number, inProgress: number): number {
  return Math.min(Math.ceil(stale / tp), stale) - inProgress;
}

/** Row f: match the expected throughput to the non-stale demand, plus stale catch-up. */
function throughputDecision(d: Demand, durationMs: number): DecisionResults {
  const { s, total, available } = d;
  const tp = throughputPerContainer(d, durationMs);
  const expectedTps = tp * total;
  const nonStale = available - s.staleActivationNum;
  const staleProv = s.staleActivationNum > 0
    ? staleProvision(s.staleActivationNum, tp, s.inProgressContainerCount)
    : 0;
  if (nonStale >= expectedTps && total < nonStale && durationMs > 0) {
    const num = Math.ceil(nonStale / tp - total);
    // Never more containers than there are activations to serve.
    const actual = num + total > nonStale ? nonStale - total : num;
    return add(d, actual + staleProv);
  }
  return staleProv > 0 ? add(d, staleProv) : SKIP;
}

/**
 * Upstream `addServersIfPossible`: clamp `wanted` to the capacity. Throttling is
 * enabled only when the namespace (not the action limit) is what binds.
 */
function add(d: Demand, wanted: number): DecisionResults {
  if (wanted > d.capacity) {
    return d.capacity >= d.nsCap
      ? { type: "EnableNamespaceThrottling", dropMsg: false, num: d.capacity }
      : { type: "AddContainer", num: d.capacity };
  }
  return wanted <= 0 ? SKIP : { type: "AddContainer", num: wanted };
}

const SKIP: DecisionResults = { type: "Skip" };

/**
 * How many containers the queue must create for a decision (reference §5.3): `num`
 * for the four kinds that carry one, 0 for `Pausing` and `Skip`.
 */
export function containersToCreate(result: DecisionResults): number {
  switch (result.type) {
    case "AddInitialContainer":
    case "AddContainer":
    case "EnableNamespaceThrottling":
    case "DisableNamespaceThrottling":
      return Math.max(0, result.num);
    case "Pausing":
    case "Skip":
      return 0;
    default:
      return result satisfies never;
  }
}

/**
 * Counts stale activations from the head of a FIFO queue: entries at least
 * `staleThresholdMs` old at `now`, stopping at the first younger one (upstream
 * `MemoryQueue` computes `staleActivationNum` this way).
 *
 * @param enqueuedAtMs Enqueue timestamps, oldest first.
 * @param nowMs The current time, read by the caller from its injected clock.
 * @param staleThresholdMs The stale threshold (100 ms by default).
 */
export function countStaleActivations(
  enqueuedAtMs: Iterable<number>,
  nowMs: number,
  staleThresholdMs: number,
): number {
  let count = 0;
  for (const t of enqueuedAtMs) {
    if (nowMs - t < staleThresholdMs) break;
    count++;
  }
  return count;
}

/**
 * The action limit of a snapshot: the action's instances limit capped at the
 * namespace limit, or the namespace limit when the action sets none.
 */
export function effectiveActionLimit(
  namespaceLimit: number,
  maxActionInstances: number | undefined,
): number {
  return maxActionInstances === undefined
    ? namespaceLimit
    : Math.min(maxActionInstances, namespaceLimit);
}

const COUNT_FIELDS = [
  "incomingMsgCount",
  "currentMsgCount",
  "existingContainerCount",
  "inProgressContainerCount",
  "staleActivationNum",
  "existingContainerCountInNamespace",
  "inProgressContainerCountInNamespace",
] as const;

function assertValidSnapshot(s: QueueSnapshot): void {
  for (const field of COUNT_FIELDS) {
    const v = s[field];
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(
        `Invalid queue snapshot: ${field} must be a non-negative integer, got ${v}`,
      );
    }
  }
  for (const field of ["namespaceLimit", "actionLimit"] as const) {
    if (!Number.isSafeInteger(s[field])) {
      throw new RangeError(`Invalid queue snapshot: ${field} must be an integer, got ${s[field]}`);
    }
  }
  if (!Number.isSafeInteger(s.maxActionConcurrency) || s.maxActionConcurrency < 1) {
    throw new RangeError(
      `Invalid queue snapshot: maxActionConcurrency must be an integer ≥ 1, got ${s.maxActionConcurrency}`,
    );
  }
  if (s.averageDurationMs !== null && !Number.isFinite(s.averageDurationMs)) {
    throw new RangeError(
      `Invalid queue snapshot: averageDurationMs must be finite or null, got ${s.averageDurationMs}`,
    );
  }
}

function assertValidConfig(c: SchedulingDecisionConfig): void {
  if (!Number.isFinite(c.staleThresholdMs) || c.staleThresholdMs <= 0) {
    throw new RangeError(
      `Invalid scheduling config: staleThresholdMs must be > 0, got ${c.staleThresholdMs}`,
    );
  }
  const ratio = c.namespaceOverProvisionBeforeThrottleRatio;
  if (!Number.isFinite(ratio) || ratio < 0) {
    throw new RangeError(
      `Invalid scheduling config: namespaceOverProvisionBeforeThrottleRatio must be ≥ 0, got ${ratio}`,
    );
  }
}
