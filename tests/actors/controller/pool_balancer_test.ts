/**
 * Message-driven tests of the pool balancer on the in-memory store and a manual clock:
 * the watch-fed view (only its own cluster's schedulers, invoker health with gaps
 * Offline), publishing to the leader, queue creation on the fewest-queues scheduler
 * with retries on others (8 s ask, 6 attempts), a burst spread over schedulers, and
 * queue recreation when a leader key vanishes with activations in flight.
 */
import assert from "node:assert/strict";
import { type CreateQueue, fqn, queueLeaderKey } from "../../../protocols/mod.ts";
import type {
  ClusterViewReport,
  InvokerHealthReport,
  PublishOutcome,
} from "../../../protocols/pool_balancer.ts";
import { actionMetaData } from "../../../protocols/mod.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../../runtime/kv/key_value_store.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { spawnPoolBalancer } from "../../../actors/controller/pool_balancer.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import {
  action,
  activationOf,
  invokerValue,
  leaderValue,
  poolBalancerHarness,
  recordingPublish,
  schedulerValue,
} from "./_pool_balancer_fixtures.ts";

const HELLO = action("hello");
const HELLO_LEADER = queueLeaderKey("guest", fqn("guest", "hello"));

function schedulers(...queueSizes: number[]): Record<string, string> {
  return Object.fromEntries(
    queueSizes.map((q, sid) => [`whisk/scheduler/${sid}`, schedulerValue(sid, q)]),
  );
}

async function view(
  h: Awaited<ReturnType<typeof poolBalancerHarness>>,
): Promise<ClusterViewReport> {
  const probe = createProbe<ClusterViewReport>(h.system);
  tell(h.system, h.balancer.ref, { type: "GetClusterView", replyTo: probe.ref });
  return await probe.expectMessageType("ClusterView");
}

const createQueueTopics = (h: Awaited<ReturnType<typeof poolBalancerHarness>>) =>
  h.recorder.ofType("CreateQueue").map((p) => p.topic);

Deno.test("spawnPoolBalancer() loads only schedulers under its own cluster name", async () => {
  await using h = await poolBalancerHarness({
    "whisk/scheduler/0": schedulerValue(0, 1),
    "whisk/scheduler/1": schedulerValue(1, 2),
    "other/scheduler/2": schedulerValue(2, 0),
    "whiskx/scheduler/3": schedulerValue(3, 0),
  });
  await h.kv.put("other/scheduler/4", schedulerValue(4, 0)); // after the load, by watch
  await h.kv.put("whisk/scheduler/5", schedulerValue(5, 7));
  await settle(h.system);
  assert.deepEqual(
    (await view(h)).schedulers.map((s) => [s.sid, s.queueSize]),
    [[0, 1], [1, 2], [5, 7]]
      .map(([sid, q]) => [String(sid), q]),
  );
});

Deno.test("spawnPoolBalancer() ignores a scheduler value that does not decode and keeps the others", async () => {
  await using h = await poolBalancerHarness({ ...schedulers(0), "whisk/scheduler/1": "{not json" });
  assert.deepEqual((await view(h)).schedulers.map((s) => s.sid), ["0"]);
  assert.equal(h.logs("ignored unreadable cluster-state values").length, 1);
});

Deno.test("spawnPoolBalancer() reports invoker health from etcd, gaps and unreadable values Offline", async () => {
  await using h = await poolBalancerHarness({
    "whisk/invokers/0": invokerValue("up"),
    "whisk/invokers/2": invokerValue("unhealthy"),
    "whisk/invokers/3": "garbage",
    "whisk/invokers/4/u4/d4": invokerValue("down"),
    "other/invokers/5": invokerValue("up"),
  });
  const ask = async () => {
    const probe = createProbe<InvokerHealthReport>(h.system);
    tell(h.system, h.balancer.ref, { type: "GetInvokerHealth", replyTo: probe.ref });
    return (await probe.expectMessageType("InvokerHealthReport")).invokers.map((i) => i.status);
  };
  assert.deepEqual(await ask(), ["Healthy", "Offline", "Unhealthy", "Offline", "Offline"]);
  await h.kv.put("whisk/invokers/1", invokerValue("up")); // the cache follows the watch
  await h.kv.del("whisk/invokers/0");
  await settle(h.system);
  assert.deepEqual(await ask(), ["Offline", "Healthy", "Unhealthy", "Offline", "Offline"]);
});

Deno.test("spawnPoolBalancer() rejects with 503 when no scheduler is known", async () => {
  await using h = await poolBalancerHarness();
  assert.deepEqual(await h.publish(HELLO, 1), {
    type: "PublishRejected",
    activationId: activationOf(HELLO, 1).activationId,
    status: 503,
    message: "No scheduler endpoint available",
  });
  assert.equal(h.recorder.sent.length, 0);
});

