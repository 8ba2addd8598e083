/** Transition table of the ActivationClientProxy FSM, and its shell against an in-process client. */
import assert from "node:assert/strict";
import {
  type ClientEffect,
  type ClientMsg,
  type ClientState,
  clientTransition,
} from "../../../actors/invoker/activation_client_proxy_fsm.ts";
import { spawnActivationClientProxy } from "../../../actors/invoker/activation_client_proxy.ts";
import {
  type ActivationClient,
  ActivationClientClosedError,
  ActivationResponseParseError,
  ActivationServiceUnavailableError,
} from "../../../protocols/activation_client.ts";
import type { ActivationClientProxyEvent } from "../../../protocols/activation_client_proxy.ts";
import type { FetchRequest, FetchResponse } from "../../../protocols/activation_service.ts";
import { type FsmEffect, type Ref, tell } from "../../../runtime/actors/mod.ts";
import { inProcessActivationClient } from "../../../runtime/activation_client/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { activation } from "./_proxy_fixtures.ts";

// deno-lint-ignore no-explicit-any
const PARENT = { path: "parent" } as unknown as Ref<any>;
const A = { host: "a", rpcPort: 1 };
const B = { host: "b", rpcPort: 2 };
const step = clientTransition({ parent: PARENT, endpoint: A });
const client = (endpoint = A) =>
  inProcessActivationClient(endpoint, () => Promise.resolve({ type: "NoActivation" }));
const ready = (c: ActivationClient = client()): ClientState => ({
  name: "ClientProxyReady",
  warmed: false,
  client: c,
});

function show(effects: readonly (FsmEffect<ClientMsg> | ClientEffect)[]): string[] {
  return effects.map((e) =>
    e.type === "send" ? `send:${(e.msg as { type: string }).type}` : e.type
  );
}
const run = (s: ClientState, m: ClientMsg) => {
  const r = step(s, m);
  return { name: r.next.name, next: r.next, effects: show(r.effects), raw: r.effects };
};

Deno.test("clientTransition() creates the client, reports completion, fetches and forwards", () => {
  let r = run({ name: "ClientProxyUninitialized", warmed: false }, { type: "StartClient" });
  assert.deepEqual(r.effects, ["createClient"]);
  assert.deepEqual((r.raw[0] as { endpoint: unknown }).endpoint, A);
  r = run(r.next, { type: "ClientReady", client: client(), pollAfter: false });
  assert.deepEqual([r.name, r.effects], ["ClientProxyReady", [
    "send:ClientCreationCompleted",
    "unstashAll",
  ]]);
  r = run(run(r.next, { type: "ContainerWarmed" }).next, {
    type: "RequestActivation",
    lastDuration: 7,
  });
  assert.deepEqual(r.raw[0], {
    type: "fetch",
    client: (r.next as { client: ActivationClient }).client,
    warmed: true,
    lastDuration: 7,
  });
  const msg = activation();
  assert.deepEqual(
    run(r.next, { type: "FetchAnswered", response: { type: "Activation", activation: msg } }).raw,
    [
      { type: "send", to: PARENT, msg },
    ],
  );
});

Deno.test("clientTransition() NoActivation or a parse failure asks the parent to retry", () => {
  assert.deepEqual(
    run(ready(), { type: "FetchAnswered", response: { type: "NoActivation" } }).effects,
    ["send:RetryRequestActivation"],
  );
  assert.deepEqual(
    run(ready(), { type: "FetchFailed", error: new ActivationResponseParseError("x") }).effects,
    ["send:RetryRequestActivation"],
  );
});

Deno.test("clientTransition() a moved scheduler or a missing queue recreates the client (leader on NoMemoryQueue)", () => {
  let r = run(ready(), { type: "RequestActivation", newScheduler: B });
  assert.deepEqual(r.effects, ["close", "createClient"]);
  assert.deepEqual((r.raw[1] as { endpoint: unknown }).endpoint, B);
  assert.deepEqual(run(r.next, { type: "RequestActivation" }).effects, ["stash"]);
  r = run(r.next, { type: "ClientReady", client: client(B), pollAfter: true });
  assert.deepEqual(r.effects, ["fetch", "unstashAll"]);
  assert.deepEqual(run(r.next, { type: "RequestActivation", newScheduler: B }).effects, ["fetch"]);
  const leader = run(ready(), { type: "FetchAnswered", response: { type: "NoMemoryQueue" } });
  assert.deepEqual(leader.effects, ["close", "createClient"]);
  assert.equal((leader.raw[1] as { endpoint?: unknown }).endpoint, undefined);
  const grpc = run(ready(), {
    type: "FetchFailed",
    error: new ActivationServiceUnavailableError("down"),
  });
  assert.deepEqual(grpc.effects, ["close", "createClient"]);
});

