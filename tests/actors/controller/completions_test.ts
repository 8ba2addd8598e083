/**
 * Message-driven tests of the completions actor with probes and a manual clock:
 * waiters answered by combined and split acks, slots freed on completion, the wait
 * running out, and the forced completion writing exactly one "whisk internal error"
 * record that a late ack neither overwrites nor duplicates.
 */
import assert from "node:assert/strict";
import {
  type AcknowledgementMessage,
  errorResponse,
  invokerInstance,
  startTransaction,
  transactionId,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import type {
  CompletionsStatus,
  RegisterActivation,
  WaiterOutcome,
} from "../../../protocols/completions.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import { spawnCompletions } from "../../../actors/controller/completions.ts";
import type {
  CompletionEntry,
  SlotFreedReason,
} from "../../../actors/controller/completions_fsm.ts";
import {
  FORCED_COMPLETION_MESSAGE,
  forcedCompletionMs,
  forcedRecord,
} from "../../../actors/controller/invoke.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { action, identity } from "./_pool_balancer_fixtures.ts";

const ID = "a".repeat(32);
const FORCED_MS = forcedCompletionMs(60_000); // 180 s

function harness(
  store: (r: WhiskActivation) => Promise<"inserted" | "exists"> | never = () =>
    Promise.resolve("inserted"),
) {
  const h = actorHarness();
  const stored: WhiskActivation[] = [];
  const freed: [string, SlotFreedReason][] = [];
  const completions = spawnCompletions(h.system, {
    storeActivation: (record) => {
      stored.push(record);
      return store(record);
    },
    onSlotFreed: (entry: CompletionEntry, reason) => void freed.push([entry.activationId, reason]),
  });
  const register = (id = ID, waiter?: Probe<WaiterOutcome>, waitMs = 60_000) => {
    const msg: RegisterActivation = {
      type: "RegisterActivation",
      activationId: id,
      namespace: "guest",
      leaderKey: "whisk/queue/guest/guest/hello/leader",
      forcedAfterMs: FORCED_MS,
      forcedRecord: forcedRecord(identity(), action(), id, h.clock.now()),
      ...(waiter === undefined ? {} : { waiter: { replyTo: waiter.ref, waitMs } }),
    };
    tell(h.system, completions, msg);
  };
  const ack = (msg: AcknowledgementMessage) =>
    tell(h.system, completions, { type: "AckReceived", ack: msg });
  const status = async () => {
    const probe = createProbe<CompletionsStatus>(h.system);
    tell(h.system, completions, { type: "GetCompletionsStatus", replyTo: probe.ref });
    return await probe.expectMessageType("CompletionsStatus");
  };
  return Object.assign(h, { completions, stored, freed, register, ack, status });
}

function record(id = ID): WhiskActivation {
  return {
    namespace: "guest",
    name: "hello",
    subject: "guest",
    activationId: id,
    start: 1_000,
    end: 1_042,
    duration: 42,
    response: { statusCode: 0, result: { ok: true } },
    logs: [],
    annotations: [],
    version: "0.0.1",
    publish: false,
  };
}

const transid = startTransaction(transactionId("t1"), 1_000);
const invoker = invokerInstance(0);
const combined = (response: WhiskActivation | string): AcknowledgementMessage => ({
  type: "CombinedCompletionAndResultMessage",
  transid,
  response,
  instance: invoker,
});
const completion = (id = ID): AcknowledgementMessage => ({
  type: "CompletionMessage",
  transid,
  activationId: id,
  instance: invoker,
});

Deno.test("spawnCompletions() answers a blocking waiter with the record of a combined ack and frees the slot", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter);
  h.ack(combined(record()));
  assert.deepEqual(await waiter.expectMessageType("ResultReady"), {
    type: "ResultReady",
    activation: record(),
  });
  await settle(h.system);
  assert.deepEqual(h.freed, [[ID, "Completed"]]);
  assert.deepEqual(await h.status(), { type: "CompletionsStatus", inFlight: 0, waiting: 0 });
  h.clock.advance(FORCED_MS);
  await waiter.expectNoMessage();
  assert.equal(h.stored.length, 0);
});

