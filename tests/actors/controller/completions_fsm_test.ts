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
const running: CompletionsState = { name: "Running", entries: new Map([[ID, entry]]) };
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
