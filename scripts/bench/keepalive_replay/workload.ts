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
 * - memory limits are the sampled MB rounded up to 32 MB and clamped to
 *   [{@link MIN_MEMORY_MB}, {@link MAX_MEMORY_MB}]; the code keeps `allocFraction` of it.
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
/** Clamp of a scaled run time (ms); keeps the busy loops within the box's 2 cores. */
export const MAX_BUSY_MS = 100;

/** One replayed function, as an action. */
export interface ReplayFunction {
  /** The action name (`ka00`, `ka01`, …). */
  readonly name: string;
  /** The function's name in the trace. */
  readonly traceName: string;
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
  const functions: ReplayFunction[] = capped.map(({ f, counts }, i) => {
    const memoryMb = clamp(Math.ceil(f.memoryMb / 32) * 32, MIN_MEMORY_MB, MAX_MEMORY_MB);
    return {
      name: `ka${String(i).padStart(2, "0")}`,
      traceName: f.name,
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
    memoryMb: o.memoryMb ?? defaultMemoryMb(functions),
    totalMemoryMb,
  };
}

/**
 * A budget that holds well under half the functions at once: 40% of their total, at
 * least twice the largest, rounded up to 64 MB.
 */
export function defaultMemoryMb(functions: readonly ReplayFunction[]): number {
  const total = functions.reduce((sum, f) => sum + f.memoryMb, 0);
  const largest = Math.max(0, ...functions.map((f) => f.memoryMb));
  return Math.ceil(Math.max(0.4 * total, 2 * largest) / 64) * 64;
}
