import assert from "node:assert/strict";
import { ask, AskTimeoutError, type Ref, spawnActor, tell } from "../../../runtime/actors/mod.ts";
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
