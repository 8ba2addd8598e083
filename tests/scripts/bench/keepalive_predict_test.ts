// Tests the keep-alive replay's prediction: its workload simulated at a sweep of budgets
// (scripts/bench/keepalive_replay/predict.ts) and the replay's --predict and --memory-share flags.
import assert from "node:assert/strict";
import {
  bestRow,
  formatPrediction,
  KIND_START_MS,
  parseReplayOptions,
  predict,
  predictBudgets,
  type PredictionRow,
  type ReplayFunction,
  type Workload,
  workloadTrace,
} from "../../../scripts/bench/keepalive_replay/mod.ts";
import type { SimResult } from "../../../scripts/bench/keepalive_sim/mod.ts";

const fn = (name: string, memoryMb = 256): ReplayFunction => ({
  name,
  traceName: `trace-${name}`,
  kind: "nodejs:20",
  initMs: 100,
  memoryMb,
  allocMb: 64,
  busyMs: 10,
  requests: 0,
});

/** One function called at 0 s, 40 s and 40.5 s of wall time. */
const workload: Workload = {
  functions: [fn("ka00")],
  requests: [{ atMs: 0, fn: 0 }, { atMs: 40_000, fn: 0 }, { atMs: 40_500, fn: 0 }],
  traceMinutes: 14,
  perMinuteCap: 10,
  memoryMb: 512,
  totalMemoryMb: 256,
};

Deno.test("workloadTrace() puts busy, init and process start times on the trace's clock", () => {
  const { trace, arrivals } = workloadTrace(workload, 20);
  assert.deepEqual(trace.functions[0], {
    name: "ka00",
    warmMs: 200,
    coldMs: (10 + 100 + KIND_START_MS["nodejs:20"]) * 20,
    memoryMb: 256,
    perMinute: [],
  });
  assert.deepEqual(arrivals.map((a) => a.at), [0, 800_000, 810_000]);
});

Deno.test("predict() sees ttl expire a container idle past 10 trace minutes, greedy-dual keep it", () => {
  // At ×20, the 40 s gap is 13.3 trace minutes: ttl's container is gone, greedy-dual's is not.
  const [row] = predict(workload, 20, ["ttl", "greedy-dual"], [512]);
  const of = (policy: string) => row!.results.find((r) => r.policy === policy)!;
  assert.deepEqual([of("ttl").hits, of("ttl").misses], [1, 2]);
  assert.deepEqual([of("greedy-dual").hits, of("greedy-dual").misses], [2, 1]);
  assert.equal(row!.warmRatio, 2);
  assert.equal(row!.fraction, 2);
  // At ×2 the gap is 80 trace seconds, well within ttl's keep-alive: both keep it.
  const [slow] = predict(workload, 2, ["ttl", "greedy-dual"], [512]);
  assert.equal(slow!.warmRatio, 1);
  // In FaasCache's model nothing waits, so the outcome is the same here (nothing is full).
  const [dropped] = predict(workload, 20, ["ttl", "greedy-dual"], [512], "drop");
  assert.equal(dropped!.warmRatio, 2);
  // Without greedy-dual there is no ratio.
  assert.equal(predict(workload, 20, ["ttl"], [512])[0]!.warmRatio, undefined);
});

Deno.test("predictBudgets() sweeps shares of the total in 64 MB steps, with the live budget", () => {
  assert.deepEqual(predictBudgets(1_000), [128, 256, 320, 448, 512, 704, 1_024]);
  assert.deepEqual(predictBudgets(1_000, 600), [128, 256, 320, 448, 512, 600, 704, 1_024]);
  assert.deepEqual(predictBudgets(1_000, 512), [128, 256, 320, 448, 512, 704, 1_024]);
});

const result = (policy: string, hits: number, drops: number): SimResult => ({
  trace: "t",
  policy,
  capacityMb: 1,
  requests: hits + drops,
  hits,
  misses: 0,
  drops,
  evictions: 0,
  expirations: 0,
  coldStartPct: 0,
  dropPct: 0,
  overheadPct: 0,
  peakUsedMb: 0,
  peakBusyMb: 0,
  queued: 3,
  meanWaitMs: 0,
});
const row = (memoryMb: number, ttl: [number, number], gd: [number, number]): PredictionRow => ({
  memoryMb,
  fraction: memoryMb / 1_000,
  results: [result("ttl", ...ttl), result("greedy-dual", ...gd)],
  warmRatio: gd[0] / ttl[0],
});

Deno.test("bestRow() takes the largest warm ratio among rows where greedy-dual drops no more", () => {
  const rows = [row(100, [10, 5], [30, 6]), row(200, [10, 2], [20, 2]), row(300, [10, 0], [15, 0])];
  assert.equal(bestRow(rows)?.memoryMb, 200);
  assert.equal(bestRow([row(100, [10, 5], [30, 6])]), undefined);
  assert.equal(bestRow([]), undefined);
});

Deno.test("formatPrediction() prints warm/cold/waited per policy and the ratio", () => {
  const text = formatPrediction([row(200, [10, 2], [20, 2])]);
  assert.match(text, /ttl warm\/cold\/waited/);
  assert.match(text, /10\/0\/3/);
  assert.match(text, /2\.00×/);
  const dropped = formatPrediction([row(200, [10, 2], [20, 2])], "drop");
  assert.match(dropped, /ttl warm\/cold\/dropped/);
  assert.match(dropped, /10\/0\/2/);
});

Deno.test("parseReplayOptions() reads --predict and --memory-share, and refuses both budgets", () => {
  const o = parseReplayOptions(["--predict", "--memory-share", "0.3"]);
  assert.equal(o.predictOnly, true);
  assert.equal(o.memoryShare, 0.3);
  assert.equal(parseReplayOptions([]).predictOnly, false);
  assert.throws(() => parseReplayOptions(["--memory-share", "1.5"]), TypeError);
  assert.throws(
    () => parseReplayOptions(["--memory-share", "0.3", "--memory-mb", "1024"]),
    /exclude each other/,
  );
});
