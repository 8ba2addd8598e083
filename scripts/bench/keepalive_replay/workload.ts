/**
 * The live replay's workload: which functions of an Azure 2019 sample are replayed, as
 * what actions, and when each request is sent (wall-clock ms from the replay's start).
 *
 * Mirrors the live experiments of FaasCache and InVitro (`reference/performance.md`
 * appendices B and C: a window of day 1, per-minute counts spread evenly, each function
 * a busy-loop action with its sampled duration and memory); differences, all to fit one
 * 2-core box in minutes:
 * - time is compressed by `timeScale` (trace ms = wall ms × timeScale); run times are
 *   compressed the same way and clamped to [{@link MIN_BUSY_MS}, {@link MAX_BUSY_MS}];
 * - functions are drawn from the window's functions invoked at least twice, evenly
 *   across the quartiles of their window counts (FaasCache's Representative sample);
 * - per-minute counts are capped (one cap for all) so a run stays within `maxRequests`;
 *   the cap only thins the busiest functions, which stay warm under any policy;
 * - memory: the sampled MB span more than an order of magnitude (≈140–3,000 MB), but an
 *   action's limit must fit [{@link MIN_MEMORY_MB}, {@link MAX_MEMORY_MB}]; clamping made
 *   most functions 512 MB alike, so sizes are compressed on a log scale instead (the
 *   chosen functions' smallest maps to 128 MB, their largest to 512 MB, order and ratios
 *   kept as powers), then rounded to 32 MB; the code keeps `allocFraction` of it;
 * - start cost: each function's cold cost over a warm run is FaasCache's reading of the
 *   trace (daily maximum − average duration), compressed by `timeScale` and clamped to
 *   [0, {@link MAX_INIT_MS}], spent as a sleep in the action's module scope (so it costs
 *   init time, not CPU); on top of that each kind has its own process start;
 * - kinds rotate `nodejs:20`, `python:3`, `deno:2` over the functions in order of their
 *   window counts, so every quartile mixes the three runtimes' start costs.
 *
 * @module
 */

import { arrivalsOf, invocationsOf, type Trace } from "../keepalive_sim/mod.ts";

/** Clamp of an action's memory limit (MB). */
export const MIN_MEMORY_MB = 128;
/** Clamp of an action's memory limit (MB). */
export const MAX_MEMORY_MB = 512;
/** Clamp of a scaled run time (ms). */
export const MIN_BUSY_MS = 5;
/** Clamp of a scaled run time (ms); keeps the busy loops well within the box's 2 cores. */
export const MAX_BUSY_MS = 50;
/** Clamp of a scaled init cost (ms). */
export const MAX_INIT_MS = 1_500;
/** The runtime kinds the functions rotate through. */
export const REPLAY_KINDS = ["nodejs:20", "python:3", "deno:2"] as const;
/** A replayed function's runtime kind. */
export type ReplayKind = typeof REPLAY_KINDS[number];

/** One replayed function, as an action. */
export interface ReplayFunction {
  /** The action name (`ka00`, `ka01`, …). */
  readonly name: string;
  /** The function's name in the trace. */
  readonly traceName: string;
  readonly kind: ReplayKind;
  /** The sleep in its module scope: extra init time of a cold start (ms). */
  readonly initMs: number;
  /** The action's memory limit (MB). */
  readonly memoryMb: number;
  /** What its code allocates and keeps (MB). */
  readonly allocMb: number;
  /** Its busy-loop time per run (ms). */
  readonly busyMs: number;
  /** Its requests in the replay. */
  readonly requests: number;
}

/** One request: function `fn` at `atMs` from the start. */
export interface ReplayRequest {
  readonly atMs: number;
  readonly fn: number;
}

/** What {@link buildWorkload} needs. */
export interface WorkloadOptions {
  readonly functions: number;
  readonly minutes: number;
  readonly timeScale: number;
  readonly startMinute: number;
  readonly maxRequests: number;
  readonly allocFraction: number;
  readonly memoryMb?: number;
  /** The budget as a share of {@link Workload.totalMemoryMb} (ignored with `memoryMb`). */
  readonly memoryShare?: number;
}

