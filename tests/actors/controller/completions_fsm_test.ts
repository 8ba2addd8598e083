/**
 * Table tests of the completions transition: stash until restored, timers armed with
 * the time left after a restart, and what each acknowledgement does to an entry.
 */
import assert from "node:assert/strict";
import { invokerInstance, startTransaction, transactionId } from "../../../protocols/mod.ts";
import type { WaiterOutcome } from "../../../protocols/completions.ts";
import type { Ref } from "../../../runtime/actors/mod.ts";
import {
  type CompletionEntry,
  type CompletionsState,
  completionsTransition,
  initialCompletionsState,
  RECORD_STORE_RETRY,
  recordStoreBackoffMs,
} from "../../../actors/controller/completions_fsm.ts";
import { forcedRecord } from "../../../actors/controller/invoke.ts";
import { action, identity } from "./_pool_balancer_fixtures.ts";

const ID = "c".repeat(32);
const waiterRef = { path: "/waiter" } as unknown as Ref<WaiterOutcome>;
const entry: CompletionEntry = {
  activationId: ID,
  namespace: "guest",
  leaderKey: "whisk/queue/guest/guest/hello/leader",
  forcedAt: 200_000,
  forcedRecord: forcedRecord(identity(), action(), ID, 0),
  waiter: { replyTo: waiterRef, until: 60_000 },
};
const running: CompletionsState = {
  name: "Running",
  entries: new Map([[ID, entry]]),
  unstored: new Map(),
};
const transid = startTransaction(transactionId("t"), 0);
const types = (effects: readonly { type: string }[]) => effects.map((e) => e.type);

Deno.test("completionsTransition() stashes everything until Restored", () => {
  const step = completionsTransition(initialCompletionsState, {
    type: "UnregisterActivation",
    activationId: ID,
  }, 0);
  assert.deepEqual(step.effects, [{ type: "stash" }]);
  assert.equal(step.next.name, "Starting");
});

Deno.test("completionsTransition() re-arms restored timers with the time left", () => {
  const step = completionsTransition(initialCompletionsState, {
    type: "Restored",
    entries: [entry],
  }, 50_000);
  assert.equal(step.next.name, "Running");
  const timers = step.effects.filter((e) => e.type === "startTimer") as {
    key: string;
    ms: number;
  }[];
  assert.deepEqual(timers.map((t) => [t.key, t.ms]), [[`forced:${ID}`, 150_000], [
    `wait:${ID}`,
    10_000,
  ]]);
  assert.equal(step.effects.at(-1)?.type, "unstashAll");
});

Deno.test("completionsTransition() handles each acknowledgement as upstream does", () => {
  const instance = invokerInstance(0);
  const cases = [
    {
      ack: { type: "ResultMessage", transid, response: ID },
      effects: ["cancelTimer", "send"],
      left: 1,
    },
    {
      ack: { type: "CompletionMessage", transid, activationId: ID, instance },
      effects: ["cancelTimer", "cancelTimer", "send", "SlotFreed"],
      left: 0,
    },
    {
      ack: { type: "CombinedCompletionAndResultMessage", transid, response: ID, instance },
      effects: ["cancelTimer", "cancelTimer", "send", "SlotFreed"],
      left: 0,
    },
    {
      ack: { type: "CompletionMessage", transid, activationId: "d".repeat(32), instance },
      effects: ["Log"],
      left: 1,
    },
  ] as const;
  for (const { ack, effects, left } of cases) {
    const step = completionsTransition(running, { type: "AckReceived", ack }, 1_000);
    assert.deepEqual(types(step.effects), effects, ack.type);
    assert.equal(step.next.entries.size, left, ack.type);
  }
});

Deno.test("completionsTransition() forces a completion with the record's end and duration", () => {
  const step = completionsTransition(
    running,
    { type: "ForcedCompletion", activationId: ID },
    200_000,
  );
  const store = step.effects.find((e) => e.type === "StoreRecord") as {
    record: { end: number; duration?: number };
  };
  assert.deepEqual([store.record.end, store.record.duration], [200_000, 200_000]);
  assert.equal(step.next.entries.size, 0);
  const again = completionsTransition(
    step.next,
    { type: "ForcedCompletion", activationId: ID },
    200_001,
  );
  assert.deepEqual(again.effects, []);
});

Deno.test("completionsTransition() keeps a forced record whose store failed and retries it on a keyed timer", () => {
  const forced = completionsTransition(running, { type: "ForcedCompletion", activationId: ID }, 1);
  assert.equal(forced.next.unstored.get(ID)?.attempts, 1);
  const failed = completionsTransition(forced.next, {
    type: "RecordStoreFailed",
    activationId: ID,
    error: new Error("disk full"),
  }, 2);
  assert.deepEqual(
    failed.effects.filter((e) => e.type === "startTimer"),
    [{
      type: "startTimer",
      key: `store:${ID}`,
      msg: { type: "RetryStoreRecord", activationId: ID },
      ms: 1_000,
    }],
  );
  const retry = completionsTransition(
    failed.next,
    { type: "RetryStoreRecord", activationId: ID },
    3,
  );
  assert.deepEqual(types(retry.effects), ["StoreRecord"]);
  assert.equal(retry.next.unstored.get(ID)?.attempts, 2);
  const stored = completionsTransition(retry.next, {
    type: "RecordStored",
    activationId: ID,
    outcome: "inserted",
  }, 4);
  assert.equal(stored.next.unstored.size, 0);
  assert.deepEqual(
    completionsTransition(stored.next, { type: "RetryStoreRecord", activationId: ID }, 5).effects,
    [],
  );
});

Deno.test("completionsTransition() gives up storing a forced record after the last attempt", () => {
  const last: CompletionsState = {
    ...running,
    entries: new Map(),
    unstored: new Map([[ID, {
      record: entry.forcedRecord,
      attempts: RECORD_STORE_RETRY.attempts,
    }]]),
  };
  const step = completionsTransition(last, {
    type: "RecordStoreFailed",
    activationId: ID,
    error: new Error("disk full"),
  }, 1);
  assert.deepEqual(types(step.effects), ["Log"]);
  assert.equal(step.next.unstored.size, 0);
});

Deno.test("recordStoreBackoffMs() doubles from 1 s up to 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 9].map(recordStoreBackoffMs),
    [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
  );
});

Deno.test("completionsTransition() stores the unstored records of the previous incarnation again", () => {
  const step = completionsTransition(initialCompletionsState, {
    type: "Restored",
    entries: [],
    unstored: [{ record: entry.forcedRecord, attempts: 3 }],
  }, 0);
  assert.equal(step.next.unstored.get(ID)?.attempts, 3);
  assert.deepEqual(
    step.effects.filter((e) => e.type === "startTimer"),
    [{
      type: "startTimer",
      key: `store:${ID}`,
      msg: { type: "RetryStoreRecord", activationId: ID },
      ms: 0,
    }],
  );
});
