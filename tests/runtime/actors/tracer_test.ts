import assert from "node:assert/strict";
import { createTracer, type TraceEvent } from "../../../runtime/actors/mod.ts";

const message = (to: string, tid?: string): TraceEvent => ({
  kind: "message",
  ts: 0,
  from: "sys://a",
  to,
  ...(tid === undefined ? {} : { tid }),
});

Deno.test("createTracer() keeps only the newest `capacity` events, oldest first", () => {
  const tracer = createTracer({ capacity: 3 });
  for (const to of ["1", "2", "3", "4", "5"]) tracer.emit(message(to));
  assert.deepEqual(tracer.recent().map((e) => e.kind === "message" && e.to), ["3", "4", "5"]);
});

Deno.test("createTracer() defaults to a 10,000 event buffer", () => {
  const tracer = createTracer();
  for (let i = 0; i < 10_005; i++) tracer.emit(message(String(i)));
  const events = tracer.recent();
  assert.equal(events.length, 10_000);
  assert.deepEqual(events[0], message("5"));
});

Deno.test("createTracer() filters recent events by kind, tid and path", () => {
  const tracer = createTracer();
  tracer.emit(message("sys://b", "t1"));
  tracer.emit({ kind: "transition", ts: 1, actor: "sys://b", from: "Idle", to: "Busy" });
  tracer.emit(message("sys://c", "t2"));
  assert.equal(tracer.recent({ kind: "transition" }).length, 1);
  assert.deepEqual(tracer.recent({ tid: "t2" }), [message("sys://c", "t2")]);
  assert.equal(tracer.recent({ path: "sys://b" }).length, 2);
  assert.equal(tracer.recent((e) => e.ts === 1).length, 1);
});

Deno.test("createTracer() streams to subscribers until they unsubscribe, isolating a throwing one", () => {
  const errors: unknown[] = [];
  const tracer = createTracer({ buffer: false, onSubscriberError: (e) => errors.push(e) });
  assert.equal(tracer.active, false);
  const seen: TraceEvent[] = [];
  tracer.subscribe(() => {
    throw new Error("bad subscriber");
  });
  const unsubscribe = tracer.subscribe((e) => seen.push(e));
  assert.equal(tracer.hasSubscribers, true);
  tracer.emit(message("x"));
  unsubscribe();
  tracer.emit(message("y"));
  assert.deepEqual(seen, [message("x")]);
  assert.equal(errors.length, 2);
  assert.deepEqual(tracer.recent(), []);
});

Deno.test("createTracer() rejects a capacity that is not a positive integer", () => {
  assert.throws(() => createTracer({ capacity: 0 }), RangeError);
});
