/**
 * Table tests of the LeanBalancer's transition: a publish reads the action first, a
 * read action is pushed as `Run` and answered `Published`, a failed read or a drain
 * rejects 503, finished activations leave the in-flight map, and the queries answer
 * the one local invoker.
 */
import assert from "node:assert/strict";
import { actionMetaData } from "../../../protocols/mod.ts";
import type { ContainerPoolCommand } from "../../../protocols/container_pool.ts";
import type { PublishActivation, PublishOutcome } from "../../../protocols/pool_balancer.ts";
import type { Ref } from "../../../runtime/actors/mod.ts";
import {
  DRAINING_MESSAGE,
  initialLeanBalancerState,
  type LeanBalancerState,
  leanBalancerTransition,
} from "../../../actors/controller/lean_balancer_fsm.ts";
import { action, activationOf } from "./_pool_balancer_fixtures.ts";

const pool = { path: "/pool" } as unknown as Ref<ContainerPoolCommand>;
const replyTo = { path: "/reply" } as unknown as Ref<PublishOutcome>;
const transition = leanBalancerTransition({ pool, invokerId: 7 });
const HELLO = action("hello");
const activation = activationOf(HELLO, 1);
const publish: PublishActivation = {
  type: "PublishActivation",
  activation,
  action: actionMetaData(HELLO),
  replyTo,
};
const LEADER = "whisk/queue/guest/guest/hello/leader";
const draining: LeanBalancerState = { ...initialLeanBalancerState, name: "Draining" };

Deno.test("leanBalancerTransition() asks to read the action of a publish", () => {
  const step = transition(initialLeanBalancerState, publish, 0);
  assert.deepEqual(step.effects, [{ type: "LoadAction", request: publish }]);
  assert.equal(step.next, initialLeanBalancerState);
});

Deno.test("leanBalancerTransition() pushes a read action as Run and answers Published", () => {
  const step = transition(initialLeanBalancerState, {
    type: "ActionLoaded",
    request: publish,
    action: HELLO,
  }, 0);
  assert.deepEqual(step.effects, [
    { type: "send", to: pool, msg: { type: "Run", action: HELLO, msg: activation } },
    {
      type: "send",
      to: replyTo,
      msg: { type: "Published", activationId: activation.activationId, sid: "lean" },
    },
  ]);
  assert.deepEqual([...step.next.inFlight], [[activation.activationId, LEADER]]);
  assert.equal(step.next.pushed, 1);
});

Deno.test("leanBalancerTransition() rejects 503 when the action cannot be read", () => {
  const step = transition(initialLeanBalancerState, {
    type: "ActionLoadFailed",
    request: publish,
    reason: "the action does not exist",
  }, 0);
  assert.deepEqual(step.effects[0], {
    type: "send",
    to: replyTo,
    msg: {
      type: "PublishRejected",
      activationId: activation.activationId,
      status: 503,
      message: "The action guest/hello could not be read: the action does not exist",
    },
  });
  assert.equal(step.effects[1]?.type, "Log");
  assert.equal(step.next.inFlight.size, 0);
});

Deno.test("leanBalancerTransition() rejects publishes while draining, even an action read before", () => {
  const rejection = {
    type: "send",
    to: replyTo,
    msg: {
      type: "PublishRejected",
      activationId: activation.activationId,
      status: 503,
      message: DRAINING_MESSAGE,
    },
  };
  const drained = transition(initialLeanBalancerState, { type: "DrainLeanBalancer" }, 0);
  assert.equal(drained.next.name, "Draining");
  assert.deepEqual(transition(draining, publish, 0).effects, [rejection]);
  const late = transition(draining, { type: "ActionLoaded", request: publish, action: HELLO }, 0);
  assert.deepEqual(late.effects, [rejection]);
  assert.equal(late.next.pushed, 0);
});

Deno.test("leanBalancerTransition() forgets a finished activation and logs an unknown one", () => {
  const pushed = transition(initialLeanBalancerState, {
    type: "ActionLoaded",
    request: publish,
    action: HELLO,
  }, 0).next;
  const finished = { type: "ActivationFinished", activationId: activation.activationId } as const;
  const step = transition(pushed, { ...finished, leaderKey: LEADER }, 0);
  assert.equal(step.next.inFlight.size, 0);
  assert.equal(step.next.pushed, 1);
  const again = transition(step.next, { ...finished, leaderKey: LEADER }, 0);
  assert.equal(again.next, step.next);
  assert.deepEqual(again.effects.map((e) => e.type), ["Log"]);
});

Deno.test("leanBalancerTransition() answers health, cluster view and status from its state", () => {
  const healthTo = { path: "/h" } as unknown as Ref<unknown>;
  const pushed = transition(initialLeanBalancerState, {
    type: "ActionLoaded",
    request: publish,
    action: HELLO,
  }, 0).next;
  const cases = [
    {
      state: pushed,
      msg: { type: "GetInvokerHealth", replyTo: healthTo },
      reply: { type: "InvokerHealthReport", invokers: [{ id: 7, status: "Healthy" }] },
    },
    {
      state: draining,
      msg: { type: "GetInvokerHealth", replyTo: healthTo },
      reply: { type: "InvokerHealthReport", invokers: [{ id: 7, status: "Offline" }] },
    },
    {
      state: pushed,
      msg: { type: "GetClusterView", replyTo: healthTo },
      reply: {
        type: "ClusterView",
        schedulers: [],
        leaders: {},
        creating: {},
        inFlight: { [LEADER]: 1 },
      },
    },
    {
      state: pushed,
      msg: { type: "GetLeanBalancerStatus", replyTo: healthTo },
      reply: { type: "LeanBalancerStatus", state: "Running", inFlight: 1, pushed: 1 },
    },
  ] as const;
  for (const { state, msg, reply } of cases) {
    const step = transition(state, msg, 0);
    assert.deepEqual(step.effects, [{ type: "send", to: healthTo, msg: reply }], msg.type);
    assert.equal(step.next, state);
  }
});

Deno.test("leanBalancerTransition() leaves a CreateQueueResponse unhandled", () => {
  const step = transition(initialLeanBalancerState, {
    type: "CreateQueueResponse",
    invocationNamespace: "guest",
    fqn: activation.action,
    success: true,
  }, 0);
  assert.deepEqual(step.effects, [{ type: "unhandled" }]);
});
