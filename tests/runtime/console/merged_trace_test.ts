import assert from "node:assert/strict";
import { createTracer, systemClock, type TraceEvent } from "../../../runtime/actors/mod.ts";
import { mergedTraceStream, type SseMessage, traceStream } from "../../../runtime/console/mod.ts";
import { parseTraceQuery } from "../../../runtime/console/mod.ts";
import { sseReader } from "./_sse.ts";

const at = (ts: number, tid = "t1"): TraceEvent => ({
  kind: "message",
  ts,
  from: "s://a",
  to: "s://b",
  type: "Run",
  tid,
});

/** A process serving its tracer's `/trace`, honouring the query. */
function serveTrace(tracer: ReturnType<typeof createTracer>) {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new Response(traceStream(tracer, parseTraceQuery(new URL(request.url).searchParams))),
  );
}

function frames(text: string): { events: (TraceEvent & { source: string })[]; sources: unknown[] } {
  const events = [];
  const sources = [];
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").find((l) => l.startsWith("data: "))?.slice(6);
    if (data === undefined) continue;
    if (block.includes("event: source")) sources.push(JSON.parse(data));
    else events.push(JSON.parse(data));
  }
  return { events, sources };
}

Deno.test("mergedTraceStream() with snapshot merges local and remote events by ts, tagged, then ends", async () => {
  const local = createTracer();
  const remote = createTracer();
  local.emit(at(1));
  local.emit(at(4));
  remote.emit(at(2));
  remote.emit(at(3));
  remote.emit(at(5, "other"));
  await using server = serveTrace(remote);
  const url = `http://127.0.0.1:${server.addr.port}`;
  const body = mergedTraceStream({ tid: "t1", snapshot: true }, {
    local: { name: "controller0", tracer: local },
    selfOrigin: "http://127.0.0.1:3233",
    // Itself, by name and by origin, must not be read twice.
    discover: () =>
      Promise.resolve([
        { name: "controller0", url: "http://localhost:1" },
        { name: "alias", url: "http://127.0.0.1:3233" },
        { name: "scheduler0", url },
      ]),
  });
  const { events, sources } = frames(await new Response(body).text());
  assert.deepEqual(events.map((e) => [e.ts, e.source]), [
    [1, "controller0"],
    [2, "scheduler0"],
    [3, "scheduler0"],
    [4, "controller0"],
  ]);
  assert.deepEqual(sources, [
    { name: "controller0", url: "http://127.0.0.1:3233", state: "local" },
    { name: "scheduler0", url, state: "open" },
  ]);
  assert.equal(local.hasSubscribers, false);
});

Deno.test("mergedTraceStream() streams later events of every source and stops reading them on cancel", async () => {
  const local = createTracer();
  const remote = createTracer();
  await using server = serveTrace(remote);
  const url = `http://127.0.0.1:${server.addr.port}`;
  const sse = sseReader(mergedTraceStream({}, {
    local: { name: "controller0", tracer: local },
    discover: () => Promise.resolve([{ name: "invoker0", url }]),
    clock: systemClock,
    windowMs: 5,
    tickMs: 5,
  }));
  const isEvent = (m: SseMessage) => m.event === "message";
  try {
    await sse.next((m) => m.event === "source" && m.data.includes("invoker0"));
    const now = Date.now();
    remote.emit(at(now));
    assert.equal(JSON.parse((await sse.next(isEvent)).data).source, "invoker0");
    local.emit(at(now + 1));
    assert.equal(JSON.parse((await sse.next(isEvent)).data).source, "controller0");
  } finally {
    await sse.cancel();
  }
  assert.equal(local.hasSubscribers, false);
  // The server sees its client go away and drops the subscription.
  const deadline = Date.now() + 2_000;
  while (remote.hasSubscribers && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(remote.hasSubscribers, false, "the remote /trace is still read after cancel");
});

Deno.test("mergedTraceStream() reports a failing discovery and an unreachable source, keeping its own events", async () => {
  const local = createTracer();
  local.emit(at(1));
  const failing = mergedTraceStream({ snapshot: true }, {
    local: { name: "controller0", tracer: local },
    discover: () => Promise.reject(new Error("etcd is down")),
  });
  const down = frames(await new Response(failing).text());
  assert.deepEqual(down.events.map((e) => e.ts), [1]);
  assert.match(JSON.stringify(down.sources), /"state":"error","error":"Error: etcd is down"/);

  await using refusing = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("no", { status: 500 }),
  );
  const unreachable = mergedTraceStream({ snapshot: true }, {
    local: { name: "controller0", tracer: local },
    discover: () =>
      Promise.resolve([{ name: "invoker9", url: `http://127.0.0.1:${refusing.addr.port}` }]),
  });
  const partial = frames(await new Response(unreachable).text());
  assert.deepEqual(partial.events.map((e) => e.source), ["controller0"]);
  assert.match(JSON.stringify(partial.sources), /"name":"invoker9".*"state":"error".*HTTP 500/);
});
