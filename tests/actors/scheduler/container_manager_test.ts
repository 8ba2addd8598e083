import assert from "node:assert/strict";
import { spawnContainerManager } from "../../../actors/scheduler/container_manager.ts";
import { type Ref, stopSystem, tell } from "../../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../../runtime/kv/key_value_store.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import {
  type ContainerManagerCommand,
  type CreationJobResult,
  existingContainerKey,
  invokerKey,
  type InvokerMessage,
  warmedContainerKey,
} from "../../../protocols/mod.ts";
import type { CreationJobManagerCommand } from "../../../protocols/creation_job_manager.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import {
  BASE_CREATION,
  creation,
  invokerValue,
  SELECTION,
  SID,
} from "./_container_manager_fixtures.ts";

type Sent = { readonly invokerId: number; readonly msg: InvokerMessage };

async function cmHarness(
  seed: { invokers?: Record<number, string>; keys?: Record<string, string> } = {},
  wrapKv: (kv: MemoryKv) => Pick<KeyValueStore, "getPrefix" | "watch"> = (kv) => kv,
) {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  for (const [id, value] of Object.entries(seed.invokers ?? {})) {
    await kv.put(invokerKey(Number(id)), value);
  }
  for (const [key, value] of Object.entries(seed.keys ?? {})) await kv.put(key, value);
  const invokers = createProbe<Sent>(h.system, "invokers");
  const queue = createProbe<CreationJobResult>(h.system, "queue");
  const jobs = createProbe<CreationJobManagerCommand>(h.system, "jobs");
  const cm: Ref<ContainerManagerCommand> = spawnContainerManager(h.system, {
    kv: wrapKv(kv),
    sendToInvoker: (invokerId, msg) => tell(h.system, invokers.ref, { invokerId, msg }),
    sendToQueue: (msg) => tell(h.system, queue.ref, msg),
    jobManager: jobs.ref,
  }, { cluster: "whisk", sid: SID, selection: SELECTION, reloadIntervalMs: 1_000 });
  h.clock.advance(0); // the Loading state timeout starts the cache read
  const warmUps = async (n: number) =>
    (await invokers.receiveMessages(n)).map((s) => {
      assert.equal(s.msg.type, "ContainerCreationMessage");
      assert.equal(s.msg.action.name, "warmUp");
      return s.invokerId;
    }).sort();
  return {
    ...h,
    kv,
    invokers,
    queue,
    jobs,
    cm,
    warmUps,
    create: (...ids: string[]) =>
      tell(h.system, cm, {
        type: "ContainerCreation",
        msgs: ids.map((id) => creation(id)),
        actionMemoryMb: 256,
        invocationNamespace: "guest",
      }),
    async [Symbol.asyncDispose]() {
      await kv.close();
      await stopSystem(h.system);
    },
  };
}

const warmKey = (invoker: number, containerId: string, revision = "1-abc") =>
  warmedContainerKey({
    invocationNamespace: "guest",
    action: "guest/hello",
    revision,
    invoker,
    containerId,
  });

Deno.test("spawnContainerManager() sends a warm-up message to every invoker at start", async () => {
  await using h = await cmHarness({ invokers: { 0: invokerValue(), 1: invokerValue() } });
  assert.deepEqual(await h.warmUps(2), [0, 1]);
});

Deno.test("spawnContainerManager() warms up a newly registered invoker once, not on its updates", async () => {
  await using h = await cmHarness({ invokers: { 0: invokerValue() } });
  await h.warmUps(1);
  await h.kv.put(invokerKey(4), invokerValue());
  const sent = await h.invokers.expectMessage((s) => s.invokerId === 4);
  assert.equal(sent.msg.type === "ContainerCreationMessage" && sent.msg.schedulerHost, "");
  await h.kv.put(invokerKey(4), invokerValue({ freeMemory: 512 }));
  await h.invokers.expectNoMessage();
});

