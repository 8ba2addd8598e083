/**
 * Transition table of the ActivationClientProxy FSM, and its shell against scripted
 * in-process clients (reconnects and their backoff, leader lookups, failures, close
 * safely, reschedule), and against the in-process client exactly as standalone builds
 * it (the runtime adapter over the scheduler's ActivationService functions).
 */
import assert from "node:assert/strict";
import {
  type ClientEffect,
  type ClientMsg,
  type ClientState,
  clientTransition,
  RECONNECT_TIMER,
  reconnectDelayMs,
} from "../../../actors/invoker/activation_client_proxy_fsm.ts";
import { spawnActivationClientProxy } from "../../../actors/invoker/activation_client_proxy.ts";
import {
  type ActivationClient,
  ActivationClientClosedError,
  ActivationResponseParseError,
  ActivationServiceUnavailableError,
} from "../../../protocols/activation_client.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
} from "../../../protocols/activation_client_proxy.ts";
import type {
  FetchRequest,
  FetchResponse,
  RescheduleResponse,
} from "../../../protocols/activation_service.ts";
import type { SchedulerEndpoints } from "../../../protocols/health.ts";
import {
  type ActivationServiceDeps,
  fetchActivation,
  rescheduleActivation,
} from "../../../actors/scheduler/activation_service.ts";
import type { MemoryQueueCommand } from "../../../protocols/memory_queue.ts";
import type { QueueLookup, QueueManagerCommand } from "../../../protocols/queue_manager.ts";
import { DEFAULT_INTERNAL_CREDENTIAL } from "../../../protocols/scheduler_admin.ts";
import {
  type FsmEffect,
  type Ref,
  send,
  spawnActor,
  type System,
  tell,
} from "../../../runtime/actors/mod.ts";
import { inProcessActivationClient } from "../../../runtime/activation_client/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";
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

// ---- The shell against scripted in-process clients -------------------------------------

type Answer = FetchResponse | Error;

/** A client proxy whose clients answer from `script(endpoint)`; every call is recorded. */
function scriptedClient(
  script: (endpoint: string) => Answer,
  options: {
    leader?: () => SchedulerEndpoints | undefined;
    reschedule?: () => Promise<RescheduleResponse>;
  } = {},
) {
  const h = actorHarness();
  const parent = createProbe<ActivationClientProxyEvent>(h.system, "container-proxy");
  const created: string[] = [];
  const closed: string[] = [];
  const fetches: { at: string; alive: boolean; warmed: boolean; lastDuration?: number }[] = [];
  const clients: ActivationClient[] = [];
  let lookups = 0;
  const where = (e: SchedulerEndpoints) => `${e.host}:${e.rpcPort}`;
  const proxy = spawnActivationClientProxy(parent.ref, {
    createClient: (endpoint) => {
      created.push(where(endpoint));
      const inner = inProcessActivationClient(endpoint, {
        fetch: (req) => {
          fetches.push({
            at: where(endpoint),
            alive: req.alive,
            warmed: req.warmed,
            ...(req.lastDuration === undefined ? {} : { lastDuration: req.lastDuration }),
          });
          const answer = script(where(endpoint));
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
        },
        ...(options.reschedule ? { reschedule: options.reschedule } : {}),
      });
      const client: ActivationClient = {
        ...inner,
        close: () => {
          closed.push(where(endpoint));
          return inner.close();
        },
      };
      clients.push(client);
      return Promise.resolve(client);
    },
    lookupQueueLeader: () => {
      lookups++;
      return Promise.resolve(options.leader?.());
    },
  }, {
    invocationNamespace: "guest",
    fqn: { path: "guest", name: "hello" },
    revision: "1-abc",
    containerId: "c1",
    schedulerHost: "a",
    rpcPort: 1,
  });
  return {
    h,
    parent,
    proxy,
    created,
    closed,
    fetches,
    clients,
    lookups: () => lookups,
    tell: (msg: ActivationClientProxyCommand) => tell(h.system, proxy, msg),
    alive: () => h.system.actors().some((a) => a.path === proxy.path),
    [Symbol.asyncDispose]: () => h[Symbol.asyncDispose](),
  };
}

