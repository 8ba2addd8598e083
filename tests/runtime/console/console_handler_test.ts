import assert from "node:assert/strict";
import { tell } from "../../../runtime/actors/mod.ts";
import {
  type ActivationView,
  type ConsoleSources,
  createConsoleHandler,
  type InvokerView,
  type QueueView,
} from "../../../runtime/console/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { settle } from "../../_support/settle.ts";
import { spawnDoor, sseReader } from "./_sse.ts";

const BASE = "http://127.0.0.1:3233";

function consoleOf(h: ReturnType<typeof actorHarness>, sources?: ConsoleSources) {
  return createConsoleHandler({
    tracer: h.tracer,
    system: h.system,
    ...(sources ? { sources } : {}),
  });
}

async function get(handler: ReturnType<typeof consoleOf>, path: string, init?: RequestInit) {
  const response = await handler(new Request(BASE + path, init));
  assert.ok(response, `the console did not claim ${path}`);
  return response;
}

Deno.test("createConsoleHandler() serves the page under /console with its assets", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  const page = await get(handler, "/console");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  const html = await page.text();
  assert.match(html, /<title>Whisk dev console<\/title>/);
  assert.match(html, /src="\/console\/assets\/console\.js"/);
  assert.doesNotMatch(html, /https?:\/\//, "the page must not load anything from elsewhere");

  const script = await get(handler, "/console/assets/console.js");
  assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
  const code = await script.text();
  assert.match(code, /new EventSource\(followsCluster\(\) \? "\/trace\?merged=1" : "\/trace"\)/);
  const style = await get(handler, "/console/assets/console.css");
  assert.match(style.headers.get("content-type") ?? "", /^text\/css/);
  await style.body?.cancel();
});

Deno.test("createConsoleHandler() returns undefined for paths that are not the console's", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  for (const path of ["/", "/api/v1/namespaces", "/consoles", "/tracer", "/metrics"]) {
    assert.equal(handler(new Request(BASE + path)), undefined, path);
  }
  for (const path of ["/console/assets/%2e%2e%2fdeno.json", "/console/assets/mod.ts"]) {
    const missing = await get(handler, path); // under /console, so ours, but no such asset
    assert.equal(missing.status, 404, path);
    await missing.body?.cancel();
  }
  const post = await get(handler, "/console", { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
});

Deno.test("createConsoleHandler() lists spawned actors with their FSM state on /console/api/actors", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  const door = spawnDoor(h.system, "door");
  spawnDoor(door, "latch");
  tell(h.system, door, { type: "Open" });
  await settle(h.system);

  const body = await (await get(handler, "/console/api/actors")).json();
  assert.equal(body.root, h.system.path);
  const byPath = new Map(body.actors.map((a: { path: string }) => [a.path, a]));
  assert.deepEqual(
    [...byPath.keys()].sort(),
    [door.path, `${door.path}/latch`].sort(),
  );
  assert.equal((byPath.get(door.path) as { stateName: string }).stateName, "Open");
  assert.equal((byPath.get(`${door.path}/latch`) as { stateName: string }).stateName, "Closed");
  assert.equal(body.tree.length, 1);
  assert.equal(body.tree[0].path, door.path);
  assert.deepEqual(body.tree[0].children.map((c: { name: string }) => c.name), ["latch"]);
});

Deno.test("createConsoleHandler() streams a message told after connecting on /trace", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  const door = spawnDoor(h.system, "door");
  tell(h.system, door, { type: "Close", tid: "before" });
  const response = await get(handler, "/trace");
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const sse = sseReader(response.body!);
  try {
    const replayed = JSON.parse((await sse.next()).data);
    assert.deepEqual(
      { kind: replayed.kind, type: replayed.type, tid: replayed.tid },
      { kind: "message", type: "Close", tid: "before" },
    );
    tell(h.system, door, { type: "Open", tid: "after" });
    const live = JSON.parse((await sse.next((m) => m.data.includes('"message"'))).data);
    assert.deepEqual(
      { from: live.from, to: live.to, type: live.type, tid: live.tid, ts: live.ts },
      { from: h.system.path, to: door.path, type: "Open", tid: "after", ts: h.clock.now() },
    );
    const transition = JSON.parse((await sse.next()).data);
    assert.deepEqual(
      { kind: transition.kind, actor: transition.actor, from: transition.from, to: transition.to },
      { kind: "transition", actor: door.path, from: "Closed", to: "Open" },
    );
  } finally {
    await sse.cancel();
  }
});

