/** Tick claims: create-only keys under rotating, never-renewed leases. */
import assert from "node:assert/strict";
import { ManualClock } from "../../../../runtime/actors/clock.ts";
import { MemoryKv } from "../../../../runtime/kv/memory_kv.ts";
import { createTickClaims } from "../../../../actors/controller/alarms/tick_claims.ts";

Deno.test("createTickClaims() lets exactly one claimer create a tick's key", async () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKv({ clock });
  try {
    const claimers = ["controller0", "controller1", "controller2"].map((owner) =>
      createTickClaims(kv, clock, { owner, leaseTtlSeconds: 10 })
    );
    const won = await Promise.all(claimers.map((c) => c.claim("whisk/alarms/guest/t/1000")));
    assert.deepEqual(won.filter(Boolean).length, 1);
    const owner = await kv.get("whisk/alarms/guest/t/1000");
    assert.equal(owner, `controller${won.indexOf(true)}`);
  } finally {
    await kv.close();
  }
});

Deno.test("createTickClaims() keys live at least half the lease TTL, then vanish", async () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKv({ clock });
  try {
    const claims = createTickClaims(kv, clock, { owner: "controller0", leaseTtlSeconds: 10 });
    assert.ok(await claims.claim("whisk/alarms/guest/t/1"));
    clock.advance(4_999);
    assert.ok(await claims.claim("whisk/alarms/guest/t/2")); // same lease, granted at 0
    clock.advance(1); // 5 s: the next claim gets a new lease
    assert.ok(await claims.claim("whisk/alarms/guest/t/3"));
    clock.advance(5_000); // 10 s: the first lease (keys 1 and 2) expired
    assert.deepEqual((await kv.getPrefix("whisk/alarms/")).map((e) => e.key), [
      "whisk/alarms/guest/t/3",
    ]);
    clock.advance(5_000);
    assert.equal(await kv.countPrefix("whisk/alarms/"), 0);
  } finally {
    await kv.close();
  }
});

Deno.test("createTickClaims() grants a new lease when the store lost the current one", async () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKv({ clock });
  try {
    const claims = createTickClaims(kv, clock, { owner: "controller0", leaseTtlSeconds: 10 });
    assert.ok(await claims.claim("whisk/alarms/guest/t/1"));
    const [lost] = kv.leases();
    assert.ok(lost && kv.expireLease(lost.id)); // as after an etcd restart
    assert.ok(await claims.claim("whisk/alarms/guest/t/2"));
    assert.notEqual(kv.leases()[0]?.id, lost.id);
  } finally {
    await kv.close();
  }
});
