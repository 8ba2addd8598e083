/**
 * Message-driven tests of DataManagementService with probes for LeaseKeepAlive and the
 * Watcher, a hand-driven worker and a manual clock (reference §8.8 item 81), plus
 * failover, election and initial data end to end on the in-memory store.
 */
import assert from "node:assert/strict";
import { type Ref, tell } from "../../../runtime/actors/mod.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import type {
  DataManagementCommand,
  DataManagementEvent,
  EtcdOperation,
  EtcdOutcome,
} from "../../../protocols/data_management_service.ts";
import type { Lease, LeaseKeepAliveCommand } from "../../../protocols/lease_keep_alive.ts";
import type { WatcherCommand } from "../../../protocols/watcher.ts";
import { spawnDataManagementService } from "../../../actors/shared/data_management_service.ts";
import {
  type EtcdWorker,
  etcdWorker,
  spawnDataServices,
  spawnLeaseKeepAlive,
  spawnWatcher,
} from "../../../actors/shared/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";

interface Call {
  readonly op: EtcdOperation;
  readonly lease: string | undefined;
  finish(outcome?: EtcdOutcome): void;
}

/** A worker whose writes finish when the test says so. */
function handWorker() {
  const calls: Call[] = [];
  const worker = (op: EtcdOperation, lease: string | undefined) =>
    new Promise<EtcdOutcome>((resolve) => {
      calls.push({ op, lease, finish: (o = { type: "done", created: true }) => resolve(o) });
    });
  /** Describes the writes started so far and forgets them. */
  const take = () => calls.splice(0);
  return { worker, calls, take };
}

async function dmsHarness() {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock }); // unused by the hand worker
  const leases = createProbe<LeaseKeepAliveCommand>(h.system, "leases");
  const watcher = createProbe<WatcherCommand>(h.system, "watcher");
  const requester = createProbe<DataManagementEvent>(h.system, "requester");
  const work = handWorker();
  const dms = spawnDataManagementService(h.system, {
    kv,
    leaseKeepAlive: leases.ref,
    watcher: watcher.ref,
    worker: work.worker,
  }, { retryIntervalMs: 1_000 });
  await leases.expectMessageType("SubscribeLease");
  /** Answers the next `GetLease` with `leaseId`. */
  const grant = async (leaseId: string) => {
    const { replyTo } = await leases.expectMessageType("GetLease");
    tell(h.system, replyTo as Ref<Lease>, { type: "Lease", leaseId, ttlSeconds: 10 });
    await settle(h.system);
  };
  const stopSystem = h[Symbol.asyncDispose];
  return Object.assign(h, {
    kv,
    leases,
    watcher,
    requester,
    work,
    dms,
    grant,
    send: async (msg: DataManagementCommand) => {
      tell(h.system, dms, msg);
      await settle(h.system);
    },
    [Symbol.asyncDispose]: async () => {
      await stopSystem();
      await kv.close();
    },
  });
}

const ops = (calls: Call[]) =>
  calls.map((c) =>
    `${c.op.kind} ${c.op.key}${"value" in c.op ? `=${c.op.value}` : ""} @${c.lease}`
  );

Deno.test("spawnDataManagementService() asks for the lease, then dispatches the write to the worker", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "RegisterData", key: "k", value: "v" });
  assert.deepEqual(h.work.calls, []);
  await h.grant("7");
  assert.deepEqual(ops(h.work.take()), ["put k=v @7"]);
  const watch = await h.watcher.expectMessageType("WatchEndpoint");
  assert.deepEqual({ ...watch, replyTo: undefined }, {
    type: "WatchEndpoint",
    key: "k",
    isPrefix: false,
    name: "data-management-service",
    put: false,
    del: true,
    replyTo: undefined,
  });
  await h.send({ type: "RegisterData", key: "k2", value: "v", failoverEnabled: false });
  assert.deepEqual(ops(h.work.take()), ["put k2=v @7"]); // the lease is cached
  await h.watcher.expectNoMessage();
  await h.leases.expectNoMessage();
});

Deno.test("spawnDataManagementService() runs writes of one key one after another and of different keys concurrently", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "RegisterData", key: "a", value: "1", failoverEnabled: false });
  await h.grant("7");
  await h.send({ type: "RegisterData", key: "b", value: "1", failoverEnabled: false });
  await h.send({ type: "ElectLeader", key: "a", value: "2", replyTo: h.requester.ref });
  const running = h.work.take();
  assert.deepEqual(ops(running), ["put a=1 @7", "put b=1 @7"]);
  running[0]!.finish();
  await settle(h.system);
  const next = h.work.take();
  assert.deepEqual(ops(next), ["elect a=2 @7"]);
  next[0]!.finish({ type: "done", created: false });
  assert.deepEqual(await h.requester.expectMessageType("ElectionResult"), {
    type: "ElectionResult",
    key: "a",
    leader: false,
  });
});

