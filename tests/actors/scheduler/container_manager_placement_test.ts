import assert from "node:assert/strict";
import {
  creationRequest,
  deletionInvokers,
  placeCreations,
  type PlacementInput,
  resourceTags,
  strictTagPolicy,
  usableInvokers,
} from "../../../actors/scheduler/container_manager_placement.ts";
import type { ContainerDeletion, InvokerCandidate } from "../../../protocols/mod.ts";
import { existingContainerKey, warmedContainerKey } from "../../../protocols/mod.ts";
import {
  BASE_CREATION,
  BLACKBOX_META,
  creation,
  meta,
  SELECTION,
} from "./_container_manager_fixtures.ts";

const up = (id: number, freeMemoryMb = 1024, extra: Partial<InvokerCandidate> = {}) => ({
  id,
  status: "up" as const,
  freeMemoryMb,
  tags: [],
  dedicatedNamespaces: [],
  ...extra,
});

const warmKey = (invoker: number, containerId: string, revision = "1-abc") =>
  warmedContainerKey({
    invocationNamespace: "guest",
    action: "guest/hello",
    revision,
    invoker,
    containerId,
  });

function input(overrides: Partial<PlacementInput>): PlacementInput {
  return {
    msgs: [creation("c1")],
    actionMemoryMb: 256,
    invocationNamespace: "guest",
    invokers: [up(0)],
    warmed: new Set(),
    reserved: new Set(),
    cluster: "whisk",
    selection: SELECTION,
    ...overrides,
  };
}

Deno.test("placeCreations() places every message on a healthy invoker", () => {
  const r = placeCreations(input({ msgs: [creation("c1"), creation("c2")], invokers: [up(0)] }));
  assert.deepEqual(r.placed.map((p) => [p.msg.creationId, p.invokerId]), [["c1", 0], ["c2", 0]]);
  assert.deepEqual(r.failed, []);
});

Deno.test("placeCreations() fails every message with NoAvailableInvokersError when no invoker is usable", () => {
  for (
    const invokers of [
      [],
      [up(0, 1024, { status: "unhealthy" })],
      [up(0, 100)],
      [up(0, 1024, { dedicatedNamespaces: ["other"] })],
    ]
  ) {
    const r = placeCreations(input({ msgs: [creation("c1"), creation("c2")], invokers }));
    assert.deepEqual(r.placed, []);
    assert.deepEqual(r.failed.map((f) => f.error), [
      "NoAvailableInvokersError",
      "NoAvailableInvokersError",
    ]);
  }
});

Deno.test("placeCreations() uses a matching warmed container first, each at most once", () => {
  const r = placeCreations(input({
    msgs: [creation("c1"), creation("c2"), creation("c3")],
    invokers: [up(0), up(1), up(2)],
    warmed: new Set([warmKey(2, "w2"), warmKey(1, "w1")]),
  }));
  assert.deepEqual(
    r.placed.map((p) => [p.msg.creationId, p.invokerId, p.warmedKey]),
    [["c1", 1, warmKey(1, "w1")], ["c2", 2, warmKey(2, "w2")], ["c3", 0, undefined]],
  );
});

Deno.test("placeCreations() skips warmed containers already reserved", () => {
  const r = placeCreations(input({
    invokers: [up(0), up(1)],
    warmed: new Set([warmKey(1, "w1")]),
    reserved: new Set([warmKey(1, "w1")]),
  }));
  assert.equal(r.placed[0]?.warmedKey, undefined);
  assert.equal(r.placed[0]?.invokerId, 0);
});

Deno.test("placeCreations() falls back to a cold creation on a revision mismatch or an unusable invoker", () => {
  const cases: [string, InvokerCandidate[]][] = [
    [warmKey(1, "w1", "2-new"), [up(0), up(1)]],
    [warmKey(1, "w1"), [up(0), up(1, 1024, { status: "unhealthy" })]],
    [warmKey(1, "w1"), [up(0), up(1, 1024, { status: "down" })]],
    [warmKey(7, "w7"), [up(0)]],
  ];
  for (const [key, invokers] of cases) {
    const r = placeCreations(input({ invokers, warmed: new Set([key]) }));
    assert.equal(r.placed.length, 1);
    assert.equal(r.placed[0]?.warmedKey, undefined, key);
    assert.equal(r.placed[0]?.invokerId, 0);
  }
});

Deno.test("placeCreations() deducts a warm reuse's memory before placing the rest", () => {
  const r = placeCreations(input({
    msgs: [creation("c1"), creation("c2")],
    actionMemoryMb: 256,
    invokers: [up(0, 512)],
    warmed: new Set([warmKey(0, "w0")]),
  }));
  // 512 - 256 (warm) leaves 256 free: the cold one fits once; the minimum is 128.
  assert.deepEqual(r.placed.map((p) => p.invokerId), [0, 0]);
  const three = placeCreations(input({
    msgs: [creation("c1"), creation("c2"), creation("c3")],
    invokers: [up(0, 512)],
    warmed: new Set([warmKey(0, "w0")]),
  }));
  assert.equal(three.placed.length, 2);
  assert.deepEqual(three.failed.map((f) => f.msg.creationId), ["c3"]);
});

