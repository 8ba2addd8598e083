/**
 * The alarms feed assembled over a SQLite store, a manual clock and a recording REST
 * handler: the lifecycle events (CREATE, READ, UPDATE, DELETE and their refusals), an
 * alarm that survives a restart of its controller, fires through
 * `POST .../triggers/{name}` as the namespace's owner, a one-shot alarm that fires
 * once and removes itself from its trigger, and an interval alarm that keeps its
 * phase from its creation across a restart.
 */
import assert from "node:assert/strict";
import type { JsonObject } from "../../../../protocols/mod.ts";
import { stopSystem } from "../../../../runtime/actors/mod.ts";
import { readTriggerAlarm } from "../../../../actors/controller/alarms/alarm_documents.ts";
import { apiKeyOf, GUEST_SUBJECT } from "../../../../actors/controller/rest_api/mod.ts";
import { settle } from "../../../_support/settle.ts";
import { IDENTITY, lifecycle, platform, T0 } from "./_alarm_feed_fixtures.ts";

Deno.test("startAlarmFeeds() answers the lifecycle events and refuses bad parameters", async () => {
  await using p = await platform();
  const { system, alarms } = await p.start();
  try {
    const invoke = (name: string, params: JsonObject) =>
      alarms.feeds.invoke(IDENTITY, name, params);
    assert.ok(alarms.feeds.serves("whisk.system", "alarms/alarm"));
    assert.ok(!alarms.feeds.serves("guest", "alarms/alarm"));
    const refusals = await Promise.all([
      invoke("alarms/alarm", lifecycle("CREATE", { cron: "61 * * * *" })),
      invoke(
        "alarms/alarm",
        lifecycle("CREATE", { cron: "* * * * *", startDate: T0 + 9e6, stopDate: T0 + 1e6 }),
      ),
      invoke("alarms/once", lifecycle("CREATE", { date: T0 - 1 })),
      invoke("alarms/alarm", lifecycle("CREATE", { cron: "* * * * *", triggerName: "/_/nope" })),
      invoke("alarms/alarm", lifecycle("CREATE", { cron: "* * * * *", triggerName: "/other/t1" })),
      invoke("alarms/alarm", lifecycle("READ")),
    ]);
    for (const r of refusals) assert.equal(typeof r.error, "string", JSON.stringify(r));
    assert.match(String(refusals[0]!.error), /cron pattern '61 \* \* \* \*' is not valid/);
    assert.equal(p.changes.length, 0);

    const payload = { hello: "world" };
    assert.deepEqual(
      await invoke(
        "alarms/alarm",
        lifecycle("CREATE", { cron: "*/10 * * * * *", trigger_payload: payload }),
      ),
      {},
    );
    assert.deepEqual(p.changes.map((c) => c.mainId), ["guest/t1"]);
    const again = await invoke("alarms/alarm", lifecycle("CREATE", { cron: "* * * * *" }));
    assert.match(String(again.error), /already has an alarm/);
    const read = await invoke("alarms/alarm", lifecycle("READ"));
    assert.deepEqual(read.config, {
      name: "t1",
      namespace: "guest",
      cron: "*/10 * * * * *",
      trigger_payload: payload,
    });
    assert.equal((read.status as JsonObject).active, true);
    assert.deepEqual(
      await invoke("alarms/alarm", lifecycle("UPDATE", { cron: "0 * * * * *" })),
      {},
    );
    const stored = await readTriggerAlarm(p.store, { namespace: "guest", trigger: "t1" });
    assert.equal(stored?.alarm?.spec.type === "Cron" && stored.alarm.spec.cron, "0 * * * * *");
    assert.deepEqual(stored?.alarm?.spec.payload, payload, "UPDATE keeps what it was not given");
    assert.deepEqual(await invoke("alarms/alarm", lifecycle("DELETE")), {});
    assert.match(String((await invoke("alarms/alarm", lifecycle("READ"))).error), /has no alarm/);
  } finally {
    await stopSystem(system);
  }
});

Deno.test("startAlarmFeeds() reloads a stored alarm after a restart and fires as the owner", async () => {
  await using p = await platform();
  const first = await p.start();
  await first.alarms.feeds.invoke(
    IDENTITY,
    "alarms/alarm",
    lifecycle("CREATE", { cron: "*/2 * * * * *", trigger_payload: { n: 1 } }),
  );
  await stopSystem(first.system); // the controller goes away before any tick
  assert.deepEqual(p.posted, []);
  const second = await p.start();
  try {
    await p.advance(second.system, 4_000);
    assert.equal(p.posted.length, 2, "ticks at T0+1500 and T0+3500");
    assert.deepEqual(p.posted[0], {
      path: "/api/v1/namespaces/guest/triggers/t1",
      authorization: `Basic ${btoa(apiKeyOf(GUEST_SUBJECT))}`,
      body: { n: 1 },
    });
  } finally {
    await stopSystem(second.system);
  }
});

