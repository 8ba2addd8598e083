import assert from "node:assert/strict";
import {
  actionCode,
  buildWorkload,
  classify,
  defaultMemoryMb,
  logCompressed,
  MAX_BUSY_MS,
  MAX_INIT_MS,
  MAX_MEMORY_MB,
  MIN_MEMORY_MB,
  parseReplayOptions,
  perMinuteCap,
  type PolicyRun,
  quantile,
  type ReplayFunction,
  stratified,
  summarise,
  verdict,
} from "../../../scripts/bench/keepalive_replay/mod.ts";
import type { Trace } from "../../../scripts/bench/keepalive_sim/mod.ts";

Deno.test("parseReplayOptions() reads the flags and rejects unknown ones", () => {
  const o = parseReplayOptions(["--functions", "30", "--minutes", "2", "--policy", "greedy-dual"]);
  assert.deepEqual([o.functions, o.minutes, o.policies], [30, 2, ["greedy-dual"]]);
  assert.deepEqual(parseReplayOptions([]).policies, ["ttl", "lru", "greedy-dual"]);
  assert.deepEqual(parseReplayOptions(["--policy", "both"]).policies, ["ttl", "greedy-dual"]);
  assert.equal(parseReplayOptions(["--log", "/tmp/x"]).logFile, "/tmp/x");
  assert.throws(() => parseReplayOptions(["--policy", "fifo"]), TypeError);
  assert.throws(() => parseReplayOptions(["--functions", "2"]), TypeError);
  assert.throws(() => parseReplayOptions(["--nope"]), TypeError);
});

Deno.test("stratified() takes evenly from each quartile, or everything when short", () => {
  const items = Array.from({ length: 16 }, (_, i) => i);
  assert.deepEqual(stratified(items, 4), [2, 6, 10, 14]);
  assert.deepEqual(stratified(items, 8), [1, 3, 5, 7, 9, 11, 13, 15]);
  assert.deepEqual(stratified([1, 2], 4), [1, 2]);
});

Deno.test("perMinuteCap() is the largest cap that keeps the total within the bound", () => {
  const counts = [[10, 10], [1, 1]];
  assert.equal(perMinuteCap(counts, 100), 10);
  assert.equal(perMinuteCap(counts, 12), 5); // 5+5+1+1
  assert.equal(perMinuteCap(counts, 11), 4);
  assert.equal(perMinuteCap(counts, 0), 1);
});

function trace(): Trace {
  const fn = (i: number, perMinute: number[], warmMs: number, memoryMb: number) => ({
    name: `f${i}`,
    warmMs,
    coldMs: warmMs * 2,
    memoryMb,
    perMinute,
  });
  return {
    name: "t",
    functions: [
      fn(0, [0, 0, 100, 100], 12_000, 64),
      fn(1, [0, 0, 1, 1], 24, 300),
      fn(2, [0, 0, 2, 0], 600, 2_000),
      fn(3, [0, 0, 0, 3], 60, 100),
      fn(4, [5, 5, 0, 0], 60, 100), // only before the window
      fn(5, [0, 0, 1, 0], 60, 100), // once: left out
    ],
  };
}

Deno.test("buildWorkload() windows, caps, scales and clamps the trace", () => {
  const w = buildWorkload(trace(), {
    functions: 4,
    minutes: 1,
    timeScale: 2,
    startMinute: 2,
    maxRequests: 20,
    allocFraction: 0.25,
  });
  assert.equal(w.traceMinutes, 2);
  // Sorted by window count: f1 (2), f2 (2), f3 (3), f0 (200, capped).
  assert.deepEqual(w.functions.map((f) => f.traceName), ["f1", "f2", "f3", "f0"]);
  assert.equal(w.perMinuteCap, 6); // 1+1 + 2 + 3 + 6+6 = 19 ≤ 20
  assert.deepEqual(w.functions.map((f) => f.requests), [2, 2, 3, 12]);
  // Log-compressed: 64 MB (the smallest) → 128, 2 000 MB (the largest) → 512.
  assert.deepEqual(w.functions.map((f) => f.memoryMb), [224, MAX_MEMORY_MB, 160, MIN_MEMORY_MB]);
  assert.deepEqual(w.functions.map((f) => f.busyMs), [12, MAX_BUSY_MS, 30, MAX_BUSY_MS]);
  assert.deepEqual(w.functions.map((f) => f.allocMb), [56, 128, 40, 32]);
  // (cold − warm) ÷ 2, clamped: f0's 6 000 ms goes to the cap.
  assert.deepEqual(w.functions.map((f) => f.initMs), [12, 300, 30, MAX_INIT_MS]);
  assert.deepEqual(w.functions.map((f) => f.kind), [
    "nodejs:20",
    "python:3",
    "deno:2",
    "nodejs:20",
  ]);
  assert.equal(w.requests.length, 19);
  // Trace minute 1 of the window starts at 60 s of trace time = 30 s of wall time.
  assert.deepEqual(w.requests.filter((r) => r.fn === 0).map((r) => r.atMs), [0, 30_000]);
  assert.ok(w.requests.every((r, i) => i === 0 || w.requests[i - 1]!.atMs <= r.atMs));
  assert.equal(w.totalMemoryMb, 224 + 512 + 160 + 128);
});

