/**
 * Message-driven tests of the AlarmService on a manual clock: two services sharing one
 * in-memory key-value store fire each tick exactly once between them; a failed claim
 * fires nothing; commands sent while loading are kept.
 */
import assert from "node:assert/strict";
import type { JsonObject } from "../../../../protocols/mod.ts";
import type { AlarmTarget, StoredAlarm } from "../../../../protocols/alarm_service.ts";
import { tell } from "../../../../runtime/actors/mod.ts";
import { MemoryKv } from "../../../../runtime/kv/memory_kv.ts";
import { spawnAlarmService } from "../../../../actors/controller/alarms/alarm_service.ts";
import {
  createTickClaims,
  type TickClaims,
} from "../../../../actors/controller/alarms/tick_claims.ts";
import { actorHarness } from "../../../_support/actor_harness.ts";
import { settle } from "../../../_support/settle.ts";

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 500);

const EVERY_SECOND: StoredAlarm = {
  namespace: "guest",
  trigger: "t1",
  alarmId: "a1",
  changedAt: T0,
  spec: { type: "Cron", cron: "* * * * * *", payload: { n: 1 } },
};

interface Fire {
  readonly service: string;
  readonly at: number;
  readonly target: AlarmTarget;
  readonly payload: JsonObject;
}

function serviceDeps(
  name: string,
  fires: Fire[],
  claims: TickClaims,
  now: () => number,
  alarms: StoredAlarm[] = [EVERY_SECOND],
) {
  return {
    loadAll: () => Promise.resolve(alarms),
    loadTrigger: () => Promise.resolve(undefined),
    claims,
    fire: (target: AlarmTarget, payload: JsonObject) => {
      fires.push({ service: name, at: now(), target, payload });
      return Promise.resolve({ type: "Fired" as const, activationId: "0".repeat(32) });
    },
    removeStored: () => Promise.resolve(),
  };
}

/** Moves the clock one second at a time, letting every claim and fire finish. */
async function tickSeconds(h: ReturnType<typeof actorHarness>, seconds: number) {
  for (let i = 0; i < seconds; i++) {
    h.clock.advance(1_000);
    await settle(h.system);
  }
}

Deno.test("spawnAlarmService() twice on one key-value store fires each tick exactly once", async () => {
  await using h = actorHarness({ start: T0 });
  const kv = new MemoryKv({ clock: h.clock });
  try {
    const fires: Fire[] = [];
    for (const owner of ["controller0", "controller1"]) {
      const claims = createTickClaims(kv, h.clock, { owner, leaseTtlSeconds: 60 });
      spawnAlarmService(h.system, serviceDeps(owner, fires, claims, () => h.clock.now()), {
        name: `alarms-${owner}`,
      });
    }
    h.clock.advance(0); // the state timeout that starts the first read
    await settle(h.system);
    await tickSeconds(h, 5);
    // Ticks at T0+500, +1500, ... +4500: five ticks, each claimed and fired once.
    const claimed = await kv.getPrefix("whisk/alarms/guest/t1/");
    assert.deepEqual(
      claimed.map((c) => Number(c.key.split("/").at(-1))).sort(),
      [0, 1, 2, 3, 4].map((s) => T0 + 500 + s * 1_000),
    );
    assert.equal(fires.length, 5);
    assert.deepEqual(fires[0]!.payload, { n: 1 });
    assert.deepEqual(
      fires.map((f) => f.service),
      claimed.map((c) => c.value),
      "whoever created a tick's key fired it",
    );
  } finally {
    await kv.close();
  }
});

Deno.test("spawnAlarmService() fires nothing for a tick whose claim failed", async () => {
  await using h = actorHarness({ start: T0 });
  const fires: Fire[] = [];
  const claims = { claim: () => Promise.reject(new Error("etcd down")) };
  spawnAlarmService(h.system, serviceDeps("controller0", fires, claims, () => h.clock.now()));
  h.clock.advance(0);
  await settle(h.system);
  await tickSeconds(h, 2);
  assert.deepEqual(fires, []);
  assert.equal(h.logs("alarm tick not claimed").length, 2);
});

Deno.test("spawnAlarmService() keeps an alarm set while loading and stops one removed", async () => {
  await using h = actorHarness({ start: T0 });
  const fires: Fire[] = [];
  const claims = { claim: () => Promise.resolve(true) };
  const service = spawnAlarmService(
    h.system,
    serviceDeps("controller0", fires, claims, () => h.clock.now(), []),
  );
  tell(h.system, service, { type: "AlarmSet", alarm: EVERY_SECOND }); // before the read
  h.clock.advance(0);
  await settle(h.system);
  await tickSeconds(h, 2);
  assert.equal(fires.length, 2);
  tell(h.system, service, { type: "AlarmRemoved", namespace: "guest", trigger: "t1" });
  await settle(h.system);
  await tickSeconds(h, 3);
  assert.equal(fires.length, 2);
});