Deno.test("createConsoleHandler() applies the tid, actor and type filters of /trace", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  const door = spawnDoor(h.system, "door");
  const gate = spawnDoor(h.system, "gate");
  const sse = sseReader((await get(handler, "/trace?tid=t1&actor=gate&type=Open")).body!);
  try {
    // Two matching messages around three that each fail one filter: the second event
    // received must be the second match, so none of the others got through.
    tell(h.system, gate, { type: "Open", tid: "t1" });
    tell(h.system, door, { type: "Open", tid: "t1" }); // wrong actor
    tell(h.system, gate, { type: "Close", tid: "t1" }); // wrong type
    tell(h.system, gate, { type: "Open", tid: "t2" }); // wrong tid
    tell(h.system, gate, { type: "Open", tid: "t1" });
    for (let i = 0; i < 2; i++) {
      const event = JSON.parse((await sse.next()).data);
      assert.deepEqual(
        { kind: event.kind, to: event.to, type: event.type, tid: event.tid },
        { kind: "message", to: gate.path, type: "Open", tid: "t1" },
        `event ${i + 1} of:\n${sse.text}`,
      );
    }
  } finally {
    await sse.cancel();
  }
});

Deno.test("createConsoleHandler() removes the tracer subscription when the reader cancels", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  const sse = sseReader((await get(handler, "/trace")).body!);
  await sse.waitForText(": connected");
  assert.equal(h.tracer.hasSubscribers, true);
  await sse.cancel();
  assert.equal(h.tracer.hasSubscribers, false);
  assert.equal(h.clock.pendingCount, 0, "the heartbeat timer must be cleared");
});

