/**
 * Table tests of the pure SchedulingDecisionMaker: every worked example of reference
 * `openwhisk-fpc.md` §5.4 (the cases of upstream `SchedulingDecisionMakerTests.scala`),
 * each row of the §5.2 decision table, the §8.4 behaviours, and invariants checked
 * with fast-check.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  containersToCreate,
  countStaleActivations,
  decide,
  DEFAULT_SCHEDULING_DECISION_CONFIG,
  effectiveActionLimit,
  explainDecision,
} from "../../../actors/scheduler/scheduling_decision_maker.ts";
import {
  type DecisionResults,
  QUEUE_STATE_NAMES,
  type QueueSnapshot,
  type QueueStateName,
  type SchedulingDecisionConfig,
} from "../../../protocols/scheduling_decision_maker.ts";

const CONFIG = DEFAULT_SCHEDULING_DECISION_CONFIG; // T = 100 ms, over-provision off

/** Over-provisioning on, with the given ratio. */
function op(ratio: number): SchedulingDecisionConfig {
  return {
    ...CONFIG,
    allowOverProvisionBeforeThrottle: true,
    namespaceOverProvisionBeforeThrottleRatio: ratio,
  };
}

/** An initialized Running queue with nothing in it and limits of 10. */
function snap(overrides: Partial<QueueSnapshot>): QueueSnapshot {
  return {
    initialized: true,
    incomingMsgCount: 0,
    currentMsgCount: 0,
    existingContainerCount: 0,
    inProgressContainerCount: 0,
    staleActivationNum: 0,
    existingContainerCountInNamespace: 0,
    inProgressContainerCountInNamespace: 0,
    averageDurationMs: null,
    namespaceLimit: 10,
    actionLimit: 10,
    maxActionConcurrency: 1,
    stateName: "Running",
    ...overrides,
  };
}

const SKIP: DecisionResults = { type: "Skip" };
const add = (num: number): DecisionResults => ({ type: "AddContainer", num });
const addInitial: DecisionResults = { type: "AddInitialContainer", num: 1 };
const enable = (dropMsg: boolean, num: number): DecisionResults => ({
  type: "EnableNamespaceThrottling",
  dropMsg,
  num,
});
const disable: DecisionResults = { type: "DisableNamespaceThrottling", num: 0 };

// ---------------------------------------------------------------------------
// §5.4 worked examples, one test each
// ---------------------------------------------------------------------------

interface Example {
  readonly name: string;
  readonly snapshot: QueueSnapshot;
  readonly config?: SchedulingDecisionConfig;
  readonly expected: DecisionResults;
}

