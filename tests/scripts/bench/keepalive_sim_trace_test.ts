import assert from "node:assert/strict";
import {
  arrivalsOf,
  defaultSizes,
  findKnee,
  invocationsOf,
  parseAzureSample,
  parseSimOptions,
  renderSvg,
  type SimResult,
  syntheticTrace,
  type Trace,
} from "../../../scripts/bench/keepalive_sim/mod.ts";

Deno.test("arrivalsOf() spaces each minute's invocations evenly, in time then function order", () => {
  const trace: Trace = {
    name: "t",
    functions: [
      { name: "f", warmMs: 1, coldMs: 1, memoryMb: 1, perMinute: [2, 0, 1] },
      { name: "g", warmMs: 1, coldMs: 1, memoryMb: 1, perMinute: [4] },
    ],
  };
  assert.deepEqual([...arrivalsOf(trace)], [
    { at: 0, fn: 0 },
    { at: 0, fn: 1 },
    { at: 15_000, fn: 1 },
    { at: 30_000, fn: 0 },
    { at: 30_000, fn: 1 },
    { at: 45_000, fn: 1 },
    { at: 120_000, fn: 0 },
  ]);
});

const header = (cols: string) => `HashFunction,HashApp,HashOwner,${cols}`;

Deno.test("parseAzureSample() joins by owner/app/function, splits app memory, drops rare and unmatched", () => {
  const inv = [
    header("minute_1,minute_2"),
    "f1,app1,o,3,1",
    "f2,app1,o,0,2",
    "f3,app2,o,1,0", // invoked once: dropped
    "f4,app3,o,5,5", // no duration row: unmatched
  ].join("\n");
  const run = [
    header("Count,Average,Minimum,Maximum"),
    "f1,app1,o,4,100,50,900",
    "f2,app1,o,2,300,10,200", // maximum below average: cold = average
    "f3,app2,o,1,10,10,10",
  ].join("\n");
  const mem = "HashApp,HashOwner,SampleCount,AverageAllocatedMb\napp1,o,9,301\napp2,o,9,64\n";
  const sample = parseAzureSample({ inv, run, mem }, "tiny");
  assert.equal(sample.unmatched, 1);
  assert.equal(sample.rare, 1);
  assert.deepEqual(
    sample.trace.functions.map((f) => [f.warmMs, f.coldMs, f.memoryMb, f.perMinute]),
    [[100, 900, 151, [3, 1]], [300, 300, 151, [0, 2]]],
  );
});

Deno.test("parseAzureSample() throws SyntaxError on a ragged row and TypeError on a bad number", () => {
  const ok = header("Count,Average,Minimum,Maximum") + "\nf,a,o,1,2,3,4";
  const mem = "HashApp,HashOwner,SampleCount,AverageAllocatedMb\na,o,1,10";
  assert.throws(
    () => parseAzureSample({ inv: header("minute_1") + "\nf,a,o", run: ok, mem }, "x"),
    SyntaxError,
  );
  assert.throws(
    () => parseAzureSample({ inv: header("minute_1") + "\nf,a,o,x", run: ok, mem }, "x"),
    TypeError,
  );
});

Deno.test("syntheticTrace() is deterministic per seed and spans many decades of rates", () => {
  const a = syntheticTrace({ seed: 1 });
  assert.deepEqual(a, syntheticTrace({ seed: 1 }));
  assert.notDeepEqual(
    a.functions.map((f) => f.warmMs),
    syntheticTrace({ seed: 2 }).functions.map((f) => f.warmMs),
  );
  const counts = a.functions.map(invocationsOf);
  assert.ok(Math.max(...counts) / Math.min(...counts) > 1e4, "rates span at least 4 decades");
  for (const f of a.functions) {
    assert.ok(f.coldMs > f.warmMs && f.memoryMb >= 100 && f.memoryMb <= 400, f.name);
  }
});

Deno.test("defaultSizes() spans half the peak busy memory to the unbounded footprint", () => {
  const sizes = defaultSizes({ peakBusyMb: 4_096, unboundedMb: 16_384 }, 3);
  assert.deepEqual(sizes, [2_048, 5_888, 16_384]);
});

const result = (
  policy: string,
  capacityMb: number,
  overheadPct: number,
  dropPct = 0,
): SimResult => ({
  trace: "t",
  policy,
  capacityMb,
  requests: 100,
  hits: 0,
  misses: 0,
  drops: 0,
  evictions: 0,
  expirations: 0,
  coldStartPct: 0,
  dropPct,
  overheadPct,
  peakUsedMb: 0,
  peakBusyMb: 0,
  queued: 0,
  meanWaitMs: 0,
});

Deno.test("findKnee() picks the largest gap and ratio among sizes that drop at most 1%", () => {
  const knee = findKnee([
    result("ttl", 1, 90, 5),
    result("greedy-dual", 1, 10, 5), // undersized: ignored
    result("ttl", 2, 20),
    result("greedy-dual", 2, 10),
    result("ttl", 3, 4),
    result("greedy-dual", 3, 1),
  ]);
  assert.equal(knee?.largestGap.capacityMb, 2);
  assert.equal(knee?.largestRatio.capacityMb, 3);
  assert.equal(knee?.largestRatio.ttlOverGreedyDual, 4);
});

Deno.test("parseSimOptions() reads flags and rejects bad ones", () => {
  assert.deepEqual(parseSimOptions(["--sample", "400", "--sizes", "1024,2048", "--quick"]), {
    sample: 400,
    sizesMb: [1024, 2048],
    quick: true,
    synthetic: true,
    dataDir: "/work/shared/data/azure-functions-2019",
    outDir: "bench-results",
  });
  for (const bad of [["--sample", "7"], ["--sizes", "1,-2"], ["--what"], ["--out"]]) {
    assert.throws(() => parseSimOptions(bad), TypeError, bad.join(" "));
  }
});

Deno.test("renderSvg() draws one polyline per policy and panel", () => {
  const svg = renderSvg([
    { title: "a<b", results: [result("ttl", 1, 5), result("ttl", 2, 1), result("lru", 1, 0)] },
  ]);
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.ok(svg.includes("a&lt;b"));
});
