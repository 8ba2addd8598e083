/** Tests of actors/controller/rest_api/action_invoke.ts: parameters, throttling, the wait. */
import assert from "node:assert/strict";
import { mergeParameters } from "../../../../actors/controller/rest_api/action_invoke.ts";
import { ApiError, Messages } from "../../../../actors/controller/rest_api/errors.ts";
import type { InvokeOutcome } from "../../../../actors/controller/rest_api/mod.ts";
import type { WhiskAction } from "../../../../protocols/mod.ts";
import { activationOf, HELLO, restHarness } from "./_harness.ts";

const exec = { kind: "nodejs:default", code: HELLO };
const ACTION = "/api/v1/namespaces/_/actions/hello";
type Doc = Record<string, unknown>;

const action = (annotations: WhiskAction["annotations"]): WhiskAction => ({
  namespace: "guest",
  name: "a",
  exec: { kind: "nodejs:20", code: "x", binary: false },
  parameters: [{ key: "p", value: 1 }, { key: "empty", value: null }],
  limits: { timeout: 1, memory: 128, logs: 0, concurrency: 1 },
  version: "0.0.1",
  publish: false,
  annotations,
});

Deno.test("mergeParameters() layers package, action and payload; arrays pass through", () => {
  assert.deepEqual(
    mergeParameters(action([]), [{ key: "q", value: 0 }, { key: "p", value: 0 }], { p: 2 }),
    {
      q: 0,
      p: 2,
      empty: null,
    },
  );
  assert.deepEqual(mergeParameters(action([]), [], [1, 2]), [1, 2]);
});

Deno.test("mergeParameters() refuses to override a set parameter of a final action", () => {
  const final = action([{ key: "final", value: true }]);
  assert.throws(
    () => mergeParameters(final, [], { p: 2 }),
    (e: unknown) =>
      e instanceof ApiError && e.status === 400 && e.message === Messages.parametersNotAllowed,
  );
  assert.deepEqual(mergeParameters(final, [], { empty: 3 }), { p: 1, empty: 3 });
});

Deno.test("POST hands the balancer identity, merged params, id, revision and wait", async () => {
  await using h = await restHarness();
  await h.call("PUT", ACTION, { body: { exec, parameters: [{ key: "name", value: "x" }] } });
  const answer = await h.call("POST", `${ACTION}?`, { body: { extra: true } });
  assert.equal(answer.status, 202);
  const call = h.invocations[0]!;
  assert.deepEqual(call.params, { name: "x", extra: true });
  assert.equal(call.identity.namespace.name, "guest");
  assert.equal(call.options.blocking, false);
  assert.match(call.options.revision, /^1-/);
  assert.equal(call.options.waitMs, 60_000);
  assert.deepEqual(answer.body, { activationId: call.options.activationId });
  assert.equal(answer.headers.get("x-openwhisk-activation-id"), call.options.activationId);
});

Deno.test("POST blocking answers the completed activation with upstream's status", async () => {
  await using h = await restHarness({
    invoke: (c) =>
      Promise.resolve<InvokeOutcome>({
        type: "Completed",
        activation: activationOf(c.action, c.options.activationId, 1, { error: "boom" }),
      }),
  });
  await h.call("PUT", ACTION, { body: { exec } });
  const answer = await h.call("POST", `${ACTION}?blocking=true&timeout=500`);
  assert.equal(answer.status, 502);
  assert.equal(((answer.body as Doc).response as Doc).status, "application error");
  assert.equal(h.invocations[0]!.options.waitMs, 500);
});

Deno.test("POST blocking answers 202 when the balancer does not finish within the wait", async () => {
  await using h = await restHarness({ invoke: () => new Promise(() => {}) });
  await h.call("PUT", ACTION, { body: { exec } });
  let settled = false;
  const pending = h.call("POST", `${ACTION}?blocking=true&timeout=1000`).finally(() =>
    settled = true
  );
  // The wait timer starts in the same turn the balancer is called.
  while (h.invocations.length === 0) await new Promise((r) => setTimeout(r, 0));
  h.clock.advance(999);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(settled, false);
  h.clock.advance(1);
  const answer = await pending;
  assert.equal(answer.status, 202);
  assert.match((answer.body as { activationId: string }).activationId, /^[0-9a-f]{32}$/);
});

Deno.test("POST answers 429 when throttled, 503 when the balancer fails or rejects", async () => {
  let mode: "throttle" | "throw" | "reject" = "throttle";
  await using h = await restHarness({
    throttle: () =>
      mode === "throttle"
        ? { type: "Throttled", message: Messages.tooManyRequests(5, 4) }
        : { type: "Allowed" },
    invoke: () =>
      mode === "throw"
        ? Promise.reject(new Error("bus down"))
        : Promise.resolve({ type: "Rejected", status: 503, message: "no invokers" }),
  });
  await h.call("PUT", ACTION, { body: { exec } });
  const throttled = await h.call("POST", ACTION);
  assert.deepEqual([throttled.status, (throttled.body as Doc).error], [
    429,
    Messages.tooManyRequests(5, 4),
  ]);
  mode = "throw";
  assert.equal((await h.call("POST", ACTION)).status, 503);
  mode = "reject";
  const rejected = await h.call("POST", ACTION);
  assert.deepEqual([rejected.status, (rejected.body as Doc).error], [503, "no invokers"]);
});

Deno.test("POST answers 400 for a bad timeout or a scalar payload, 404 for a missing action", async () => {
  await using h = await restHarness();
  await h.call("PUT", ACTION, { body: { exec } });
  const timeout = await h.call("POST", `${ACTION}?blocking=true&timeout=60001`);
  assert.equal((timeout.body as Doc).error, Messages.invalidTimeout(60_000));
  assert.equal((await h.call("POST", ACTION, { raw: '"text"' })).status, 400);
  assert.equal((await h.call("POST", "/api/v1/namespaces/_/actions/none")).status, 404);
});

Deno.test("POST answers 413 past the payload limit", async () => {
  await using h = await restHarness({ options: { maxPayloadBytes: 50 } });
  await h.call("PUT", ACTION, { body: { exec } });
  assert.equal((await h.call("POST", ACTION, { body: { big: "x".repeat(100) } })).status, 413);
});
