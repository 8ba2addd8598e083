/**
 * A heavy-tailed synthetic trace with the Azure workload's shape (`reference/performance.md`
 * KA-7), drawn from a seeded PRNG so every run is identical.
 *
 * - Rates: a Zipf-like power-law density p(rate) ∝ rate⁻¹ over 8 decades
 *   (1e-3 … 1e5 invocations per day), i.e. as many functions per decade. That puts about
 *   55% of functions at ≤ 1/hour and 77% at ≤ 1/minute (KA-7: 45% and 81%), while the
 *   busiest few make almost all invocations.
 * - Per-minute counts: Poisson with the function's rate (so rare functions show up on
 *   some days' minutes and not others), then spread evenly within each minute.
 * - Warm time: lognormal, median 600 ms, σ = 1.2, clamped to 5 ms … 120 s (half the
 *   functions run under 1 s).
 * - Cold start overhead (init): lognormal, median 500 ms, σ = 1.0, clamped to 20 ms … 20 s.
 * - Memory: uniform 100 … 400 MB.
 *
 * Mirrors the synthetic-trace recipe of appendix B, step 2; our own parameters.
 *
 * @module
 */

import type { Trace, TraceFunction } from "./trace.ts";

/** Options of {@link syntheticTrace}. */
export interface SyntheticTraceOptions {
  readonly functions?: number;
  readonly minutes?: number;
  readonly seed?: number;
}

/** Functions drawn by default (those invoked fewer than twice are then dropped). */
export const SYNTHETIC_FUNCTIONS = 200;

/** Rates per day: 8 decades. */
const MIN_RATE_PER_DAY = 1e-3;
const DECADES = 8;

/** mulberry32: a small, seeded 32-bit PRNG giving uniform [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function poisson(lambda: number, random: () => number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(random)));
  const limit = Math.exp(-lambda);
  let k = 0, p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Draws the trace (200 functions over 1,440 minutes, seed 42 by default). Functions
 * never invoked, or invoked once, are dropped as in the Azure samples.
 *
 * @example
 * ```ts
 * import { syntheticTrace } from "./synthetic_trace.ts";
 * const a = syntheticTrace({ functions: 20, minutes: 60, seed: 7 });
 * const b = syntheticTrace({ functions: 20, minutes: 60, seed: 7 });
 * console.assert(JSON.stringify(a) === JSON.stringify(b));
 * ```
 */
export function syntheticTrace(options: SyntheticTraceOptions = {}): Trace {
  const count = options.functions ?? SYNTHETIC_FUNCTIONS;
  const minutes = options.minutes ?? 1_440;
  const seed = options.seed ?? 42;
  const random = mulberry32(seed);
  const functions: TraceFunction[] = [];
  for (let i = 0; i < count; i++) {
    const perDay = MIN_RATE_PER_DAY * 10 ** (DECADES * random());
    const warmMs = Math.round(clamp(600 * Math.exp(1.2 * normal(random)), 5, 120_000));
    const initMs = Math.round(clamp(500 * Math.exp(normal(random)), 20, 20_000));
    const memoryMb = 100 + Math.floor(random() * 301);
    const perMinute = Array.from({ length: minutes }, () => poisson(perDay / 1_440, random));
    if (perMinute.reduce((a, b) => a + b, 0) < 2) continue;
    functions.push({ name: `z${i}`, warmMs, coldMs: warmMs + initMs, memoryMb, perMinute });
  }
  return { name: `synthetic-zipf-8-decades-seed${seed}`, functions };
}
