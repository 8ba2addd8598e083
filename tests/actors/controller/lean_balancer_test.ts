/**
 * Message-driven tests of the LeanBalancer shell with probes for the pool and the
 * publisher, on a manual clock: the action is read through `loadAction` (its revision
 * passed along) and pushed as `Run` with its code; a missing or unreadable action is
 * rejected 503 and nothing reaches the pool; finished activations leave the count.
 */
import assert from "node:assert/strict";
import {
  actionMetaData,
  type FullyQualifiedEntityName,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import type { ContainerPoolCommand } from "../../../protocols/container_pool.ts";
import type { PublishOutcome } from "../../../protocols/pool_balancer.ts";
import { ask, tell } from "../../../runtime/actors/mod.ts";
import { spawnLeanBalancer } from "../../../actors/controller/lean_balancer.ts";
import type {
  LeanBalancerCommand,
  LeanBalancerStatus,
} from "../../../actors/controller/lean_balancer_protocol.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { action, activationOf } from "./_pool_balancer_fixtures.ts";

const HELLO = action("hello");

function harness(load: (fqn: FullyQualifiedEntityName) => Promise<WhiskAction | undefined>) {
  const h = actorHarness();
  const pool = createProbe<ContainerPoolCommand>(h.system, "pool");
  const replies = createProbe<PublishOutcome>(h.system, "publisher");
  const reads: string[] = [];
  const balancer = spawnLeanBalancer(h.system, {
    pool: pool.ref,
    loadAction: (fqn, revision) => {
      reads.push(`${fqn.path}/${fqn.name}@${revision}`);
      return load(fqn);
    },
  }, { invokerId: 3 });
  const publish = (n: number, a: WhiskAction = HELLO) =>
    tell(h.system, balancer, {
      type: "PublishActivation",
      activation: activationOf(a, n),
      action: actionMetaData(a),
      replyTo: replies.ref,
    });
  const status = () =>
    ask<LeanBalancerStatus, LeanBalancerCommand>(
      h.system,
      balancer,
      (replyTo) => ({ type: "GetLeanBalancerStatus", replyTo }),
      1_000,
    );
  return Object.assign(h, { pool, replies, reads, balancer, publish, status });
}

Deno.test("spawnLeanBalancer() pushes Run with the read action to the pool and answers Published", async () => {
  await using h = harness(() => Promise.resolve(HELLO));
  h.publish(1);
  const run = await h.pool.expectMessageType("Run");
  assert.equal(run.action.exec.kind, "nodejs:20");
  assert.equal((run.action.exec as { code?: string }).code, "function main(){return {}}");
  assert.deepEqual(run.msg, activationOf(HELLO, 1));
  assert.deepEqual(await h.replies.expectMessageType("Published"), {
    type: "Published",
    activationId: activationOf(HELLO, 1).activationId,
    sid: "lean",
  });
  assert.deepEqual(h.reads, ["guest/hello@1-abc"]);
  assert.deepEqual(await h.status(), {
    type: "LeanBalancerStatus",
    state: "Running",
    inFlight: 1,
    pushed: 1,
  });
});

Deno.test("spawnLeanBalancer() rejects 503 an action that no longer exists, and runs nothing", async () => {
  await using h = harness(() => Promise.resolve(undefined));
  h.publish(2);
  const rejected = await h.replies.expectMessageType("PublishRejected");
  assert.equal(rejected.status, 503);
  assert.equal(
    rejected.message,
    "The action guest/hello could not be read: the action does not exist",
  );
  await h.pool.expectNoMessage();
  assert.equal(h.logs("action read failed; activation rejected").length, 1);
});

Deno.test("spawnLeanBalancer() rejects 503 when the store read fails or throws", async () => {
  let calls = 0;
  await using h = harness(() => {
    if (++calls === 1) return Promise.reject(new Error("database is locked"));
    throw new Error("sync failure");
  });
  h.publish(3);
  h.publish(4);
  const [first, second] = await h.replies.receiveMessages(2);
  assert.equal(
    first?.type === "PublishRejected" && first.message.endsWith("database is locked"),
    true,
  );
  assert.equal(second?.type === "PublishRejected" && second.message.endsWith("sync failure"), true);
  await h.pool.expectNoMessage();
});

Deno.test("spawnLeanBalancer() counts an activation until it is reported finished", async () => {
  await using h = harness(() => Promise.resolve(HELLO));
  h.publish(5);
  h.publish(6);
  await h.replies.receiveMessages(2);
  tell(h.system, h.balancer, {
    type: "ActivationFinished",
    activationId: activationOf(HELLO, 5).activationId,
    leaderKey: "whisk/queue/guest/guest/hello/leader",
  });
  assert.equal((await h.status()).inFlight, 1);
  tell(h.system, h.balancer, { type: "DrainLeanBalancer" });
  h.publish(7);
  const rejected = await h.replies.expectMessageType("PublishRejected");
  assert.match(rejected.message, /shutting down/);
  assert.deepEqual(await h.status(), {
    type: "LeanBalancerStatus",
    state: "Draining",
    inFlight: 1,
    pushed: 2,
  });
});