Deno.test("buildWorkload() throws RangeError when the window is nearly empty", () => {
  assert.throws(
    () =>
      buildWorkload(trace(), {
        functions: 4,
        minutes: 1,
        timeScale: 1,
        startMinute: 0,
        maxRequests: 10,
        allocFraction: 0.25,
      }),
    RangeError,
  );
});

Deno.test("defaultMemoryMb() holds a share (40%) of the functions, at least twice the largest", () => {
  const f = (memoryMb: number) => ({ memoryMb }) as ReplayFunction;
  assert.equal(defaultMemoryMb([f(512), f(512), f(512), f(512), f(512)]), 1024);
  assert.equal(defaultMemoryMb(Array.from({ length: 20 }, () => f(256))), 2048);
  // A share of the total instead of 40%, still at least twice the largest.
  assert.equal(defaultMemoryMb(Array.from({ length: 20 }, () => f(256)), 0.3), 1536);
  assert.equal(defaultMemoryMb(Array.from({ length: 20 }, () => f(256)), 0.05), 512);
});

Deno.test("classify() tells warm, cold and dropped answers apart", () => {
  const record = (annotations: { key: string; value: unknown }[], success = true) => ({
    response: { success, status: success ? "success" : "whisk internal error" },
    annotations,
  });
  assert.deepEqual(classify(200, record([{ key: "waitTime", value: 3 }])), { kind: "warm" });
  assert.deepEqual(classify(200, record([{ key: "initTime", value: 40 }])), { kind: "cold" });
  assert.deepEqual(classify(502, record([], false)), {
    kind: "dropped",
    reason: "502 whisk internal error",
  });
  const crashed = {
    response: {
      success: false,
      status: "action developer error",
      result: { error: "The action did not produce a valid response and exited unexpectedly." },
    },
  };
  assert.deepEqual(classify(502, crashed), {
    kind: "dropped",
    reason:
      "502 action developer error: The action did not produce a valid response and exited unexpectedly.",
  });
  assert.deepEqual(classify(503, { error: "overloaded" }), {
    kind: "dropped",
    reason: "503 overloaded",
  });
  assert.equal(classify(202, { activationId: "x" }).kind, "dropped");
});

Deno.test("logCompressed() keeps the order of sizes within 128…512 MB", () => {
  const map = logCompressed([100, 400, 1_600]);
  assert.deepEqual([100, 400, 1_600].map(map), [MIN_MEMORY_MB, 256, MAX_MEMORY_MB]);
  assert.equal(map(50), MIN_MEMORY_MB); // below the smallest seen
  assert.deepEqual([300, 300].map(logCompressed([300, 300])), [MIN_MEMORY_MB, MIN_MEMORY_MB]);
});

Deno.test("actionCode() sleeps the init cost in module scope for each kind", () => {
  assert.match(actionCode({ kind: "nodejs:20", initMs: 250 }), /^Atomics\.wait\(.*, 250\);/);
  assert.match(actionCode({ kind: "python:3", initMs: 250 }), /^import time\ntime\.sleep\(0\.25\)/);
  assert.match(actionCode({ kind: "deno:2", initMs: 250 }), /^await new Promise.*, 250\)\);/);
  assert.match(actionCode({ kind: "deno:2", initMs: 0 }), /export function main/);
});

Deno.test("quantile() takes the nearest rank", () => {
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile([5, 1, 3, 2, 4], 0.99), 5);
  assert.equal(quantile([], 0.5), 0);
});

function run(policy: "ttl" | "greedy-dual", warm: number, cold: number, dropped: number) {
  const outcomes = [
    ...Array.from(
      { length: warm },
      () => ({ fn: 0, atMs: 0, kind: "warm" as const, latencyMs: 10 }),
    ),
    ...Array.from(
      { length: cold },
      () => ({ fn: 0, atMs: 0, kind: "cold" as const, latencyMs: 300 }),
    ),
    ...Array.from({ length: dropped }, () => ({
      fn: 0,
      atMs: 0,
      kind: "dropped" as const,
      latencyMs: 1,
      reason: "503",
    })),
  ];
  return { policy, outcomes, wallMs: 1_000, warnings: {} } satisfies PolicyRun;
}

Deno.test("summarise() counts outcomes and reports latency and drop reasons", () => {
  const s = summarise(run("ttl", 3, 1, 2));
  assert.deepEqual([s.requests, s.warm, s.cold, s.dropped, s.coldPct], [6, 3, 1, 2, 25]);
  assert.deepEqual(s.dropReasons, { "503": 2 });
  assert.deepEqual(s.perFunction, [[3, 1, 2]]);
  assert.equal(s.drops.length, 2);
  assert.deepEqual([s.latencyMs.warm.p50, s.latencyMs.cold.p50, s.latencyMs.all.p99], [
    10,
    300,
    300,
  ]);
});

Deno.test("verdict() switches the default only at 1.5× warm starts and no extra drops", () => {
  const ttl = summarise(run("ttl", 10, 10, 1));
  assert.equal(verdict([ttl, summarise(run("greedy-dual", 15, 5, 1))])?.switchDefault, true);
  assert.equal(verdict([ttl, summarise(run("greedy-dual", 14, 6, 1))])?.switchDefault, false);
  assert.equal(verdict([ttl, summarise(run("greedy-dual", 20, 0, 2))])?.switchDefault, false);
  assert.equal(verdict([ttl]), undefined);
});