Deno.test("spawnDataManagementService() collapses queued writes of a key to the last one", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "RegisterData", key: "k", value: "1", failoverEnabled: false });
  await h.grant("7");
  for (const value of ["2", "3", "4"]) {
    await h.send({ type: "RegisterData", key: "k", value, failoverEnabled: false });
  }
  await h.send({ type: "RegisterInitialData", key: "k", value: "5", failoverEnabled: false });
  await h.send({ type: "RegisterData", key: "k", value: "6", failoverEnabled: false });
  const [first] = h.work.take();
  first!.finish();
  await settle(h.system);
  const [last] = h.work.take();
  assert.deepEqual(ops([last!]), ["put k=6 @7"]);
  last!.finish();
  await settle(h.system);
  assert.deepEqual(h.work.calls, []);
});

Deno.test("spawnDataManagementService() re-creates a watched key create-only when it is deleted, and ignores prefix removals", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "RegisterData", key: "k", value: "v" });
  await h.grant("7");
  h.work.take()[0]!.finish();
  await h.watcher.expectMessageType("WatchEndpoint");
  const removed = {
    type: "WatchEndpointRemoved",
    watchKey: "k",
    key: "k",
    prevValue: "v",
  } as const;
  tell(h.system, h.dms as never, { ...removed, isPrefix: true });
  await settle(h.system);
  assert.deepEqual(h.work.calls, []);
  tell(h.system, h.dms as never, { ...removed, isPrefix: false });
  await settle(h.system);
  assert.deepEqual(ops(h.work.take()), ["putInitial k=v @7"]);
  await h.watcher.expectNoMessage(); // no new watch: the old one stays
});

Deno.test("spawnDataManagementService() unwatches, then deletes on the WatcherClosed feedback", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "UnregisterData", key: "k" });
  const unwatch = await h.watcher.expectMessageType("UnwatchEndpoint");
  assert.deepEqual({ ...unwatch, replyTo: undefined }, {
    type: "UnwatchEndpoint",
    key: "k",
    isPrefix: false,
    name: "data-management-service",
    needFeedback: true,
    replyTo: undefined,
  });
  assert.deepEqual(h.work.calls, []);
  tell(h.system, unwatch.replyTo!, { type: "WatcherClosed", key: "k", isPrefix: false });
  await settle(h.system);
  assert.deepEqual(ops(h.work.take()), ["delete k @undefined"]); // deletes need no lease
});

Deno.test("spawnDataManagementService() writes UpdateDataOnChange only on change, the second time without failover", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "UpdateDataOnChange", key: "k", value: "1" });
  await h.grant("7");
  h.work.take()[0]!.finish();
  await h.watcher.expectMessageType("WatchEndpoint");
  await h.send({ type: "UpdateDataOnChange", key: "k", value: "1" });
  assert.deepEqual(h.work.calls, []);
  await h.send({ type: "UpdateDataOnChange", key: "k", value: "2" });
  assert.deepEqual(ops(h.work.take()), ["put k=2 @7"]);
  await h.watcher.expectNoMessage();
});

Deno.test("spawnDataManagementService() retries a failed write every retry interval", async () => {
  await using h = await dmsHarness();
  await h.send({
    type: "RegisterInitialData",
    key: "k",
    value: "v",
    failoverEnabled: false,
    replyTo: h.requester.ref,
  });
  await h.grant("7");
  h.work.take()[0]!.finish({ type: "failed", error: new Error("etcd down") });
  await settle(h.system);
  h.clock.advance(999);
  await settle(h.system);
  assert.deepEqual(h.work.calls, []);
  h.clock.advance(1);
  await settle(h.system);
  const [retry] = h.work.take();
  assert.deepEqual(ops([retry!]), ["putInitial k=v @7"]);
  retry!.finish({ type: "done", created: false });
  assert.deepEqual(await h.requester.expectMessageType("InitialDataStorageResults"), {
    type: "InitialDataStorageResults",
    key: "k",
    result: "AlreadyExist",
  });
  assert.equal(h.logs("etcd write failed; retrying").length, 1);
});

Deno.test("spawnDataManagementService() drops a lost lease and asks LeaseKeepAlive for a new one", async () => {
  await using h = await dmsHarness();
  await h.send({ type: "RegisterData", key: "k", value: "v", failoverEnabled: false });
  await h.grant("7");
  h.work.take()[0]!.finish({ type: "leaseLost", leaseId: "7" });
  await settle(h.system);
  h.clock.advance(1_000);
  await h.grant("8");
  assert.deepEqual(ops(h.work.take()), ["put k=v @8"]);
});