Deno.test("spawnActivationClientProxy() reconnects to a moved scheduler, to the etcd leader on a missing queue, and after a transport failure", async () => {
  const cAnswers: Answer[] = [
    { type: "Activation", activation: activation() },
    new ActivationServiceUnavailableError("connection reset"),
    { type: "NoActivation" },
  ];
  await using c = scriptedClient(
    (at) => at === "b:2" ? { type: "NoMemoryQueue" } : cAnswers.shift() ?? { type: "NoActivation" },
    {
      leader: () => ({ host: "c", rpcPort: 3 }),
    },
  );
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell({ type: "RequestActivation", newScheduler: { host: "b", rpcPort: 2 } });
  // b has no queue: the leader (c) is read from etcd and polled at once
  await c.parent.expectMessageType("ActivationMessage");
  assert.deepEqual([c.created, c.closed, c.lookups()], [["a:1", "b:2", "c:3"], ["a:1", "b:2"], 1]);
  c.tell({ type: "RequestActivation", lastDuration: 4 }); // reset by peer → leader again
  await c.parent.expectMessage({ type: "RetryRequestActivation" });
  assert.deepEqual([c.created.at(-1), c.closed.at(-1), c.lookups()], ["c:3", "c:3", 2]);
  assert.deepEqual(c.fetches.map((f) => f.at), ["b:2", "c:3", "c:3", "c:3"]);
  assert.ok(c.fetches.every((f) => f.alive));
});

Deno.test("spawnActivationClientProxy() a parse failure asks the parent to retry and keeps the client", async () => {
  const answers: Answer[] = [new ActivationResponseParseError("bad json")];
  await using c = scriptedClient(() => answers.shift() ?? { type: "NoActivation" });
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell({ type: "ContainerWarmed" });
  c.tell({ type: "RequestActivation" });
  await c.parent.expectMessage({ type: "RetryRequestActivation" });
  c.tell({ type: "RequestActivation" });
  await c.parent.expectMessage({ type: "RetryRequestActivation" });
  assert.deepEqual([c.created.length, c.closed.length], [1, 0]);
  assert.ok(c.fetches.every((f) => f.warmed));
});

Deno.test("spawnActivationClientProxy() an action mismatch fails the parent, closes with a last alive=false fetch and stops", async () => {
  const answers: Answer[] = [{ type: "ActionMismatch" }];
  await using c = scriptedClient(() => answers.shift() ?? { type: "NoActivation" });
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell({ type: "RequestActivation" });
  const failure = await c.parent.expectMessageType("FailureMessage");
  assert.equal(failure.reason, "ActionMismatch");
  await c.parent.expectMessage({ type: "ClientClosed" });
  assert.deepEqual(c.fetches.map((f) => f.alive), [true, false]);
  assert.deepEqual(c.closed, ["a:1"]);
  await settle(c.h.system);
  assert.equal(c.alive(), false);
});

Deno.test("spawnActivationClientProxy() a closed client closes the proxy at once; an unknown failure closes it safely", async () => {
  const closedAnswers: Answer[] = [new ActivationClientClosedError()];
  await using c = scriptedClient(() => closedAnswers.shift() ?? { type: "NoActivation" });
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell({ type: "RequestActivation" });
  assert.equal((await c.parent.expectMessageType("FailureMessage")).reason, "ClientClosed");
  await c.parent.expectMessage({ type: "ClientClosed" });
  assert.deepEqual(c.fetches.map((f) => f.alive), [true]); // no last fetch on a closed client

  const unknownAnswers: Answer[] = [new TypeError("?")];
  await using u = scriptedClient(() => unknownAnswers.shift() ?? { type: "NoActivation" });
  u.tell({ type: "StartClient" });
  await u.parent.expectMessage({ type: "ClientCreationCompleted" });
  u.tell({ type: "RequestActivation" });
  assert.equal((await u.parent.expectMessageType("FailureMessage")).reason, "Unknown");
  await u.parent.expectMessage({ type: "ClientClosed" });
  assert.deepEqual(u.fetches.map((f) => f.alive), [true, false]);
  await settle(u.h.system);
  assert.deepEqual([c.alive(), u.alive()], [false, false]);
});

Deno.test("spawnActivationClientProxy() GracefulShutdown closes at the next request; StopClientProxy emits ClientClosed even on an already closed client", async () => {
  await using g = scriptedClient(() => ({ type: "NoActivation" }));
  g.tell({ type: "StartClient" });
  await g.parent.expectMessage({ type: "ClientCreationCompleted" });
  g.tell({ type: "GracefulShutdown" });
  await g.parent.expectNoMessage();
  g.tell({ type: "RequestActivation" });
  await g.parent.expectMessage({ type: "ClientClosed" });
  assert.deepEqual([g.fetches.map((f) => f.alive), g.closed], [[false], ["a:1"]]);

  await using s = scriptedClient(() => ({ type: "NoActivation" }));
  s.tell({ type: "StartClient" });
  await s.parent.expectMessage({ type: "ClientCreationCompleted" });
  await s.clients[0]?.close(); // the channel is already gone
  s.tell({ type: "StopClientProxy" });
  await s.parent.expectMessage({ type: "ClientClosed" });
  await settle(s.h.system);
  assert.deepEqual([g.alive(), s.alive()], [false, false]);
});