Deno.test("spawnContainerManager() sends one creation per message to a healthy invoker and registers each job", async () => {
  await using h = await cmHarness({
    invokers: { 0: invokerValue({ status: "unhealthy" }), 1: invokerValue() },
  });
  await h.warmUps(2);
  h.create("c1", "c2");
  const jobs = await h.jobs.receiveMessages(2);
  assert.deepEqual(
    jobs.map((j) => j.type === "RegisterCreationJob" && j.msg.creationId),
    ["c1", "c2"],
  );
  const sent = await h.invokers.receiveMessages(2);
  assert.deepEqual(
    sent.map((s) => [s.invokerId, s.msg.type === "ContainerCreationMessage" && s.msg.creationId]),
    [
      [1, "c1"],
      [1, "c2"],
    ],
  );
  await h.queue.expectNoMessage();
});

Deno.test("spawnContainerManager() reuses a watched warmed container once, then creates cold", async () => {
  await using h = await cmHarness({ invokers: { 0: invokerValue(), 1: invokerValue() } });
  await h.warmUps(2);
  await h.kv.put(warmKey(1, "w1"), "");
  h.create("c1", "c2");
  const sent = await h.invokers.receiveMessages(2);
  assert.deepEqual(sent.map((s) => s.invokerId), [1, 0]);
  // The reservation holds until the job ends: a new batch creates cold.
  h.create("c3");
  assert.equal(await h.invokers.expectMessageType === undefined, false);
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 0);
  // After the job ends, the (still warmed) key is free again.
  tell(h.system, h.cm, {
    type: "SuccessfulCreationJob",
    creationId: "c1",
    invocationNamespace: "guest",
    action: BASE_CREATION.action,
    revision: BASE_CREATION.revision,
  });
  h.create("c4");
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 1);
});

Deno.test("spawnContainerManager() creates cold when the warmed container's invoker turns unhealthy", async () => {
  await using h = await cmHarness({
    invokers: { 0: invokerValue(), 1: invokerValue() },
    keys: { [warmKey(1, "w1")]: "" },
  });
  await h.warmUps(2);
  await h.kv.put(invokerKey(1), invokerValue({ status: "down" }));
  h.create("c1");
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 0);
});

Deno.test("spawnContainerManager() forgets a deleted warmed key and a deleted invoker", async () => {
  await using h = await cmHarness({
    invokers: { 0: invokerValue(), 1: invokerValue() },
    keys: { [warmKey(1, "w1")]: "" },
  });
  await h.warmUps(2);
  await h.kv.del(warmKey(1, "w1"));
  await h.kv.del(invokerKey(0));
  h.create("c1");
  const [sent] = await h.invokers.receiveMessages(1);
  assert.equal(sent?.invokerId, 1);
  assert.equal(sent?.msg.type === "ContainerCreationMessage" && sent.msg.creationId, "c1");
  await h.kv.del(invokerKey(1));
  h.create("c2");
  const failed = await h.queue.expectMessageType("FailedCreationJob");
  assert.equal(failed.error, "NoAvailableInvokersError");
});

Deno.test("spawnContainerManager() answers FailedCreationJob(NoAvailableInvokersError) to the queue when there is no invoker", async () => {
  await using h = await cmHarness();
  h.create("c1", "c2");
  const failures = await h.queue.receiveMessages(2);
  assert.deepEqual(failures.map((f) => f.type === "FailedCreationJob" && [f.creationId, f.error]), [
    ["c1", "NoAvailableInvokersError"],
    ["c2", "NoAvailableInvokersError"],
  ]);
  assert.equal(
    failures[0]?.type === "FailedCreationJob" && failures[0].reason,
    "no available invoker is found",
  );
  await h.jobs.expectNoMessage();
});

Deno.test("spawnContainerManager() fails creations while the invoker read fails, and recovers on reload", async () => {
  let failing = true;
  await using h = await cmHarness({ invokers: { 2: invokerValue() } }, (kv) => ({
    watch: kv.watch.bind(kv),
    getPrefix: (prefix) => failing ? Promise.reject(new Error("etcd down")) : kv.getPrefix(prefix),
  }));
  h.create("c1");
  const failed = await h.queue.expectMessageType("FailedCreationJob");
  assert.equal(failed.error, "NoAvailableInvokersError");
  assert.equal(h.logs("cannot read invokers; creations fail until a reload").length, 1);
  failing = false;
  h.clock.advance(1_000); // Unavailable → Loading,
  await settle(h.system);
  h.clock.advance(0); // whose state timeout reads again
  assert.deepEqual(await h.warmUps(1), [2]);
  h.create("c2");
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 2);
});

