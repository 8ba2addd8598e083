/**
 * Fixtures for the alarms feed tests: the guest's identity and a platform of a SQLite
 * store, a manual clock, an in-memory key-value store and a recording REST handler on
 * which controllers' alarms feeds start and restart.
 *
 * @module
 */
import type { Identity, JsonObject } from "../../../../protocols/mod.ts";
import { ALL_RIGHTS } from "../../../../protocols/mod.ts";
import { startSystem } from "../../../../runtime/actors/mod.ts";
import { ManualClock } from "../../../../runtime/actors/clock.ts";
import { MemoryKv } from "../../../../runtime/kv/memory_kv.ts";
import { silentLogger } from "../../../../runtime/log.ts";
import { type EntityStore, openSqliteStore } from "../../../../runtime/store/mod.ts";
import { startAlarmFeeds } from "../../../../actors/controller/alarms/alarm_feeds.ts";
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

/** The platform's start: half a second past a whole second. */
export const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
const GUEST = GUEST_SUBJECT.namespaces[0]!;
/** The guest, owner of trigger `guest/t1`. */
export const IDENTITY: Identity = {
  subject: GUEST_SUBJECT.subject,
  namespace: { name: GUEST.name, uuid: GUEST.uuid },
  authkey: { uuid: GUEST.uuid, key: GUEST.key },
  rights: ALL_RIGHTS,
  limits: {},
};

/** A fire the REST handler received. */
export interface Posted {
  readonly path: string;
  readonly authorization: string | null;
  readonly body: JsonObject;
}

/**
 * A SQLite store holding trigger `guest/t1`, a manual clock, an in-memory key-value
 * store and a REST handler recording every fire; `start()` starts one controller's
 * alarms feed on a fresh actor system.
 */
export async function platform() {
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

/** The parameters of a feed lifecycle event for trigger `/_/t1`. */
export const lifecycle = (event: string, extra: JsonObject = {}) => ({
  lifecycleEvent: event,
  authKey: apiKeyOf(GUEST_SUBJECT),
  triggerName: "/_/t1",
  ...extra,
});
