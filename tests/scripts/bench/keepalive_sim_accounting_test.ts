/**
 * The simulator's accounting on a hand-made trace whose answer was worked out by hand
 * for each policy (pool of 200 MB, TTL 10 min):
 *
 * | # | t (ms)  | fn | ttl                         | lru                  | greedy-dual                      |
 * |---|---------|----|-----------------------------|----------------------|----------------------------------|
 * | 1 | 0       | A  | miss (A1)                   | miss (A1)            | miss (A1)                        |
 * | 2 | 2000    | A  | hit A1                      | hit A1               | hit A1 (freq A = 2)              |
 * | 3 | 3000    | B  | miss (B1), pool full        | miss (B1)            | miss (B1)                        |
 * | 4 | 5000    | C  | miss, evict A1 (oldest)     | miss, evict A1       | miss, evict B1 (prio 1 < A's 20), clock 1 |
 * | 5 | 6000    | A  | miss, evict B1              | miss, evict B1       | hit A1                           |
 * | 6 | 6050    | B  | miss, evict C1              | miss, evict C1       | miss, evict C1 (prio 6), clock 6 |
 * | 7 | 6060    | C  | drop (all busy)             | drop                 | drop (A1, B2 busy)               |
 * | 8 | 700000  | A  | miss (A2, B2 expired)       | hit A2               | hit A1                           |
 * | 9 | 700500  | B  | miss                        | hit B2               | hit B2                           |
 *
 * A: 100 MB, warm 100, cold 1100 (overhead ratio 10); B: warm 100, cold 200 (ratio 1);
 * C: warm 100, cold 600 (ratio 5).
 */

import assert from "node:assert/strict";
import {
  createGreedyDualPolicy,
  createKeepAlivePolicy,
  type KeepAlivePolicyName,
} from "../../../actors/invoker/keep_alive/mod.ts";
import { type Arrival, simulate, type Trace } from "../../../scripts/bench/keepalive_sim/mod.ts";

const trace: Trace = {
  name: "hand",
  functions: [
    { name: "A", memoryMb: 100, warmMs: 100, coldMs: 1_100, perMinute: [] },
    { name: "B", memoryMb: 100, warmMs: 100, coldMs: 200, perMinute: [] },
    { name: "C", memoryMb: 100, warmMs: 100, coldMs: 600, perMinute: [] },
  ],
};
const [A, B, C] = [0, 1, 2];
const arrivals: Arrival[] = [
  { at: 0, fn: A },
  { at: 2_000, fn: A },
  { at: 3_000, fn: B },
  { at: 5_000, fn: C },
  { at: 6_000, fn: A },
  { at: 6_050, fn: B },
  { at: 6_060, fn: C },
  { at: 700_000, fn: A },
  { at: 700_500, fn: B },
];

Deno.test("simulate() counts hits, misses, drops, evictions and expirations exactly on a hand trace", () => {
  const table: Array<
    [
      KeepAlivePolicyName,
      { hits: number; misses: number; drops: number; evictions: number; expirations: number },
      overheadPct: number,
    ]
  > = [
    // misses: A ×3, B ×3, C ×1 → (3×10 + 3×1 + 5) / 8 served.
    ["ttl", { hits: 1, misses: 7, drops: 1, evictions: 3, expirations: 2 }, 100 * 38 / 8],
    // misses: A ×2, B ×2, C ×1 → (20 + 2 + 5) / 8.
    ["lru", { hits: 3, misses: 5, drops: 1, evictions: 3, expirations: 0 }, 100 * 27 / 8],
    // misses: A ×1, B ×2, C ×1 → (10 + 2 + 5) / 8.
    ["greedy-dual", { hits: 4, misses: 4, drops: 1, evictions: 2, expirations: 0 }, 100 * 17 / 8],
  ];
  for (const [policy, counts, overheadPct] of table) {
    const r = simulate(trace, arrivals, createKeepAlivePolicy(policy), 200);
    assert.deepEqual(
      {
        hits: r.hits,
        misses: r.misses,
        drops: r.drops,
        evictions: r.evictions,
        expirations: r.expirations,
      },
      counts,
      policy,
    );
    assert.equal(r.requests, 9, policy);
    assert.equal(r.coldStartPct, 100 * counts.misses / (counts.hits + counts.misses), policy);
    assert.equal(r.dropPct, 100 / 9, policy);
    assert.equal(r.overheadPct, overheadPct, policy);
    assert.equal(r.peakUsedMb, 200, policy);
  }
});