Deno.test("spawnPoolBalancer() publishes to the cached leader's scheduler without creating a queue", async () => {
  await using h = await poolBalancerHarness({
    ...schedulers(0, 9),
    [HELLO_LEADER]: leaderValue(1),
  });
  assert.deepEqual(await h.publish(HELLO, 1), {
    type: "Published",
    activationId: activationOf(HELLO, 1).activationId,
    sid: "1",
  });
  assert.deepEqual(h.recorder.sent.map((p) => [p.topic, p.to, p.message.type, p.envelope.tid]), [
    ["scheduler1", "queue-manager", "ActivationMessage", "tid1"],
  ]);
});

Deno.test("spawnPoolBalancer() creates a missing queue on the fewest-queues scheduler and publishes there at once", async () => {
  await using h = await poolBalancerHarness(schedulers(5, 2, 3));
  assert.equal((await h.publish(HELLO, 1)).type, "Published");
  const [create] = h.recorder.ofType("CreateQueue");
  assert.equal(create?.topic, "scheduler1");
  assert.equal(create?.envelope.replyTo, "completed0");
  assert.ok(create?.envelope.correlationId);
  assert.deepEqual(
    create?.message,
    {
      type: "CreateQueue",
      invocationNamespace: "guest",
      fqn: fqn("guest", "hello", "0.0.1"),
      revision: "1-abc",
      whiskActionMetaData: actionMetaData(HELLO),
    } satisfies CreateQueue,
  );
  assert.deepEqual(h.recorder.ofType("ActivationMessage").map((p) => p.topic), ["scheduler1"]);
});

Deno.test("spawnPoolBalancer() reuses a creation in progress for more activations of the same action", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0));
  await h.publish(HELLO, 1);
  await h.publish(HELLO, 2);
  assert.deepEqual(createQueueTopics(h), ["scheduler0"]);
  assert.deepEqual(h.recorder.ofType("ActivationMessage").map((p) => p.topic), [
    "scheduler0",
    "scheduler0",
  ]);
});

Deno.test("spawnPoolBalancer() spreads a burst of new actions over the schedulers", async () => {
  await using h = await poolBalancerHarness(schedulers(1, 0, 0));
  for (const [n, name] of ["a", "b", "c", "d", "e"].entries()) await h.publish(action(name), n + 1);
  // loads 1,0,0 → s1; 1,1,0 → s2; 1,1,1 → s0; 2,1,1 → s1; 2,2,1 → s2
  assert.deepEqual(createQueueTopics(h), [
    "scheduler1",
    "scheduler2",
    "scheduler0",
    "scheduler1",
    "scheduler2",
  ]);
  assert.deepEqual((await view(h)).schedulers.map((s) => s.unreportedQueues), [1, 2, 2]);
});

Deno.test("spawnPoolBalancer() counts answered creations until the scheduler reports again", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0));
  await h.publish(action("a"), 1); // → s0
  tell(h.system, h.balancer.ref, {
    type: "CreateQueueResponse",
    invocationNamespace: "guest",
    fqn: fqn("guest", "a"),
    success: true,
  });
  await h.publish(action("b"), 2); // s0 still counts the answered one → s1
  assert.deepEqual(createQueueTopics(h), ["scheduler0", "scheduler1"]);
  await h.kv.put("whisk/scheduler/0", schedulerValue(0, 1)); // the report now includes it
  await settle(h.system);
  assert.deepEqual((await view(h)).schedulers.map((s) => [s.queueSize, s.unreportedQueues]), [[
    1,
    0,
  ], [0, 1]]);
});

Deno.test("spawnPoolBalancer() retries a timed-out creation on other schedulers, 6 attempts in all", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0, 0, 0, 0, 0, 0));
  await h.publish(HELLO, 1);
  for (let i = 0; i < 7; i++) {
    h.clock.advance(7_999);
    await settle(h.system);
    const before = createQueueTopics(h).length;
    assert.equal(before, Math.min(i + 1, 6)); // nothing before the 8 s timeout
    h.clock.advance(1); // the 8 s ask timeout
    await settle(h.system);
    assert.equal(createQueueTopics(h).length, Math.min(before + 1, 6));
  }
  assert.deepEqual(createQueueTopics(h), [0, 1, 2, 3, 4, 5].map((s) => `scheduler${s}`));
  assert.equal(h.logs("queue creation failed; retrying").length, 5);
  assert.equal(
    h.logs("queue creation failed on every attempt; related activations may fail").length,
    1,
  );
  assert.deepEqual((await view(h)).creating, {});
});

