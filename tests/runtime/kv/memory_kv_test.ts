/**
 * Tests of the in-memory twin's own behaviour and test hooks (`runtime/kv/memory_kv.ts`);
 * the shared semantics are in `tests/contract/kv_contract.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../../runtime/actors/clock.ts";
import type { WatchEvent } from "../../../runtime/kv/key_value_store.ts";
import { KvClosedError, LeaseLostError } from "../../../runtime/kv/kv_errors.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { capturingLogger } from "../../../runtime/log.ts";

/** Lets queued microtasks (watch deliveries) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const clock = new ManualClock(0);
  const logger = capturingLogger();
  return { clock, logger, kv: new MemoryKv({ clock, logger }) };
}

Deno.test("MemoryKv expires a lease exactly at its TTL on the injected clock", async () => {
  const { clock, kv } = setup();
  const lease = await kv.grantLease(2);
  await kv.put("k", "v", { lease });
  clock.advance(1_999);
  assert.equal(await kv.get("k"), "v");
  clock.advance(1);
  assert.equal(await kv.get("k"), undefined);
  assert.deepEqual(kv.leases(), []);
  await kv.close();
});

Deno.test("MemoryKv.keepAliveOnce() restarts the TTL from now", async () => {
  const { clock, kv } = setup();
  const lease = await kv.grantLease(2);
  await kv.put("k", "v", { lease });
  clock.advance(1_500);
  await kv.keepAliveOnce(lease);
  assert.equal(kv.leases()[0]?.remainingMs, 2_000);
  clock.advance(1_999);
  assert.equal(await kv.get("k"), "v");
  clock.advance(1);
  assert.equal(await kv.get("k"), undefined);
  await kv.close();
});

Deno.test("MemoryKv.expireLease() deletes the lease's keys in one revision and fires deletes", async () => {
  const { kv } = setup();
  const lease = await kv.grantLease(10);
  await kv.put("p/b", "2", { lease });
  await kv.put("p/a", "1", { lease });
  await kv.put("p/c", "3");
  const seen: WatchEvent[] = [];
  await kv.watch("p/", { prefix: true }, (e) => seen.push(e));
  const before = kv.revision;
  assert.equal(kv.expireLease(lease), true);
  assert.equal(kv.expireLease(lease), false);
  assert.equal(kv.revision, before + 1);
  await settle();
  assert.deepEqual(seen, [
    { type: "delete", key: "p/a", prevValue: "1" },
    { type: "delete", key: "p/b", prevValue: "2" },
  ]);
  await assert.rejects(kv.keepAliveOnce(lease), LeaseLostError);
  await kv.close();
});

Deno.test("MemoryKv.leases() lists live leases with their keys; a re-put moves a key's lease", async () => {
  const { clock, kv } = setup();
  const a = await kv.grantLease(5);
  const b = await kv.grantLease(3);
  await kv.put("k1", "v", { lease: a });
  await kv.put("k2", "v", { lease: a });
  await kv.put("k1", "w", { lease: b });
  clock.advance(1_000);
  assert.deepEqual(kv.leases(), [
    { id: a, ttlSeconds: 5, remainingMs: 4_000, keys: ["k2"] },
    { id: b, ttlSeconds: 3, remainingMs: 2_000, keys: ["k1"] },
  ]);
  await kv.put("k1", "plain");
  clock.advance(2_000);
  assert.equal(await kv.get("k1"), "plain", "a plain put detaches the key from its lease");
  await kv.close();
});

Deno.test("MemoryKv counts revisions only for real changes", async () => {
  const { kv } = setup();
  const start = kv.revision;
  await kv.del("absent");
  await kv.delPrefix("nothing/");
  assert.equal(await kv.putIfVersion("k", "v", 3), false);
  assert.equal(kv.revision, start);
  await kv.put("a/1", "x");
  await kv.put("a/2", "y");
  await kv.delPrefix("a/");
  assert.equal(kv.revision, start + 3);
  await kv.close();
});

Deno.test("MemoryKv.watch() logs a throwing handler and keeps delivering", async () => {
  const { kv, logger } = setup();
  const seen: string[] = [];
  await kv.watch("k", { prefix: false }, (e) => {
    seen.push(e.type);
    if (seen.length === 1) throw new Error("boom");
  });
  await kv.put("k", "1");
  await kv.del("k");
  await settle();
  assert.deepEqual(seen, ["put", "delete"]);
  assert.equal(logger.entries.filter((e) => e.msg === "watch handler threw").length, 1);
  await kv.close();
});

Deno.test("MemoryKv.close() stops lease timers and watches, then rejects calls", async () => {
  const { clock, kv } = setup();
  await kv.grantLease(2);
  const seen: WatchEvent[] = [];
  await kv.watch("", { prefix: true }, (e) => seen.push(e));
  await kv.close();
  assert.equal(clock.pendingCount, 0);
  await assert.rejects(kv.put("k", "v"), KvClosedError);
  await assert.rejects(kv.grantLease(1), KvClosedError);
  await settle();
  assert.deepEqual(seen, []);
});
