import assert from "node:assert/strict";
import { createTracer, type TraceEvent } from "../../../runtime/actors/mod.ts";
import {
  followTrace,
  formatTraceLine,
  parseTraceQuery,
  readTraceStream,
  SseParser,
  traceStream,
  traceUrl,
  TsMerger,
} from "../../../runtime/console/mod.ts";

const at = (ts: number, to = "s://b"): TraceEvent => ({
  kind: "message",
  ts,
  from: "s://a",
  to,
  type: "Run",
  tid: "t1",
});

Deno.test("SseParser.push() assembles events split across chunks and skips comments", () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(": heartbeat\n\nid: 1\nda"), []);
  assert.deepEqual(parser.push('ta: {"a":1}\r\n\r\nevent: dropped\ndata: x\ndata: y\n'), [
    { event: "message", data: '{"a":1}', id: "1" },
  ]);
  assert.deepEqual(parser.push("\n"), [{ event: "dropped", data: "x\ny", id: "1" }]);
});

Deno.test("traceUrl() appends /trace and the filters to a process address", () => {
  assert.equal(
    traceUrl("http://127.0.0.1:3233", { tid: "t 1", type: "Run" }),
    "http://127.0.0.1:3233/trace?tid=t+1&type=Run",
  );
  assert.equal(traceUrl("http://h:1/trace", { since: 5 }), "http://h:1/trace?since=5");
});

Deno.test("TsMerger.drain() releases events by ts once their window passed", () => {
  const merger = new TsMerger(100);
  merger.add(at(50), "b", 0); // arrives first but is younger
  merger.add(at(20), "a", 30);
  assert.deepEqual(merger.drain(99), []);
  // The first event's window passed; the older one held back goes out ahead of it.
  assert.deepEqual(merger.drain(100).map((r) => [r.event.ts, r.source]), [[20, "a"], [50, "b"]]);
  merger.add(at(70), "a", 200);
  merger.add(at(60), "b", 250);
  assert.deepEqual(merger.drain(300).map((r) => r.event.ts), [60, 70]);
  merger.add(at(80), "a", 400);
  assert.deepEqual(merger.drain(400, true).map((r) => r.event.ts), [80]);
  assert.equal(merger.size, 0);
});

Deno.test("formatTraceLine() shows time, from → to, type and tid, coloured on demand", () => {
  const plain = formatTraceLine(at(Date.UTC(2024, 0, 1, 12, 0, 0, 7)), { color: false });
  assert.match(plain, /^\d\d:\d\d:\d\d\.007 /);
  assert.ok(plain.endsWith(".007  s://a → s://b  Run  t1"), plain);
  const tagged = formatTraceLine(
    { kind: "dead_letter", ts: 0, from: "x", to: "y", type: "Stop" },
    { color: false, source: "127.0.0.1:3233" },
  );
  assert.ok(tagged.endsWith("  [127.0.0.1:3233]  x ✗ dead letter → y  Stop"), tagged);
  const transition = formatTraceLine(
    { kind: "transition", ts: 0, actor: "s://p", from: "Idle", to: "Busy" },
    { color: true },
  );
  const esc = "\x1b[";
  assert.ok(
    transition.endsWith(`  ${esc}35ms://p${esc}0m  Idle ⇒ ${esc}32mBusy${esc}0m`),
    JSON.stringify(transition),
  );
});

Deno.test("readTraceStream() yields the events of a /trace URL until aborted", async () => {
  const tracer = createTracer();
  tracer.emit(at(1));
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(traceStream(tracer, {})),
  );
  const stop = new AbortController();
  const seen: number[] = [];
  for await (
    const event of readTraceStream(`http://127.0.0.1:${server.addr.port}/trace`, stop.signal)
  ) {
    seen.push(event.ts);
    if (event.ts === 1) tracer.emit(at(2));
    if (event.ts === 2) stop.abort();
  }
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("readTraceStream() throws naming the URL when the server answers an error", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("nope", { status: 404 }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/trace`;
  await assert.rejects(readTraceStream(url).next(), new RegExp(`${url}: HTTP 404`));
});

Deno.test("followTrace() reconnects after the server ends a stream, asking only for newer events", async () => {
  const tracer = createTracer();
  tracer.emit(at(1));
  const asked: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      asked.push(url.search);
      // Every stream ends after the buffered events, as a restarting process's would.
      const query = { ...parseTraceQuery(url.searchParams), snapshot: true };
      return new Response(traceStream(tracer, query));
    },
  );
  const stop = new AbortController();
  const seen: number[] = [];
  const errors: string[] = [];
  await followTrace(`http://127.0.0.1:${server.addr.port}`, { tid: "t1" }, {
    signal: stop.signal,
    reconnectMs: 10,
    onEvent: (event) => {
      seen.push(event.ts);
      if (event.ts === 2) stop.abort();
    },
    onError: (error) => {
      errors.push(String(error));
      tracer.emit(at(2));
    },
  });
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(asked, ["?tid=t1", "?tid=t1&since=1"]);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /closed the stream/);

  const again: number[] = [];
  await followTrace(`http://127.0.0.1:${server.addr.port}`, { since: 1, snapshot: true }, {
    signal: new AbortController().signal,
    onEvent: (event) => again.push(event.ts),
  });
  assert.deepEqual(again, [2]);
  assert.equal(asked.at(-1), "?since=1&snapshot=true");
});

Deno.test("followTrace() reports a failing server once per attempt and stops when aborted", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("nope", { status: 503 }),
  );
  const stop = new AbortController();
  const errors: string[] = [];
  await followTrace(`http://127.0.0.1:${server.addr.port}`, {}, {
    signal: stop.signal,
    reconnectMs: 5,
    onEvent: () => {},
    onError: (error) => {
      errors.push(String(error));
      if (errors.length === 2) stop.abort();
    },
  });
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /HTTP 503/);
});