Deno.test("createConsoleHandler() unsubscribes when a client of Deno.serve disconnects", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => handler(request) ?? new Response("not found", { status: 404 }),
  );
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/trace`, {
    signal: abort.signal,
  });
  const sse = sseReader(response.body!);
  await sse.waitForText(": connected");
  assert.equal(h.tracer.hasSubscribers, true);
  abort.abort();
  await sse.cancel().catch(() => {});
  // The server learns of the disconnect over the socket: wait for it, bounded.
  for (let i = 0; i < 200 && h.tracer.hasSubscribers; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(h.tracer.hasSubscribers, false);
  assert.equal(h.clock.pendingCount, 0, "the heartbeat timer must be cleared");
});

Deno.test("createConsoleHandler() sends a heartbeat comment every 15 s of its clock", async () => {
  await using h = actorHarness();
  const sse = sseReader((await get(consoleOf(h), "/trace")).body!);
  try {
    await sse.waitForText(": connected");
    h.clock.advance(14_999);
    h.clock.advance(1);
    await sse.waitForText(`: heartbeat ${h.clock.now()}`);
    assert.equal(sse.text.split(": heartbeat").length - 1, 1);
  } finally {
    await sse.cancel();
  }
});

Deno.test("createConsoleHandler() answers 400 for a bad since filter", async () => {
  await using h = actorHarness();
  const response = await get(consoleOf(h), "/trace?since=soon");
  assert.equal(response.status, 400);
  assert.match((await response.json()).error, /since must be a number/);
});

const invoker: InvokerView = {
  id: "invoker0",
  status: "up",
  freeMemoryMb: 1024,
  busyMemoryMb: 256,
  inProgressMemoryMb: 128,
};
const queue: QueueView = {
  invocationNamespace: "guest",
  action: "guest/hello",
  revision: "1-abc",
  state: "Running",
  size: 3,
  containers: { existing: 1, creating: 1 },
  inProgress: 2,
  lastDecision: "AddContainer 1",
};
const activation: ActivationView = {
  activationId: "a".repeat(32),
  name: "guest/hello",
  status: "success",
  durationMs: 12,
  start: 1_000,
  cold: true,
  result: { ok: true },
  logs: ["hi"],
};

Deno.test("createConsoleHandler() aggregates the sources on /console/api/state", async () => {
  await using h = actorHarness();
  const limits: number[] = [];
  const handler = consoleOf(h, {
    invokers: () => Promise.resolve([invoker]),
    queues: () => Promise.resolve([queue]),
    activations: (limit) => (limits.push(limit), Promise.resolve([activation])),
  });
  const body = await (await get(handler, "/console/api/state?limit=7")).json();
  assert.deepEqual(body, {
    now: h.clock.now(),
    invokers: [invoker],
    queues: [queue],
    activations: [activation],
    errors: {},
  });
  assert.deepEqual(limits, [7]);
});

Deno.test("createConsoleHandler() reports a failing source without hiding the others", async () => {
  await using h = actorHarness();
  const handler = consoleOf(h, {
    invokers: () => Promise.reject(new Error("etcd unreachable")),
    queues: () => Promise.resolve([queue]),
    activations: () => Promise.resolve([]),
  });
  const body = await (await get(handler, "/console/api/state")).json();
  assert.deepEqual(body.invokers, []);
  assert.deepEqual(body.queues, [queue]);
  assert.deepEqual(body.errors, { invokers: "etcd unreachable" });
});

Deno.test("createConsoleHandler() lists the cluster's processes on /console/api/processes", async () => {
  await using h = actorHarness();
  const processes = [{ name: "invoker0", role: "invoker", url: "http://127.0.0.1:12001" }];
  const clustered = consoleOf(h, {
    invokers: () => Promise.resolve([]),
    queues: () => Promise.resolve([]),
    activations: () => Promise.resolve([]),
    processes: () => Promise.resolve(processes),
  });
  assert.deepEqual(await (await get(clustered, "/console/api/processes")).json(), {
    self: h.system.name,
    cluster: true,
    processes,
  });
  const alone = await (await get(consoleOf(h), "/console/api/processes")).json();
  assert.deepEqual(alone, { self: h.system.name, cluster: false, processes: [] });
});

Deno.test("createConsoleHandler() merges its own and the discovered processes' traces on /trace?merged=1", async () => {
  await using h = actorHarness({ start: 1_000 });
  await using other = actorHarness({ start: 2_000 });
  const otherConsole = consoleOf(other);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => otherConsole(request) ?? new Response("not found", { status: 404 }),
  );
  const handler = consoleOf(h, {
    invokers: () => Promise.resolve([]),
    queues: () => Promise.resolve([]),
    activations: () => Promise.resolve([]),
    processes: () =>
      Promise.resolve([{
        name: "invoker7",
        role: "invoker",
        url: `http://127.0.0.1:${server.addr.port}`,
      }]),
  });
  tell(other.system, spawnDoor(other.system, "door"), { type: "Open", tid: "tx" }); // ts 2000
  tell(h.system, spawnDoor(h.system, "door"), { type: "Open", tid: "tx" }); // ts 1000
  tell(h.system, spawnDoor(h.system, "gate"), { type: "Close", tid: "other" });
  const response = await get(handler, "/trace?merged=1&snapshot=1&tid=tx");
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const events = (await response.text()).split("\n")
    .filter((line) => line.startsWith("data: ") && line.includes('"kind"'))
    .map((line) => JSON.parse(line.slice(6)));
  assert.deepEqual(events.map((e) => [e.ts, e.source, e.tid]), [
    [1_000, h.system.name, "tx"],
    [2_000, "invoker7", "tx"],
  ]);
});
