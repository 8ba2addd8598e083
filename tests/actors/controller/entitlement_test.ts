/**
 * Tests of the controller's entitlement on the in-memory store and a manual clock:
 * the throttling flags (reference §8.8 item 84: the action key overrides the namespace
 * key, a missing action key falls back to the namespace key, missing both is not
 * throttled, only ACTIVATE is rejected), and the per-minute and concurrent 429s with
 * upstream's messages, identity limits overriding the defaults.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../../runtime/actors/clock.ts";
import type { KeyValueStore } from "../../../runtime/kv/key_value_store.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { capturingLogger } from "../../../runtime/log.ts";
import { Entitlement, type EntitlementOptions } from "../../../actors/controller/entitlement.ts";
import { settle } from "../../_support/settle.ts";
import { action, identity } from "./_pool_balancer_fixtures.ts";

const NS_KEY = "whisk/throttling/guest";
const ACTION_KEY = "whisk/throttling/guest/guest/hello";
const HELLO = action("hello");

async function harness(
  keys: Record<string, string> = {},
  options: Partial<EntitlementOptions> = {},
  wrap: (kv: MemoryKv) => KeyValueStore = (kv) => kv,
) {
  const clock = new ManualClock(0);
  const logger = capturingLogger();
  const memory = new MemoryKv({ clock });
  for (const [k, v] of Object.entries(keys)) await memory.put(k, v);
  const entitlement = new Entitlement({ clock, logger, kv: wrap(memory) }, {
    concurrentInvocations: 100,
    invocationsPerMinute: 1_000,
    ...options,
  });
  await entitlement.start();
  return {
    clock,
    logger,
    memory,
    entitlement,
    check: () => entitlement.checkThrottle(identity(), HELLO),
    async [Symbol.asyncDispose]() {
      await entitlement.close();
      await memory.close();
    },
  };
}

const TOO_MANY = { type: "Throttled", throttled: true, status: 429, message: "Too many requests" };
const ALLOWED = { type: "Allowed", throttled: false };

Deno.test("Entitlement.checkThrottle() lets the action key override the namespace key", async () => {
  await using h = await harness({ [NS_KEY]: "true", [ACTION_KEY]: "false" });
  assert.deepEqual(h.check(), ALLOWED);
  await h.memory.put(NS_KEY, "false");
  await h.memory.put(ACTION_KEY, "true");
  await settle();
  assert.deepEqual(h.check(), TOO_MANY);
});

Deno.test("Entitlement.checkThrottle() falls back to the namespace key when the action key is missing", async () => {
  await using h = await harness({
    [NS_KEY]: "true",
    "whisk/throttling/guest/guest/other": "false",
  });
  assert.deepEqual(h.check(), TOO_MANY);
  await h.memory.put(NS_KEY, "false");
  await settle();
  assert.deepEqual(h.check(), ALLOWED);
});

Deno.test("Entitlement.checkThrottle() does not throttle when both keys are missing", async () => {
  await using h = await harness({
    "whisk/throttling/other": "true",
    "other/throttling/guest": "true",
  });
  assert.deepEqual(h.check(), ALLOWED);
  await h.memory.put(ACTION_KEY, "true");
  await settle();
  assert.deepEqual(h.check(), TOO_MANY);
  await h.memory.del(ACTION_KEY); // the queue's cleanup
  await settle();
  assert.deepEqual(h.check(), ALLOWED);
});

Deno.test("Entitlement.check() rejects ACTIVATE with 429 when throttled and allows other rights", async () => {
  await using h = await harness({ [ACTION_KEY]: "true" });
  assert.deepEqual(h.entitlement.check(identity(), "ACTIVATE", HELLO), TOO_MANY);
  for (const right of ["READ", "PUT", "DELETE"] as const) {
    assert.deepEqual(h.entitlement.check(identity(), right, HELLO), ALLOWED);
  }
});

Deno.test("Entitlement.checkThrottle() ignores an unreadable flag value", async () => {
  await using h = await harness({ [NS_KEY]: "true", [ACTION_KEY]: "maybe" });
  assert.deepEqual(h.check(), TOO_MANY); // the action key counts as absent
  assert.equal(
    h.logger.entries.filter((e) => e.msg === "ignored unreadable throttling flags").length,
    1,
  );
});

Deno.test("Entitlement.checkThrottle() answers 429 with upstream's message past the per-minute limit", async () => {
  await using h = await harness({}, { invocationsPerMinute: 2 });
  assert.deepEqual(h.check(), ALLOWED);
  assert.deepEqual(h.check(), ALLOWED);
  assert.deepEqual(h.check(), {
    type: "Throttled",
    throttled: true,
    status: 429,
    message: "Too many requests in the last minute (count: 3, allowed: 2).",
  });
  h.clock.advance(60_000); // the next minute starts afresh
  assert.deepEqual(h.check(), ALLOWED);
});

Deno.test("Entitlement.checkThrottle() answers 429 with upstream's message at the concurrent limit", async () => {
  await using h = await harness({}, { concurrentInvocations: 2 });
  h.entitlement.activationStarted("guest");
  h.entitlement.activationStarted("guest");
  h.entitlement.activationStarted("other");
  assert.deepEqual(h.check(), {
    type: "Throttled",
    throttled: true,
    status: 429,
    message: "Too many concurrent requests in flight (count: 2, allowed: 2).",
  });
  h.entitlement.activationFinished("guest");
  assert.deepEqual(h.check(), ALLOWED);
  assert.equal(h.entitlement.inFlight("guest"), 1);
});

Deno.test("Entitlement.checkThrottle() lets identity limits override the configured defaults", async () => {
  await using h = await harness({}, { concurrentInvocations: 1, invocationsPerMinute: 1 });
  const generous = identity("guest", { concurrentInvocations: 5, invocationsPerMinute: 5 });
  h.entitlement.activationStarted("guest");
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(h.entitlement.checkThrottle(generous, HELLO), ALLOWED);
  }
  const strict = identity("guest", { invocationsPerMinute: 0 });
  assert.equal(
    (h.entitlement.checkThrottle(strict, HELLO) as { message: string }).message,
    "Too many requests in the last minute (count: 6, allowed: 0).",
  );
});

Deno.test("Entitlement.checkThrottle() skips the per-minute check when usePerMinThrottles is off", async () => {
  await using h = await harness({}, { invocationsPerMinute: 1, usePerMinThrottles: false });
  for (let i = 0; i < 3; i++) assert.deepEqual(h.check(), ALLOWED);
});

Deno.test("Entitlement.start() retries reading the flags after a failure", async () => {
  let failures = 1;
  await using h = await harness({ [NS_KEY]: "true" }, {}, (kv) => ({
    ...kv,
    watch: kv.watch.bind(kv),
    getPrefix: (prefix: string) =>
      failures-- > 0 ? Promise.reject(new Error("etcd down")) : kv.getPrefix(prefix),
  } as unknown as KeyValueStore));
  assert.deepEqual(h.check(), ALLOWED); // not loaded yet
  assert.equal(
    h.logger.entries.filter((e) => e.msg === "reading throttling flags failed; retrying").length,
    1,
  );
  h.clock.advance(1_000);
  await settle();
  assert.deepEqual(h.check(), TOO_MANY);
});
