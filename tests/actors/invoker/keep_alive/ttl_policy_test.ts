import assert from "node:assert/strict";
import {
  createTtlPolicy,
  type KeepAliveContainer,
  UPSTREAM_KEEP_ALIVE_MS,
} from "../../../../actors/invoker/keep_alive/mod.ts";

const c = (id: string, lastUsed: number, memoryMb = 256, busy = false): KeepAliveContainer => ({
  id,
  action: `act-${id}`,
  memoryMb,
  lastUsed,
  busy,
});

Deno.test("createTtlPolicy() keepAliveFor() is the time left until lastUsed + TTL", () => {
  const table: Array<[ttlMs: number | undefined, lastUsed: number, now: number, expected: number]> =
    [
      [undefined, 1_000, 1_000, UPSTREAM_KEEP_ALIVE_MS],
      [undefined, 0, 60_000, UPSTREAM_KEEP_ALIVE_MS - 60_000],
      [1_000, 5_000, 5_400, 600],
      [1_000, 5_000, 6_000, 0],
      [1_000, 5_000, 9_000, 0],
    ];
  for (const [ttlMs, lastUsed, now, expected] of table) {
    const policy = createTtlPolicy(ttlMs === undefined ? {} : { ttlMs });
    assert.equal(
      policy.keepAliveFor(c("x", lastUsed), now),
      expected,
      `${ttlMs} ${lastUsed} ${now}`,
    );
  }
});

Deno.test("createTtlPolicy() rejects a negative TTL", () => {
  assert.throws(() => createTtlPolicy({ ttlMs: -1 }), RangeError);
});

Deno.test("createTtlPolicy() chooseVictims() evicts oldest lastUsed first until enough is freed", () => {
  const policy = createTtlPolicy();
  const paused = [c("new", 30), c("old", 10), c("mid", 20)];
  const table: Array<[neededMb: number, expected: readonly string[] | undefined]> = [
    [0, []],
    [-5, []],
    [1, ["old"]],
    [256, ["old"]],
    [257, ["old", "mid"]],
    [768, ["old", "mid", "new"]],
    [769, undefined],
  ];
  for (const [neededMb, expected] of table) {
    assert.deepEqual(policy.chooseVictims(paused, neededMb, 100), expected, `needed ${neededMb}`);
  }
});

Deno.test("createTtlPolicy() chooseVictims() never picks a busy container", () => {
  const policy = createTtlPolicy();
  const paused = [c("busy", 1, 256, true), c("idle", 50)];
  assert.deepEqual(policy.chooseVictims(paused, 100, 100), ["idle"]);
  assert.equal(policy.chooseVictims(paused, 300, 100), undefined);
});

Deno.test("createTtlPolicy() chooseVictims() breaks lastUsed ties by id", () => {
  const policy = createTtlPolicy();
  assert.deepEqual(policy.chooseVictims([c("b", 5), c("a", 5), c("c", 5)], 300, 10), ["a", "b"]);
});