Deno.test("clientTransition() an action mismatch fails the parent and closes safely", () => {
  const r = run(ready(), { type: "FetchAnswered", response: { type: "ActionMismatch" } });
  assert.deepEqual([r.name, r.effects], ["ClientProxyRemoving", [
    "send:FailureMessage",
    "closeSafely",
  ]]);
  assert.equal((r.raw[0] as { msg: { reason: string } }).msg.reason, "ActionMismatch");
});

Deno.test("clientTransition() a closed client or an unresolvable host closes the proxy; unknown failures close safely", () => {
  for (
    const error of [
      new ActivationClientClosedError(),
      new ActivationServiceUnavailableError("dns", { retryable: false }),
    ]
  ) {
    const r = run(ready(), { type: "FetchFailed", error });
    assert.deepEqual(r.effects, ["send:FailureMessage", "close", "send:ClientClosed", "stop"]);
  }
  assert.deepEqual(run(ready(), { type: "FetchFailed", error: new Error("?") }).effects, [
    "send:FailureMessage",
    "closeSafely",
  ]);
});

Deno.test("clientTransition() GracefulShutdown goes to Removing; the next request closes safely", () => {
  let r = run(ready(), { type: "GracefulShutdown" });
  assert.deepEqual([r.name, r.effects], ["ClientProxyRemoving", []]);
  r = run(r.next, { type: "RequestActivation" });
  assert.deepEqual(r.effects, ["closeSafely"]);
  assert.deepEqual(run(r.next, { type: "StopClientProxy" }).effects, []);
  assert.deepEqual(run(r.next, { type: "ClientShutDown" }).effects, ["send:ClientClosed", "stop"]);
});

Deno.test("clientTransition() StopClientProxy without a client answers ClientClosed at once", () => {
  const r = run({ name: "ClientProxyUninitialized", warmed: false }, { type: "StopClientProxy" });
  assert.deepEqual(r.effects, ["send:ClientClosed", "stop"]);
  const failed = run({ name: "ClientProxyUninitialized", warmed: false }, {
    type: "ClientCreateFailed",
    error: new Error("x"),
  });
  assert.deepEqual(failed.effects, ["send:FailureMessage", "send:ClientClosed", "stop"]);
});

Deno.test("spawnActivationClientProxy() pulls through the client and closes with a last alive=false fetch", async () => {
  await using h = actorHarness();
  const parent = createProbe<ActivationClientProxyEvent>(h.system);
  const requests: FetchRequest[] = [];
  const answers: FetchResponse[] = [{ type: "Activation", activation: activation() }, {
    type: "NoActivation",
  }];
  const proxy = spawnActivationClientProxy(parent.ref, {
    createClient: (endpoint) =>
      Promise.resolve(inProcessActivationClient(endpoint, (req) => {
        requests.push(req);
        return Promise.resolve(answers.shift() ?? { type: "NoActivation" });
      })),
    lookupQueueLeader: () => Promise.resolve(undefined),
  }, {
    invocationNamespace: "guest",
    fqn: { path: "guest", name: "hello" },
    revision: "1-abc",
    containerId: "c1",
    schedulerHost: "h",
    rpcPort: 1,
  });
  tell(h.system, proxy, { type: "StartClient" });
  await parent.expectMessageType("ClientCreationCompleted");
  tell(h.system, proxy, { type: "RequestActivation" });
  await parent.expectMessageType("ActivationMessage");
  tell(h.system, proxy, { type: "RequestActivation", lastDuration: 3 });
  await parent.expectMessageType("RetryRequestActivation");
  tell(h.system, proxy, { type: "StopClientProxy" });
  await parent.expectMessageType("ClientClosed");
  assert.deepEqual(requests.map((r) => [r.alive, r.lastDuration]), [[true, undefined], [true, 3], [
    false,
    undefined,
  ]]);
});
