/**
 * Latency statistics of the benchmark suite: nearest-rank percentiles, a summary with
 * errors counted, and ratios that stay `null` when a denominator is missing.
 * Mirrors the statistics `reference/performance.md` §3.1 asks for (p50/p90/p99/p99.9 with
 * errors), in the spirit of OpenWhisk's `tests/performance` reports.
 *
 * @module
 */

/** A latency distribution in milliseconds, errors counted apart. */
export interface LatencySummary {
  /** Successful samples. */
  readonly count: number;
  /** Requests that failed (non-2xx, network error, timeout). */
  readonly errors: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at
 * least `p`% of the samples at or below it. NaN for no samples.
 *
 * @param sorted values in ascending order
 * @param p percentile in [0, 100]
 * @example
 * ```ts
 * import { percentile } from "./stats.ts";
 * console.assert(percentile([1, 2, 3, 4], 50) === 2);
 * console.assert(percentile([1, 2, 3, 4], 100) === 4);
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p < 0 || p > 100 || Number.isNaN(p)) {
    throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  }
  // The epsilon keeps float noise (0.999 × 1000 = 999.0000000000001) off the next rank.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[rank - 1]!;
}

/**
 * Summarises latency samples (any order) and the number of failed requests.
 *
 * @example
 * ```ts
 * import { summarize } from "./stats.ts";
 * const s = summarize([3, 1, 2], 1);
 * console.assert(s.p50 === 2 && s.errors === 1 && s.count === 3);
 * ```
 */
export function summarize(samples: readonly number[], errors = 0): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    errors,
    min: sorted.length ? sorted[0]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** The median of values (any order); NaN for none. */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/**
 * `value / base`, or `null` when either is missing, not finite, or the base is 0 (JSON
 * keeps `null`, not NaN).
 *
 * @example
 * ```ts
 * import { ratio } from "./stats.ts";
 * console.assert(ratio(3, 2) === 1.5 && ratio(1, 0) === null);
 * ```
 */
export function ratio(
  value: number | null | undefined,
  base: number | null | undefined,
): number | null {
  if (value === null || value === undefined || base === null || base === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return null;
  return value / base;
}

/** Rounds for display and JSON: 3 significant decimals below 10, 1 above. */
export function round(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const digits = Math.abs(value) < 10 ? 3 : 1;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