const WORKED_EXAMPLES: readonly Example[] = [
  {
    name: "limits 0 → Pausing",
    snapshot: snap({ initialized: false, namespaceLimit: 0, actionLimit: 0 }),
    expected: { type: "Pausing" },
  },
  {
    name: "limits 0 in Flushing → no message",
    snapshot: snap({
      initialized: false,
      namespaceLimit: 0,
      actionLimit: 0,
      stateName: "Flushing",
    }),
    expected: SKIP,
  },
  {
    name: "no container, namespace full (nsLimit 2 with 1 existing + 1 in-progress)",
    snapshot: snap({
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 2,
      actionLimit: 2,
    }),
    expected: enable(true, 0),
  },
  {
    name: "1+1 containers, namespace full (nsLimit 4, 2+2)",
    snapshot: snap({
      existingContainerCount: 1,
      inProgressContainerCount: 1,
      existingContainerCountInNamespace: 2,
      inProgressContainerCountInNamespace: 2,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: enable(false, 0),
  },
  {
    name: "OP on, ratio 1.5, nsLimit 2, 1+1 in the namespace, no action containers",
    snapshot: snap({
      initialized: false,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 2,
      actionLimit: 2,
    }),
    config: op(1.5),
    expected: addInitial,
  },
  {
    name: "OP on, ratio 1.0, nsLimit 2, 1+1 in the namespace, no action containers",
    snapshot: snap({
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 2,
      actionLimit: 2,
    }),
    config: op(1.0),
    expected: enable(true, 0),
  },
  {
    name: "OP on, ratio 1.1, NamespaceThrottled, overCap 1",
    snapshot: snap({
      existingContainerCount: 1,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 2,
      actionLimit: 2,
      stateName: "NamespaceThrottled",
    }),
    config: op(1.1),
    expected: disable,
  },
  {
    name: "stale 2, existing 1, no duration, limits 4",
    snapshot: snap({
      currentMsgCount: 2,
      existingContainerCount: 1,
      staleActivationNum: 2,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: add(2),
  },
  {
    name: "stale 2, existing 1, no duration, limits 4, with inProgress 1",
    snapshot: snap({
      currentMsgCount: 2,
      existingContainerCount: 1,
      inProgressContainerCount: 1,
      staleActivationNum: 2,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: add(1),
  },
  {
    name: "stale 6, existing 1, inProgress 1, limits 4 (nsCap 2)",
    snapshot: snap({
      currentMsgCount: 6,
      existingContainerCount: 1,
      inProgressContainerCount: 1,
      staleActivationNum: 6,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: enable(false, 2),
  },
  {
    name: "stale 6, existing 1, duration 50 (tp 2)",
    snapshot: snap({
      currentMsgCount: 6,
      existingContainerCount: 1,
      staleActivationNum: 6,
      existingContainerCountInNamespace: 1,
      averageDurationMs: 50,
    }),
    expected: add(3),
  },
  {
    name: "stale 2, duration 1000 (tp 0.1), clamped to the stale count",
    snapshot: snap({
      currentMsgCount: 2,
      existingContainerCount: 1,
      staleActivationNum: 2,
      existingContainerCountInNamespace: 1,
      averageDurationMs: 1000,
    }),
    expected: add(2),
  },
  {
    name: "stale 10, duration 1000, limits 4",
    snapshot: snap({
      currentMsgCount: 10,
      existingContainerCount: 1,
      staleActivationNum: 10,
      existingContainerCountInNamespace: 1,
      averageDurationMs: 1000,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: enable(false, 3),
  },
  {
    name: "6 available, 0 stale, existing 1, duration 1000, capped at the messages",
    snapshot: snap({
      incomingMsgCount: 4,
      currentMsgCount: 2,
      existingContainerCount: 1,
      existingContainerCountInNamespace: 1,
      averageDurationMs: 1000,
    }),
    expected: add(5),
  },
  {
    name: "6 available, 0 stale, existing 1, duration 1000, limits 4",
    snapshot: snap({
      incomingMsgCount: 4,
      currentMsgCount: 2,
      existingContainerCount: 1,
      existingContainerCountInNamespace: 1,
      averageDurationMs: 1000,
      namespaceLimit: 4,
      actionLimit: 4,
    }),
    expected: enable(false, 3),
  },
  {
    name: "4 messages, existing 5, duration 1000 → nothing",
    snapshot: snap({
      currentMsgCount: 4,
      existingContainerCount: 5,
      existingContainerCountInNamespace: 5,
      averageDurationMs: 1000,
    }),
    expected: SKIP,
  },
  {
    name: "no container, 4 messages, no duration",
    snapshot: snap({ currentMsgCount: 4 }),
    expected: add(1),
  },
  {
    name: "Removing, stale 4, existing 1, inProgress 1, duration 1000",
    snapshot: snap({
      currentMsgCount: 4,
      existingContainerCount: 1,
      inProgressContainerCount: 1,
      staleActivationNum: 4,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 1,
      averageDurationMs: 1000,
      stateName: "Removing",
    }),
    expected: add(3),
  },
  {
    name: "Removing, stale 4, inProgress 2, no duration",
    snapshot: snap({
      currentMsgCount: 4,
      existingContainerCount: 1,
      inProgressContainerCount: 2,
      staleActivationNum: 4,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 2,
      stateName: "Removing",
    }),
    expected: add(2),
  },
  {
    name: "Removing, stale 4, inProgress 2, limits 4 (actionCap 1)",
    snapshot: snap({
      currentMsgCount: 4,
      existingContainerCount: 1,
      inProgressContainerCount: 2,
      staleActivationNum: 4,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 2,
      namespaceLimit: 4,
      actionLimit: 4,
      stateName: "Removing",
    }),
    expected: enable(false, 1),
  },
  {
    name: "5 messages, 2 stale, existing 2, duration 1000",
    snapshot: snap({
      currentMsgCount: 5,
      existingContainerCount: 2,
      staleActivationNum: 2,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 1000,
    }),
    expected: add(3),
  },
  {
    name: "5 messages, 2 stale, existing 2, duration 50",
    snapshot: snap({
      currentMsgCount: 5,
      existingContainerCount: 2,
      staleActivationNum: 2,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 50,
    }),
    expected: add(1),
  },
  {
    name: "maxConc 2, duration 100, 4 messages, existing 2 → nothing (demand met)",
    snapshot: snap({
      currentMsgCount: 4,
      existingContainerCount: 2,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 100,
      namespaceLimit: 4,
      actionLimit: 4,
      maxActionConcurrency: 2,
    }),
    expected: SKIP,
  },
  {
    name: "maxConc 3, duration 50, 20 messages, existing 2",
    snapshot: snap({
      currentMsgCount: 20,
      existingContainerCount: 2,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 50,
      maxActionConcurrency: 3,
    }),
    expected: add(2),
  },
  {
    name: "maxConc 3, duration 50, 30 messages with 10 stale, existing 2",
    snapshot: snap({
      currentMsgCount: 30,
      existingContainerCount: 2,
      staleActivationNum: 10,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 50,
      maxActionConcurrency: 3,
    }),
    expected: add(4),
  },
  {
    name: "maxConc 3, no duration, 10 stale, existing 1",
    snapshot: snap({
      currentMsgCount: 10,
      existingContainerCount: 1,
      staleActivationNum: 10,
      existingContainerCountInNamespace: 2,
      maxActionConcurrency: 3,
    }),
    expected: add(4),
  },
  {
    name: "actionLimit 5, nsLimit 10, 100 messages, existing 1, nsExisting 2 (action cap binds)",
    snapshot: snap({
      currentMsgCount: 100,
      existingContainerCount: 1,
      existingContainerCountInNamespace: 2,
      averageDurationMs: 100,
      actionLimit: 5,
      maxActionConcurrency: 3,
    }),
    expected: add(4),
  },
  {
    name: "actionLimit 5, nsLimit 10, 100 messages, existing 1, nsExisting 7",
    snapshot: snap({
      currentMsgCount: 100,
      existingContainerCount: 1,
      existingContainerCountInNamespace: 7,
      averageDurationMs: 100,
      actionLimit: 5,
      maxActionConcurrency: 3,
    }),
    expected: enable(false, 3),
  },
];

for (const example of WORKED_EXAMPLES) {
  Deno.test(`decide() §5.4 example: ${example.name}`, () => {
    assert.deepEqual(decide(example.snapshot, example.config ?? CONFIG), example.expected);
  });
}

// ---------------------------------------------------------------------------
// §5.2 table rows (result and the row that fired)
// ---------------------------------------------------------------------------

interface Row {
  readonly name: string;
  readonly snapshot: QueueSnapshot;
  readonly config?: SchedulingDecisionConfig;
  readonly expected: DecisionResults;
  readonly rule: ReturnType<typeof explainDecision>["rule"];
}

const NS_FULL = {
  existingContainerCountInNamespace: 6,
  inProgressContainerCountInNamespace: 4,
} as const;

const ROWS: readonly Row[] = [
  {
    name: "step 0: an action limit ≤ 0 pauses even when the namespace limit is positive",
    snapshot: snap({ actionLimit: 0, currentMsgCount: 3 }),
    expected: { type: "Pausing" },
    rule: "0-limit-not-positive",
  },
  {
    name: "step 0: a negative namespace limit pauses",
    snapshot: snap({ namespaceLimit: -1 }),
    expected: { type: "Pausing" },
    rule: "0-limit-not-positive",
  },
  {
    name: "step 1: OP with no action container gives capacity 1 while overCap > 0",
    snapshot: snap({ currentMsgCount: 5, ...NS_FULL }),
    config: op(1.5),
    expected: add(1),
    rule: "3c-first-container-for-messages",
  },
  {
    name: "step 1: without OP the binding capacity is min(nsCap, actionCap)",
    snapshot: snap({
      currentMsgCount: 20,
      staleActivationNum: 20,
      existingContainerCount: 1,
      existingContainerCountInNamespace: 1,
      actionLimit: 3,
    }),
    expected: add(2),
    rule: "3e-stale-without-duration",
  },
  {
    name: "step 2: Running with no capacity and no container throttles and drops",
    snapshot: snap({ currentMsgCount: 5, ...NS_FULL }),
    expected: enable(true, 0),
    rule: "2-enable-throttling",
  },
  {
    name: "step 2: Running with no capacity but containers throttles without dropping",
    snapshot: snap({ currentMsgCount: 5, existingContainerCount: 2, ...NS_FULL }),
    expected: enable(false, 0),
    rule: "2-enable-throttling",
  },
  {
    name: "step 2: the action limit alone exhausting capacity also throttles",
    snapshot: snap({ currentMsgCount: 5, existingContainerCount: 3, actionLimit: 3 }),
    expected: enable(false, 0),
    rule: "2-enable-throttling",
  },
  {
    name: "step 2: Running with OP and overCap ≤ 0 throttles",
    snapshot: snap({ currentMsgCount: 5, existingContainerCount: 1, ...NS_FULL }),
    config: op(1.0),
    expected: enable(false, 0),
    rule: "2-enable-throttling",
  },
  {
    name: "step 2: Running with OP and overCap > 0 but containers present skips",
    snapshot: snap({ currentMsgCount: 5, existingContainerCount: 1, ...NS_FULL }),
    config: op(1.5),
    expected: SKIP,
    rule: "2-skip",
  },
  {
    name: "step 2: NamespaceThrottled with OP and overCap > 0 disables throttling",
    snapshot: snap({ existingContainerCount: 1, stateName: "NamespaceThrottled", ...NS_FULL }),
    config: op(1.5),
    expected: disable,
    rule: "2-disable-throttling",
  },
  {
    name: "step 2: NamespaceThrottled without OP stays throttled",
    snapshot: snap({ existingContainerCount: 1, stateName: "NamespaceThrottled", ...NS_FULL }),
    expected: SKIP,
    rule: "2-skip",
  },
  {
    name: "step 2: Idle with no capacity skips",
    snapshot: snap({ currentMsgCount: 5, stateName: "Idle", ...NS_FULL }),
    expected: SKIP,
    rule: "2-skip",
  },
  {
    name:
      "row a: Running, no duration, no container, not initialized adds an initial container with no message",
    snapshot: snap({ initialized: false }),
    expected: addInitial,
    rule: "3a-initial-container",
  },
  {
    name: "row a: a seeded average duration means no initial container until a message arrives",
    snapshot: snap({ initialized: false, averageDurationMs: 200 }),
    expected: SKIP,
    rule: "3f-throughput",
  },
  {
    name: "row b: NamespaceThrottled with capacity disables throttling, whatever the duration",
    snapshot: snap({ currentMsgCount: 1, averageDurationMs: 40, stateName: "NamespaceThrottled" }),
    expected: disable,
    rule: "3b-namespace-throttled",
  },
  {
    name: "row b: NamespaceThrottled disables even for an uninitialized queue with no container",
    snapshot: snap({ initialized: false, currentMsgCount: 1, stateName: "NamespaceThrottled" }),
    expected: disable,
    rule: "3b-namespace-throttled",
  },
  {
    name: "row c: Running, initialized, no container, messages waiting adds one",
    snapshot: snap({ incomingMsgCount: 1 }),
    expected: add(1),
    rule: "3c-first-container-for-messages",
  },
  {
    name: "row c: a seeded duration and a first message add one",
    snapshot: snap({ initialized: false, averageDurationMs: 200, currentMsgCount: 1 }),
    expected: add(1),
    rule: "3c-first-container-for-messages",
  },
  {
    name: "row c: no container and no message adds nothing",
    snapshot: snap({}),
    expected: SKIP,
    rule: "3i-nothing-to-do",
  },
  {
    name: "row d: Flushing with no container probes with an initial container",
    snapshot: snap({ stateName: "Flushing" }),
    expected: addInitial,
    rule: "3d-flushing-probe",
  },
  {
    name: "row d: Flushing with a container starting does not probe",
    snapshot: snap({ stateName: "Flushing", inProgressContainerCount: 1, currentMsgCount: 3 }),
    expected: SKIP,
    rule: "3i-nothing-to-do",
  },
  {
    name: "row e: one container per stale activation at concurrency 1",
    snapshot: snap({
      incomingMsgCount: 0,
      currentMsgCount: 3,
      staleActivationNum: 3,
      existingContainerCount: 1,
      maxActionConcurrency: 1,
    }),
    expected: add(3),
    rule: "3e-stale-without-duration",
  },
  {
    name: "row e: never asks for more containers than there are messages",
    snapshot: snap({ currentMsgCount: 2, staleActivationNum: 5, existingContainerCount: 1 }),
    expected: add(2),
    rule: "3e-stale-without-duration",
  },
  {
    name: "row e: in-progress containers covering the stale ones add nothing",
    snapshot: snap({
      currentMsgCount: 2,
      staleActivationNum: 2,
      existingContainerCount: 1,
      inProgressContainerCount: 6,
    }),
    expected: SKIP,
    rule: "3e-stale-without-duration",
  },
  {
    name: "row f: a duration ≤ 0 counts maxConc per window and only stale catch-up applies",
    snapshot: snap({
      currentMsgCount: 3,
      staleActivationNum: 3,
      existingContainerCount: 1,
      averageDurationMs: 0,
    }),
    expected: add(3),
    rule: "3f-throughput",
  },
  {
    name: "row f: a duration ≤ 0 with nothing stale adds nothing",
    snapshot: snap({ currentMsgCount: 30, existingContainerCount: 1, averageDurationMs: -5 }),
    expected: SKIP,
    rule: "3f-throughput",
  },
  {
    name: "row f: the action limit binds → AddContainer(capacity) without throttling",
    snapshot: snap({
      currentMsgCount: 50,
      existingContainerCount: 1,
      averageDurationMs: 1000,
      actionLimit: 3,
    }),
    expected: add(2),
    rule: "3f-throughput",
  },
  {
    name: "row g: Removing with duration and stale adds min(ceil(stale/tp), stale) − inProgress",
    snapshot: snap({
      currentMsgCount: 8,
      staleActivationNum: 8,
      existingContainerCount: 1,
      averageDurationMs: 50,
      stateName: "Removing",
    }),
    expected: add(4),
    rule: "3g-removing-stale-with-duration",
  },
  {
    name: "row h: Removing without duration adds ceil(stale/maxConc) − inProgress",
    snapshot: snap({
      currentMsgCount: 5,
      staleActivationNum: 5,
      existingContainerCount: 1,
      maxActionConcurrency: 2,
      stateName: "Removing",
    }),
    expected: add(3),
    rule: "3h-removing-stale-without-duration",
  },
  {
    name: "row i: Removing with nothing stale adds nothing",
    snapshot: snap({ currentMsgCount: 5, existingContainerCount: 1, stateName: "Removing" }),
    expected: SKIP,
    rule: "3i-nothing-to-do",
  },
  ...(["Idle", "Removed", "ActionThrottled", "Uninitialized"] as const).map((stateName): Row => ({
    name: `row i: ${stateName} with stale messages and no container adds nothing`,
    snapshot: snap({ currentMsgCount: 5, staleActivationNum: 5, averageDurationMs: 10, stateName }),
    expected: SKIP,
    rule: "3i-nothing-to-do",
  })),
];

for (const row of ROWS) {
  Deno.test(`explainDecision() §5.2 ${row.name}`, () => {
    assert.deepEqual(explainDecision(row.snapshot, row.config ?? CONFIG), {
      result: row.expected,
      rule: row.rule,
    });
  });
}

// ---------------------------------------------------------------------------
// §8.4 behaviours
// ---------------------------------------------------------------------------

const NO_MESSAGE_STATES: readonly QueueStateName[] = [
  "Running",
  "Idle",
  "Flushing",
  "Removing",
  "Removed",
];

Deno.test("decide() skips in Running, Idle, Flushing, Removing and Removed when there is no message", () => {
  for (const stateName of NO_MESSAGE_STATES) {
    const s = snap({
      initialized: false,
      existingContainerCount: 1,
      inProgressContainerCount: 2,
      existingContainerCountInNamespace: 1,
      inProgressContainerCountInNamespace: 2,
      stateName,
    });
    assert.deepEqual(decide(s, CONFIG), SKIP, stateName);
  }
});

Deno.test("decide() skips in every state with no message even with an average duration", () => {
  for (const stateName of NO_MESSAGE_STATES) {
    const s = snap({
      initialized: false,
      existingContainerCount: 3,
      inProgressContainerCount: 5,
      existingContainerCountInNamespace: 5,
      inProgressContainerCountInNamespace: 8,
      averageDurationMs: 1,
      namespaceLimit: 20,
      actionLimit: 20,
      stateName,
    });
    assert.deepEqual(decide(s, CONFIG), SKIP, stateName);
  }
});

Deno.test("decide() answers Pausing for a limit ≤ 0 in every state except Flushing", () => {
  for (const stateName of QUEUE_STATE_NAMES) {
    const expected: DecisionResults = stateName === "Flushing" ? SKIP : { type: "Pausing" };
    assert.deepEqual(decide(snap({ namespaceLimit: 0, stateName }), CONFIG), expected, stateName);
  }
});

Deno.test("decide() does not throttle with OP on and over-provision room left (1+1 of nsLimit 4, 2+2)", () => {
  const s = snap({
    existingContainerCount: 1,
    inProgressContainerCount: 1,
    existingContainerCountInNamespace: 2,
    inProgressContainerCountInNamespace: 2,
    namespaceLimit: 4,
    actionLimit: 4,
  });
  assert.deepEqual(decide(s, op(1.5)), SKIP);
});

// ---------------------------------------------------------------------------
// Helpers and validation
// ---------------------------------------------------------------------------

Deno.test("containersToCreate() returns num for creating kinds and 0 for Pausing and Skip", () => {
  assert.equal(containersToCreate(addInitial), 1);
  assert.equal(containersToCreate(add(4)), 4);
  assert.equal(containersToCreate(enable(false, 3)), 3);
  assert.equal(containersToCreate(disable), 0);
  assert.equal(containersToCreate({ type: "Pausing" }), 0);
  assert.equal(containersToCreate(SKIP), 0);
});

Deno.test("countStaleActivations() counts from the head and stops at the first fresh entry", () => {
  assert.equal(countStaleActivations([], 1000, 100), 0);
  assert.equal(countStaleActivations([800, 900, 901, 850], 1000, 100), 2);
  assert.equal(countStaleActivations([950, 800], 1000, 100), 0);
  assert.equal(countStaleActivations([0, 1, 2], 1000, 100), 3);
});

Deno.test("effectiveActionLimit() caps the instances limit at the namespace limit", () => {
  assert.equal(effectiveActionLimit(10, undefined), 10);
  assert.equal(effectiveActionLimit(10, 5), 5);
  assert.equal(effectiveActionLimit(3, 5), 3);
});

Deno.test("decide() throws RangeError on an impossible snapshot or config", () => {
  assert.throws(() => decide(snap({ currentMsgCount: -1 }), CONFIG), RangeError);
  assert.throws(() => decide(snap({ staleActivationNum: 1.5 }), CONFIG), RangeError);
  assert.throws(() => decide(snap({ maxActionConcurrency: 0 }), CONFIG), /maxActionConcurrency/);
  assert.throws(() => decide(snap({ averageDurationMs: Number.NaN }), CONFIG), RangeError);
  assert.throws(() => decide(snap({ namespaceLimit: 2.5 }), CONFIG), RangeError);
  assert.throws(() => decide(snap({}), { ...CONFIG, staleThresholdMs: 0 }), /staleThresholdMs/);
});

Deno.test("DecisionResults rejects a Skip with a count and an unknown kind at compile time", () => {
  // @ts-expect-error Skip carries no count
  const skipWithNum: DecisionResults = { type: "Skip", num: 1 };
  // @ts-expect-error EnableActionThrottling is never produced, so it is not a kind
  const actionThrottle: DecisionResults = { type: "EnableActionThrottling", num: 0 };
  // @ts-expect-error EnableNamespaceThrottling needs dropMsg
  const noDrop: DecisionResults = { type: "EnableNamespaceThrottling", num: 0 };
  assert.ok(skipWithNum && actionThrottle && noDrop);
});

// ---------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------

const count = fc.integer({ min: 0, max: 40 });
const arbitrarySnapshot: fc.Arbitrary<QueueSnapshot> = fc.record({
  initialized: fc.boolean(),
  incomingMsgCount: count,
  currentMsgCount: count,
  existingContainerCount: count,
  inProgressContainerCount: count,
  staleActivationNum: count,
  existingContainerCountInNamespace: count,
  inProgressContainerCountInNamespace: count,
  averageDurationMs: fc.option(fc.integer({ min: -10, max: 5000 }), { nil: null }),
  namespaceLimit: fc.integer({ min: -2, max: 60 }),
  actionLimit: fc.integer({ min: -2, max: 60 }),
  maxActionConcurrency: fc.integer({ min: 1, max: 8 }),
  stateName: fc.constantFrom(...QUEUE_STATE_NAMES),
});
const arbitraryConfig: fc.Arbitrary<SchedulingDecisionConfig> = fc.record({
  staleThresholdMs: fc.integer({ min: 1, max: 1000 }),
  allowOverProvisionBeforeThrottle: fc.boolean(),
  namespaceOverProvisionBeforeThrottleRatio: fc.double({ min: 0, max: 3, noNaN: true }),
});

/** Step 1 capacity, recomputed independently. */
function capacityOf(s: QueueSnapshot, c: SchedulingDecisionConfig): number {
  const total = s.existingContainerCount + s.inProgressContainerCount;
  const nsUsed = s.existingContainerCountInNamespace + s.inProgressContainerCountInNamespace;
  if (c.allowOverProvisionBeforeThrottle && total === 0) {
    return Math.ceil(s.namespaceLimit * c.namespaceOverProvisionBeforeThrottleRatio) - nsUsed > 0
      ? 1
      : 0;
  }
  return Math.min(s.namespaceLimit - nsUsed, s.actionLimit - total);
}

Deno.test("decide() never creates more containers than the capacity, and adds at least one", () => {
  fc.assert(
    fc.property(arbitrarySnapshot, arbitraryConfig, (s, c) => {
      const result = decide(s, c);
      const created = containersToCreate(result);
      if (Math.min(s.namespaceLimit, s.actionLimit) <= 0) {
        assert.ok(result.type === "Pausing" || result.type === "Skip");
        return;
      }
      assert.ok(created <= Math.max(0, capacityOf(s, c)), `${created} > capacity`);
      if (result.type === "AddContainer" || result.type === "AddInitialContainer") {
        assert.ok(Number.isInteger(result.num) && result.num >= 1);
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("decide() answers Pausing exactly when a limit is ≤ 0 outside Flushing", () => {
  fc.assert(
    fc.property(arbitrarySnapshot, arbitraryConfig, (s, c) => {
      const paused = decide(s, c).type === "Pausing";
      const zero = Math.min(s.namespaceLimit, s.actionLimit) <= 0;
      assert.equal(paused, zero && s.stateName !== "Flushing");
    }),
    { numRuns: 1000 },
  );
});
