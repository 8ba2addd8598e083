/**
 * End-to-end test of the built-in alarms feed with the real `openwhisk` npm client:
 * `feeds.create` on `/whisk.system/alarms/alarm` (a per-second cron) for a trigger
 * whose rule invokes an action; each tick of a manual clock fires the trigger, and the
 * action's activations appear in `activations.list`; `feeds.get` reads the alarm back,
 * a bad cron is refused with 502, and `feeds.delete` stops the fires. `createRestApi`
 * is served by `Deno.serve` over a temp-file SQLite store with the AlarmService on an
 * actor system and an in-memory key-value store; the balancer is the scripted double
 * of the programming-model test, recording every call.
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import {
  apiKeyOf,
  createRestApi,
  ensureGuestSubject,
  GUEST_SUBJECT,
  type InvokeOutcome,
} from "../../actors/controller/rest_api/mod.ts";
import { startAlarmFeeds } from "../../actors/controller/alarms/mod.ts";
import { ManualClock, startSystem, stopSystem } from "../../runtime/actors/mod.ts";
import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
import { silentLogger } from "../../runtime/log.ts";
import { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, openSqliteStore, storeFileIn } from "../../runtime/store/mod.ts";
import type { InvokeCall } from "../actors/controller/rest_api/_harness.ts";
import { computedInvoke } from "../actors/controller/rest_api/_programming_fixtures.ts";
import { settle } from "../_support/settle.ts";

// The client's answers are checked field by field; its typings are looser than the wire.
// deno-lint-ignore no-explicit-any
type Doc = any;
type Call = (options?: Record<string, unknown>) => Promise<Doc>;
interface Client {
  actions: Record<"create", Call>;
  activations: Record<"list", Call>;
  triggers: Record<"create", Call>;
  rules: Record<"create", Call>;
  feeds: Record<"create" | "get" | "delete", Call>;
}

// needle's keep-alive agent leaves sockets Deno's sanitizers flag; servers and stores are closed.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
const ALARM = "/whisk.system/alarms/alarm";

async function serve() {
  const dir = await Deno.makeTempDir({ prefix: "alarm_feed_e2e_" });
  const clock = new ManualClock(T0);
  const store: EntityStore = openSqliteStore({ path: storeFileIn(dir), logger: silentLogger });
  await ensureGuestSubject(store);
  const kv = new MemoryKv({ clock });
  const system = startSystem({ logger: silentLogger, clock });
  const calls: InvokeCall[] = [];
  const scripted = computedInvoke(() => store);
  const alarms = startAlarmFeeds({
    parent: system,
    kv,
    store,
    clock,
    logger: silentLogger,
    announceChange: () => {},
    rest: (request) => handler(request),
  }, { owner: "controller0" });
  const handler = createRestApi({
    store,
    clock,
    logger: silentLogger,
    metrics: new MetricsRegistry(),
    announceChange: () => {},
    checkThrottle: () => ({ type: "Allowed" }),
    invoke: (identity, action, params, options): Promise<InvokeOutcome> => {
      const call = { identity, action, params, options };
      calls.push(call);
      return scripted(call);
    },
    feeds: alarms.feeds,
  });
  clock.advance(0); // the service's first read of the (empty) alarms
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    calls,
    ow: openwhisk({ apihost: url, api_key: apiKeyOf(GUEST_SUBJECT) }) as unknown as Client,
    /** Moves the manual clock one second at a time, letting each fire start. */
    async tick(seconds: number) {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1_000);
        await settle(system);
      }
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await stopSystem(system);
      await kv.close();
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Polls `probe` over real time (the HTTP round trips) until it gives a value. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("eventually(): the condition never held");
}

async function rejection(promise: Promise<unknown>): Promise<Doc> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "expected the call to reject" });
}

Deno.test({
  name: "openwhisk client: an alarm fires a trigger whose rule invokes an action, until deleted",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    const { ow } = s;
    await ow.actions.create({ name: "hello", action: "function main(p) { return p; }" });
    await ow.triggers.create({ name: "every-second" });
    await ow.rules.create({ name: "on-tick", action: "hello", trigger: "every-second" });

    const bad = await rejection(ow.feeds.create({
      name: ALARM,
      trigger: "every-second",
      params: { cron: "not a cron" },
    }));
    assert.equal(bad.statusCode, 502);
    assert.match(bad.message, /cron pattern 'not a cron' is not valid/);

    const created = await ow.feeds.create({
      name: ALARM,
      trigger: "every-second",
      params: { cron: "* * * * * *", trigger_payload: { source: "alarm" } },
    });
    assert.deepEqual(created.response.result, {});
    assert.equal(created.response.success, true);
    const read = await ow.feeds.get({ name: ALARM, trigger: "every-second" });
    assert.equal(read.response.result.config.cron, "* * * * * *");

    await s.tick(3);
    const listed = await eventually(async () => {
      const list: Doc[] = await ow.activations.list({ name: "hello", limit: 10 });
      return list.length === 3 ? list : undefined;
    });
    const ids = new Set(listed.map((a) => a.activationId));
    const fired = s.calls.filter((c) => ids.has(c.options.activationId));
    assert.equal(fired.length, 3, "one rule activation per tick, each recorded");
    for (const call of fired) assert.deepEqual(call.params, { source: "alarm" });
    assert.ok(fired.every((c) => !c.options.blocking));

    await ow.feeds.delete({ name: ALARM, trigger: "every-second" });
    const before = s.calls.length;
    await s.tick(3);
    await settle();
    assert.equal(s.calls.length, before, "no fire after feeds.delete");
    const gone = await rejection(ow.feeds.get({ name: ALARM, trigger: "every-second" }));
    assert.equal(gone.statusCode, 502);
  },
});
