import assert from "node:assert/strict";
import {
  type ActorContext,
  type Ref,
  spawnActor,
  stopActor,
  tell,
} from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";

type CounterMsg =
  | { readonly type: "Inc" }
  | { readonly type: "Crash"; readonly tid?: string }
  | { readonly type: "Get"; readonly replyTo: Ref<number> };

function counter(n: number, msg: CounterMsg, ctx: ActorContext<CounterMsg>): number {
  switch (msg.type) {
    case "Inc":
      return n + 1;
    case "Crash":
      throw new Error("boom");
    case "Get":
      ctx.tell(msg.replyTo, n);
      return n;
  }
}

Deno.test("spawnActor() restarts a crashing child with fresh state while its siblings keep running", async () => {
  await using h = actorHarness();
  const probe = createProbe<number>(h.system);
  const parent = spawnActor(h.system, {
    name: "parent",
    initialState: null,
    handle: (s: null) => s,
    supervision: "restart",
  });
  const spawnCounter = (name: string) =>
    spawnActor(parent, { name, initialState: 0, handle: counter, supervision: "restart" });
  const a = spawnCounter("a");
  const b = spawnCounter("b");

  tell(h.system, a, { type: "Inc" });
  tell(h.system, b, { type: "Inc" });
  tell(h.system, b, { type: "Inc" });
  tell(h.system, a, { type: "Crash", tid: "tid-1" });
  tell(h.system, a, { type: "Get", replyTo: probe.ref });
  tell(h.system, b, { type: "Get", replyTo: probe.ref });

  assert.deepEqual(await probe.receiveMessages(2), [0, 2]);
  const [crash, ...more] = h.logs("actor crashed");
  assert.equal(more.length, 0);
  assert.equal(crash?.level, "error");
  assert.equal(crash?.meta.actor, a.path);
  assert.equal(crash?.meta.type, "Crash");
  assert.equal(crash?.meta.tid, "tid-1");
  assert.equal(crash?.meta.decision, "restart");
  assert.equal((crash?.meta.error as Error).message, "boom");
  assert.deepEqual(h.system.actors().map((x) => x.path), [
    probe.ref.path,
    parent.path,
    a.path,
    b.path,
  ]);
});

Deno.test("spawnActor() with a stop policy stops the actor and a later tell is a dead letter", async () => {
  await using h = actorHarness();
  const actor = spawnActor(h.system, {
    name: "fragile",
    initialState: 0,
    handle: counter,
    supervision: "stop",
  });
  tell(h.system, actor, { type: "Crash" });
  await settle(h.system);

  assert.equal(h.system.actors().some((x) => x.path === actor.path), false);
  assert.equal(h.system.deadLetters, 0);
  tell(h.system, actor, { type: "Inc" });
  assert.equal(h.system.deadLetters, 1);
  assert.equal(h.logs("actor crashed")[0]?.meta.decision, "stop");
});

Deno.test("spawnActor() with a stop policy turns messages queued behind the crash into dead letters", async () => {
  await using h = actorHarness();
  const actor = spawnActor(h.system, {
    name: "fragile",
    initialState: 0,
    handle: counter,
    supervision: "stop",
  });
  tell(h.system, actor, { type: "Crash" });
  tell(h.system, actor, { type: "Inc" });
  await settle(h.system);

  assert.equal(h.system.deadLetters, 1);
  assert.equal(h.logs("dead letter")[0]?.meta.type, "Inc");
});

Deno.test("spawnActor() with resume keeps the state and skips the failed message", async () => {
  await using h = actorHarness();
  const probe = createProbe<number>(h.system);
  const actor = spawnActor(h.system, {
    name: "steady",
    initialState: 0,
    handle: counter,
    supervision: "resume",
  });
  tell(h.system, actor, { type: "Inc" });
  tell(h.system, actor, { type: "Crash" });
  tell(h.system, actor, { type: "Inc" });
  tell(h.system, actor, { type: "Get", replyTo: probe.ref });
  await probe.expectMessage(2);
});

Deno.test("spawnActor() escalation applies the parent's policy: the parent restarts and its children stop", async () => {
  await using h = actorHarness();
  const probe = createProbe<number>(h.system);
  const parent = spawnActor(h.system, {
    name: "parent",
    initialState: 0,
    handle: counter,
    supervision: (crash) => (crash.escalatedFrom ? "restart" : "stop"),
  });
  const child = spawnActor(parent, {
    name: "child",
    initialState: 0,
    handle: counter,
    supervision: "escalate",
  });
  tell(h.system, parent, { type: "Inc" });
  tell(h.system, child, { type: "Crash" });
  await settle(h.system);
  tell(h.system, parent, { type: "Get", replyTo: probe.ref });

  await probe.expectMessage(0);
  assert.equal(h.system.actors().some((x) => x.path === child.path), false);
  assert.equal(h.logs("child failure escalated")[0]?.meta.escalatedFrom, child.path);
});

Deno.test("spawnActor() stops a top-level actor that escalates, logging through our logger", async () => {
  await using h = actorHarness();
  const actor = spawnActor(h.system, {
    name: "top",
    initialState: 0,
    handle: counter,
    supervision: "escalate",
  });
  tell(h.system, actor, { type: "Crash" });
  await settle(h.system);
  assert.equal(h.system.actors().length, 0);
  assert.equal(h.logs("actor crashed")[0]?.meta.decision, "stop");
});

Deno.test("stopActor() deregisters the actor and its children at once", async () => {
  await using h = actorHarness();
  const parent = spawnActor(h.system, {
    name: "p",
    initialState: 0,
    handle: counter,
    supervision: "stop",
  });
  spawnActor(parent, { name: "c", initialState: 0, handle: counter, supervision: "stop" });
  assert.equal(h.system.actors().length, 2);
  stopActor(parent);
  assert.deepEqual(h.system.actors(), []);
  await settle(h.system);
  assert.deepEqual(h.system.actors(), []);
});
