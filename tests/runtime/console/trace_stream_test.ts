import assert from "node:assert/strict";
import { createTracer, ManualClock, type TraceEvent } from "../../../runtime/actors/mod.ts";
import {
  encodeSseEvent,
  parseTraceQuery,
  traceMatches,
  traceStream,
} from "../../../runtime/console/mod.ts";
import { sseReader } from "./_sse.ts";

const message = (over: Partial<TraceEvent> = {}): TraceEvent =>
  ({
    kind: "message",
    ts: 10,
    from: "s://a",
    to: "s://b/c",
    type: "Run",
    tid: "t1",
    ...over,
  }) as TraceEvent;
const transition: TraceEvent = {
  kind: "transition",
  ts: 11,
  actor: "s://b/c",
  from: "Idle",
  to: "Busy",
};

Deno.test("parseTraceQuery() reads tid, actor, type and since, ignoring empty ones", () => {
  assert.deepEqual(
    parseTraceQuery(new URLSearchParams("tid=t1&actor=%20pool%20&type=&since=5")),
    { tid: "t1", actor: "pool", since: 5 },
  );
  assert.deepEqual(parseTraceQuery(new URLSearchParams("")), {});
  assert.throws(() => parseTraceQuery(new URLSearchParams("since=x")), TypeError);
});

Deno.test("traceMatches() keeps events passing every given filter", () => {
  assert.equal(traceMatches(message(), {}), true);
  assert.equal(traceMatches(message(), { tid: "t1", actor: "b/c", type: "Run" }), true);
  assert.equal(traceMatches(message(), { tid: "t2" }), false);
  assert.equal(traceMatches(message(), { actor: "zzz" }), false);
  assert.equal(traceMatches(message(), { actor: "s://a" }), true, "the sender counts");
  assert.equal(traceMatches(message(), { type: "Stop" }), false);
  assert.equal(traceMatches(message(), { since: 10 }), false);
  assert.equal(traceMatches(message({ kind: "dead_letter" }), { type: "dead_letter" }), true);
  assert.equal(traceMatches(transition, { actor: "b/c" }), true);
  assert.equal(traceMatches(transition, { type: "transition" }), true);
  assert.equal(traceMatches(transition, { type: "Run" }), false);
  assert.equal(traceMatches(transition, { tid: "t1" }), false, "transitions carry no tid");
});

Deno.test("encodeSseEvent() writes one id line and one JSON data line", () => {
  assert.equal(encodeSseEvent(transition, 3), `id: 3\ndata: ${JSON.stringify(transition)}\n\n`);
});

Deno.test("traceStream() drops events a slow client cannot take and says how many", async () => {
  const tracer = createTracer();
  const clock = new ManualClock(0);
  const stream = traceStream(tracer, {}, { clock, maxQueued: 2 });
  for (let i = 1; i <= 6; i++) tracer.emit(message({ ts: i }));
  const sse = sseReader(stream);
  try {
    // Queued: the opening comment and events 1 and 2; 3 to 6 found the queue full.
    assert.equal(JSON.parse((await sse.next()).data).ts, 1);
    assert.equal(JSON.parse((await sse.next()).data).ts, 2);
    tracer.emit(message({ ts: 7 }));
    const dropped = await sse.next();
    assert.equal(dropped.event, "dropped");
    assert.deepEqual(JSON.parse(dropped.data), { count: 4 });
    const after = await sse.next();
    assert.equal(JSON.parse(after.data).ts, 7);
  } finally {
    await sse.cancel();
  }
  assert.equal(tracer.hasSubscribers, false);
  assert.equal(clock.pendingCount, 0);
});

Deno.test("traceStream() closes and unsubscribes when its signal aborts", async () => {
  const tracer = createTracer();
  const clock = new ManualClock(0);
  const abort = new AbortController();
  const sse = sseReader(traceStream(tracer, {}, { clock, signal: abort.signal }));
  await sse.waitForText(": connected");
  assert.equal(tracer.hasSubscribers, true);
  abort.abort();
  assert.equal(tracer.hasSubscribers, false);
  assert.equal(clock.pendingCount, 0);
  await assert.rejects(sse.next(), /ended/);
});

Deno.test("traceStream() replays buffered events before live ones, filtered", async () => {
  const tracer = createTracer();
  tracer.emit(message({ ts: 1 }));
  tracer.emit(message({ ts: 2, tid: "t2" }));
  const sse = sseReader(traceStream(tracer, { tid: "t1" }, { clock: new ManualClock(0) }));
  try {
    tracer.emit(message({ ts: 3 }));
    assert.deepEqual(
      [await sse.next(), await sse.next()].map((m) => [m.id, JSON.parse(m.data).ts]),
      [["1", 1], ["2", 3]],
    );
  } finally {
    await sse.cancel();
  }
});

Deno.test("parseTraceQuery() reads snapshot=1 or true and rejects other values", () => {
  assert.deepEqual(parseTraceQuery(new URLSearchParams("snapshot=1")), { snapshot: true });
  assert.deepEqual(parseTraceQuery(new URLSearchParams("snapshot=true&tid=t")), {
    tid: "t",
    snapshot: true,
  });
  assert.deepEqual(parseTraceQuery(new URLSearchParams("snapshot=0")), {});
  assert.throws(() => parseTraceQuery(new URLSearchParams("snapshot=yes")), TypeError);
});

Deno.test("traceStream() with snapshot sends the buffered events, then ends without live ones", async () => {
  const tracer = createTracer();
  tracer.emit(message({ ts: 1 }));
  tracer.emit(message({ ts: 2, tid: "t2" }));
  const body = traceStream(tracer, { tid: "t1", snapshot: true }, { clock: new ManualClock(0) });
  const text = await new Response(body).text();
  tracer.emit(message({ ts: 3 }));
  assert.equal(tracer.hasSubscribers, false);
  const data = text.split("\n").filter((l) => l.startsWith("data: "));
  assert.deepEqual(data.map((l) => JSON.parse(l.slice(6)).ts), [1]);
});
