/**
 * Message-driven tests of LeaseKeepAlive on the in-memory store and a manual clock
 * (reference §8.8 item 82: grants a lease and watches its key, re-grants when the key is
 * deleted or a keep-alive fails, `GetLease` returns the current lease).
 */
import assert from "node:assert/strict";
import { tell } from "../../../runtime/actors/mod.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import type { Lease, LeaseChanged } from "../../../protocols/lease_keep_alive.ts";
import { spawnLeaseKeepAlive } from "../../../actors/shared/lease_keep_alive.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { faultyKv } from "./_faulty_kv.ts";

const MARKER = "whisk/instance/scheduler0/lease";

function leaseHarness() {
  const h = actorHarness();
  const memory = new MemoryKv({ clock: h.clock });
  const kv = faultyKv(memory);
  const leases = spawnLeaseKeepAlive(h.system, { kv }, {
    instance: "scheduler0",
    ttlSeconds: 2,
    keepAliveIntervalMs: 500,
    retryIntervalMs: 1_000,
  });
  const replies = createProbe<Lease>(h.system, "replies");
  const getLease = async () => {
    tell(h.system, leases, { type: "GetLease", replyTo: replies.ref });
    return (await replies.expectMessageType("Lease")).leaseId;
  };
  const stopSystem = h[Symbol.asyncDispose];
  return Object.assign(h, {
    memory,
    kv,
    leases,
    replies,
    getLease,
    [Symbol.asyncDispose]: async () => {
      await stopSystem();
      await memory.close();
    },
  });
}

Deno.test("spawnLeaseKeepAlive() grants a lease and puts the marker key under it", async () => {
  await using h = leaseHarness();
  const leaseId = await h.getLease();
  assert.equal(await h.memory.get(MARKER), leaseId);
  const [lease] = h.memory.leases();
  assert.deepEqual({ id: lease?.id, ttl: lease?.ttlSeconds, keys: lease?.keys }, {
    id: leaseId,
    ttl: 2,
    keys: [MARKER],
  });
  assert.deepEqual(h.kv.openWatches(), [`key:${MARKER}`]);
  assert.equal(h.system.actors().find((a) => a.name === "lease-keep-alive")?.stateName, "Active");
});

Deno.test("spawnLeaseKeepAlive() keeps the lease alive every 500 ms beyond its TTL", async () => {
  await using h = leaseHarness();
  const leaseId = await h.getLease();
  for (let i = 0; i < 10; i++) {
    h.clock.advance(500);
    await settle(h.system);
  }
  assert.equal(h.kv.calls.keepAliveOnce, 10);
  assert.deepEqual(h.memory.leases().map((l) => l.id), [leaseId]); // 5 s > 2 s TTL
  assert.equal(await h.getLease(), leaseId);
});

Deno.test("spawnLeaseKeepAlive() revokes and re-grants when the marker key is deleted", async () => {
  await using h = leaseHarness();
  const first = await h.getLease();
  await h.memory.del(MARKER);
  await settle(h.system);
  const second = await h.getLease();
  assert.notEqual(second, first);
  assert.deepEqual(h.memory.leases().map((l) => l.id), [second]); // the old one is revoked
  assert.equal(await h.memory.get(MARKER), second);
  assert.deepEqual(h.kv.openWatches(), [`key:${MARKER}`]); // the old watch is closed
});

Deno.test("spawnLeaseKeepAlive() re-grants when the lease expires and its marker vanishes", async () => {
  await using h = leaseHarness();
  const first = await h.getLease();
  h.memory.expireLease(first);
  await settle(h.system);
  const second = await h.getLease();
  assert.notEqual(second, first);
  assert.equal(await h.memory.get(MARKER), second);
});

Deno.test("spawnLeaseKeepAlive() re-grants when a keep-alive fails", async () => {
  await using h = leaseHarness();
  const first = await h.getLease();
  h.kv.failNext("keepAliveOnce");
  h.clock.advance(500);
  await settle(h.system);
  const second = await h.getLease();
  assert.notEqual(second, first);
  assert.deepEqual(h.memory.leases().map((l) => l.id), [second]);
});

Deno.test("spawnLeaseKeepAlive() stashes GetLease until a lease is active, retrying a failed grant", async () => {
  await using h = actorHarness();
  const memory = new MemoryKv({ clock: h.clock });
  const kv = faultyKv(memory);
  try {
    kv.failNext("grantLease", 2);
    const leases = spawnLeaseKeepAlive(h.system, { kv }, {
      instance: "invoker0",
      retryIntervalMs: 1_000,
    });
    const replies = createProbe<Lease>(h.system);
    tell(h.system, leases, { type: "GetLease", replyTo: replies.ref });
    tell(h.system, leases, { type: "GetLease", replyTo: replies.ref });
    await replies.expectNoMessage();
    h.clock.advance(999);
    await replies.expectNoMessage();
    h.clock.advance(1); // second grant: fails again
    await replies.expectNoMessage();
    h.clock.advance(1_000);
    const [a, b] = await replies.receiveMessages(2);
    assert.equal(kv.calls.grantLease, 3);
    assert.equal(a?.leaseId, memory.leases()[0]?.id);
    assert.deepEqual(a, b);
    assert.equal(a?.ttlSeconds, 10);
  } finally {
    await memory.close();
  }
});

Deno.test("spawnLeaseKeepAlive() tells subscribers the current lease and every new one", async () => {
  await using h = leaseHarness();
  const subscriber = createProbe<LeaseChanged>(h.system, "subscriber");
  tell(h.system, h.leases, { type: "SubscribeLease", subscriber: subscriber.ref });
  const first = await subscriber.expectMessageType("LeaseChanged");
  assert.equal(first.leaseId, await h.getLease());
  await h.memory.del(MARKER);
  const second = await subscriber.expectMessageType("LeaseChanged");
  assert.notEqual(second.leaseId, first.leaseId);
  assert.equal(second.leaseId, await h.getLease());
  await subscriber.expectNoMessage();
});

Deno.test("spawnLeaseKeepAlive() grants a new lease after a crash restarts it", async () => {
  await using h = leaseHarness();
  const first = await h.getLease();
  h.kv.throwNext("keepAliveOnce"); // a bug in the shell: the actor crashes and restarts
  h.clock.advance(500);
  await settle(h.system);
  assert.equal(h.logs("actor crashed").length, 1);
  h.clock.advance(0); // the restarted `Ready` state times out at once
  await settle(h.system);
  const second = await h.getLease();
  assert.notEqual(second, first);
  assert.equal(await h.memory.get(MARKER), second);
  assert.deepEqual(h.kv.openWatches(), [`key:${MARKER}`]); // the old incarnation's watch is closed
});
