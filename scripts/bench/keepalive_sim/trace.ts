/**
 * The keep-alive simulator's trace model: functions with per-minute invocation counts,
 * warm and cold times and memory, and the arrival stream they expand into.
 *
 * Mirrors FaasCache's trace preparation (aFuerst/faascache-sim `gen/*.py`, read through
 * `reference/performance.md` appendix B); differences: our own code, arrivals are
 * generated lazily one minute at a time instead of as one sorted list.
 *
 * @module
 */

/** One function of a trace. */
export interface TraceFunction {
  /** A readable, unique name (also the action key the policies see). */
  readonly name: string;
  /** A warm run's time (ms). */
  readonly warmMs: number;
  /** A cold start's time, init plus run (ms); never below `warmMs`. */
  readonly coldMs: number;
  readonly memoryMb: number;
  /** Invocations in each minute of the trace. */
  readonly perMinute: readonly number[];
}

/** A named list of functions. */
export interface Trace {
  readonly name: string;
  readonly functions: readonly TraceFunction[];
}

/** One invocation: function index `fn` at `at` ms from the trace's start. */
export interface Arrival {
  readonly at: number;
  readonly fn: number;
}

/** Milliseconds in a minute. */
export const MINUTE_MS = 60_000;

/** Total invocations of a function. */
export function invocationsOf(fn: TraceFunction): number {
  return fn.perMinute.reduce((sum, n) => sum + n, 0);
}

/**
 * The arrivals of a trace in time order: a minute's N invocations of a function fall at
 * `minute start + k × 60 s / N` for k = 0…N−1 (FaasCache's even spacing). Equal times
 * go in function order.
 *
 * @example
 * ```ts
 * import { arrivalsOf } from "./trace.ts";
 * const f = { name: "f", warmMs: 1, coldMs: 2, memoryMb: 1, perMinute: [2] };
 * console.assert([...arrivalsOf({ name: "t", functions: [f] })].map((a) => a.at).join() === "0,30000");
 * ```
 */
export function* arrivalsOf(trace: Trace): Generator<Arrival> {
  const minutes = Math.max(0, ...trace.functions.map((f) => f.perMinute.length));
  for (let minute = 0; minute < minutes; minute++) {
    const start = minute * MINUTE_MS;
    const batch: Arrival[] = [];
    trace.functions.forEach((f, fn) => {
      const n = f.perMinute[minute] ?? 0;
      for (let k = 0; k < n; k++) batch.push({ at: start + k * MINUTE_MS / n, fn });
    });
    batch.sort((a, b) => a.at - b.at || a.fn - b.fn);
    yield* batch;
  }
}
