/** Tests of scripts/bench/op_counter.ts: counting wrappers and CreateQueue pairing. */
import assert from "node:assert/strict";
import {
  ControlPlaneCounter,
  diffCounts,
  FOCUS_SUFFIX,
  instrumentBusClass,
  instrumentKvClass,
  keyFamily,
  keyScope,
  OTHER_ACTION_SUFFIX,
  totalCount,
  totalWithSuffix,
} from "../../../scripts/bench/op_counter.ts";

Deno.test("keyFamily() keeps the first two segments", () => {
  assert.equal(keyFamily("whisk/invokers/0"), "whisk/invokers");
  assert.equal(keyFamily("single"), "single");
});

Deno.test("diffCounts() and totalCount() subtract and sum", () => {
  const d = diffCounts({ a: 1, b: 2 }, { a: 1, b: 5, c: 1 });
  assert.deepEqual(d, { b: 3, c: 1 });
  assert.equal(totalCount(d), 4);
});

Deno.test("instrumentKvClass() counts calls by op and family, and restores", async () => {
  class Fake {
    put(_k: string, _v: string) {
      return Promise.resolve("put");
    }
    watch(_k: string, _o: unknown, on: (e: { key: string }) => void) {
      on({ key: "whisk/queue/x" });
      return Promise.resolve();
    }
  }
  const counter = new ControlPlaneCounter();
  const original = Fake.prototype.put;
  const restore = instrumentKvClass(Fake.prototype as unknown as Record<string, unknown>, counter);
  const kv = new Fake();
  assert.equal(await kv.put("whisk/invokers/0", "v"), "put");
  let seen = 0;
  await kv.watch("whisk/queue/", {}, () => seen++);
  assert.equal(seen, 1);
  assert.deepEqual(counter.kv, {
    "put whisk/invokers": 1,
    "watch whisk/queue": 1,
    "watch-event whisk/queue": 1,
  });
  restore();
  assert.equal(Fake.prototype.put, original);
});

Deno.test("instrumentBusClass() counts records and times CreateQueue to its response", async () => {
  class FakeBus {
    send(_t: string, _r: unknown[]) {
      return Promise.resolve();
    }
  }
  const counter = new ControlPlaneCounter();
  const restore = instrumentBusClass(
    FakeBus.prototype as unknown as Record<string, unknown>,
    counter,
  );
  const bus = new FakeBus();
  await bus.send("scheduler0", [{ headers: { type: "CreateQueue", "correlation-id": "c1" } }]);
  await bus.send("completed0", [{
    headers: { type: "CreateQueueResponse", "correlation-id": "c1" },
  }]);
  await bus.send("completed0", [{
    headers: { type: "CreateQueueResponse", "correlation-id": "other" },
  }]);
  restore();
  assert.deepEqual(counter.bus, {
    "send scheduler<N> CreateQueue": 1,
    "send completed<N> CreateQueueResponse": 2,
  });
  assert.equal(counter.queueCreationMs.length, 1);
  assert.ok(counter.queueCreationMs[0]! >= 0);
});

Deno.test("keyScope() tells the focused action's keys from other actions' and global ones", () => {
  const container = "whisk/namespace/guest/guest/cpw-1/1-a/invoker0/container/c1";
  assert.equal(keyScope(container, "cpw-1"), "focus");
  assert.equal(keyScope(container, "noop"), "other");
  assert.equal(keyScope(container, undefined), "other");
  assert.equal(keyScope("whisk/invokers/0", "cpw-1"), "global");
  assert.equal(keyScope("whisk/namespace/guest/", "cpw-1"), "global");
});

Deno.test("ControlPlaneCounter.kvOp() suffixes names by scope once a focus is set", () => {
  const counter = new ControlPlaneCounter();
  counter.kvOp("put", "whisk/warmed/guest/guest/a/1-x/invoker/0/container/c");
  counter.focus = "a";
  counter.kvOp("put", "whisk/warmed/guest/guest/a/1-x/invoker/0/container/c");
  counter.kvOp("del", "whisk/namespace/guest/guest/b/1-x/invoker0/container/c");
  counter.kvOp("keepAliveOnce", 7);
  assert.deepEqual(counter.kv, {
    [`put whisk/warmed${OTHER_ACTION_SUFFIX}`]: 1,
    [`put whisk/warmed${FOCUS_SUFFIX}`]: 1,
    [`del whisk/namespace${OTHER_ACTION_SUFFIX}`]: 1,
    keepAliveOnce: 1,
  });
  assert.equal(totalWithSuffix(counter.kv, FOCUS_SUFFIX), 1);
  assert.equal(totalWithSuffix(counter.kv, OTHER_ACTION_SUFFIX), 2);
  assert.equal(totalWithSuffix(counter.kv, ""), 1);
});
