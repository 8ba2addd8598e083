import assert from "node:assert/strict";
import {
  freeMemory,
  oldestFirst,
  pauseCandidates,
  takeContainer,
} from "../../../actors/invoker/function_pulling_container_pool_memory.ts";
import { desiredCount } from "../../../actors/invoker/function_pulling_container_pool_prewarm.ts";
import { initialPoolState } from "../../../actors/invoker/function_pulling_container_pool_state.ts";
import { action, initializedData, testConfig, warmData } from "./_pool_fixtures.ts";

Deno.test("oldestFirst() picks the least recently used paused containers until enough is freed", () => {
  const paused = [
    { id: "a", action: "x", memoryMb: 128, lastUsed: 30 },
    { id: "b", action: "x", memoryMb: 128, lastUsed: 10 },
    { id: "c", action: "y", memoryMb: 256, lastUsed: 20 },
  ];
  assert.deepEqual(oldestFirst(paused, 100, 0), ["b"]);
  assert.deepEqual(oldestFirst(paused, 300, 0), ["b", "c"]);
  assert.deepEqual(oldestFirst(paused, 0, 0), []);
  assert.equal(oldestFirst(paused, 600, 0), undefined);
});

Deno.test("takeContainer() goes through the injected eviction policy", () => {
  const calls: number[] = [];
  const config = testConfig({
    userMemoryMb: 256,
    chooseVictims: (_paused, needed) => {
      calls.push(needed);
      return ["p1"];
    },
  });
  const state = {
    ...initialPoolState,
    paused: { p1: { memoryMb: 256, data: warmData(action("x")) } },
  };
  assert.deepEqual(takeContainer(state, action("y", 128), config, 0), {
    via: "cold",
    memoryMb: 128,
    evict: ["p1"],
  });
  assert.deepEqual(calls, [128]);
});

Deno.test("freeMemory() counts reservations against the host's usable memory", () => {
  const state = {
    ...initialPoolState,
    hostUsableMb: 500,
    inProgress: { p1: { memoryMb: 200, via: "cold" as const } },
    prewarmStarting: { p2: { kind: "nodejs:20", memoryMb: 100 } },
  };
  assert.equal(freeMemory(state, 1024), 200);
  assert.equal(freeMemory({ ...state, hostUsableMb: 5000 }, 1024), 824);
});

Deno.test("desiredCount() follows upstream's init, scheduled and backfill rules", () => {
  const plain = { kind: "nodejs:20", memoryMb: 256, initialCount: 2 };
  const reactive = {
    ...plain,
    reactive: { minCount: 1, maxCount: 3, ttlMs: 1, threshold: 2, increment: 1 },
  };
  assert.equal(desiredCount(plain, "scheduled", 10), 2);
  assert.equal(desiredCount(reactive, "init", 10), 2);
  assert.equal(desiredCount(reactive, "backfill", 10), 1);
  assert.equal(desiredCount(reactive, "scheduled", 0), 1);
  assert.equal(desiredCount(reactive, "scheduled", 5), 2);
  assert.equal(desiredCount(reactive, "scheduled", 100), 3);
});

Deno.test("pauseCandidates() asks the longest-serving busy containers to pause until the need is covered", () => {
  const busyEntry = (name: string, memoryMb: number, since?: number) => ({
    memoryMb,
    data: initializedData(action(name, memoryMb)),
    ...(since === undefined ? {} : { since }),
  });
  const state = {
    ...initialPoolState,
    busy: {
      young: busyEntry("a", 256, 30),
      old: busyEntry("b", 256, 10),
      middle: busyEntry("c", 256, 20),
      unknown: busyEntry("d", 128), // no start time: counted as the oldest
    },
    paused: { p: { memoryMb: 128, data: warmData(action("e", 128)) } },
  };
  // 1024 MB: 896 busy, 128 paused → 0 free, 128 evictable.
  assert.deepEqual(pauseCandidates(state, 128, 1024), []); // the paused one suffices
  assert.deepEqual(pauseCandidates(state, 256, 1024), ["unknown"]);
  assert.deepEqual(pauseCandidates(state, 512, 1024), ["unknown", "old"]); // 384 short
  assert.deepEqual(pauseCandidates(state, 640, 1024), ["unknown", "old", "middle"]);
  assert.deepEqual(pauseCandidates(state, 4096, 1024), ["unknown", "old", "middle", "young"]);
  assert.deepEqual(pauseCandidates(initialPoolState, 256, 1024), []); // all free
});