Deno.test("spawnCompletions() answers on a ResultMessage and frees the slot only on the CompletionMessage", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter);
  h.ack({ type: "ResultMessage", transid, response: record() });
  await waiter.expectMessageType("ResultReady");
  await settle(h.system);
  assert.deepEqual(h.freed, []);
  assert.deepEqual(await h.status(), { type: "CompletionsStatus", inFlight: 1, waiting: 0 });
  h.ack(completion());
  await settle(h.system);
  assert.deepEqual(h.freed, [[ID, "Completed"]]);
  await waiter.expectNoMessage();
});

Deno.test("spawnCompletions() frees a non-blocking activation's slot on its CompletionMessage", async () => {
  await using h = harness();
  h.register(ID);
  await settle(h.system);
  assert.equal((await h.status()).inFlight, 1);
  h.ack(completion());
  await settle(h.system);
  assert.deepEqual(h.freed, [[ID, "Completed"]]);
});

Deno.test("spawnCompletions() tells the waiter the record is stored when the result is shrunk to its id", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter);
  h.ack(combined(ID));
  assert.deepEqual(await waiter.expectMessageType("ResultStored"), {
    type: "ResultStored",
    activationId: ID,
  });
});

Deno.test("spawnCompletions() answers WaitExpired when the wait runs out and keeps tracking the activation", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter, 5_000);
  await settle(h.system);
  h.clock.advance(4_999);
  await waiter.expectNoMessage();
  h.clock.advance(1);
  assert.deepEqual(await waiter.expectMessageType("WaitExpired"), {
    type: "WaitExpired",
    activationId: ID,
  });
  assert.deepEqual(await h.status(), { type: "CompletionsStatus", inFlight: 1, waiting: 0 });
  h.ack(combined(record()));
  await settle(h.system);
  await waiter.expectNoMessage(); // answered once only
  assert.deepEqual(h.freed, [[ID, "Completed"]]);
});

Deno.test("spawnCompletions() writes the whisk internal error record exactly once at the forced-completion window", async () => {
  await using h = harness();
  h.register(ID);
  await settle(h.system);
  h.clock.advance(FORCED_MS - 1);
  await settle(h.system);
  assert.equal(h.stored.length, 0);
  h.clock.advance(1);
  await settle(h.system);
  assert.equal(h.stored.length, 1);
  const [forced] = h.stored;
  assert.equal(forced?.activationId, ID);
  assert.deepEqual(forced?.response, errorResponse(3, FORCED_COMPLETION_MESSAGE));
  assert.equal(forced?.end, 1_000 + FORCED_MS);
  assert.equal(forced?.duration, FORCED_MS);
  assert.deepEqual(h.freed, [[ID, "Forced"]]);
  h.clock.advance(FORCED_MS * 2);
  await settle(h.system);
  assert.equal(h.stored.length, 1);
});

Deno.test("spawnCompletions() ignores a late ack after the forced completion: no second record, no second free", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter, FORCED_MS + 10_000); // still waiting when the completion is forced
  await settle(h.system);
  h.clock.advance(FORCED_MS);
  const answered = await waiter.expectMessageType("ResultReady");
  assert.equal(answered.activation.response.statusCode, 3);
  h.ack(combined(record()));
  h.ack(completion());
  await settle(h.system);
  assert.equal(h.stored.length, 1);
  assert.deepEqual(h.freed, [[ID, "Forced"]]);
  await waiter.expectNoMessage();
  assert.equal(h.logs("ack for an activation no longer tracked").length, 2);
});

Deno.test("spawnCompletions() keeps the existing record when the forced store answers exists", async () => {
  await using h = harness(() => Promise.resolve("exists"));
  h.register(ID);
  await settle(h.system);
  h.clock.advance(FORCED_MS);
  await settle(h.system);
  assert.equal(h.stored.length, 1);
  assert.equal(
    h.logs("forced completion found the activation's record already stored; kept it").length,
    1,
  );
  assert.equal(h.logger.entries.filter((e) => e.level === "error").length, 0);
});

