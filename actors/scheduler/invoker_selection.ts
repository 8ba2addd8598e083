/**
 * Invoker selection for container creation: a pure function that places a batch of
 * creation requests on invokers. Mirrors `ContainerManager.schedule`,
 * `chooseInvokerFromCandidates`, `updateInvokerMemory` and the filters of
 * `getAvailableInvokers` in `core/scheduler/.../container/ContainerManager.scala`
 * (reference `openwhisk-fpc.md` §4.7).
 *
 * Differences from upstream, each on purpose:
 * - Memory is deducted from the running candidate list, so every placement in a batch
 *   sees the earlier ones; upstream deducted from the original list and could
 *   over-commit one invoker within a batch (reference §9.3).
 * - Candidates are ordered by numeric id before partitioning, not by etcd key order
 *   (`10` before `2`, reference §9.15), so partitions do not shuffle as invokers join.
 * - Partitions are computed once per namespace from the healthy, untagged invokers
 *   that may serve it, regardless of their free memory, so an invoker that is briefly
 *   full does not move the managed/blackbox boundary.
 * - Fallback tiers skip a tier whose invokers all lack memory and try the next one
 *   (upstream stopped at the first non-empty tier). When some invoker was considered
 *   but none had the memory, the error is `NoAvailableResourceInvokersError`; when none
 *   was considered at all, `NoAvailableInvokersError` (but a strict tag policy with no
 *   matching invoker is `NoAvailableResourceInvokersError`, as upstream).
 * - The random index comes from an injected `random()`, so tests are deterministic.
 *
 * @module
 */

import type {
  CreationRequest,
  InvokerCandidate,
  InvokerSelectionConfig,
  Placement,
  PlacementFailure,
  SelectionError,
  SelectionResult,
} from "../../protocols/container_manager.ts";

/** Upstream `MemoryLimit.MIN_MEMORY`: an invoker with less free memory is dropped. */
export const MIN_MEMORY_MB = 128;

/** Partition sizes over `n` untagged invokers. */
export interface PartitionSizes {
  /** The first `managed` invokers run managed (non-blackbox) actions. */
  readonly managed: number;
  /** The last `blackbox` invokers run blackbox actions. */
  readonly blackbox: number;
}

/**
 * Sizes of the managed and blackbox partitions (upstream: managed =
 * `max(1, ceil(n × mf))`, blackbox = `max(1, floor(n × bf))`, with the fractions
 * clamped to [0, 1] and blackbox ≥ 1 − managed). The two overlap for small `n`.
 *
 * @example
 * ```ts
 * import { partitionSizes } from "./invoker_selection.ts";
 * partitionSizes(10, 0.9, 0.1); // { managed: 9, blackbox: 1 }
 * ```
 */
export function partitionSizes(
  n: number,
  managedFraction: number,
  blackboxFraction: number,
): PartitionSizes {
  const mf = Math.max(0, Math.min(1, managedFraction));
  const bf = Math.max(1 - mf, Math.min(1, blackboxFraction));
  return {
    managed: Math.max(1, Math.ceil(n * mf)),
    blackbox: Math.max(1, Math.floor(n * bf)),
  };
}

/**
 * Places each request on an invoker, in request order.
 *
 * Only `"up"` invokers are used; an invoker dedicated to other namespaces is skipped.
 * An untagged request goes to its partition (blackbox or managed), else to any tagged
 * invoker. A tagged request goes to an invoker holding every required tag; with a
 * non-strict policy it falls back to untagged invokers, then to other tagged ones.
 * Among the invokers of the chosen tier that have the memory, one is picked uniformly
 * at random. Each placement deducts its memory from that invoker for the rest of the
 * batch, and an invoker left below `minMemoryMb` is dropped.
 *
 * @param requests The containers to place.
 * @param candidates Every known invoker (any status).
 * @param config Partition fractions, the minimum memory, and the random source.
 * @returns Placements, failures, and the candidates left after the deductions.
 *
 * @example
 * ```ts
 * import { selectInvokers } from "./invoker_selection.ts";
 * const invoker = { id: 0, status: "up" as const, freeMemoryMb: 512, tags: [], dedicatedNamespaces: [] };
 * const request = {
 *   creationId: "c1", invocationNamespace: "guest", action: "guest/hello", memoryMb: 256,
 *   isBlackbox: false, resourceTags: [], strictTags: true,
 * };
 * const { placed, failed } = selectInvokers([request, { ...request, creationId: "c2" }, { ...request, creationId: "c3" }], [invoker], {
 *   managedFraction: 0.9, blackboxFraction: 0.1, minMemoryMb: 128, random: () => 0,
 * });
 * // placed: c1 and c2 on invoker 0; failed: c3 with "NoAvailableInvokersError"
 * ```
 */
