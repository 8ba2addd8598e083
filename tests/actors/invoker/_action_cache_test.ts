/** Tests of the invoker's bounded action-document cache. */
import assert from "node:assert/strict";
import { createActionCache } from "../../../actors/invoker/_action_cache.ts";

Deno.test("createActionCache() loads a key once and shares the load", async () => {
  const cache = createActionCache<string>(4);
  let loads = 0;
  const load = () => Promise.resolve(`doc${++loads}`);
  const [a, b] = await Promise.all([cache.get("k", load), cache.get("k", load)]);
  assert.deepEqual([a, b, loads], ["doc1", "doc1", 1]);
});

Deno.test("createActionCache() keeps at most its capacity, dropping the least recently used", async () => {
  const cache = createActionCache<string>(3);
  const loads: string[] = [];
  const get = (k: string) => cache.get(k, () => (loads.push(k), Promise.resolve(k)));
  for (const k of ["a", "b", "c"]) await get(k);
  await get("a"); // a is now the most recent
  await get("d"); // evicts b
  assert.equal(cache.size, 3);
  await get("a");
  await get("c");
  await get("b"); // reloaded
  assert.deepEqual(loads, ["a", "b", "c", "d", "b"]);
  for (let i = 0; i < 1_000; i++) await get(`many${i}`);
  assert.equal(cache.size, 3);
});

Deno.test("createActionCache() forgets a failed load so the next call retries", async () => {
  const cache = createActionCache<string>(2);
  await assert.rejects(cache.get("k", () => Promise.reject(new Error("db down"))), /db down/);
  assert.equal(cache.size, 0);
  assert.equal(await cache.get("k", () => Promise.resolve("ok")), "ok");
});

Deno.test("createActionCache() rejects a capacity below 1", () => {
  assert.throws(() => createActionCache(0), RangeError);
});
