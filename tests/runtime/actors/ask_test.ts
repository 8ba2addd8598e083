import assert from "node:assert/strict";
import { ask, AskTimeoutError, type Ref, spawnActor, tell } from "../../../runtime/actors/mod.ts";
import { AskAbortedError } from "../../../runtime/actors/ask.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { settle } from "../../_support/settle.ts";

type Query = { readonly type: "GetCount"; readonly replyTo: Ref<number> } | {
  readonly type: "Ignore";
  readonly replyTo: Ref<number>;
};

function spawnResponder(h: ReturnType<typeof actorHarness>) {
  return spawnActor(h.system, {
    name: "responder",
    initialState: 41,
    handle: (n: number, msg: Query, ctx) => {
      if (msg.type === "GetCount") ctx.tell(msg.replyTo, n + 1);
      return n;
    },
    supervision: "restart",
  });
}

const askActors = (h: ReturnType<typeof actorHarness>) =>
  h.system.actors().filter((a) => a.name.startsWith("ask-"));

Deno.test("ask() resolves with the reply and stops its temporary actor", async () => {
  await using h = actorHarness();
  const responder = spawnResponder(h);
  const answer = await ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "GetCount", replyTo }),
    500,
  );
  assert.equal(answer, 42);
  assert.deepEqual(askActors(h), []);
  assert.equal(h.clock.pendingCount, 0);
});

Deno.test("ask() rejects with AskTimeoutError naming target, type and timeout when no reply comes", async () => {
  await using h = actorHarness();
  const responder = spawnResponder(h);
  const pending = ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "Ignore", replyTo }),
    500,
  );
  await settle(h.system);
  h.clock.advance(499);
  await settle(h.system);
  let settledEarly = false;
  pending.then(() => (settledEarly = true), () => (settledEarly = true));
  await settle(h.system);
  assert.equal(settledEarly, false);

  h.clock.advance(1);
  const error = await pending.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AskTimeoutError);
  assert.equal(error.retryable, true);
  assert.equal(
    error.message,
    `Ask to "${responder.path}" with message "Ignore" got no reply within 500 ms`,
  );
  assert.deepEqual(askActors(h), []);
});

Deno.test("ask() counts a late reply to its stopped temporary actor as a dead letter", async () => {
  await using h = actorHarness();
  let captured: Ref<number> | undefined;
  const responder = spawnActor(h.system, {
    name: "slow",
    initialState: null,
    handle: (s: null, msg: Query) => ((captured = msg.replyTo), s),
    supervision: "restart",
  });
  const pending = ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "Ignore", replyTo }),
    10,
  );
  await settle(h.system);
  h.clock.advance(10);
  await assert.rejects(pending, AskTimeoutError);
  assert.ok(captured);
  tell(h.system, captured, 1);
  assert.equal(h.system.deadLetters, 1);
});

Deno.test("ask() hands the first reply after the timeout to onLateReply within the window, then dead-letters", async () => {
  await using h = actorHarness();
  let captured: Ref<number> | undefined;
  const responder = spawnActor(h.system, {
    name: "late",
    initialState: null,
    handle: (s: null, msg: Query) => ((captured = msg.replyTo), s),
    supervision: "restart",
  });
  const late: number[] = [];
  const pending = ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "Ignore", replyTo }),
    10,
    { onLateReply: (n) => late.push(n), lateReplyWindowMs: 100 },
  );
  await settle(h.system);
  h.clock.advance(10);
  await assert.rejects(pending, AskTimeoutError);
  assert.ok(captured);
  assert.equal(askActors(h).length, 1, "the reply ref stays open during the late window");
  tell(h.system, captured, 7);
  tell(h.system, captured, 8);
  assert.deepEqual(late, [7]);
  assert.equal(h.system.deadLetters, 1);
  assert.deepEqual(askActors(h), []);
  assert.equal(h.clock.pendingCount, 0);
});

Deno.test("ask() closes the late window after lateReplyWindowMs: a reply then is a dead letter", async () => {
  await using h = actorHarness();
  let captured: Ref<number> | undefined;
  const responder = spawnActor(h.system, {
    name: "later",
    initialState: null,
    handle: (s: null, msg: Query) => ((captured = msg.replyTo), s),
    supervision: "restart",
  });
  const late: number[] = [];
  const pending = ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "Ignore", replyTo }),
    10,
    { onLateReply: (n) => late.push(n), lateReplyWindowMs: 100 },
  );
  await settle(h.system);
  h.clock.advance(10);
  await assert.rejects(pending, AskTimeoutError);
  h.clock.advance(100);
  assert.ok(captured);
  tell(h.system, captured, 7);
  assert.deepEqual(late, []);
  assert.equal(h.system.deadLetters, 1);
  assert.deepEqual(askActors(h), []);
  assert.equal(h.clock.pendingCount, 0);
});

Deno.test("ask() rejects with AskAbortedError and clears its timer when the system stops", async () => {
  const h = actorHarness();
  const responder = spawnResponder(h);
  const pending = ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "Ignore", replyTo }),
    500,
  );
  await settle(h.system);
  const outcome = pending.then(() => undefined, (e: unknown) => e);
  await h[Symbol.asyncDispose]();
  assert.ok(await outcome instanceof AskAbortedError);
  assert.equal(h.clock.pendingCount, 0);
});

Deno.test("ask() rejects and leaves nothing behind when build throws", async () => {
  await using h = actorHarness();
  const responder = spawnResponder(h);
  await assert.rejects(
    ask<number, Query>(h.system, responder, () => {
      throw new RangeError("bad");
    }, 500),
    RangeError,
  );
  assert.deepEqual(askActors(h), []);
  assert.equal(h.clock.pendingCount, 0);
});

Deno.test("ask() traces the request and the reply, and the reply skips any mailbox", async () => {
  await using h = actorHarness();
  const responder = spawnResponder(h);
  const answer = await ask<number, Query>(
    h.system,
    responder,
    (replyTo) => ({ type: "GetCount", replyTo }),
    500,
  );
  assert.equal(answer, 42);
  const sent = h.tracer.recent({ kind: "message" });
  assert.equal(sent.length, 2);
  assert.equal(sent[0]?.kind === "message" && sent[0].to, responder.path);
  assert.match(String(sent[1]?.kind === "message" && sent[1].to), /:\/\/ask-\d+$/);
});

Deno.test("ask() serves many concurrent asks, each with its own reply", async () => {
  await using h = actorHarness();
  type Echo = { readonly type: "Echo"; readonly n: number; readonly replyTo: Ref<number> };
  const echo = spawnActor(h.system, {
    name: "echo",
    initialState: null,
    handle: (s: null, msg: Echo, ctx) => (ctx.tell(msg.replyTo, msg.n * 2), s),
    supervision: "restart",
  });
  const answers = await Promise.all(
    Array.from(
      { length: 50 },
      (_, n) => ask<number, Echo>(h.system, echo, (replyTo) => ({ type: "Echo", n, replyTo }), 500),
    ),
  );
  assert.deepEqual(answers, Array.from({ length: 50 }, (_, n) => n * 2));
  assert.deepEqual(askActors(h), []);
  assert.equal(h.clock.pendingCount, 0);
});