Deno.test("spawnCompletions() retries a failed forced store with backoff until it is inserted", async () => {
  let failures = 2;
  await using h = harness(() =>
    failures-- > 0 ? Promise.reject(new Error("disk full")) : Promise.resolve("inserted")
  );
  h.register(ID);
  await settle(h.system);
  h.clock.advance(FORCED_MS);
  await settle(h.system);
  assert.equal(h.stored.length, 1);
  assert.equal((await h.status()).inFlight, 0, "the activation itself is ended");
  h.clock.advance(999);
  await settle(h.system);
  assert.equal(h.stored.length, 1, "no retry before the first backoff (1 s)");
  h.clock.advance(1);
  await settle(h.system);
  assert.equal(h.stored.length, 2, "first retry");
  h.clock.advance(2_000);
  await settle(h.system);
  assert.equal(h.stored.length, 3, "second retry after 2 s: inserted");
  h.clock.advance(10 * 60_000);
  await settle(h.system);
  assert.equal(h.stored.length, 3, "nothing more once inserted");
  assert.ok(h.stored.every((r) => r.activationId === ID));
  assert.equal(h.logs("storing the forced-completion record failed; retrying").length, 2);
  assert.equal(h.logs("forced completion stored a whisk internal error record").length, 1);
  assert.deepEqual(h.freed, [[ID, "Forced"]]);
});

Deno.test("spawnCompletions() gives up a forced store after 10 attempts with an error log, without crashing", async () => {
  await using h = harness(() => Promise.reject(new Error("disk full")));
  h.register(ID);
  await settle(h.system);
  h.clock.advance(FORCED_MS);
  await settle(h.system);
  for (let i = 0; i < 12; i++) {
    h.clock.advance(30_000);
    await settle(h.system);
  }
  assert.equal(h.stored.length, 10);
  assert.equal(h.logs("storing the forced-completion record failed; giving up").length, 1);
  assert.equal(h.logs("actor crashed").length, 0);
  assert.equal((await h.status()).inFlight, 0);
});

Deno.test("spawnCompletions() cancels an unregistered activation without a record", async () => {
  await using h = harness();
  const waiter = createProbe<WaiterOutcome>(h.system);
  h.register(ID, waiter);
  tell(h.system, h.completions, { type: "UnregisterActivation", activationId: ID });
  assert.deepEqual(await waiter.expectMessageType("Cancelled"), {
    type: "Cancelled",
    activationId: ID,
  });
  await settle(h.system);
  h.clock.advance(FORCED_MS);
  await settle(h.system);
  assert.deepEqual(h.freed, [[ID, "Unregistered"]]);
  assert.equal(h.stored.length, 0);
});

Deno.test("spawnCompletions() restarts after a crash and still forces the activations it tracked", async () => {
  let crash = true;
  await using h = harness(() => {
    if (crash) {
      crash = false;
      throw new Error("store adapter bug"); // thrown inside the handler: the actor crashes
    }
    return Promise.resolve("inserted");
  });
  const first = "1".repeat(32);
  h.register(first);
  await settle(h.system);
  h.clock.advance(60_000);
  h.register(ID); // forced at 60 s + 180 s
  await settle(h.system);
  h.clock.advance(FORCED_MS - 60_000); // the first one is forced: the store throws
  await settle(h.system);
  assert.equal(h.logs("actor crashed").length, 1);
  assert.equal((await h.status()).inFlight, 1);
  // The crashed store never wrote the first record: the restarted actor stores it again.
  h.clock.advance(0);
  await settle(h.system);
  assert.deepEqual(h.stored.map((r) => r.activationId), [first, first]);
  h.clock.advance(60_000 - 1);
  await settle(h.system);
  assert.deepEqual(h.stored.map((r) => r.activationId), [first, first]);
  h.clock.advance(1);
  await settle(h.system);
  assert.deepEqual(h.stored.map((r) => r.activationId), [first, first, ID]);
});