/** A replay plan. */
export interface Workload {
  readonly functions: readonly ReplayFunction[];
  readonly requests: readonly ReplayRequest[];
  /** Trace minutes replayed. */
  readonly traceMinutes: number;
  /** The per-minute cap applied to every function. */
  readonly perMinuteCap: number;
  /** The invoker's user memory (MB). */
  readonly memoryMb: number;
  /** Sum of the functions' memory limits (MB): what keeping all of them needs. */
  readonly totalMemoryMb: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** `n` items of `sorted`, evenly across its quartiles (all of them when fewer). */
export function stratified<T>(sorted: readonly T[], n: number): T[] {
  if (sorted.length <= n) return [...sorted];
  const picked: T[] = [];
  for (let q = 0; q < 4; q++) {
    const lo = Math.floor(q * sorted.length / 4), hi = Math.floor((q + 1) * sorted.length / 4);
    const want = Math.floor(n / 4) + (q < n % 4 ? 1 : 0);
    for (let k = 0; k < want; k++) {
      picked.push(sorted[lo + Math.floor((k + 0.5) * (hi - lo) / want)]!);
    }
  }
  return picked;
}

/** The largest cap whose capped total stays within `max` (at least 1). */
export function perMinuteCap(counts: readonly (readonly number[])[], max: number): number {
  const total = (cap: number) =>
    counts.reduce((sum, c) => sum + c.reduce((s, x) => s + Math.min(x, cap), 0), 0);
  let lo = 1, hi = Math.max(1, ...counts.flat());
  if (total(hi) <= max) return hi;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The replay plan for `trace`.
 *
 * @throws {RangeError} when the window holds fewer than 4 functions invoked twice.
 */
export function buildWorkload(trace: Trace, o: WorkloadOptions): Workload {
  const traceMinutes = Math.max(1, Math.round(o.minutes * o.timeScale));
  const windowed = trace.functions
    .map((f) => ({ f, counts: f.perMinute.slice(o.startMinute, o.startMinute + traceMinutes) }))
    .filter((w) => w.counts.reduce((a, b) => a + b, 0) >= 2)
    .sort((a, b) =>
      invocationsOf({ ...a.f, perMinute: a.counts }) -
        invocationsOf({ ...b.f, perMinute: b.counts }) || a.f.name.localeCompare(b.f.name)
    );
  if (windowed.length < 4) {
    throw new RangeError(
      `Only ${windowed.length} functions are invoked twice in minutes ${o.startMinute}…${
        o.startMinute + traceMinutes
      }`,
    );
  }
  const chosen = stratified(windowed, o.functions);
  const cap = perMinuteCap(chosen.map((c) => c.counts), o.maxRequests);
  const capped = chosen.map((c) => ({ ...c, counts: c.counts.map((x) => Math.min(x, cap)) }));
  const memoryOf = logCompressed(capped.map((c) => c.f.memoryMb));
  const functions: ReplayFunction[] = capped.map(({ f, counts }, i) => {
    const memoryMb = memoryOf(f.memoryMb);
    return {
      name: `ka${String(i).padStart(2, "0")}`,
      traceName: f.name,
      kind: REPLAY_KINDS[i % REPLAY_KINDS.length]!,
      initMs: clamp(Math.round((f.coldMs - f.warmMs) / o.timeScale), 0, MAX_INIT_MS),
      memoryMb,
      allocMb: Math.max(1, Math.floor(memoryMb * o.allocFraction)),
      busyMs: clamp(Math.round(f.warmMs / o.timeScale), MIN_BUSY_MS, MAX_BUSY_MS),
      requests: counts.reduce((a, b) => a + b, 0),
    };
  });
  const replayTrace: Trace = {
    name: trace.name,
    functions: capped.map(({ f, counts }) => ({ ...f, perMinute: counts })),
  };
  const requests = [...arrivalsOf(replayTrace)].map((a) => ({
    atMs: Math.round(a.at / o.timeScale),
    fn: a.fn,
  }));
  const totalMemoryMb = functions.reduce((sum, f) => sum + f.memoryMb, 0);
  return {
    functions,
    requests,
    traceMinutes,
    perMinuteCap: cap,
    memoryMb: o.memoryMb ?? defaultMemoryMb(functions, o.memoryShare),
    totalMemoryMb,
  };
}

/**
 * Maps sampled memory sizes onto [{@link MIN_MEMORY_MB}, {@link MAX_MEMORY_MB}] on a log
 * scale (smallest → 128, largest → 512, rounded to 32 MB); all 128 MB when they are equal.
 */
export function logCompressed(sampledMb: readonly number[]): (mb: number) => number {
  const lo = Math.max(1, Math.min(...sampledMb)), hi = Math.max(lo, ...sampledMb);
  const span = Math.log(hi / lo);
  const exponent = span === 0 ? 0 : Math.log(MAX_MEMORY_MB / MIN_MEMORY_MB) / span;
  return (mb) => {
    const scaled = MIN_MEMORY_MB * Math.pow(Math.max(lo, mb) / lo, exponent);
    return clamp(Math.round(scaled / 32) * 32, MIN_MEMORY_MB, MAX_MEMORY_MB);
  };
}

/**
 * A budget that holds a `share` of the functions' total (by default 40%, well under
 * half of them at once), at least twice the largest, rounded up to 64 MB.
 */
export function defaultMemoryMb(functions: readonly ReplayFunction[], share = 0.4): number {
  const total = functions.reduce((sum, f) => sum + f.memoryMb, 0);
  const largest = Math.max(0, ...functions.map((f) => f.memoryMb));
  return Math.ceil(Math.max(share * total, 2 * largest) / 64) * 64;
}
