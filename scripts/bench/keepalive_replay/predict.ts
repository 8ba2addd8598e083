/**
 * What the keep-alive policies can gain on a live replay's exact workload, before it
 * runs: the workload's requests go through the simulator (the real policy module, no
 * processes) at a sweep of memory budgets, so the replay can be run where the policy
 * matters most and its live gain read against the best the workload allows.
 *
 * Mirrors no upstream file. The model is the simulator's (`keepalive_sim/simulate.ts`)
 * with infinite CPUs, in its `queue` mode: a request that cannot start waits, as the
 * live function-pulling path holds it in its action's queue, and runs on the first
 * container of its function to finish or as a creation once memory allows. What it
 * leaves out: CPU contention on the box, the scheduler's 100 ms decisions and its
 * extra creations for a queue that grows. Times are the trace's: a function's warm
 * time is its busy time × `timeScale`, its cold time adds its init sleep and its kind's
 * process start ({@link KIND_START_MS}), all × `timeScale`, so ttl's 10-minute
 * keep-alive means what it means on the live platform (where it is scaled down).
 *
 * @module
 */

import { createKeepAlivePolicy } from "../../../actors/invoker/keep_alive/mod.ts";
import { type SimResult, simulate, type Trace, type WhenFull } from "../keepalive_sim/mod.ts";
import type { ReplayPolicy } from "./options.ts";
import type { ReplayKind, Workload } from "./workload.ts";

/**
 * A cold process start per kind on this platform (ms), the live cost on top of a
 * function's init sleep: nodejs:20 rounded from the cold benchmark's bare
 * create → init → run p50 (≈ 80 ms); python:3 and deno:2 are estimates (a Python
 * interpreter starts a little faster than Node, Deno's proxy a little slower). They
 * only set the cold − warm cost greedy-dual prices, not who wins.
 */
export const KIND_START_MS: Readonly<Record<ReplayKind, number>> = {
  "nodejs:20": 80,
  "python:3": 60,
  "deno:2": 120,
};

/** The budgets a prediction sweeps, as fractions of the memory that holds every function. */
export const PREDICT_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1];

/** The policies at one memory budget. */
export interface PredictionRow {
  readonly memoryMb: number;
  /** `memoryMb` ÷ the workload's total memory. */
  readonly fraction: number;
  readonly results: readonly SimResult[];
  /** greedy-dual hits ÷ ttl hits (undefined when either did not run, ∞ when ttl had none). */
  readonly warmRatio?: number;
}

/** The workload as a simulator trace in trace time, with its arrivals. */
export function workloadTrace(
  workload: Workload,
  timeScale: number,
): { trace: Trace; arrivals: { at: number; fn: number }[] } {
  const trace: Trace = {
    name: "keepalive-replay",
    functions: workload.functions.map((f) => ({
      name: f.name,
      warmMs: f.busyMs * timeScale,
      coldMs: (f.busyMs + f.initMs + KIND_START_MS[f.kind]) * timeScale,
      memoryMb: f.memoryMb,
      perMinute: [],
    })),
  };
  const arrivals = workload.requests.map((r) => ({ at: r.atMs * timeScale, fn: r.fn }));
  return { trace, arrivals };
}

/**
 * Simulates `workload` under each policy at each budget (MB, ascending as given), with
 * requests that cannot start waiting (`queue`, as live) or dropped (`drop`, FaasCache).
 */
export function predict(
  workload: Workload,
  timeScale: number,
  policies: readonly ReplayPolicy[],
  budgetsMb: readonly number[],
  full: WhenFull = "queue",
): PredictionRow[] {
  const { trace, arrivals } = workloadTrace(workload, timeScale);
  return budgetsMb.map((memoryMb) => {
    const results = policies.map((p) =>
      simulate(trace, arrivals, createKeepAlivePolicy(p), memoryMb, full)
    );
    const ttl = results.find((r) => r.policy === "ttl");
    const gd = results.find((r) => r.policy === "greedy-dual");
    const ratio = ttl && gd
      ? ttl.hits === 0 ? Number.POSITIVE_INFINITY : Math.round(100 * gd.hits / ttl.hits) / 100
      : undefined;
    return {
      memoryMb,
      fraction: Math.round(100 * memoryMb / workload.totalMemoryMb) / 100,
      results,
      ...(ratio === undefined ? {} : { warmRatio: ratio }),
    };
  });
}

/** Budgets for {@link PREDICT_FRACTIONS} of `totalMb`, rounded up to 64 MB, plus `extraMb`. */
export function predictBudgets(totalMb: number, extraMb?: number): number[] {
  const budgets = PREDICT_FRACTIONS.map((f) => Math.ceil(f * totalMb / 64) * 64);
  if (extraMb !== undefined) budgets.push(extraMb);
  return [...new Set(budgets)].sort((a, b) => a - b);
}

/** The row where greedy-dual gains most warm starts over ttl without more drops. */
export function bestRow(rows: readonly PredictionRow[]): PredictionRow | undefined {
  const drops = (row: PredictionRow, policy: string) =>
    row.results.find((r) => r.policy === policy)?.drops ?? 0;
  let best: PredictionRow | undefined;
  for (const row of rows) {
    if (row.warmRatio === undefined || drops(row, "greedy-dual") > drops(row, "ttl")) continue;
    if (best === undefined || row.warmRatio > best.warmRatio!) best = row;
  }
  return best;
}

/**
 * A plain-text table of a prediction: warm (hits), cold (misses) and waited (queued)
 * or dropped requests per policy.
 */
export function formatPrediction(rows: readonly PredictionRow[], full: WhenFull = "queue"): string {
  const policies = rows[0]?.results.map((r) => r.policy) ?? [];
  const last = full === "queue" ? "waited" : "dropped";
  const header = ["memory MB", "share", ...policies.map((p) => `${p} warm/cold/${last}`), "gd÷ttl"]
    .join("  ");
  const lines = rows.map((row) =>
    [
      String(row.memoryMb).padStart(9),
      `${Math.round(row.fraction * 100)}%`.padStart(5),
      ...row.results.map((r) =>
        `${r.hits}/${r.misses}/${full === "queue" ? r.queued : r.drops}`
          .padStart(r.policy.length + 10 + last.length)
      ),
      row.warmRatio === undefined ? "" : `${row.warmRatio.toFixed(2)}×`.padStart(6),
    ].join("  ")
  );
  return [header, ...lines].join("\n");
}