Deno.test("placeCreations() sends blackbox actions to the blackbox partition", () => {
  const invokers = [...Array(10).keys()].map((id) => up(id));
  const managed = placeCreations(
    input({ invokers, selection: { ...SELECTION, random: () => 0.999 } }),
  );
  const blackbox = placeCreations(input({
    invokers,
    msgs: [creation("b1", { whiskActionMetaData: BLACKBOX_META })],
    selection: { ...SELECTION, random: () => 0 },
  }));
  assert.equal(managed.placed[0]?.invokerId, 8); // last of the managed 9
  assert.equal(blackbox.placed[0]?.invokerId, 9); // the only blackbox invoker
});

Deno.test("placeCreations() honours invoker-resources tags with the strict policy", () => {
  const tagged = meta({ annotations: [{ key: "invoker-resources", value: ["gpu"] }] });
  const invokers = [up(0), up(1, 1024, { tags: ["gpu", "ssd"] })];
  const ok = placeCreations(
    input({ invokers, msgs: [creation("t1", { whiskActionMetaData: tagged })] }),
  );
  assert.equal(ok.placed[0]?.invokerId, 1);
  const none = placeCreations(input({
    invokers: [up(0)],
    msgs: [creation("t2", { whiskActionMetaData: tagged })],
  }));
  assert.deepEqual(none.failed.map((f) => f.error), ["NoAvailableResourceInvokersError"]);
});

Deno.test("resourceTags() and strictTagPolicy() read the annotations with upstream defaults", () => {
  assert.deepEqual(resourceTags(BASE_CREATION.whiskActionMetaData), []);
  assert.equal(strictTagPolicy(BASE_CREATION.whiskActionMetaData), true);
  const loose = meta({
    annotations: [
      { key: "invoker-resources", value: ["a", 3, "b"] },
      { key: "invoker-resources-strict-policy", value: "false" },
    ],
  });
  assert.deepEqual(resourceTags(loose), ["a", "b"]);
  assert.equal(strictTagPolicy(loose), false);
  const request = creationRequest(creation("x", { whiskActionMetaData: loose }), 256);
  assert.equal(request.strictTags, false);
  assert.equal(request.isBlackbox, false);
});

Deno.test("usableInvokers() keeps up invokers with the memory that may serve the namespace", () => {
  const invokers = [
    up(0),
    up(1, 100),
    up(2, 1024, { status: "unhealthy" }),
    up(3, 1024, { dedicatedNamespaces: ["guest"] }),
    up(4, 1024, { dedicatedNamespaces: ["other"] }),
  ];
  assert.deepEqual(usableInvokers(invokers, 256, "guest").map((c) => c.id), [0, 3]);
});

const deletion = (revision: string): ContainerDeletion => ({
  type: "ContainerDeletion",
  invocationNamespace: "guest",
  action: { path: "guest", name: "hello" },
  revision,
  whiskActionMetaData: BASE_CREATION.whiskActionMetaData,
});

const existing = (invoker: number, revision: string, action = "guest/hello") =>
  existingContainerKey({
    invocationNamespace: "guest",
    action,
    revision,
    invoker,
    containerId: `c${invoker}`,
  });

Deno.test("deletionInvokers() finds every invoker holding existing or warmed keys of the action", () => {
  const keys = [
    existing(3, "2-b"),
    warmKey(1, "w1", "1-a"),
    existing(3, "1-a"),
    warmKey(5, "w5", "2-b"),
  ];
  assert.deepEqual(deletionInvokers(keys, deletion("2-b"), "whisk"), [1, 3, 5]);
});

Deno.test("deletionInvokers() compares revisions by generation, not by key order", () => {
  // Lexicographically "10-x" < "2-x"; a deletion of revision 2 must keep revision 10.
  const keys = [existing(1, "10-x"), existing(2, "2-x"), existing(3, "1-x")];
  assert.deepEqual(deletionInvokers(keys, deletion("2-x"), "whisk"), [2, 3]);
  assert.deepEqual(deletionInvokers(keys, deletion("10-x"), "whisk"), [1, 2, 3]);
});

Deno.test("deletionInvokers() ignores actions of a package named like the action and other clusters", () => {
  const keys = [
    existing(4, "1-a", "guest/hello/inner"),
    existingContainerKey({
      invocationNamespace: "guest",
      action: "guest/hello",
      revision: "1-a",
      invoker: 6,
      containerId: "x",
    }, "other"),
    "whisk/namespace/garbage",
  ];
  assert.deepEqual(deletionInvokers(keys, deletion("9-z"), "whisk"), []);
});
