/** Tests of actors/controller/entity_cache.ts: read-through, invalidation, TTL, eviction. */
import assert from "node:assert/strict";
import { EntityCache } from "../../../actors/controller/entity_cache.ts";
import { ManualClock } from "../../../runtime/actors/clock.ts";

const invalidation = (mainId: string, entityType?: "action" | "package") => ({
  type: "CacheInvalidationMessage" as const,
  mainId,
  instanceId: "controller1",
  ...(entityType ? { entityType } : {}),
});

Deno.test("EntityCache.getOrLoad() loads once and serves the cached revision after", async () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  let loads = 0;
  const load = () => Promise.resolve({ value: `v${++loads}`, revision: `${loads}-x` });
  assert.deepEqual(await cache.getOrLoad("guest/a", load), { value: "v1", revision: "1-x" });
  assert.deepEqual(await cache.getOrLoad("guest/a", load), { value: "v1", revision: "1-x" });
  assert.equal(loads, 1);
});

Deno.test("EntityCache.applyInvalidation() drops the entry so the next read reloads", async () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  let loads = 0;
  const load = () => Promise.resolve({ value: `v${++loads}`, revision: `${loads}-x` });
  await cache.getOrLoad("guest/a", load);
  assert.equal(cache.applyInvalidation(invalidation("guest/a")), true);
  assert.equal(cache.get("guest/a"), undefined);
  assert.equal((await cache.getOrLoad("guest/a", load))?.value, "v2");
});

Deno.test("EntityCache.applyInvalidation() ignores other entity types", () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  cache.put("guest/a", { value: "v", revision: "1-x" });
  assert.equal(cache.applyInvalidation(invalidation("guest/a", "package")), false);
  assert.equal(cache.get("guest/a")?.value, "v");
  assert.equal(cache.applyInvalidation(invalidation("guest/a", "action")), true);
});

Deno.test("EntityCache.getOrLoad() does not keep a load invalidated while in flight", async () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const first = cache.getOrLoad("guest/a", async () => {
    await gate;
    return { value: "stale", revision: "1-x" };
  });
  cache.invalidate("guest/a");
  release();
  assert.equal((await first)?.value, "stale");
  assert.equal(cache.get("guest/a"), undefined);
});

Deno.test("EntityCache.getOrLoad() shares one load between concurrent misses and skips not-found", async () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  let loads = 0;
  const load = () => {
    loads++;
    return Promise.resolve(undefined);
  };
  await Promise.all([cache.getOrLoad("guest/a", load), cache.getOrLoad("guest/a", load)]);
  assert.equal(loads, 1);
  assert.equal(cache.size, 0);
});

Deno.test("EntityCache.get() expires entries after the TTL and evicts the oldest past the cap", () => {
  const clock = new ManualClock(0);
  const cache = new EntityCache<string>({ clock, ttlMs: 100, maxEntries: 2 });
  cache.put("a", { value: "a", revision: "1" });
  cache.put("b", { value: "b", revision: "1" });
  cache.put("c", { value: "c", revision: "1" });
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.get("b")?.value, "b");
  clock.advance(100);
  assert.equal(cache.get("c"), undefined);
});

Deno.test("EntityCache.getOrLoad() passes a failed load to its caller without caching", async () => {
  const cache = new EntityCache<string>({ clock: new ManualClock(0) });
  await assert.rejects(cache.getOrLoad("a", () => Promise.reject(new Error("down"))), /down/);
  assert.equal(
    (await cache.getOrLoad("a", () => Promise.resolve({ value: "v", revision: "1" })))?.value,
    "v",
  );
});
