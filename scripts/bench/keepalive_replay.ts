/**
 * The live keep-alive replay: 20–50 functions of the 100-function Azure Functions 2019
 * sample replayed against the standalone platform (in this process, port 0, a temp
 * data directory) under a small invoker memory budget, once per keep-alive policy
 * (`ttl`, upstream's, against FaasCache's `greedy-dual`); prints warm, cold and dropped
 * counts and latency, and writes `bench-results/keepalive-replay.json`.
 *
 * Run: `deno run -A scripts/bench/keepalive_replay.ts [--functions 20] [--minutes 5]
 * [--policy ttl|greedy-dual|both] [--memory-share 0.3] [--predict]` (see
 * `keepalive_replay/options.ts` for the rest). Before the live runs it simulates the same
 * workload at a sweep of budgets (`keepalive_replay/predict.ts`); `--predict` stops there.
 *
 * Mirrors FaasCache's OpenWhisk experiment (`reference/performance.md` KA-5 and
 * appendix B) at a small scale; the workload's simplifications are listed in
 * `keepalive_replay/workload.ts`.
 *
 * @module
 */

import type { LogEntry } from "../../runtime/log.ts";
import { loadAzureSample } from "./keepalive_sim/mod.ts";
import {
  bestRow,
  buildWorkload,
  formatPrediction,
  formatSummaries,
  parseReplayOptions,
  type PolicySummary,
  predict,
  predictBudgets,
  type PredictionRow,
  runPolicy,
  summarise,
  USAGE,
  type Verdict,
  verdict,
  type Workload,
} from "./keepalive_replay/mod.ts";

/** What the benchmark writes as JSON. */
export interface KeepAliveReplayReport {
  readonly benchmark: "keepalive-replay";
  readonly sample: string;
  readonly timeScale: number;
  readonly startMinute: number;
  readonly workload: Omit<Workload, "requests"> & { readonly requests: number };
  /** The same workload simulated at a sweep of budgets (the live budget among them). */
  readonly prediction: readonly PredictionRow[];
  /** The same, with requests that cannot start dropped (FaasCache's model). */
  readonly predictionDropModel: readonly PredictionRow[];
  readonly results: readonly PolicySummary[];
  readonly verdict?: Verdict;
  /** Platform warnings per policy (message → count). */
  readonly warnings: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Runs the benchmark with command-line `args`; returns what it wrote. */
export async function main(args: readonly string[]): Promise<KeepAliveReplayReport> {
  const options = parseReplayOptions(args);
  const sample = await loadAzureSample(100, options.dataDir);
  const workload = buildWorkload(sample.trace, options);
  console.log(
    `${workload.functions.length} functions, ${workload.requests.length} requests over ` +
      `${options.minutes} min (trace minutes ${options.startMinute}…${
        options.startMinute + workload.traceMinutes
      }, ×${options.timeScale}, cap ${workload.perMinuteCap}/min); invoker memory ` +
      `${workload.memoryMb} MB of ${workload.totalMemoryMb} MB to keep all`,
  );
  const budgets = predictBudgets(workload.totalMemoryMb, workload.memoryMb);
  const prediction = predict(workload, options.timeScale, options.policies, budgets, "queue");
  const dropModel = predict(workload, options.timeScale, options.policies, budgets, "drop");
  for (
    const [rows, full, how] of [
      [prediction, "queue", "a request that cannot start waits, as live"],
      [dropModel, "drop", "a request that cannot start is dropped, as in FaasCache's model"],
    ] as const
  ) {
    console.log(`\nsimulated on this workload (${how}):\n${formatPrediction(rows, full)}`);
    const best = bestRow(rows);
    if (best) {
      console.log(
        `greedy-dual gains most at ${best.memoryMb} MB: ${best.warmRatio}× ttl's warm starts`,
      );
    }
  }
  console.log("");
  const results: PolicySummary[] = [];
  const warnings: Record<string, Record<string, number>> = {};
  for (const policy of options.predictOnly ? [] : options.policies) {
    console.log(`running ${policy} …`);
    const log = options.logFile === undefined
      ? undefined
      : await Deno.open(`${options.logFile}.${policy}.jsonl`, {
        write: true,
        create: true,
        truncate: true,
      });
    const encoder = new TextEncoder();
    let open = true;
    const run = await runPolicy(workload, {
      policy,
      timeScale: options.timeScale,
      progress: (line) => console.log(line),
      ...(log === undefined ? {} : {
        logLevel: "info" as const,
        logSink: (e: LogEntry) => {
          if (open) log.writeSync(encoder.encode(JSON.stringify(e) + "\n"));
        },
      }),
    }).finally(() => {
      open = false;
      log?.close();
    });
    results.push(summarise(run));
    warnings[policy] = { ...run.warnings };
  }
  if (results.length > 0) console.log(`\n${formatSummaries(results)}`);
  const v = verdict(results);
  if (v) {
    console.log(
      `\ngreedy-dual / ttl warm starts ${v.warmRatio}×, cold starts ÷${v.coldReduction}, ` +
        `extra drops ${v.extraDrops}: ${
          v.switchDefault ? "switch the default" : "keep ttl as the default"
        }`,
    );
  }
  const { requests, ...rest } = workload;
  const report: KeepAliveReplayReport = {
    benchmark: "keepalive-replay",
    sample: sample.trace.name,
    timeScale: options.timeScale,
    startMinute: options.startMinute,
    workload: { ...rest, requests: requests.length },
    prediction,
    predictionDropModel: dropModel,
    results,
    ...(v ? { verdict: v } : {}),
    warnings,
  };
  await Deno.mkdir(options.outDir, { recursive: true });
  const json = `${options.outDir}/keepalive-replay.json`;
  await Deno.writeTextFile(json, JSON.stringify(report, infinityAsString, 2) + "\n");
  console.log(`wrote ${json}`);
  return report;
}

/** JSON has no ∞: write it as the string "Infinity". */
function infinityAsString(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    Deno.exit(2);
  }
}
