import assert from "node:assert/strict";
import { spawnActor, stopActor, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";

type Msg = { readonly type: "Hello"; readonly tid?: string };

Deno.test("tell() delivers and traces the message with its type and tid", async () => {
  await using h = actorHarness();
  const probe = createProbe<Msg>(h.system);
  tell(h.system, probe.ref, { type: "Hello", tid: "tid-7" });

  await probe.expectMessage({ type: "Hello", tid: "tid-7" });
  assert.deepEqual(h.tracer.recent({ kind: "message" }), [
    {
      kind: "message",
      ts: 1_000,
      from: h.system.path,
      to: probe.ref.path,
      type: "Hello",
      tid: "tid-7",
    },
  ]);
});

Deno.test("tell() to a stopped actor counts, traces and logs a dead letter instead of dispatching", async () => {
  await using h = actorHarness();
  const probe = createProbe<Msg>(h.system);
  const sender = spawnActor(h.system, {
    name: "sender",
    initialState: null,
    handle: (s: null) => s,
    supervision: "stop",
  });
  stopActor(probe.ref);
  tell(sender, probe.ref, { type: "Hello", tid: "tid-9" });

  assert.equal(h.system.deadLetters, 1);
  assert.deepEqual(h.tracer.recent({ kind: "dead_letter" }), [
    {
      kind: "dead_letter",
      ts: 1_000,
      from: sender.path,
      to: probe.ref.path,
      type: "Hello",
      tid: "tid-9",
    },
  ]);
  assert.deepEqual(h.tracer.recent({ kind: "message" }), []);
  const [entry] = h.logs("dead letter");
  assert.equal(entry?.level, "warn");
  assert.equal(entry?.meta.target, probe.ref.path);
  assert.equal(entry?.meta.type, "Hello");
  assert.equal(entry?.meta.tid, "tid-9");
});

Deno.test("tell() skips building trace events when the tracer has no buffer and no subscriber", async () => {
  await using h = actorHarness({ tracer: { buffer: false } });
  const probe = createProbe<Msg>(h.system);
  const seen: string[] = [];
  tell(h.system, probe.ref, { type: "Hello" });
  const unsubscribe = h.tracer.subscribe((e) => seen.push(e.kind));
  tell(h.system, probe.ref, { type: "Hello" });
  unsubscribe();
  tell(h.system, probe.ref, { type: "Hello" });

  await probe.receiveMessages(3);
  assert.deepEqual(seen, ["message"]);
  assert.deepEqual(h.tracer.recent(), []);
});
