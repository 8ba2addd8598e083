import assert from "node:assert/strict";
import {
  type ActivationServiceDeps,
  type ActivationServiceOptions,
  createActivationServiceHandler,
  inProcessActivationClient,
} from "../../../actors/scheduler/activation_service.ts";
import {
  type Ref,
  spawnActor,
  startSystem,
  stopSystem,
  type System,
  systemClock,
  tell,
} from "../../../runtime/actors/mod.ts";
import { type CapturingLogger, capturingLogger } from "../../../runtime/log.ts";
import {
  decodeActivationMessage,
  decodeFetchResponse,
  encodeActivationMessage,
  encodeFetchRequest,
  encodeRescheduleRequest,
  type FetchRequest,
} from "../../../protocols/mod.ts";
import { ActivationClientClosedError } from "../../../protocols/activation_client.ts";
import {
  basicAuthorization,
  DEFAULT_INTERNAL_CREDENTIAL,
} from "../../../protocols/scheduler_admin.ts";
import type { GetActivation, MemoryQueueCommand } from "../../../protocols/memory_queue.ts";
import type { QueueLookup, QueueManagerCommand } from "../../../protocols/queue_manager.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { ACTIVATION_MESSAGE_JSON } from "../../protocols/_fixtures.ts";

const ACTIVATION = decodeActivationMessage(ACTIVATION_MESSAGE_JSON);
const AUTH = basicAuthorization(DEFAULT_INTERNAL_CREDENTIAL);

const FETCH: FetchRequest = {
  type: "FetchRequest",
  invocationNamespace: "guest",
  action: { path: "guest", name: "hello", version: "0.0.1" },
  revision: "1-abc",
  containerId: "container-1",
  warmed: true,
  lastDuration: 42,
  alive: true,
};

/**
 * A real-clock system, a fake QueueManager answering `GetQueue` with `lookup` (or never
 * when it returns undefined), a probe standing for the queue, and the service served
 * by `Deno.serve` on an ephemeral port.
 */
function serviceHarness(
  lookup: (queue: Ref<MemoryQueueCommand>) => QueueLookup | undefined,
  options: ActivationServiceOptions = { longPollMs: 50, graceMs: 0, lookupTimeoutMs: 200 },
) {
  const logger = capturingLogger();
  const system: System = startSystem({ logger, clock: systemClock });
  const queue: Probe<MemoryQueueCommand> = createProbe<MemoryQueueCommand>(system, "queue");
  const lookups: QueueManagerCommand[] = [];
  const queueManager = spawnActor<null, QueueManagerCommand>(system, {
    name: "queue-manager",
    initialState: null,
    supervision: "resume",
    handle: (state, msg, ctx) => {
      lookups.push(msg);
      if (msg.type === "GetQueue") {
        const answer = lookup(queue.ref);
        if (answer !== undefined) ctx.tell(msg.replyTo, answer);
      }
      return state;
    },
  });
  const deps: ActivationServiceDeps = {
    system,
    queueManager,
    credential: DEFAULT_INTERNAL_CREDENTIAL,
    logger,
  };
  const handler = createActivationServiceHandler(deps, options);
  /** Each request's abort signal, in arrival order: it fires when its client goes away. */
  const requestSignals: AbortSignal[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      requestSignals.push(request.signal);
      return handler(request);
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const post = async (path: string, body: unknown, authorization: string | null = AUTH) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authorization !== null) headers.authorization = authorization;
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };
  return {
    system,
    deps,
    options,
    queue,
    lookups,
    requestSignals,
    base,
    post,
    fetchActivation: (r: FetchRequest = FETCH) => post("/activations/fetch", encodeFetchRequest(r)),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await stopSystem(system);
    },
  };
}

const found = (queue: Ref<MemoryQueueCommand>): QueueLookup => ({ type: "Queue", ref: queue });

Deno.test("createActivationServiceHandler() delegates a fetch to the queue and answers its activation", async () => {
  await using h = serviceHarness(found);
  const pending = h.fetchActivation();
  const get = await h.queue.expectMessageType("GetActivation");
  assert.deepEqual(
    { ...get, replyTo: undefined },
    {
      type: "GetActivation",
      invocationNamespace: "guest",
      action: FETCH.action,
      revision: "1-abc",
      containerId: "container-1",
      warmed: true,
      lastDuration: 42,
      alive: true,
      replyTo: undefined,
    },
  );
  tell(h.system, (get as GetActivation).replyTo, { type: "Activation", activation: ACTIVATION });
  const { status, json } = await pending;
  assert.equal(status, 200);
  assert.equal(json.type, "Activation");
  assert.deepEqual(decodeFetchResponse(json), { type: "Activation", activation: ACTIVATION });
});

