/** Tests of actors/controller/rest_api/server.ts: request ids, CORS, OPTIONS, 404/405/401/503. */
import assert from "node:assert/strict";
import { Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { requestTransaction } from "../../../../actors/controller/rest_api/server.ts";
import { restHarness } from "./_harness.ts";

Deno.test("createRestApi() echoes X-Request-ID and uses it as the error code", async () => {
  await using h = await restHarness();
  const answer = await h.call("GET", "/api/v1/nothing", { headers: { "x-request-id": "abc123" } });
  assert.equal(answer.status, 404);
  assert.equal(answer.headers.get("x-request-id"), "abc123");
  assert.deepEqual(answer.body, { error: Messages.resourceDoesNotExist, code: "abc123" });
});

Deno.test("createRestApi() generates a 32-character X-Request-ID when none is sent", async () => {
  await using h = await restHarness();
  const answer = await h.call("GET", "/api/v1/namespaces");
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get("x-request-id") ?? "", /^[A-Za-z0-9]{32}$/);
});

Deno.test("createRestApi() adds CORS headers and answers OPTIONS 200 on any path", async () => {
  await using h = await restHarness();
  const answer = await h.call("OPTIONS", "/api/v1/namespaces/_/actions/x", { auth: null });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get("access-control-allow-origin"), "*");
  assert.match(answer.headers.get("access-control-allow-headers") ?? "", /Authorization/);
});

Deno.test("createRestApi() answers 405 naming the allowed methods", async () => {
  await using h = await restHarness();
  const answer = await h.call("PATCH", "/api/v1/namespaces/_/actions/x");
  assert.equal(answer.status, 405);
  assert.equal(answer.headers.get("allow"), "GET, PUT, DELETE, POST");
  assert.equal((answer.body as { code: string }).code, answer.headers.get("x-request-id"));
});

Deno.test("createRestApi() answers 401 missing, 401 invalid, with WWW-Authenticate", async () => {
  await using h = await restHarness();
  const missing = await h.call("GET", "/api/v1/namespaces", { auth: null });
  assert.equal(missing.status, 401);
  assert.equal((missing.body as { error: string }).error, Messages.authenticationMissing);
  assert.equal(missing.headers.get("www-authenticate"), 'Basic realm="OpenWhisk secure realm"');
  const wrong = await h.call("GET", "/api/v1/namespaces", {
    auth: "Basic " + btoa(`nobody:${"k".repeat(64)}`),
  });
  assert.equal(wrong.status, 401);
  assert.equal((wrong.body as { error: string }).error, Messages.authenticationInvalid);
});

Deno.test("createRestApi() answers 503 {error, code} when the store is down", async () => {
  await using h = await restHarness();
  await h.store.close();
  const answer = await h.call("GET", "/api/v1/namespaces/_/actions");
  assert.equal(answer.status, 503);
  assert.deepEqual(Object.keys(answer.body as object), ["error", "code"]);
  assert.equal((answer.body as { error: string }).error, Messages.serviceUnavailable);
});

Deno.test("createRestApi() counts requests by method and status", async () => {
  await using h = await restHarness();
  await h.call("GET", "/ping");
  assert.match(h.metrics.render(), /whisk_rest_requests_total\{method="GET",status="200"\} 1/);
});

Deno.test("requestTransaction() ignores an unusable X-Request-ID", () => {
  const request = new Request("http://x/", { headers: { "x-request-id": "a b" } });
  const tid = requestTransaction(request, 5);
  assert.notEqual(tid.id, "a b");
  assert.equal(tid.start, 5);
});
