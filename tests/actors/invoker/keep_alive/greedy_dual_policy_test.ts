import assert from "node:assert/strict";
import {
  type ActionStats,
  createGreedyDualPolicy,
  type GreedyDualPolicy,
  type KeepAliveContainer,
} from "../../../../actors/invoker/keep_alive/mod.ts";

const container = (
  id: string,
  action: string,
  memoryMb: number,
  lastUsed = 0,
  busy = false,
): KeepAliveContainer => ({ id, action, memoryMb, lastUsed, busy });

const miss = (
  action: string,
  memoryMb: number,
  coldMs: number,
  warmMs: number,
  containerId: string,
): ActionStats => ({ action, memoryMb, coldMs, warmMs, containerId });

Deno.test("createGreedyDualPolicy() priority() is clock + frequency × (cold − warm) / memory", () => {
  const table: Array<
    [label: string, setup: (gd: GreedyDualPolicy) => void, c: KeepAliveContainer, expected: number]
  > = [
    ["unknown action: the clock", () => {}, container("x", "x", 100), 0],
    [
      "one cold start",
      (gd) => gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0),
      container("a1", "a", 100),
      10,
    ],
    [
      "a hit raises the frequency",
      (gd) => {
        gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0);
        gd.onHit(container("a1", "a", 100), 5);
      },
      container("a1", "a", 100),
      20,
    ],
    [
      "frequency counts every container of the action",
      (gd) => {
        gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0);
        gd.onMiss(miss("a", 100, 1_100, 100, "a2"), 1);
        gd.onHit(container("a2", "a", 100), 5);
      },
      container("a1", "a", 100),
      30,
    ],
    [
      "smaller containers rank higher",
      (gd) => gd.onMiss(miss("b", 50, 300, 200, "b1"), 0),
      container("b1", "b", 50),
      2,
    ],
    [
      "a cold start no slower than a warm run costs nothing",
      (gd) => gd.onMiss(miss("c", 100, 100, 400, "c1"), 0),
      container("c1", "c", 100),
      0,
    ],
  ];
  for (const [label, setup, c, expected] of table) {
    const gd = createGreedyDualPolicy();
    setup(gd);
    assert.equal(gd.priority(c), expected, label);
  }
});

Deno.test("createGreedyDualPolicy() chooseVictims() evicts lowest priority first", () => {
  const paused = [
    container("a1", "a", 100, 1),
    container("b1", "b", 100, 9),
    container("c1", "c", 100, 5),
  ];
  const table: Array<[neededMb: number, expected: readonly string[] | undefined]> = [
    [0, []],
    [100, ["b1"]],
    [101, ["b1", "c1"]],
    [300, ["b1", "c1", "a1"]],
    [301, undefined],
  ];
  for (const [neededMb, expected] of table) {
    const fresh = createGreedyDualPolicy();
    fresh.onMiss(miss("a", 100, 1_100, 100, "a1"), 0); // priority 10
    fresh.onMiss(miss("b", 100, 300, 100, "b1"), 0); // 2
    fresh.onMiss(miss("c", 100, 600, 100, "c1"), 0); // 5
    assert.deepEqual(fresh.chooseVictims(paused, neededMb, 10), expected, `needed ${neededMb}`);
  }
});

Deno.test("createGreedyDualPolicy() chooseVictims() raises the clock to the last victim's priority", () => {
  const gd = createGreedyDualPolicy();
  gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0); // 10
  gd.onMiss(miss("b", 100, 300, 100, "b1"), 0); // 2
  gd.onMiss(miss("c", 100, 600, 100, "c1"), 0); // 5
  const a1 = container("a1", "a", 100, 1), b1 = container("b1", "b", 100, 2);
  const c1 = container("c1", "c", 100, 3);
  assert.equal(gd.clock(), 0);
  assert.deepEqual(gd.chooseVictims([a1, b1, c1], 150, 10), ["b1", "c1"]);
  assert.equal(gd.clock(), 5);
  gd.onRemoved(b1, 10);
  gd.onRemoved(c1, 10);
  // A new call is stamped with the raised clock: 5 + 1 × (300 − 100) / 100.
  gd.onMiss(miss("d", 100, 300, 100, "d1"), 11);
  assert.equal(gd.priority(container("d1", "d", 100)), 7);
  assert.equal(gd.actionRecord("d")?.clockAtLastCall, 5);
  // An action not called since keeps its old stamp; a hit re-stamps it: 5 + 2 × 10.
  assert.equal(gd.priority(a1), 10);
  gd.onHit(a1, 12);
  assert.equal(gd.priority(a1), 25);
});

Deno.test("createGreedyDualPolicy() chooseVictims() leaves the clock alone when nothing is evicted", () => {
  const gd = createGreedyDualPolicy();
  gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0);
  const a1 = container("a1", "a", 100);
  assert.equal(gd.chooseVictims([a1], 200, 1), undefined);
  assert.deepEqual(gd.chooseVictims([a1], 0, 1), []);
  assert.equal(gd.clock(), 0);
});

Deno.test("createGreedyDualPolicy() chooseVictims() never evicts a busy container", () => {
  const gd = createGreedyDualPolicy();
  gd.onMiss(miss("cheap", 100, 100, 100, "c1"), 0); // priority 0, but busy
  gd.onMiss(miss("dear", 100, 5_100, 100, "d1"), 0); // priority 50
  const paused = [container("c1", "cheap", 100, 0, true), container("d1", "dear", 100, 0)];
  assert.deepEqual(gd.chooseVictims(paused, 100, 1), ["d1"]);
  assert.equal(gd.chooseVictims(paused, 101, 1), undefined);
});

Deno.test("createGreedyDualPolicy() chooseVictims() breaks priority ties by lastUsed, then id", () => {
  const gd = createGreedyDualPolicy();
  for (const id of ["p", "q", "r"]) gd.onMiss(miss("same", 100, 300, 100, id), 0);
  const paused = [
    container("r", "same", 100, 7),
    container("q", "same", 100, 3),
    container("p", "same", 100, 7),
  ];
  assert.deepEqual(gd.chooseVictims(paused, 300, 10), ["q", "p", "r"]);
});

Deno.test("createGreedyDualPolicy() onRemoved() subtracts the container's uses and resets with the last one", () => {
  const gd = createGreedyDualPolicy();
  gd.onMiss(miss("a", 100, 1_100, 100, "a1"), 0);
  gd.onHit(container("a1", "a", 100), 1);
  gd.onMiss(miss("a", 100, 1_100, 100, "a2"), 2);
  assert.equal(gd.actionRecord("a")?.frequency, 3);
  assert.equal(gd.actionRecord("a")?.live, 2);
  gd.onRemoved(container("a1", "a", 100), 3);
  assert.deepEqual(
    [gd.actionRecord("a")?.frequency, gd.actionRecord("a")?.live],
    [1, 1],
  );
  gd.onRemoved(container("a2", "a", 100), 4);
  assert.deepEqual(
    [gd.actionRecord("a")?.frequency, gd.actionRecord("a")?.live],
    [0, 0],
  );
  assert.equal(gd.actionRecord("a")?.lastCall, 2);
});

Deno.test("createGreedyDualPolicy() keeps containers while memory allows", () => {
  assert.equal(createGreedyDualPolicy().keepAliveFor(container("a1", "a", 1), 1e12), undefined);
});
