/**
 * Table tests of the pool balancer's pure cluster view: loading a family without losing
 * a change, the fewest-queues choice, and invoker health with gaps and bad values.
 */
import assert from "node:assert/strict";
import {
  applySnapshot,
  applyWatchEvent,
  emptyFamily,
  fewestQueues,
  invokerHealth,
  leaderDecoder,
  schedulerDecoder,
} from "../../../actors/controller/pool_balancer_view.ts";
import type { SchedulerView } from "../../../protocols/pool_balancer.ts";
import { invokerValue, schedulerValue } from "./_pool_balancer_fixtures.ts";

const raw = (_key: string, value: string) => value;

Deno.test("applySnapshot() replays the events seen before the read on top of it", () => {
  let cache = emptyFamily<string>(1);
  cache = applyWatchEvent(cache, { type: "put", key: "k1", value: "new" }, raw).cache;
  cache = applyWatchEvent(cache, { type: "delete", key: "k2" }, raw).cache;
  assert.equal(cache.entries.size, 0); // buffered until the read
  const loaded = applySnapshot(cache, [{ key: "k1", value: "old" }, { key: "k2", value: "x" }, {
    key: "k3",
    value: "y",
  }], raw).cache;
  assert.deepEqual([...loaded.entries], [["k1", "new"], ["k3", "y"]]);
  assert.equal(loaded.loaded, true);
  const next = applyWatchEvent(loaded, { type: "put", key: "k4", value: "z" }, raw).cache;
  assert.equal(next.entries.get("k4"), "z");
});

Deno.test("applyWatchEvent() drops and reports a key whose new value does not decode", () => {
  const decode = (_k: string, v: string) => (v === "bad" ? undefined : v);
  const loaded = applySnapshot(emptyFamily<string>(1), [{ key: "k", value: "good" }], decode).cache;
  const applied = applyWatchEvent(loaded, { type: "put", key: "k", value: "bad" }, decode);
  assert.equal(applied.cache.entries.has("k"), false);
  assert.deepEqual(applied.refused, ["k"]);
});

Deno.test("schedulerDecoder() accepts only direct children of its cluster's prefix", () => {
  const decode = schedulerDecoder("whisk/scheduler/");
  assert.equal(decode("whisk/scheduler/3", schedulerValue(3, 1))?.sid, "3");
  assert.equal(decode("whisk/scheduler/3/x", schedulerValue(3, 1)), undefined);
  assert.equal(decode("other/scheduler/3", schedulerValue(3, 1)), undefined);
  assert.equal(decode("whisk/scheduler/3", "{}"), undefined);
});

Deno.test("leaderDecoder() caches only leader values that look like endpoints", () => {
  assert.deepEqual(leaderDecoder("whisk/queue/ns/ns/a/leader", '{"host":"h","rpcPort":1}'), {
    host: "h",
    rpcPort: 1,
  });
  assert.equal(leaderDecoder("whisk/queue/ns/ns/a/leader", "scheduler0"), undefined);
  assert.equal(
    leaderDecoder("whisk/queue/ns/ns/a/follower/0", '{"host":"h","rpcPort":1}'),
    undefined,
  );
});

const view = (sid: string, queueSize: number, unreportedQueues = 0): SchedulerView => ({
  sid,
  queueSize,
  unreportedQueues,
  endpoints: { host: "h", rpcPort: 1 },
});

Deno.test("fewestQueues() counts unreported queues, breaks ties by order and skips excluded ones", () => {
  const cases: [SchedulerView[], string[], string | undefined][] = [
    [[view("0", 3), view("1", 1), view("2", 2)], [], "1"],
    [[view("0", 1), view("1", 1)], [], "0"],
    [[view("0", 0, 2), view("1", 1)], [], "1"],
    [[view("0", 0), view("1", 5)], ["0"], "1"],
    [[view("0", 0)], ["0"], undefined],
    [[], [], undefined],
  ];
  for (const [schedulers, excluded, expected] of cases) {
    assert.equal(fewestQueues(schedulers, new Set(excluded))?.sid, expected);
  }
});

Deno.test("invokerHealth() fills gaps Offline and reports an unreadable value Offline", () => {
  const invokers = new Map([
    ["whisk/invokers/1", invokerValue("up")],
    ["whisk/invokers/3", "{"],
    ["whisk/invokers/4", invokerValue("unhealthy")],
    ["whisk/invokers/x", invokerValue("up")],
  ]);
  assert.deepEqual(invokerHealth(invokers, "whisk").map((i) => `${i.id}:${i.status}`), [
    "0:Offline",
    "1:Healthy",
    "2:Offline",
    "3:Offline",
    "4:Unhealthy",
  ]);
  assert.deepEqual(invokerHealth(new Map(), "whisk"), []);
});