Deno.test("simulate() leaves greedy-dual's clock at the last victim's priority", () => {
  const gd = createGreedyDualPolicy();
  simulate(trace, arrivals, gd, 200);
  // C1's priority when evicted at step 6: stamp 1 + 1 × (600 − 100) / 100.
  assert.equal(gd.clock(), 6);
});

Deno.test("simulate() drops a function larger than the whole pool without evicting", () => {
  const big: Trace = {
    name: "big",
    functions: [{ name: "X", memoryMb: 300, warmMs: 1, coldMs: 2, perMinute: [] }],
  };
  const r = simulate(big, [{ at: 0, fn: 0 }], createKeepAlivePolicy("lru"), 200);
  assert.deepEqual([r.hits, r.misses, r.drops, r.evictions], [0, 0, 1, 0]);
});

Deno.test("simulate() with full: queue runs a waiting request on its function's next free container", () => {
  // A: 100 MB in a 100 MB pool. A1 runs cold 0…1000; the requests at 10 and 20 wait and
  // then run warm on A1 at 1000 (waited 990) and 1100 (waited 1080).
  const one: Trace = {
    name: "one",
    functions: [{ name: "A", memoryMb: 100, warmMs: 100, coldMs: 1_000, perMinute: [] }],
  };
  const burst: Arrival[] = [{ at: 0, fn: 0 }, { at: 10, fn: 0 }, { at: 20, fn: 0 }];
  const queued = simulate(one, burst, createKeepAlivePolicy("lru"), 100, "queue");
  assert.deepEqual(
    [queued.hits, queued.misses, queued.drops, queued.queued, queued.meanWaitMs],
    [2, 1, 0, 2, 1_035],
  );
  // FaasCache's model drops them instead.
  const dropped = simulate(one, burst, createKeepAlivePolicy("lru"), 100);
  assert.deepEqual([dropped.hits, dropped.misses, dropped.drops, dropped.queued], [0, 1, 2, 0]);
});

Deno.test("simulate() with full: queue creates for a waiting request once idle memory allows", () => {
  // A1 runs 0…1000 and B1 0…300 in 200 MB; C at 10 has no container: it waits until B1
  // is idle at 300, evicts it and starts cold (waited 290).
  const three: Trace = {
    name: "three",
    functions: [
      { name: "A", memoryMb: 100, warmMs: 100, coldMs: 1_000, perMinute: [] },
      { name: "B", memoryMb: 100, warmMs: 100, coldMs: 300, perMinute: [] },
      { name: "C", memoryMb: 100, warmMs: 100, coldMs: 500, perMinute: [] },
    ],
  };
  const r = simulate(
    three,
    [{ at: 0, fn: 0 }, { at: 0, fn: 1 }, { at: 10, fn: 2 }],
    createKeepAlivePolicy("lru"),
    200,
    "queue",
  );
  assert.deepEqual(
    [r.hits, r.misses, r.drops, r.evictions, r.queued, r.meanWaitMs],
    [0, 3, 0, 1, 1, 290],
  );
  // A function with a busy container waits for it rather than evict for a second one:
  // A at 400 waits for A1 (free at 1000) and leaves the idle B1 alone, which B reuses.
  const waits = simulate(
    three,
    [{ at: 0, fn: 0 }, { at: 0, fn: 1 }, { at: 400, fn: 0 }, { at: 1_100, fn: 1 }],
    createKeepAlivePolicy("lru"),
    200,
    "queue",
  );
  assert.deepEqual(
    [waits.hits, waits.misses, waits.evictions, waits.queued, waits.meanWaitMs],
    [2, 2, 0, 1, 600],
  );
  // A function larger than the pool still cannot wait for anything.
  const big = simulate(three, [{ at: 0, fn: 0 }], createKeepAlivePolicy("lru"), 50, "queue");
  assert.deepEqual([big.drops, big.queued], [1, 0]);
});
