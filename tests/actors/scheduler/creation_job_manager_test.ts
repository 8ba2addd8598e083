import assert from "node:assert/strict";
import {
  finishCreationJob,
  spawnCreationJobManager,
} from "../../../actors/scheduler/creation_job_manager.ts";
import { inProgressKeyOf } from "../../../actors/scheduler/creation_job_manager_fsm.ts";
import { DEFAULT_CREATION_RETRY_POLICY } from "../../../actors/scheduler/creation_retry.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import {
  type ContainerCreationError,
  type ContainerCreationMessage,
  type ContainerManagerCommand,
  type CreationJobResult,
  encodeContainerCreationAckMessage,
} from "../../../protocols/mod.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
import { ack, BLACKBOX_META, creation, SID } from "./_container_manager_fixtures.ts";

function cjmHarness() {
  const h = actorHarness();
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const cm = createProbe<ContainerManagerCommand>(h.system, "cm");
  const queue = createProbe<CreationJobResult>(h.system, "queue");
  let ackFeedStops = 0;
  const jobs = spawnCreationJobManager(h.system, {
    dataManagement: dms.ref,
    containerManager: cm.ref,
    sendToQueue: (msg) => tell(h.system, queue.ref, msg),
    stopAckFeed: () => void ackFeedStops++,
  }, {
    cluster: "whisk",
    sid: SID,
    timeouts: { inProgressJobRetentionMs: 20_000, blackboxMultiple: 15 },
    retry: DEFAULT_CREATION_RETRY_POLICY,
  });
  const key = (msg: ContainerCreationMessage) =>
    inProgressKeyOf(msg, { cluster: "whisk", sid: SID });
  return Object.assign(h, {
    dms,
    cm,
    queue,
    jobs,
    key,
    ackFeedStops: () => ackFeedStops,
    register: async (msg: ContainerCreationMessage) => {
      tell(h.system, jobs, { type: "RegisterCreationJob", msg });
      await settle(h.system);
    },
    finish: async (msg: ContainerCreationMessage, error?: ContainerCreationError) => {
      tell(h.system, jobs, { type: "FinishCreationJob", ack: ack(msg, error) });
      await settle(h.system);
    },
    /** Advances the clock and lets the timer messages run. */
    advance: async (ms: number) => {
      h.clock.advance(ms);
      await settle(h.system);
    },
  });
}

Deno.test("spawnCreationJobManager() writes the in-progress key once, even when registered twice", async () => {
  await using h = cjmHarness();
  const msg = creation("c1");
  await h.register(msg);
  await h.register(msg);
  await h.dms.expectMessage({
    type: "RegisterData",
    key: h.key(msg),
    value: "",
    failoverEnabled: false,
  });
  assert.equal(
    h.key(msg),
    "whisk/in-progress/guest/guest/hello/1-abc/scheduler/0/creationId/c1",
  );
  await h.dms.expectNoMessage();
});

Deno.test("spawnCreationJobManager() on success tells the queue and the ContainerManager and deletes the key", async () => {
  await using h = cjmHarness();
  const msg = creation("c1");
  await h.register(msg);
  await h.dms.expectMessageType("RegisterData");
  await h.finish(msg);
  const expected = {
    type: "SuccessfulCreationJob" as const,
    creationId: "c1",
    invocationNamespace: "guest",
    action: msg.action,
    revision: "1-abc",
  };
  await h.queue.expectMessage(expected);
  await h.cm.expectMessage(expected);
  await h.dms.expectMessage({ type: "UnregisterData", key: h.key(msg) });
  await h.advance(60_000); // the job's timer was cancelled
  await h.queue.expectNoMessage();
});

Deno.test("spawnCreationJobManager() reschedules a whisk error after the backoff with retryCount + 1", async () => {
  await using h = cjmHarness();
  const msg = creation("c1", { retryCount: 2 });
  await h.register(msg);
  await h.finish(msg, "ResourceNotEnoughError");
  await h.advance(399);
  await h.cm.expectNoMessage();
  await h.advance(1);
  const again = await h.cm.expectMessageType("ReschedulingCreationJob");
  assert.equal(again.msg.creationId, "c1");
  assert.equal(again.msg.retryCount, 3);
  await h.queue.expectNoMessage();
});

Deno.test("spawnCreationJobManager() retries ShuttingDownError, which upstream could not parse", async () => {
  await using h = cjmHarness();
  const msg = creation("c1");
  await h.register(msg);
  await h.finish(msg, "ShuttingDownError");
  await h.advance(100);
  assert.equal((await h.cm.expectMessageType("ReschedulingCreationJob")).msg.retryCount, 1);
});

for (
  const [label, retryCount, error] of [
    ["at the retry limit", 5, "ResourceNotEnoughError"],
    ["on a non-whisk error", 0, "NonExecutableActionError"],
    ["on a blackbox error", 1, "BlackBoxError"],
  ] as const
) {
  Deno.test(`spawnCreationJobManager() fails the job ${label}`, async () => {
    await using h = cjmHarness();
    const msg = creation("c1", { retryCount });
    await h.register(msg);
    await h.dms.expectMessageType("RegisterData");
    await h.finish(msg, error);
    const failed = await h.queue.expectMessageType("FailedCreationJob");
    assert.equal(failed.error, error);
    assert.equal(failed.reason, "boom");
    assert.equal((await h.cm.expectMessageType("FailedCreationJob")).creationId, "c1");
    await h.dms.expectMessage({ type: "UnregisterData", key: h.key(msg) });
    await h.advance(30_000);
    await h.cm.expectNoMessage();
    await h.queue.expectNoMessage();
  });
}

