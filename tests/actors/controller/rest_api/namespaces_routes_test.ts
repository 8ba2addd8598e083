/** Tests of actors/controller/rest_api/namespaces_routes.ts: namespaces and limits. */
import assert from "node:assert/strict";
import { restHarness } from "./_harness.ts";

type Doc = Record<string, unknown>;

Deno.test("GET /api/v1/namespaces answers the caller's namespace", async () => {
  await using h = await restHarness();
  assert.deepEqual((await h.call("GET", "/api/v1/namespaces")).body, ["guest"]);
});

Deno.test("GET limits answers system defaults, overridden by the namespace's own", async () => {
  await using h = await restHarness();
  const defaults = (await h.call("GET", "/api/v1/namespaces/_/limits")).body as Doc;
  assert.equal(defaults.concurrentInvocations, 30);
  assert.equal(defaults.invocationsPerMinute, 120);
  assert.equal(defaults.maxActionMemory, 512);
  assert.equal(defaults.maxActionTimeout, 300_000);
  assert.equal(defaults.maxParameterSize, "1 MB");
  await h.store.putNamespaceLimits("guest", { invocationsPerMinute: 7, concurrentInvocations: 3 });
  const own = (await h.call("GET", "/api/v1/namespaces/guest/limits")).body as Doc;
  assert.equal(own.invocationsPerMinute, 7);
  assert.equal(own.maxActionInstances, 3);
  assert.equal((await h.call("GET", "/api/v1/namespaces/other/limits")).status, 403);
});