Deno.test("spawnDataManagementService() uses a lease announced by LeaseChanged", async () => {
  await using h = await dmsHarness();
  tell(h.system, h.dms as never, { type: "LeaseChanged", leaseId: "9" });
  await h.send({ type: "RegisterData", key: "k", value: "v", failoverEnabled: false });
  assert.deepEqual(ops(h.work.take()), ["put k=v @9"]);
  await h.leases.expectNoMessage(); // no GetLease needed
});

Deno.test("spawnDataServices() elects one leader, stores initial data once and fails a deleted key over", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  try {
    const services = spawnDataServices(h.system, { kv }, { instance: "scheduler0" });
    const requester = createProbe<DataManagementEvent>(h.system);
    const { dataManagement: dms } = services;
    tell(h.system, dms, { type: "ElectLeader", key: "L", value: "s0", replyTo: requester.ref });
    tell(h.system, dms, { type: "ElectLeader", key: "L", value: "s1", replyTo: requester.ref });
    const results = await requester.receiveMessages(2);
    assert.deepEqual(results.map((r) => r.type === "ElectionResult" && r.leader), [true, false]);
    assert.equal(await kv.get("L"), "s0");
    tell(h.system, dms, {
      type: "RegisterInitialData",
      key: "I",
      value: "a",
      replyTo: requester.ref,
    });
    tell(h.system, dms, {
      type: "RegisterInitialData",
      key: "I",
      value: "b",
      replyTo: requester.ref,
    });
    const stored = await requester.receiveMessages(2);
    assert.deepEqual(stored.map((r) => r.type === "InitialDataStorageResults" && r.result), [
      "Done",
      "AlreadyExist",
    ]);
    tell(h.system, dms, { type: "RegisterData", key: "F", value: "x" });
    await settle(h.system);
    const [lease] = kv.leases();
    assert.deepEqual(lease?.keys, ["F", "I", "L", "whisk/instance/scheduler0/lease"]);
    await kv.del("F");
    await settle(h.system);
    assert.equal(await kv.get("F"), "x"); // failed over
    tell(h.system, dms, { type: "UnregisterData", key: "F" });
    await settle(h.system);
    assert.equal(await kv.get("F"), undefined); // unwatched first: no failover
  } finally {
    await kv.close();
  }
});

Deno.test("spawnDataServices() re-puts failover keys under the new lease when the old one expires", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  try {
    const { dataManagement: dms } = spawnDataServices(h.system, { kv }, { instance: "invoker0" });
    tell(h.system, dms, { type: "RegisterData", key: "F", value: "x" });
    tell(h.system, dms, { type: "RegisterData", key: "N", value: "y", failoverEnabled: false });
    await settle(h.system);
    const [old] = kv.leases();
    kv.expireLease(old!.id);
    await settle(h.system); // marker gone → new lease; F deleted → re-put: lease lost → retry
    h.clock.advance(1_000);
    await settle(h.system);
    const [current] = kv.leases();
    assert.notEqual(current?.id, old?.id);
    assert.deepEqual(current?.keys, ["F", "whisk/instance/invoker0/lease"]);
    assert.equal(await kv.get("N"), undefined); // no failover for N
  } finally {
    await kv.close();
  }
});

Deno.test("spawnDataManagementService() starts afresh after a crash and keeps failing keys over", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  try {
    const write = etcdWorker(kv);
    let buggy = false;
    const worker: EtcdWorker = (op, lease) => {
      if (buggy) throw new Error("injected bug in the worker");
      return write(op, lease);
    };
    const leaseKeepAlive = spawnLeaseKeepAlive(h.system, { kv }, { instance: "invoker0" });
    const watcher = spawnWatcher(h.system, { kv });
    const dms = spawnDataManagementService(h.system, { kv, leaseKeepAlive, watcher, worker });
    tell(h.system, dms, { type: "RegisterData", key: "F", value: "x" });
    await settle(h.system);
    buggy = true;
    tell(h.system, dms, { type: "RegisterData", key: "G", value: "y" });
    await settle(h.system);
    assert.equal(h.logs("actor crashed").length, 1);
    buggy = false;
    h.clock.advance(0); // the restarted `Starting` state times out at once
    await settle(h.system);
    assert.equal(await kv.get("G"), undefined); // the crashing write is lost
    await kv.del("F"); // the failover watch (held by the Watcher) still reaches the service
    await settle(h.system);
    assert.equal(await kv.get("F"), "x");
    tell(h.system, dms, { type: "RegisterData", key: "G", value: "y" }); // callers re-send
    await settle(h.system);
    assert.equal(await kv.get("G"), "y");
  } finally {
    await kv.close();
  }
});