Deno.test("spawnActivationClientProxy() RescheduleActivation hands the activation back and answers the queue's verdict (false on error)", async () => {
  const handedBack: string[] = [];
  await using c = scriptedClient(() => ({ type: "NoActivation" }), {
    reschedule: () => Promise.resolve({ type: "RescheduleResponse", isRescheduled: true }),
  });
  const msg = activation();
  const reschedule = {
    type: "RescheduleActivation",
    invocationNamespace: "guest",
    fqn: { path: "guest", name: "hello" },
    revision: "1-abc",
    msg,
  } as const;
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell(reschedule);
  await c.parent.expectMessage({ type: "RescheduleResponse", isRescheduled: true });

  await using f = scriptedClient(() => ({ type: "NoActivation" }), {
    reschedule: () => {
      handedBack.push("tried");
      return Promise.reject(new ActivationServiceUnavailableError("down"));
    },
  });
  f.tell({ type: "StartClient" });
  await f.parent.expectMessage({ type: "ClientCreationCompleted" });
  f.tell(reschedule);
  await f.parent.expectMessage({ type: "RescheduleResponse", isRescheduled: false });
  assert.deepEqual(handedBack, ["tried"]);
});

Deno.test("ActivationClientProxyCommand and its events reject invalid messages at compile time", () => {
  const neverRun = (
    system: System,
    client: Ref<ActivationClientProxyCommand>,
    parent: Ref<ActivationClientProxyEvent>,
  ) => {
    // @ts-expect-error: an unknown command
    tell(system, client, { type: "FetchNow" });
    // @ts-expect-error: lastDuration is a number of ms
    tell(system, client, { type: "RequestActivation", lastDuration: "5" });
    // @ts-expect-error: newScheduler needs host and rpcPort
    tell(system, client, { type: "RequestActivation", newScheduler: { host: "a" } });
    // @ts-expect-error: RescheduleActivation needs the activation to hand back
    tell(system, client, {
      type: "RescheduleActivation",
      invocationNamespace: "guest",
      fqn: { path: "guest", name: "hello" },
      revision: "1-abc",
    });
    // @ts-expect-error: a container proxy command is not a client command
    tell(system, client, { type: "Remove" });
    // @ts-expect-error: the shell's private messages are not public commands
    tell(system, client, { type: "ClientShutDown" });
    // @ts-expect-error: failure reasons are a closed set
    tell(system, parent, { type: "FailureMessage", reason: "Timeout", error: new Error("x") });
    // @ts-expect-error: a failure carries an Error, not a string
    tell(system, parent, { type: "FailureMessage", reason: "Unknown", error: "x" });
    // @ts-expect-error: a command to the client is not an event for its parent
    send(parent, { type: "StopClientProxy" });
  };
  assert.equal(typeof neverRun, "function"); // the checks above are compile-time only
});

// ---- Reconnect backoff ------------------------------------------------------------------

Deno.test("reconnectDelayMs() is 0 for the first reconnect, then 100 ms doubling up to 2 s", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 10].map(reconnectDelayMs),
    [0, 100, 200, 400, 800, 1600, 2000, 2000],
  );
});

Deno.test("clientTransition() repeated leader reconnects wait on a keyed timer; an answered fetch resets the backoff", () => {
  const down = {
    type: "FetchFailed",
    error: new ActivationServiceUnavailableError("down"),
  } as const;
  let r = run(ready(), down);
  assert.deepEqual(r.effects, ["close", "createClient"]);
  r = run(r.next, { type: "ClientReady", client: client(), pollAfter: true });
  r = run(r.next, down);
  assert.deepEqual(r.effects, ["close", "startTimer"]);
  assert.deepEqual(r.raw[1], {
    type: "startTimer",
    key: RECONNECT_TIMER,
    msg: { type: "ReconnectTimeout" },
    ms: 100,
  });
  assert.deepEqual(run(r.next, { type: "RequestActivation" }).effects, ["stash"]);
  r = run(r.next, { type: "ReconnectTimeout" });
  assert.deepEqual(r.effects, ["createClient"]);
  r = run(r.next, { type: "ClientReady", client: client(), pollAfter: true });
  assert.equal((run(r.next, down).raw[1] as { ms: number }).ms, 200);
  // A good answer in between: the next failure reconnects at once again.
  r = run(r.next, { type: "FetchAnswered", response: { type: "NoActivation" } });
  assert.deepEqual(run(r.next, down).effects, ["close", "createClient"]);
  assert.deepEqual(
    run(run(r.next, down).next, { type: "StopClientProxy" }).effects,
    ["send:ClientClosed", "stop"],
  );
});