Deno.test("spawnCreationJobManager() times a job out after 20 s with the timeout reason", async () => {
  await using h = cjmHarness();
  const msg = creation("c1");
  await h.register(msg);
  await h.dms.expectMessageType("RegisterData");
  await h.advance(19_999);
  await h.queue.expectNoMessage();
  await h.advance(1);
  const failed = await h.queue.expectMessageType("FailedCreationJob");
  assert.equal(failed.error, "TimeoutError");
  assert.equal(failed.reason, "[guest/hello] timeout waiting for the ack of c1 after 20000 ms");
  await h.cm.expectMessageType("FailedCreationJob");
  await h.dms.expectMessage({ type: "UnregisterData", key: h.key(msg) });
});

Deno.test("spawnCreationJobManager() gives a blackbox job 15 times the timeout", async () => {
  await using h = cjmHarness();
  await h.register(creation("b1", { whiskActionMetaData: BLACKBOX_META }));
  await h.advance(299_999);
  await h.queue.expectNoMessage();
  await h.advance(1);
  const failed = await h.queue.expectMessageType("FailedCreationJob");
  assert.match(failed.reason, /after 300000 ms$/);
});

Deno.test("spawnCreationJobManager() keeps the original timer across a retry", async () => {
  await using h = cjmHarness();
  const msg = creation("c1");
  await h.register(msg);
  await h.advance(15_000);
  await h.finish(msg, "ResourceNotEnoughError");
  await h.advance(100);
  const again = await h.cm.expectMessageType("ReschedulingCreationJob");
  await h.register(again.msg); // the ContainerManager registers the retry again
  await h.advance(4_899);
  await h.queue.expectNoMessage();
  await h.advance(1);
  assert.equal((await h.queue.expectMessageType("FailedCreationJob")).error, "TimeoutError");
  await h.dms.expectMessageType("RegisterData");
  await h.dms.expectMessageType("UnregisterData");
  await h.dms.expectNoMessage();
});

Deno.test("spawnCreationJobManager() drops a pending retry when the job times out first", async () => {
  await using h = cjmHarness();
  const msg = creation("c1", { retryCount: 4 });
  await h.register(msg);
  await h.advance(19_000);
  await h.finish(msg, "ResourceNotEnoughError"); // retry due in 1600 ms, after the timeout
  await h.advance(1_000);
  assert.equal((await h.queue.expectMessageType("FailedCreationJob")).error, "TimeoutError");
  await h.cm.expectMessageType("FailedCreationJob");
  await h.advance(1_000);
  await h.cm.expectNoMessage();
});

Deno.test("spawnCreationJobManager() reports an ack of an unknown job and still deletes its key", async () => {
  await using h = cjmHarness();
  const msg = creation("ghost");
  await h.finish(msg);
  assert.equal((await h.queue.expectMessageType("SuccessfulCreationJob")).creationId, "ghost");
  await h.dms.expectMessage({ type: "UnregisterData", key: h.key(msg) });
  await h.finish(msg, "ResourceNotEnoughError"); // no job: no retry, just the state
  assert.equal(
    (await h.queue.expectMessageType("FailedCreationJob")).error,
    "ResourceNotEnoughError",
  );
});

Deno.test("spawnCreationJobManager() ends a job the ContainerManager could not reschedule", async () => {
  await using h = cjmHarness();
  const msg = creation("c1", { retryCount: 1 });
  await h.register(msg);
  await h.dms.expectMessageType("RegisterData");
  const failure = {
    type: "FailedCreationJob" as const,
    creationId: "c1",
    invocationNamespace: "guest",
    action: msg.action,
    revision: msg.revision,
    error: "NoAvailableInvokersError" as const,
    reason: "no available invoker is found",
  };
  tell(h.system, h.jobs, failure);
  await h.queue.expectMessage(failure);
  await h.dms.expectMessage({ type: "UnregisterData", key: h.key(msg) });
  await h.advance(30_000);
  await h.queue.expectNoMessage();
  await h.cm.expectNoMessage();
});

Deno.test("spawnCreationJobManager() stops the ack feed on GracefulShutdown", async () => {
  await using h = cjmHarness();
  tell(h.system, h.jobs, { type: "GracefulShutdown" });
  await settle(h.system);
  assert.equal(h.ackFeedStops(), 1);
});

Deno.test("finishCreationJob() decodes an ack record and rejects anything else", () => {
  const a = ack(creation("c1"), "ShuttingDownError");
  const msg = finishCreationJob(JSON.stringify(encodeContainerCreationAckMessage(a)));
  assert.equal(msg.type, "FinishCreationJob");
  assert.equal(msg.ack.success === false && msg.ack.error, "ShuttingDownError");
  assert.throws(() => finishCreationJob("{"), SyntaxError);
  assert.throws(() => finishCreationJob("{}"), TypeError);
});
