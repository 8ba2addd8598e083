/** Tests of actors/controller/rest_api/triggers_routes.ts: trigger CRUD and fire. */
import assert from "node:assert/strict";
import { Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { restHarness } from "./_harness.ts";
import { computedInvoke, eventually, JS } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const TRIGGERS = "/api/v1/namespaces/_/triggers";

Deno.test("trigger CRUD answers upstream's document and keeps its rules on update", async () => {
  await using h = await restHarness();
  const created = await h.call("PUT", `${TRIGGERS}/t1`, {
    body: { parameters: [{ key: "a", value: 1 }] },
  });
  assert.equal(created.status, 200);
  assert.deepEqual((created.body as Doc).limits, {});
  assert.equal((created.body as Doc).rules, undefined);
  assert.equal((await h.call("PUT", `${TRIGGERS}/t1`, { body: {} })).status, 409);
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec: JS } });
  await h.call("PUT", "/api/v1/namespaces/_/rules/r1", {
    body: { trigger: "/_/t1", action: "/_/hello" },
  });
  const updated = await h.call("PUT", `${TRIGGERS}/t1?overwrite=true`, { body: { publish: true } });
  assert.deepEqual((updated.body as Doc).rules, {
    "guest/r1": { action: { path: "guest", name: "hello" }, status: "active" },
  });
  assert.equal((updated.body as Doc).version, "0.0.2");
  const list = (await h.call("GET", TRIGGERS)).body as Doc[];
  assert.deepEqual(list.map((t) => t.name), ["t1"]);
  assert.equal((await h.call("DELETE", `${TRIGGERS}/t1`)).status, 200);
  assert.equal((await h.call("GET", `${TRIGGERS}/t1`)).status, 404);
  assert.equal(
    (await h.call("PUT", `${TRIGGERS}/t2`, {
      body: { annotations: [{ key: "feed", value: 3 }] },
    })).status,
    400,
  );
});

Deno.test("fire answers 204 with no active rule and 202 with a record of one log per rule", async () => {
  await using h = await restHarness({ invoke: computedInvoke() });
  await h.call("PUT", `${TRIGGERS}/t1`, { body: { parameters: [{ key: "from", value: "t" }] } });
  const idle = await h.call("POST", `${TRIGGERS}/t1`, { body: { x: 1 } });
  assert.deepEqual([idle.status, idle.body], [204, undefined]);
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", {
    body: { exec: JS, parameters: [{ key: "own", value: true }] },
  });
  await h.call("PUT", "/api/v1/namespaces/_/rules/r1", {
    body: { trigger: "/_/t1", action: "/_/hello" },
  });
  await h.call("PUT", "/api/v1/namespaces/_/rules/r2", {
    body: { trigger: "/_/t1", action: "/_/hello" },
  });
  await h.call("POST", "/api/v1/namespaces/_/rules/r2", { body: { status: "inactive" } });
  const fired = await h.call("POST", `${TRIGGERS}/t1`, { body: { x: 1 } });
  assert.equal(fired.status, 202);
  const id = (fired.body as Doc).activationId as string;
  assert.equal(fired.headers.get("x-openwhisk-activation-id"), id);
  const record = await eventually(() => h.store.getActivation<Doc>("guest", id));
  assert.equal(record.name, "t1");
  assert.equal(record.end, undefined);
  assert.deepEqual((record.response as Doc).result, { x: 1 });
  const logs = (record.logs as string[]).map((line) => JSON.parse(line));
  const call = h.invocations[0]!;
  assert.equal(h.invocations.length, 1);
  assert.equal(call.options.blocking, false);
  assert.deepEqual(call.params, { own: true, from: "t", x: 1 });
  assert.deepEqual(logs, [
    {
      rule: "guest/r1",
      action: "guest/hello",
      statusCode: 0,
      success: true,
      activationId: call.options.activationId,
    },
    {
      rule: "guest/r2",
      action: "guest/hello",
      statusCode: 1,
      success: false,
      error: "Rule 'guest/r2' is inactive, action 'guest/hello' was not activated.",
    },
  ]);
});

Deno.test("fire logs a rule whose action is gone and answers 404 for a missing trigger", async () => {
  await using h = await restHarness({ invoke: computedInvoke() });
  await h.call("PUT", `${TRIGGERS}/t1`, { body: {} });
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec: JS } });
  await h.call("PUT", "/api/v1/namespaces/_/rules/r1", {
    body: { trigger: "t1", action: "hello" },
  });
  await h.call("DELETE", "/api/v1/namespaces/_/actions/hello");
  const fired = await h.call("POST", `${TRIGGERS}/t1`);
  const record = await eventually(() =>
    h.store.getActivation<Doc>("guest", (fired.body as Doc).activationId as string)
  );
  const [log] = (record.logs as string[]).map((line) => JSON.parse(line));
  assert.deepEqual([log.statusCode, log.error], [1, Messages.resourceDoesNotExist]);
  assert.equal((await h.call("POST", `${TRIGGERS}/none`)).status, 404);
});

Deno.test("fire answers 429 with upstream's message past firesPerMinute", async () => {
  await using h = await restHarness({ options: { firesPerMinute: 2 } });
  await h.call("PUT", `${TRIGGERS}/t1`, { body: {} });
  assert.equal((await h.call("POST", `${TRIGGERS}/t1`)).status, 204);
  assert.equal((await h.call("POST", `${TRIGGERS}/t1`)).status, 204);
  const throttled = await h.call("POST", `${TRIGGERS}/t1`);
  assert.deepEqual([throttled.status, (throttled.body as Doc).error], [
    429,
    Messages.tooManyRequests(3, 2),
  ]);
  h.clock.advance(60_000);
  assert.equal((await h.call("POST", `${TRIGGERS}/t1`)).status, 204);
});
