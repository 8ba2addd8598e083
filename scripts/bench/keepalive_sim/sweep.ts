/**
 * Runs the keep-alive simulation for every policy and memory size, picks the default
 * memory sizes from the trace, and finds the size where the policies differ most.
 *
 * Mirrors FaasCache's `many_run.py` sweep (appendix B); differences: sizes scale with
 * the trace's own unbounded footprint instead of a fixed 1–80 GB.
 *
 * @module
 */

import {
  createKeepAlivePolicy,
  type KeepAlivePolicyName,
} from "../../../actors/invoker/keep_alive/mod.ts";
import { type SimResult, simulate } from "./simulate.ts";
import { arrivalsOf, type Trace } from "./trace.ts";

/** A run's result with its wall time. */
export interface TimedResult extends SimResult {
  readonly wallMs: number;
}

/** Every policy at every size, in policy-major order. */
export function sweep(
  trace: Trace,
  policies: readonly KeepAlivePolicyName[],
  sizesMb: readonly number[],
): TimedResult[] {
  return policies.flatMap((name) =>
    sizesMb.map((size) => {
      const started = performance.now();
      const result = simulate(trace, arrivalsOf(trace), createKeepAlivePolicy(name), size);
      return { ...result, wallMs: Math.round(performance.now() - started) };
    })
  );
}

/** The memory bounds of a trace, from one run of an unlimited LRU pool. */
export interface Footprint {
  /** Peak memory of busy containers: below it some requests must be dropped. */
  readonly peakBusyMb: number;
  /** Peak memory with nothing ever evicted: above it no eviction happens. */
  readonly unboundedMb: number;
}

/** Measures a trace's {@link Footprint}. */
export function footprintOf(trace: Trace): Footprint {
  const r = simulate(trace, arrivalsOf(trace), createKeepAlivePolicy("lru"), Infinity);
  return { peakBusyMb: r.peakBusyMb, unboundedMb: r.peakUsedMb };
}

/**
 * Sweep sizes: `points` sizes spaced geometrically from half the peak busy memory
 * (some drops) to the unbounded footprint (no evictions), rounded up to 256 MB.
 */
export function defaultSizes(footprint: Footprint, points = 14): number[] {
  const lo = Math.max(256, 0.5 * footprint.peakBusyMb);
  const hi = Math.max(lo, footprint.unboundedMb);
  const sizes = Array.from({ length: points }, (_, i) => {
    const mb = lo * (hi / lo) ** (points === 1 ? 1 : i / (points - 1));
    return Math.ceil(mb / 256) * 256;
  });
  return [...new Set(sizes)];
}

/** Greedy-dual against TTL at one size. */
export interface Comparison {
  readonly capacityMb: number;
  readonly ttlOverheadPct: number;
  readonly greedyDualOverheadPct: number;
  readonly lruOverheadPct?: number;
  /** TTL's overhead ÷ greedy-dual's (∞ when greedy-dual has none). */
  readonly ttlOverGreedyDual: number;
}

/** Where greedy-dual and TTL differ most. */
export interface Knee {
  /** The size with the largest absolute gap (TTL − greedy-dual) in overhead. */
  readonly largestGap: Comparison;
  /** The size with the largest ratio TTL ÷ greedy-dual in overhead. */
  readonly largestRatio: Comparison;
}

/** A pool that drops more than this share of requests (%) is undersized. */
export const KNEE_MAX_DROP_PCT = 1;

/**
 * Compares greedy-dual with TTL at every size where neither drops more than
 * {@link KNEE_MAX_DROP_PCT}% of requests (an undersized pool's cold starts count only
 * what it served; all sizes when none qualifies), and picks the largest gap and the
 * largest ratio (ties: the smaller size). Undefined without both policies.
 */
export function findKnee(results: readonly SimResult[]): Knee | undefined {
  const all = compare(results);
  const ok = all.filter((c) =>
    results.every((r) => r.capacityMb !== c.capacityMb || r.dropPct <= KNEE_MAX_DROP_PCT)
  );
  const pool = ok.length > 0 ? ok : all;
  const best = (score: (c: Comparison) => number) =>
    pool.reduce<Comparison | undefined>(
      (top, c) => top === undefined || score(c) > score(top) ? c : top,
      undefined,
    );
  const largestGap = best((c) => c.ttlOverheadPct - c.greedyDualOverheadPct);
  const largestRatio = best((c) => c.ttlOverGreedyDual);
  return largestGap && largestRatio ? { largestGap, largestRatio } : undefined;
}

function compare(results: readonly SimResult[]): Comparison[] {
  const at = (policy: string, size: number) =>
    results.find((r) => r.policy === policy && r.capacityMb === size);
  return results.filter((r) => r.policy === "ttl").flatMap((ttl) => {
    const gd = at("greedy-dual", ttl.capacityMb);
    if (gd === undefined) return [];
    const lru = at("lru", ttl.capacityMb);
    return [{
      capacityMb: ttl.capacityMb,
      ttlOverheadPct: ttl.overheadPct,
      greedyDualOverheadPct: gd.overheadPct,
      ...(lru ? { lruOverheadPct: lru.overheadPct } : {}),
      ttlOverGreedyDual: gd.overheadPct === 0
        ? (ttl.overheadPct === 0 ? 1 : Infinity)
        : ttl.overheadPct / gd.overheadPct,
    }];
  }).sort((a, b) => a.capacityMb - b.capacityMb);
}
