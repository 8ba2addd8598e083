import assert from "node:assert/strict";
import {
  createLruPolicy,
  type KeepAliveContainer,
} from "../../../../actors/invoker/keep_alive/mod.ts";

const c = (id: string, lastUsed: number, memoryMb = 100, busy = false): KeepAliveContainer => ({
  id,
  action: "a",
  memoryMb,
  lastUsed,
  busy,
});

Deno.test("createLruPolicy() keepAliveFor() keeps every container while memory allows", () => {
  const policy = createLruPolicy();
  assert.equal(policy.keepAliveFor(c("x", 0), 10 * 24 * 3_600_000), undefined);
});

Deno.test("createLruPolicy() chooseVictims() evicts least recently used first", () => {
  const policy = createLruPolicy();
  const paused = [c("c3", 300), c("c1", 100, 50), c("c2", 200)];
  const table: Array<[neededMb: number, expected: readonly string[] | undefined]> = [
    [0, []],
    [50, ["c1"]],
    [51, ["c1", "c2"]],
    [150, ["c1", "c2"]],
    [250, ["c1", "c2", "c3"]],
    [251, undefined],
  ];
  for (const [neededMb, expected] of table) {
    assert.deepEqual(policy.chooseVictims(paused, neededMb, 400), expected, `needed ${neededMb}`);
  }
});

Deno.test("createLruPolicy() chooseVictims() skips busy containers and breaks ties by id", () => {
  const policy = createLruPolicy();
  const paused = [c("z", 1, 100, true), c("y", 2), c("x", 2)];
  assert.deepEqual(policy.chooseVictims(paused, 100, 10), ["x"]);
  assert.deepEqual(policy.chooseVictims(paused, 200, 10), ["x", "y"]);
  assert.equal(policy.chooseVictims(paused, 201, 10), undefined);
});