Deno.test("createActivationServiceHandler() answers NoActivation after the poll when the queue has nothing", async () => {
  await using h = serviceHarness(found);
  const started = performance.now();
  const { status, json } = await h.fetchActivation();
  assert.equal(status, 200);
  assert.deepEqual(json, { type: "NoActivation" });
  assert.ok(performance.now() - started >= 45, "answered before the long poll ended");
  await h.queue.expectMessageType("GetActivation");
});

Deno.test("createActivationServiceHandler() passes the queue's own NoActivation through at once", async () => {
  await using h = serviceHarness(found, { longPollMs: 10_000, graceMs: 0 });
  const pending = h.fetchActivation();
  const get = await h.queue.expectMessageType("GetActivation");
  tell(h.system, get.replyTo, { type: "NoActivation" });
  assert.deepEqual((await pending).json, { type: "NoActivation" });
});

Deno.test("createActivationServiceHandler() answers NoMemoryQueue without asking any queue", async () => {
  await using h = serviceHarness(() => ({ type: "NoMemoryQueue" }));
  assert.deepEqual((await h.fetchActivation()).json, { type: "NoMemoryQueue" });
  await h.queue.expectNoMessage();
  assert.equal(h.lookups.length, 1); // no retry
});

Deno.test("createActivationServiceHandler() answers ActionMismatch when another revision is here", async () => {
  await using h = serviceHarness(() => ({ type: "ActionMismatch" }));
  assert.deepEqual((await h.fetchActivation()).json, { type: "ActionMismatch" });
  await h.queue.expectNoMessage();
});

Deno.test("createActivationServiceHandler() answers NoActivation when the queue lookup times out", async () => {
  await using h = serviceHarness(() => undefined);
  assert.deepEqual((await h.fetchActivation()).json, { type: "NoActivation" });
});

Deno.test("createActivationServiceHandler() answers NoActivation to the warm-up action without a lookup", async () => {
  await using h = serviceHarness(found);
  const warmUp = { ...FETCH, action: { path: "whisk.system", name: "warmUp" } };
  assert.deepEqual((await h.fetchActivation(warmUp)).json, { type: "NoActivation" });
  assert.equal(h.lookups.length, 0);
});

Deno.test("createActivationServiceHandler() rejects a bad action name or revision with 400", async () => {
  await using h = serviceHarness(found);
  const body = encodeFetchRequest(FETCH);
  for (const bad of [{ ...body, action: "no-slash" }, { ...body, revision: 12 }, "{oops"]) {
    const { status, json } = await h.post("/activations/fetch", bad);
    assert.equal(status, 400, JSON.stringify(bad));
    assert.match(json.error, /malformed/);
  }
  assert.equal(h.lookups.length, 0);
});

Deno.test("createActivationServiceHandler() answers 401 without or with a wrong credential", async () => {
  await using h = serviceHarness(found);
  const wrong = basicAuthorization({ uuid: DEFAULT_INTERNAL_CREDENTIAL.uuid, key: "x".repeat(64) });
  for (const path of ["/activations/fetch", "/activations/reschedule"]) {
    for (const authorization of [null, wrong, "Bearer abc", `Basic ${btoa("guest:pw")}`]) {
      const { status, json } = await h.post(path, encodeFetchRequest(FETCH), authorization);
      assert.equal(status, 401, `${path} ${authorization}`);
      assert.equal(json.error, "The supplied authentication is invalid");
    }
  }
  assert.equal(h.lookups.length, 0);
});

Deno.test("createActivationServiceHandler() reschedules into an existing queue with a tell", async () => {
  await using h = serviceHarness(found);
  const body = encodeRescheduleRequest({
    type: "RescheduleRequest",
    invocationNamespace: "guest",
    action: FETCH.action,
    revision: "1-abc",
    activation: ACTIVATION,
  });
  const { status, json } = await h.post("/activations/reschedule", body);
  assert.equal(status, 200);
  assert.deepEqual(json, { isRescheduled: true });
  const back = await h.queue.expectMessageType("ActivationMessage");
  assert.deepEqual(encodeActivationMessage(back), encodeActivationMessage(ACTIVATION));
});

Deno.test("createActivationServiceHandler() does not reschedule when no queue of the revision exists", async () => {
  for (const lookup of [{ type: "NoMemoryQueue" }, { type: "ActionMismatch" }] as const) {
    await using h = serviceHarness(() => lookup);
    const body = encodeRescheduleRequest({
      type: "RescheduleRequest",
      invocationNamespace: "guest",
      action: FETCH.action,
      revision: "1-abc",
      activation: ACTIVATION,
    });
    assert.deepEqual((await h.post("/activations/reschedule", body)).json, {
      isRescheduled: false,
    });
    await h.queue.expectNoMessage();
  }
});

