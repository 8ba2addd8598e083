/**
 * Message-driven tests of the Watcher on the in-memory store and a manual clock
 * (reference §8.8 item 83: PUT and DELETE subscribers by exact key or prefix, event
 * types filtered, duplicate names collapse while different names coexist, unwatch stops
 * notifications, the watch restarts on error), plus one store watch per distinct key
 * or prefix and restoration after a crash.
 */
import assert from "node:assert/strict";
import { tell } from "../../../runtime/actors/mod.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import type { WatchEndpoint, WatcherEvent } from "../../../protocols/watcher.ts";
import { spawnWatcher } from "../../../actors/shared/watcher.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { faultyKv } from "./_faulty_kv.ts";

function watcherHarness() {
  const h = actorHarness();
  const memory = new MemoryKv({ clock: h.clock });
  const kv = faultyKv(memory);
  const watcher = spawnWatcher(h.system, { kv }, { retryIntervalMs: 1_000 });
  const stopSystem = h[Symbol.asyncDispose];
  const watch = async (
    probe: Probe<WatcherEvent>,
    fields: Partial<Omit<WatchEndpoint, "type" | "replyTo">> & { key: string },
  ) => {
    tell(h.system, watcher, {
      type: "WatchEndpoint",
      isPrefix: false,
      name: "test",
      put: true,
      del: true,
      replyTo: probe.ref,
      ...fields,
    });
    await settle(h.system); // the store watch is established
  };
  return Object.assign(h, {
    memory,
    kv,
    watcher,
    watch,
    [Symbol.asyncDispose]: async () => {
      await stopSystem();
      await memory.close();
    },
  });
}

Deno.test("spawnWatcher() notifies PUT and DELETE subscribers of an exact key", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  await h.watch(probe, { key: "whisk/queue/ns/a/leader" });
  await h.memory.put("whisk/queue/ns/a/leader", "s0");
  await h.memory.put("whisk/queue/ns/a/leaderX", "other"); // not the exact key
  await h.memory.del("whisk/queue/ns/a/leader");
  assert.deepEqual(await probe.receiveMessages(2), [
    {
      type: "WatchEndpointInserted",
      watchKey: "whisk/queue/ns/a/leader",
      key: "whisk/queue/ns/a/leader",
      value: "s0",
      isPrefix: false,
    },
    {
      type: "WatchEndpointRemoved",
      watchKey: "whisk/queue/ns/a/leader",
      key: "whisk/queue/ns/a/leader",
      prevValue: "s0",
      isPrefix: false,
    },
  ]);
  await probe.expectNoMessage();
});

Deno.test("spawnWatcher() notifies prefix subscribers of every key under the prefix", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  await h.watch(probe, { key: "whisk/invokers/", isPrefix: true });
  await h.memory.put("whisk/invokers/0", "up");
  await h.memory.put("whisk/scheduler/0", "x"); // outside the prefix
  await h.memory.del("whisk/invokers/0");
  assert.deepEqual(await probe.receiveMessages(2), [
    {
      type: "WatchEndpointInserted",
      watchKey: "whisk/invokers/",
      key: "whisk/invokers/0",
      value: "up",
      isPrefix: true,
    },
    {
      type: "WatchEndpointRemoved",
      watchKey: "whisk/invokers/",
      key: "whisk/invokers/0",
      prevValue: "up",
      isPrefix: true,
    },
  ]);
  await probe.expectNoMessage();
});

Deno.test("spawnWatcher() filters events by the subscriber's PUT and DELETE interest", async () => {
  await using h = watcherHarness();
  const puts = createProbe<WatcherEvent>(h.system, "puts");
  const dels = createProbe<WatcherEvent>(h.system, "dels");
  await h.watch(puts, { key: "k/", isPrefix: true, name: "puts", del: false });
  await h.watch(dels, { key: "k/", isPrefix: true, name: "dels", put: false });
  await h.memory.put("k/1", "a");
  await h.memory.del("k/1");
  assert.equal((await puts.expectMessageType("WatchEndpointInserted")).key, "k/1");
  assert.equal((await dels.expectMessageType("WatchEndpointRemoved")).prevValue, "a");
  await puts.expectNoMessage();
  await dels.expectNoMessage();
});

Deno.test("spawnWatcher() collapses registrations under one name and keeps different names apart", async () => {
  await using h = watcherHarness();
  const first = createProbe<WatcherEvent>(h.system, "first");
  const second = createProbe<WatcherEvent>(h.system, "second");
  const other = createProbe<WatcherEvent>(h.system, "other");
  await h.watch(first, { key: "k", name: "dup" });
  await h.watch(second, { key: "k", name: "dup" }); // replaces the first
  await h.watch(second, { key: "k", name: "dup" }); // a duplicate: still one
  await h.watch(other, { key: "k", name: "other" });
  await h.memory.put("k", "v");
  assert.equal((await second.expectMessageType("WatchEndpointInserted")).value, "v");
  assert.equal((await other.expectMessageType("WatchEndpointInserted")).value, "v");
  await second.expectNoMessage();
  await first.expectNoMessage();
  assert.deepEqual(h.kv.openWatches(), ["key:k"]); // one store watch, shared
});

