/** Tests of scripts/bench/balancer_comparison.ts: picking figures and dividing FPC by lean. */
import assert from "node:assert/strict";
import {
  balancersOf,
  compareBalancers,
  formatBalancerComparison,
} from "../../../scripts/bench/balancer_comparison.ts";
import type { BenchResult } from "../../../scripts/bench/bench_context.ts";

function result(
  name: string,
  balancer: "fpc" | "lean" | undefined,
  extra: Partial<BenchResult> = {},
): BenchResult {
  return {
    name,
    ...(balancer ? { balancer } : {}),
    status: "ok",
    figures: {},
    vsFloor: {},
    vsAnchor: {},
    metrics: {},
    ...extra,
  };
}

const RUN: BenchResult[] = [
  result("floor", undefined, { figures: { latencyMs: { p50: 0.1, p99: 0.5 } } }),
  result("warm-latency", "fpc", {
    figures: { latencyMs: { p50: 1.2, p99: 6 } },
    cpuUsPerInvocation: { platform: 900, containers: 50 },
  }),
  result("warm-throughput", "fpc", {
    figures: { peak: { concurrency: 32, perSecond: 600 } },
    sweep: [{ concurrency: 1, perSecond: 400 }, { concurrency: 32, perSecond: 600 }],
  }),
  result("many-actions", "fpc", { figures: { perSecond: 100, latencyMs: { p50: 150 } } }),
  result("cold-start", "fpc", {
    figures: { latencyMs: { p50: 300, p99: 500 }, breakdownMsMedian: { waitTime: 200 } },
  }),
  result("warm-latency", "lean", {
    figures: { latencyMs: { p50: 0.6, p99: 3 } },
    cpuUsPerInvocation: { platform: 450 },
  }),
  result("warm-throughput", "lean", {
    figures: { peak: { concurrency: 32, perSecond: 1200 } },
    sweep: [{ concurrency: 1, perSecond: 800 }, { concurrency: 8, perSecond: 1000 }, {
      concurrency: 32,
      perSecond: 1200,
    }],
  }),
  result("many-actions", "lean", { figures: { perSecond: 250, latencyMs: { p50: 60 } } }),
  result("cold-start", "lean", {
    figures: { latencyMs: { p50: 150, p99: 250 }, breakdownMsMedian: { waitTime: 0 } },
  }),
];

const row = (rows: ReturnType<typeof compareBalancers>, benchmark: string, figure: string) => {
  const found = rows.find((r) => r.benchmark === benchmark && r.figure === figure);
  assert.ok(found, `no row ${benchmark} ${figure}`);
  return found;
};

Deno.test("balancersOf() runs FPC first for both and one path otherwise", () => {
  assert.deepEqual(balancersOf("both"), ["fpc", "lean"]);
  assert.deepEqual(balancersOf("fpc"), ["fpc"]);
  assert.deepEqual(balancersOf("lean"), ["lean"]);
});

Deno.test("compareBalancers() divides each FPC figure by the lean one", () => {
  const rows = compareBalancers(RUN);
  assert.deepEqual(row(rows, "warm-latency", "p50"), {
    benchmark: "warm-latency",
    figure: "p50",
    unit: "ms",
    better: "lower",
    fpc: 1.2,
    lean: 0.6,
    fpcOverLean: 2,
  });
  assert.equal(row(rows, "warm-latency", "p99").fpcOverLean, 2);
  assert.equal(row(rows, "warm-latency", "platform CPU").fpcOverLean, 2);
  assert.equal(row(rows, "warm-throughput", "c=1").fpcOverLean, 0.5);
  assert.equal(row(rows, "warm-throughput", "c=32").fpcOverLean, 0.5);
  assert.equal(row(rows, "warm-throughput", "peak").fpcOverLean, 0.5);
  assert.equal(row(rows, "many-actions", "throughput").fpcOverLean, 0.4);
  assert.equal(row(rows, "many-actions", "p50").fpcOverLean, 2.5);
  assert.equal(row(rows, "cold-start", "p50").fpcOverLean, 2);
  assert.equal(row(rows, "cold-start", "p99").fpcOverLean, 2);
});

Deno.test("compareBalancers() lists sweep levels in order, keeping one-sided rows with null", () => {
  const rows = compareBalancers(RUN);
  const sweep = rows.filter((r) => r.benchmark === "warm-throughput").map((r) => r.figure);
  assert.deepEqual(sweep, ["c=1", "c=8", "c=32", "peak"]);
  const c8 = row(rows, "warm-throughput", "c=8");
  assert.equal(c8.fpc, null);
  assert.equal(c8.lean, 1000);
  assert.equal(c8.fpcOverLean, null);
});

Deno.test("compareBalancers() gives null for a zero lean denominator", () => {
  const wait = row(compareBalancers(RUN), "cold-start", "waitTime median");
  assert.equal(wait.fpc, 200);
  assert.equal(wait.lean, 0);
  assert.equal(wait.fpcOverLean, null);
});

Deno.test("compareBalancers() treats failed results and non-numbers as missing", () => {
  const rows = compareBalancers([
    result("cold-start", "fpc", { figures: { latencyMs: { p50: 300, p99: NaN } } }),
    result("cold-start", "lean", { status: "failed", figures: { latencyMs: { p50: 150 } } }),
  ]);
  assert.deepEqual(rows.map((r) => [r.figure, r.fpc, r.lean, r.fpcOverLean]), [
    ["p50", 300, null, null],
  ]);
});

Deno.test("compareBalancers() ignores results without a balancer", () => {
  const rows = compareBalancers([
    result("warm-latency", undefined, { figures: { latencyMs: { p50: 1 } } }),
  ]);
  assert.deepEqual(rows, []);
});

Deno.test("formatBalancerComparison() prints FPC, lean and the ratio per figure", () => {
  const text = formatBalancerComparison(compareBalancers(RUN));
  const line = text.split("\n").find((l) => l.includes("warm-latency p50 (ms)"));
  assert.ok(line);
  assert.match(line, /1\.200\s+0\.600\s+2\.000×/);
  assert.match(text, /warm-throughput c=8 \(inv\/s\)\s+—\s+1000\s+—/);
  assert.equal(formatBalancerComparison([]), "FPC vs lean: no figure measured on both paths");
});