Deno.test("createActivationServiceHandler() answers 404 and 405 outside its two routes", async () => {
  await using h = serviceHarness(found);
  assert.equal((await h.post("/activations/other", {})).status, 404);
  const get = await fetch(`${h.base}/activations/fetch`, { headers: { authorization: AUTH } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  await get.body?.cancel();
});

Deno.test("inProcessActivationClient() fetches and reschedules without HTTP, and refuses after close", async () => {
  await using h = serviceHarness(found);
  const client = inProcessActivationClient(
    h.deps,
    { host: "127.0.0.1", rpcPort: 13001 },
    h.options,
  );
  const pending = client.fetch(FETCH);
  const get = await h.queue.expectMessageType("GetActivation");
  tell(h.system, get.replyTo, { type: "Activation", activation: ACTIVATION });
  assert.equal((await pending).type, "Activation");
  const rescheduled = await client.reschedule({
    type: "RescheduleRequest",
    invocationNamespace: "guest",
    action: FETCH.action,
    revision: "1-abc",
    activation: ACTIVATION,
  });
  assert.equal(rescheduled.isRescheduled, true);
  await h.queue.expectMessageType("ActivationMessage");
  await client.close();
  await assert.rejects(client.fetch(FETCH), ActivationClientClosedError);
});

Deno.test("fetchActivation() hands an activation that comes after it gave up back to the queue", async () => {
  await using h = serviceHarness(found, { longPollMs: 20, graceMs: 0, lookupTimeoutMs: 200 });
  const client = inProcessActivationClient(
    h.deps,
    { host: "127.0.0.1", rpcPort: 13001 },
    h.options,
  );
  const pending = client.fetch(FETCH);
  const get = await h.queue.expectMessageType("GetActivation");
  assert.deepEqual(await pending, { type: "NoActivation" }, "the fetch gave up");
  // The busy queue answers only now: the activation must come back, not vanish.
  tell(h.system, get.replyTo, { type: "Activation", activation: ACTIVATION });
  const back = await h.queue.expectMessageType("ActivationMessage");
  assert.equal(back.activationId, ACTIVATION.activationId);
  assert.equal(h.system.deadLetters, 0);
  const logged = (h.deps.logger as CapturingLogger).entries.map((e) => e.msg);
  assert.ok(logged.some((m) => m.startsWith("a fetch was given up")));
  await client.close();
});

Deno.test("fetchActivation() lets a late NoActivation go quietly and closes the late window", async () => {
  await using h = serviceHarness(found, { longPollMs: 20, graceMs: 0, lookupTimeoutMs: 200 });
  const client = inProcessActivationClient(
    h.deps,
    { host: "127.0.0.1", rpcPort: 13001 },
    h.options,
  );
  const pending = client.fetch(FETCH);
  const get = await h.queue.expectMessageType("GetActivation");
  assert.deepEqual(await pending, { type: "NoActivation" });
  tell(h.system, get.replyTo, { type: "NoActivation" });
  await h.queue.expectNoMessage();
  tell(h.system, get.replyTo, { type: "Activation", activation: ACTIVATION });
  assert.equal(h.system.deadLetters, 1, "a second answer after the late one is a dead letter");
  await client.close();
});

Deno.test("inProcessActivationClient() hands back an activation that comes after the client was closed", async () => {
  await using h = serviceHarness(found, { longPollMs: 10_000, graceMs: 0, lookupTimeoutMs: 200 });
  const client = inProcessActivationClient(
    h.deps,
    { host: "127.0.0.1", rpcPort: 13001 },
    h.options,
  );
  const pending = client.fetch(FETCH);
  const get = await h.queue.expectMessageType("GetActivation");
  await client.close();
  tell(h.system, get.replyTo, { type: "Activation", activation: ACTIVATION });
  assert.deepEqual(await pending, { type: "NoActivation" });
  const back = await h.queue.expectMessageType("ActivationMessage");
  assert.equal(back.activationId, ACTIVATION.activationId);
});

Deno.test("createActivationServiceHandler() hands back an activation whose HTTP client went away", async () => {
  await using h = serviceHarness(found, { longPollMs: 10_000, graceMs: 0, lookupTimeoutMs: 200 });
  const body = JSON.stringify(encodeFetchRequest(FETCH));
  const port = Number(new URL(h.base).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `POST /activations/fetch HTTP/1.1\r\nhost: x\r\nauthorization: ${AUTH}\r\n` +
      `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  ));
  const get = await h.queue.expectMessageType("GetActivation");
  conn.close(); // the invoker's client went away (closed, or its process died)
  const signal = h.requestSignals.at(-1)!;
  if (!signal.aborted) await new Promise((r) => signal.addEventListener("abort", r)); // noticed
  tell(h.system, get.replyTo, { type: "Activation", activation: ACTIVATION });
  const back = await h.queue.expectMessageType("ActivationMessage");
  assert.equal(back.activationId, ACTIVATION.activationId);
});