Deno.test("spawnWatcher() opens one store watch per distinct key or prefix and closes it with its last subscriber", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  await h.watch(probe, { key: "a", name: "x" });
  await h.watch(probe, { key: "a", name: "y" });
  await h.watch(probe, { key: "a", isPrefix: true, name: "x" });
  await h.watch(probe, { key: "b", isPrefix: true, name: "x" });
  assert.deepEqual(h.kv.openWatches(), ["key:a", "prefix:a", "prefix:b"]);
  const unwatch = (key: string, isPrefix: boolean, name: string) =>
    tell(h.system, h.watcher, {
      type: "UnwatchEndpoint",
      key,
      isPrefix,
      name,
      needFeedback: false,
    });
  unwatch("a", false, "x");
  await settle(h.system);
  assert.deepEqual(h.kv.openWatches(), ["key:a", "prefix:a", "prefix:b"]);
  unwatch("a", false, "y");
  unwatch("b", true, "x");
  await settle(h.system);
  assert.deepEqual(h.kv.openWatches(), ["prefix:a"]);
  await probe.expectNoMessage();
});

Deno.test("spawnWatcher() stops notifying after unwatch and answers WatcherClosed when asked", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  const feedback = createProbe<WatcherEvent>(h.system, "feedback");
  await h.watch(probe, { key: "k", name: "n" });
  tell(h.system, h.watcher, {
    type: "UnwatchEndpoint",
    key: "k",
    isPrefix: false,
    name: "n",
    needFeedback: true,
    replyTo: feedback.ref,
  });
  assert.deepEqual(await feedback.expectMessageType("WatcherClosed"), {
    type: "WatcherClosed",
    key: "k",
    isPrefix: false,
  });
  await h.memory.put("k", "v");
  await h.memory.del("k");
  await probe.expectNoMessage();
  // Without replyTo, feedback goes to the subscriber; an unknown subscription still answers.
  await h.watch(probe, { key: "p/", isPrefix: true, name: "n" });
  tell(h.system, h.watcher, {
    type: "UnwatchEndpoint",
    key: "p/",
    isPrefix: true,
    name: "n",
    needFeedback: true,
  });
  assert.equal((await probe.expectMessageType("WatcherClosed")).isPrefix, true);
  tell(h.system, h.watcher, {
    type: "UnwatchEndpoint",
    key: "nope",
    isPrefix: false,
    name: "n",
    needFeedback: true,
    replyTo: feedback.ref,
  });
  assert.equal((await feedback.expectMessageType("WatcherClosed")).key, "nope");
});

Deno.test("spawnWatcher() reopens a store watch that failed, after the retry interval", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  h.kv.failNext("watch", 2);
  await h.watch(probe, { key: "k" });
  assert.deepEqual(h.kv.openWatches(), []);
  h.clock.advance(1_000); // second attempt fails too
  await settle(h.system);
  assert.deepEqual(h.kv.openWatches(), []);
  h.clock.advance(1_000);
  await settle(h.system);
  assert.deepEqual(h.kv.openWatches(), ["key:k"]);
  assert.equal(h.kv.calls.watch, 3);
  await h.memory.put("k", "v");
  assert.equal((await probe.expectMessageType("WatchEndpointInserted")).value, "v");
  assert.equal(h.logs("store watch failed to open").length, 2);
});

Deno.test("spawnWatcher() re-opens every subscription's store watch after a crash restarts it", async () => {
  await using h = watcherHarness();
  const probe = createProbe<WatcherEvent>(h.system);
  await h.watch(probe, { key: "a/", isPrefix: true, name: "n" });
  h.kv.throwNext("watch"); // a bug while opening the next watch: the actor crashes
  await h.watch(probe, { key: "b", name: "n" });
  assert.equal(h.logs("actor crashed").length, 1);
  h.clock.advance(0); // the restarted `Starting` state times out at once
  await settle(h.system);
  assert.deepEqual(h.kv.openWatches(), ["prefix:a/"]); // old one closed, remembered one re-opened
  await h.memory.put("a/1", "x");
  assert.equal((await probe.expectMessageType("WatchEndpointInserted")).key, "a/1");
  await probe.expectNoMessage(); // delivered once: the old incarnation's watch is gone
});