Deno.test("spawnActivationClientProxy() does not hot-loop on a leader key that names a dead scheduler", async () => {
  await using c = scriptedClient(
    (at) =>
      at === "a:1" ? { type: "NoActivation" } : new ActivationServiceUnavailableError("refused"),
    { leader: () => ({ host: "dead", rpcPort: 9 }) },
  );
  c.tell({ type: "StartClient" });
  await c.parent.expectMessage({ type: "ClientCreationCompleted" });
  c.tell({ type: "RequestActivation", newScheduler: { host: "dead", rpcPort: 9 } });
  await settle(c.h.system);
  // dead:9 refuses → the leader (dead:9 again) at once → refused → now the backoff.
  assert.deepEqual(c.created, ["a:1", "dead:9", "dead:9"]);
  const waits = [100, 200, 400, 800, 1600, 2000, 2000];
  for (const ms of waits) {
    const before = c.created.length;
    c.h.clock.advance(ms - 1);
    await settle(c.h.system);
    assert.equal(c.created.length, before, `nothing before ${ms} ms`);
    c.h.clock.advance(1);
    await settle(c.h.system);
    assert.equal(c.created.length, before + 1, `one reconnect after ${ms} ms`);
  }
  assert.equal(c.lookups(), waits.length + 1);
  c.tell({ type: "StopClientProxy" });
  await c.parent.fishForMessage((m) => m.type === "ClientClosed");
});

// ---- The standalone path: the runtime in-process client over the scheduler's service ----

/**
 * A scheduler's ActivationService as standalone wires it: the runtime's
 * `inProcessActivationClient` over the scheduler's `fetchActivation` and
 * `rescheduleActivation`, with a QueueManager answering `GetQueue` with `lookup`.
 */
function standaloneService(
  h: ReturnType<typeof actorHarness>,
  name: string,
  lookup: QueueLookup,
) {
  const queueManager = spawnActor<null, QueueManagerCommand>(h.system, {
    name,
    initialState: null,
    supervision: "resume",
    handle: (state, msg, ctx) => {
      if (msg.type === "GetQueue") ctx.tell(msg.replyTo, lookup);
      return state;
    },
  });
  const deps: ActivationServiceDeps = {
    system: h.system,
    queueManager,
    credential: DEFAULT_INTERNAL_CREDENTIAL,
    logger: h.logger,
  };
  const options = { longPollMs: 1_000, graceMs: 500, lookupTimeoutMs: 5_000 };
  return (endpoint: SchedulerEndpoints): ActivationClient =>
    inProcessActivationClient(endpoint, {
      fetch: (request) => fetchActivation(deps, request, options),
      reschedule: (request) => rescheduleActivation(deps, request, options),
    });
}

Deno.test("spawnActivationClientProxy() over the standalone in-process client follows the leader, pulls, hands back and closes through the scheduler's service", async () => {
  await using h = actorHarness();
  const parent = createProbe<ActivationClientProxyEvent>(h.system, "container-proxy");
  const queue = createProbe<MemoryQueueCommand>(h.system, "memory-queue");
  const schedulers: Record<string, (e: SchedulerEndpoints) => ActivationClient> = {
    "a:1": standaloneService(h, "qm-a", { type: "NoMemoryQueue" }),
    "b:2": standaloneService(h, "qm-b", { type: "Queue", ref: queue.ref }),
  };
  const proxy = spawnActivationClientProxy(parent.ref, {
    createClient: (e) => Promise.resolve(schedulers[`${e.host}:${e.rpcPort}`]!(e)),
    lookupQueueLeader: () => Promise.resolve({ host: "b", rpcPort: 2 }),
  }, {
    invocationNamespace: "guest",
    fqn: { path: "guest", name: "hello" },
    revision: "1-abc",
    containerId: "c1",
    schedulerHost: "a",
    rpcPort: 1,
  });
  tell(h.system, proxy, { type: "StartClient" });
  await parent.expectMessage({ type: "ClientCreationCompleted" });
  tell(h.system, proxy, { type: "RequestActivation" });
  // a has no queue: the leader b is polled, and its queue answers the long poll.
  const poll = await queue.expectMessageType("GetActivation");
  assert.deepEqual([poll.containerId, poll.alive], ["c1", true]);
  const msg = activation();
  tell(h.system, poll.replyTo, { type: "Activation", activation: msg });
  assert.equal(
    (await parent.expectMessageType("ActivationMessage")).activationId,
    msg.activationId,
  );

  tell(h.system, proxy, {
    type: "RescheduleActivation",
    invocationNamespace: "guest",
    fqn: { path: "guest", name: "hello" },
    revision: "1-abc",
    msg,
  });
  await parent.expectMessage({ type: "RescheduleResponse", isRescheduled: true });
  assert.equal((await queue.expectMessageType("ActivationMessage")).activationId, msg.activationId);

  tell(h.system, proxy, { type: "StopClientProxy" });
  const last = await queue.expectMessageType("GetActivation");
  assert.equal(last.alive, false);
  tell(h.system, last.replyTo, { type: "NoActivation" });
  await parent.expectMessage({ type: "ClientClosed" });
});