Deno.test("startAlarmFeeds() fires a one-shot alarm once and removes it from the trigger", async () => {
  await using p = await platform();
  const { system, alarms } = await p.start();
  try {
    const result = await alarms.feeds.invoke(
      IDENTITY,
      "alarms/once",
      lifecycle("CREATE", { date: new Date(T0 + 2_000).toISOString() }),
    );
    assert.deepEqual(result, {});
    await p.advance(system, 5_000);
    assert.equal(p.posted.length, 1);
    const stored = await readTriggerAlarm(p.store, { namespace: "guest", trigger: "t1" });
    assert.ok(stored, "the trigger stays");
    assert.equal(stored.alarm, undefined);
    assert.ok(!stored.trigger.annotations.some((kv) => kv.key === "feed"));
  } finally {
    await stopSystem(system);
  }
});

Deno.test("startAlarmFeeds() serves the interval feed: refusals, READ, UPDATE keeping the anchor", async () => {
  await using p = await platform();
  const { system, alarms } = await p.start();
  try {
    const invoke = (name: string, params: JsonObject) =>
      alarms.feeds.invoke(IDENTITY, name, params);
    assert.ok(alarms.feeds.serves("whisk.system", "alarms/interval"));
    const refused = await invoke("alarms/interval", lifecycle("CREATE", { minutes: "0" }));
    assert.match(String(refused.error), /^minutes must be an integer of at least 1/);
    const missing = await invoke("alarms/interval", lifecycle("CREATE"));
    assert.equal(missing.error, "minutes is a required parameter");

    const created = lifecycle("CREATE", { minutes: 2, trigger_payload: { n: 1 } });
    assert.deepEqual(await invoke("alarms/interval", created), {});
    const other = await invoke("alarms/alarm", lifecycle("UPDATE", { cron: "* * * * *" }));
    assert.match(String(other.error), /has an alarm of another feed/);
    const read = await invoke("alarms/interval", lifecycle("READ"));
    assert.deepEqual(read.config, {
      name: "t1",
      namespace: "guest",
      minutes: 2,
      trigger_payload: { n: 1 },
    });
    assert.equal((read.status as JsonObject).active, true);

    p.clock.advance(30_000);
    assert.deepEqual(await invoke("alarms/interval", lifecycle("UPDATE", { minutes: 3 })), {});
    const stored = await readTriggerAlarm(p.store, { namespace: "guest", trigger: "t1" });
    assert.deepEqual(stored?.alarm?.spec, {
      type: "Interval",
      minutes: 3,
      anchor: T0,
      payload: { n: 1 },
    });
    const feed = stored?.trigger.annotations.find((kv) => kv.key === "feed")?.value;
    assert.equal(feed, "/whisk.system/alarms/interval");
  } finally {
    await stopSystem(system);
  }
});

Deno.test("startAlarmFeeds() fires an interval alarm every 2 minutes from its creation, across a restart", async () => {
  await using p = await platform();
  const first = await p.start();
  const created = await first.alarms.feeds.invoke(
    IDENTITY,
    "alarms/interval",
    lifecycle("CREATE", { minutes: 2, trigger_payload: { n: 1 } }),
  );
  assert.deepEqual(created, {});
  p.clock.advance(60_000);
  await settle(first.system);
  await stopSystem(first.system); // restarted at +1 min: counting from here would tick at +3
  const second = await p.start();
  /** Moves the clock to `T0 + ms` and answers how many fires were posted by then. */
  const firesAt = async (ms: number) => {
    p.clock.advance(T0 + ms - p.clock.now());
    await settle(second.system);
    return p.posted.length;
  };
  try {
    assert.equal(await firesAt(120_000 - 1), 0);
    assert.equal(await firesAt(120_000), 1, "fires at +2 min");
    assert.equal(await firesAt(180_000), 1, "not at +3 min");
    assert.equal(await firesAt(240_000 - 1), 1);
    assert.equal(await firesAt(240_000), 2, "fires at +4 min");
    assert.deepEqual(p.posted.map((f) => f.body), [{ n: 1 }, { n: 1 }]);
  } finally {
    await stopSystem(second.system);
  }
});
