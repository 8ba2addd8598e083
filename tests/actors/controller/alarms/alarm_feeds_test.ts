/**
 * The alarms feed assembled over a SQLite store, a manual clock and a recording REST
 * handler: the lifecycle events (CREATE, READ, UPDATE, DELETE and their refusals), an
 * alarm that survives a restart of its controller, fires through
 * `POST .../triggers/{name}` as the namespace's owner, and a one-shot alarm that fires
 * once and removes itself from its trigger.
 */
import assert from "node:assert/strict";
import type { Identity, JsonObject } from "../../../../protocols/mod.ts";
import { ALL_RIGHTS } from "../../../../protocols/mod.ts";
import { startSystem, stopSystem } from "../../../../runtime/actors/mod.ts";
import { ManualClock } from "../../../../runtime/actors/clock.ts";
import { MemoryKv } from "../../../../runtime/kv/memory_kv.ts";
import { silentLogger } from "../../../../runtime/log.ts";
import { type EntityStore, openSqliteStore } from "../../../../runtime/store/mod.ts";
import { startAlarmFeeds } from "../../../../actors/controller/alarms/alarm_feeds.ts";
import { readTriggerAlarm } from "../../../../actors/controller/alarms/alarm_documents.ts";
import {
  apiKeyOf,
  ensureGuestSubject,
  GUEST_SUBJECT,
} from "../../../../actors/controller/rest_api/mod.ts";
import type { EntityChange } from "../../../../actors/controller/rest_api/rest_api_deps.ts";
import {
  apiTrigger,
  buildTriggerForPut,
} from "../../../../actors/controller/rest_api/trigger_document.ts";
import { settle } from "../../../_support/settle.ts";

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
const GUEST = GUEST_SUBJECT.namespaces[0]!;
const IDENTITY: Identity = {
  subject: GUEST_SUBJECT.subject,
  namespace: { name: GUEST.name, uuid: GUEST.uuid },
  authkey: { uuid: GUEST.uuid, key: GUEST.key },
  rights: ALL_RIGHTS,
  limits: {},
};

interface Posted {
  readonly path: string;
  readonly authorization: string | null;
  readonly body: JsonObject;
}

async function platform() {
  const clock = new ManualClock(T0);
  const store: EntityStore = openSqliteStore({ path: ":memory:", logger: silentLogger, clock });
  await ensureGuestSubject(store);
  const trigger = buildTriggerForPut({
    namespace: "guest",
    name: "t1",
    body: {},
    now: T0,
    maxParameterBytes: 1024,
  });
  await store.putEntity("triggers", "guest", "t1", apiTrigger(trigger));
  const kv = new MemoryKv({ clock });
  const posted: Posted[] = [];
  const changes: EntityChange[] = [];
  const rest = async (request: Request) => {
    posted.push({
      path: new URL(request.url).pathname,
      authorization: request.headers.get("authorization"),
      body: await request.json(),
    });
    return Response.json({ activationId: "f".repeat(32) }, { status: 202 });
  };
  /** Starts one controller's alarms feed on a fresh actor system (a process start). */
  const start = async () => {
    const system = startSystem({ logger: silentLogger, clock });
    const alarms = startAlarmFeeds({
      parent: system,
      kv,
      store,
      clock,
      logger: silentLogger,
      announceChange: (change) => void changes.push(change),
      rest,
    }, { owner: "controller0" });
    clock.advance(0); // the first read
    await settle(system);
    return { system, alarms };
  };
  const advance = async (system: Parameters<typeof settle>[0], ms: number) => {
    for (let left = ms; left > 0; left -= 1_000) {
      clock.advance(Math.min(1_000, left));
      await settle(system);
    }
  };
  return {
    clock,
    store,
    posted,
    changes,
    start,
    advance,
    async [Symbol.asyncDispose]() {
      await kv.close();
      await store.close();
    },
  };
}

const lifecycle = (event: string, extra: JsonObject = {}) => ({
  lifecycleEvent: event,
  authKey: apiKeyOf(GUEST_SUBJECT),
  triggerName: "/_/t1",
  ...extra,
});

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