Deno.test("spawnContainerManager() loads only invoker keys of its cluster and honours dedicated namespaces", async () => {
  await using h = await cmHarness({
    invokers: { 0: invokerValue({ dedicatedNamespaces: ["other"] }) },
    keys: { "elsewhere/invokers/1": invokerValue() },
  });
  assert.deepEqual(await h.warmUps(1), [0]);
  h.create("c1");
  assert.equal(
    (await h.queue.expectMessageType("FailedCreationJob")).error,
    "NoAvailableInvokersError",
  );
  await h.kv.put(invokerKey(3), invokerValue({ dedicatedNamespaces: ["guest"] }));
  await h.warmUps(1);
  h.create("c2");
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 3);
});

Deno.test("spawnContainerManager() skips an invoker whose value does not parse, logs it, and places on the others", async () => {
  await using h = await cmHarness({ invokers: { 0: "{not json", 1: invokerValue() } });
  assert.deepEqual(await h.warmUps(1), [1]);
  assert.equal(h.logs("skipping an invoker whose value does not parse").length, 1);
  h.create("c1");
  assert.equal((await h.invokers.receiveMessages(1))[0]?.invokerId, 1);
});

Deno.test("spawnContainerManager() reschedules a job with its new retryCount", async () => {
  await using h = await cmHarness({ invokers: { 0: invokerValue() } });
  await h.warmUps(1);
  tell(h.system, h.cm, { type: "ReschedulingCreationJob", msg: creation("c1", { retryCount: 3 }) });
  const job = await h.jobs.expectMessageType("RegisterCreationJob");
  assert.equal(job.msg.retryCount, 3);
  const [sent] = await h.invokers.receiveMessages(1);
  assert.equal(sent?.msg.type === "ContainerCreationMessage" && sent.msg.retryCount, 3);
  assert.equal(sent?.msg.type === "ContainerCreationMessage" && sent.msg.creationId, "c1");
});

Deno.test("spawnContainerManager() ends a rescheduled job that finds no invoker through the job manager", async () => {
  await using h = await cmHarness();
  tell(h.system, h.cm, { type: "ReschedulingCreationJob", msg: creation("c1", { retryCount: 1 }) });
  const failed = await h.jobs.expectMessageType("FailedCreationJob");
  assert.equal(failed.creationId, "c1");
  assert.equal(failed.error, "NoAvailableInvokersError");
  await h.queue.expectNoMessage();
});

Deno.test("spawnContainerManager() forwards GracefulShutdown to the CreationJobManager", async () => {
  await using h = await cmHarness();
  tell(h.system, h.cm, { type: "GracefulShutdown" });
  await h.jobs.expectMessage({ type: "GracefulShutdown" });
});

Deno.test("spawnContainerManager() sends a deletion to every invoker holding old existing or warmed containers", async () => {
  const existing = (invoker: number, revision: string) =>
    existingContainerKey({
      invocationNamespace: "guest",
      action: "guest/hello",
      revision,
      invoker,
      containerId: `e${invoker}`,
    });
  await using h = await cmHarness({
    keys: {
      [existing(1, "1-abc")]: "",
      [existing(2, "10-new")]: "",
      [warmKey(3, "w3", "1-abc")]: "",
      [existing(4, "1-abc").replace("guest/hello/", "guest/hello2/")]: "",
    },
  });
  tell(h.system, h.cm, {
    type: "ContainerDeletion",
    invocationNamespace: "guest",
    action: { path: "guest", name: "hello" },
    revision: "2-old",
    whiskActionMetaData: BASE_CREATION.whiskActionMetaData,
  });
  const sent = await h.invokers.receiveMessages(2);
  assert.deepEqual(sent.map((s) => [s.invokerId, s.msg.type]), [
    [1, "ContainerDeletionMessage"],
    [3, "ContainerDeletionMessage"],
  ]);
  assert.equal(sent[0]?.msg.revision, "2-old");
  await h.invokers.expectNoMessage();
});