Deno.test("spawnPoolBalancer() never asks the same scheduler twice and gives up when none is left", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0));
  await h.publish(HELLO, 1);
  h.clock.advance(8_000);
  await settle(h.system);
  h.clock.advance(8_000);
  await settle(h.system);
  assert.deepEqual(createQueueTopics(h), ["scheduler0", "scheduler1"]);
  assert.equal(
    h.logs("queue creation failed on every attempt; related activations may fail").length,
    1,
  );
});

Deno.test("spawnPoolBalancer() retries on another scheduler when sending CreateQueue fails", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 1));
  h.recorder.failing.add("scheduler0");
  const outcome = await h.publish(HELLO, 1);
  await settle(h.system);
  assert.deepEqual(outcome, {
    type: "PublishRejected",
    activationId: activationOf(HELLO, 1).activationId,
    status: 503,
    message: "Could not publish the activation to scheduler0.",
  });
  assert.deepEqual(createQueueTopics(h), ["scheduler1"]);
});

Deno.test("spawnPoolBalancer() stops retrying once the scheduler answers", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0));
  await h.publish(HELLO, 1);
  tell(h.system, h.balancer.ref, {
    type: "CreateQueueResponse",
    invocationNamespace: "guest",
    fqn: fqn("guest", "hello", "0.0.1"),
    success: false,
  });
  await settle(h.system);
  h.clock.advance(60_000);
  await settle(h.system);
  assert.deepEqual(createQueueTopics(h), ["scheduler0"]);
  assert.equal(h.logs("scheduler refused to create the queue (action not executable)").length, 1);
});

Deno.test("spawnPoolBalancer() recreates the queue on another scheduler when the leader key vanishes with activations in flight", async () => {
  await using h = await poolBalancerHarness({
    ...schedulers(0, 3),
    [HELLO_LEADER]: leaderValue(0),
  });
  await h.publish(HELLO, 1);
  assert.deepEqual(createQueueTopics(h), []);
  await h.kv.del(HELLO_LEADER);
  await settle(h.system);
  assert.deepEqual(createQueueTopics(h), ["scheduler1"]); // not the old leader, despite its load
  assert.deepEqual((await view(h)).creating, { [HELLO_LEADER]: "1" });
});

Deno.test("spawnPoolBalancer() does not recreate a vanished queue with nothing in flight", async () => {
  await using h = await poolBalancerHarness({
    ...schedulers(0, 0),
    [HELLO_LEADER]: leaderValue(0),
  });
  await h.publish(HELLO, 1);
  tell(h.system, h.balancer.ref, {
    type: "ActivationFinished",
    activationId: activationOf(HELLO, 1).activationId,
    leaderKey: HELLO_LEADER,
  });
  await h.kv.del(HELLO_LEADER);
  await settle(h.system);
  assert.deepEqual(createQueueTopics(h), []);
  assert.deepEqual((await view(h)).inFlight, {});
});

Deno.test("spawnPoolBalancer() follows a leader key put after the start", async () => {
  await using h = await poolBalancerHarness(schedulers(0, 0));
  await h.kv.put(HELLO_LEADER, leaderValue(1));
  await settle(h.system);
  assert.deepEqual(await h.publish(HELLO, 1), {
    type: "Published",
    activationId: activationOf(HELLO, 1).activationId,
    sid: "1",
  });
  assert.deepEqual(createQueueTopics(h), []);
});

/** A store whose first prefix reads wait until `release()`. */
function gatedKv(inner: MemoryKv): KeyValueStore & { release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return Object.assign(Object.create(inner) as MemoryKv, {
    getPrefix: async (prefix: string) => {
      await gate;
      return inner.getPrefix(prefix);
    },
    watch: inner.watch.bind(inner),
    release: () => release(),
  });
}

Deno.test("spawnPoolBalancer() holds publishes until the cluster state is loaded", async () => {
  await using h = actorHarness();
  const memory = new MemoryKv({ clock: h.clock });
  await memory.put("whisk/scheduler/0", schedulerValue(0, 0));
  const kv = gatedKv(memory);
  const recorder = recordingPublish();
  const balancer = spawnPoolBalancer(h.system, { kv, publish: recorder.publish }, {
    controllerId: "0",
  });
  const probe = createProbe<PublishOutcome>(h.system);
  tell(h.system, balancer.ref, {
    type: "PublishActivation",
    activation: activationOf(HELLO, 1),
    action: actionMetaData(HELLO),
    replyTo: probe.ref,
  });
  await probe.expectNoMessage();
  kv.release();
  assert.equal((await probe.expectMessageType("Published")).sid, "0");
  await balancer.close();
  await memory.close();
});