export function selectInvokers(
  requests: readonly CreationRequest[],
  candidates: readonly InvokerCandidate[],
  config: InvokerSelectionConfig,
): SelectionResult {
  const healthy = candidates.filter((c) => c.status === "up").sort((a, b) => a.id - b.id);
  const partitions = new Map<string, Partitions>();
  const placed: Placement[] = [];
  const failed: PlacementFailure[] = [];
  let pool: readonly InvokerCandidate[] = healthy;
  for (const request of requests) {
    const ns = request.invocationNamespace;
    let partition = partitions.get(ns);
    if (partition === undefined) {
      partition = partitionsFor(healthy.filter((c) => servesNamespace(c, ns)), config);
      partitions.set(ns, partition);
    }
    const eligible = pool.filter((c) => servesNamespace(c, ns));
    const choice = chooseInvoker(request, eligible, partition, config.random);
    if (typeof choice === "number") {
      placed.push({ request, invokerId: choice });
      pool = deductMemory(pool, choice, request.memoryMb, config.minMemoryMb);
    } else {
      failed.push({ request, error: choice });
    }
  }
  return { placed, failed, remaining: pool };
}

/**
 * Deducts `memoryMb` from one invoker (upstream `updateInvokerMemory`), adding it to
 * `busyMemoryMb` when known. An invoker left with less than `minMemoryMb` free is
 * dropped. Also used after warm reuse, which places without `selectInvokers`.
 */
export function deductMemory(
  candidates: readonly InvokerCandidate[],
  invokerId: number,
  memoryMb: number,
  minMemoryMb: number,
): readonly InvokerCandidate[] {
  const out: InvokerCandidate[] = [];
  for (const c of candidates) {
    if (c.id !== invokerId) {
      out.push(c);
      continue;
    }
    const freeMemoryMb = c.freeMemoryMb - memoryMb;
    if (freeMemoryMb < minMemoryMb) continue;
    out.push(
      c.busyMemoryMb === undefined
        ? { ...c, freeMemoryMb }
        : { ...c, freeMemoryMb, busyMemoryMb: c.busyMemoryMb + memoryMb },
    );
  }
  return out;
}

/** Ids of the managed and blackbox partitions. */
interface Partitions {
  readonly managed: ReadonlySet<number>;
  readonly blackbox: ReadonlySet<number>;
}

function partitionsFor(sortedHealthy: readonly InvokerCandidate[], config: InvokerSelectionConfig) {
  const untagged = sortedHealthy.filter((c) => c.tags.length === 0).map((c) => c.id);
  const sizes = partitionSizes(untagged.length, config.managedFraction, config.blackboxFraction);
  return {
    managed: new Set(untagged.slice(0, sizes.managed)),
    blackbox: new Set(untagged.slice(Math.max(0, untagged.length - sizes.blackbox))),
  };
}

function servesNamespace(c: InvokerCandidate, namespace: string): boolean {
  return c.dedicatedNamespaces.length === 0 || c.dedicatedNamespaces.includes(namespace);
}

function hasAllTags(c: InvokerCandidate, required: readonly string[]): boolean {
  return required.every((tag) => c.tags.includes(tag));
}

/** The tiers of invokers to try for one request, best first (reference §4.7, steps 2–3). */
function chooseInvoker(
  request: CreationRequest,
  eligible: readonly InvokerCandidate[],
  partitions: Partitions,
  random: () => number,
): number | SelectionError {
  const tags = request.resourceTags;
  const tagged = eligible.filter((c) => c.tags.length > 0);
  if (tags.length === 0) {
    const partition = request.isBlackbox ? partitions.blackbox : partitions.managed;
    const wanted = eligible.filter((c) => partition.has(c.id));
    return pickFromTiers([wanted, tagged], request.memoryMb, random, "NoAvailableInvokersError");
  }
  const matching = eligible.filter((c) => hasAllTags(c, tags));
  if (request.strictTags) {
    return pickFromTiers([matching], request.memoryMb, random, "NoAvailableResourceInvokersError");
  }
  const untagged = eligible.filter((c) => c.tags.length === 0);
  const otherTagged = tagged.filter((c) => !hasAllTags(c, tags));
  return pickFromTiers(
    [matching, untagged, otherTagged],
    request.memoryMb,
    random,
    "NoAvailableInvokersError",
  );
}

/**
 * Picks at random among the invokers of the first tier that have the memory. When no
 * invoker of any tier has it: `NoAvailableResourceInvokersError` if some tier was
 * non-empty, else `whenAllEmpty`.
 */
function pickFromTiers(
  tiers: readonly (readonly InvokerCandidate[])[],
  memoryMb: number,
  random: () => number,
  whenAllEmpty: SelectionError,
): number | SelectionError {
  for (const tier of tiers) {
    const fitting = tier.filter((c) => c.freeMemoryMb >= memoryMb);
    if (fitting.length > 0) return fitting[randomIndex(fitting.length, random)]!.id;
  }
  return tiers.some((t) => t.length > 0) ? "NoAvailableResourceInvokersError" : whenAllEmpty;
}

/** A uniform index in [0, n), clamped even if `random()` strays outside [0, 1). */
function randomIndex(n: number, random: () => number): number {
  const r = random();
  const i = Math.floor((Number.isFinite(r) ? r : 0) * n);
  return Math.min(n - 1, Math.max(0, i));
}
