/** Tests of scripts/bench/report.ts: FPC-only gate figures, lean file names, both paths plotted. */
import assert from "node:assert/strict";
import type { BenchResult } from "../../../scripts/bench/bench_context.ts";
import {
  collectLeanMetrics,
  collectMetrics,
  formatRun,
  plotRun,
  resultFileName,
  type RunReport,
} from "../../../scripts/bench/report.ts";

const metric = (value: number) => ({ value, better: "lower" as const, gate: true });

function warm(balancer: "fpc" | "lean", p50: number): BenchResult {
  return {
    name: "warm-latency",
    balancer,
    status: "ok",
    figures: { latencyMs: { p50, p99: p50 * 4, count: 3, errors: 0 } },
    vsFloor: {},
    vsAnchor: {},
    metrics: { "warm-latency.p50/floor-http-p50": metric(p50 * 10) },
    samplesMs: [p50, p50 * 2, p50 * 4],
  };
}

function sweep(balancer: "fpc" | "lean", perSecond: number): BenchResult {
  return {
    name: "warm-throughput",
    balancer,
    status: "ok",
    figures: {},
    vsFloor: {},
    vsAnchor: {},
    metrics: {},
    sweep: [{ concurrency: 1, perSecond }, { concurrency: 32, perSecond: perSecond * 2 }],
  };
}

const report = (balancers: RunReport["balancers"], results: BenchResult[]): RunReport => ({
  timestamp: "t",
  mode: "standalone",
  balancers,
  quick: false,
  host: "h",
  results,
});

Deno.test("collectMetrics() keeps the FPC figures the gate compares and leaves lean out", () => {
  const results = [warm("fpc", 1), warm("lean", 0.5)];
  assert.deepEqual(collectMetrics(results), { "warm-latency.p50/floor-http-p50": metric(10) });
  assert.deepEqual(collectLeanMetrics(results), { "warm-latency.p50/floor-http-p50": metric(5) });
});

Deno.test("resultFileName() suffixes lean results only", () => {
  assert.equal(resultFileName(warm("fpc", 1)), "warm-latency");
  assert.equal(resultFileName(warm("lean", 1)), "warm-latency-lean");
});

Deno.test("plotRun() draws one latency and one throughput series per balancer", () => {
  const svg = plotRun(
    report(["fpc", "lean"], [
      warm("fpc", 1),
      sweep("fpc", 400),
      warm("lean", 0.5),
      sweep("lean", 800),
    ]),
  );
  for (const name of ["standalone fpc", "standalone lean"]) {
    assert.ok(svg.includes(`>${name}</text>`), `latency series ${name}`);
    assert.ok(svg.includes(`>${name} noop invokes</text>`), `throughput series ${name}`);
  }
  assert.equal(svg.match(/<polyline/g)?.length, 4);
});

Deno.test("plotRun() keeps the mode as the series name in an FPC-only run", () => {
  const svg = plotRun(report(["fpc"], [warm("fpc", 1), sweep("fpc", 400)]));
  assert.ok(svg.includes(">standalone</text>"));
  assert.ok(svg.includes(">standalone noop invokes</text>"));
  assert.ok(!svg.includes("lean"));
});

Deno.test("formatRun() tags results and appends FPC ÷ lean when both ran", () => {
  const both = formatRun(report(["fpc", "lean"], [warm("fpc", 1), warm("lean", 0.5)]));
  assert.match(both, /balancer=fpc\+lean/);
  assert.match(both, /^warm-latency \[lean\]: ok$/m);
  assert.match(both, /warm-latency p50 \(ms\)\s+1\.000\s+0\.500\s+2\.000×/);
  const fpcOnly = formatRun(report(["fpc"], [warm("fpc", 1)]));
  assert.match(fpcOnly, /^warm-latency: ok$/m);
  assert.ok(!fpcOnly.includes("FPC vs lean"));
  assert.ok(!fpcOnly.includes("balancer="));
});
