/** Tests of actors/controller/rest_api/action_loading.ts: through the HTTP routes' harness. */
import assert from "node:assert/strict";
import { HELLO, restHarness } from "./_harness.ts";

Deno.test("loadAction() caches a read action until a cacheInvalidation message drops it", async () => {
  await using h = await restHarness();
  await h.call("PUT", "/api/v1/namespaces/_/actions/a", {
    body: { exec: { kind: "nodejs:20", code: HELLO } },
  });
  await h.call("GET", "/api/v1/namespaces/_/actions/a");
  // Another controller updates the store directly; this one still serves its cache.
  const stored = await h.store.getEntity("actions", "guest", "a");
  await h.store.putEntity(
    "actions",
    "guest",
    "a",
    { ...(stored!.doc as object), version: "9.9.9" },
    {
      expectRevision: stored!.revision,
    },
  );
  assert.equal(
    ((await h.call("GET", "/api/v1/namespaces/_/actions/a")).body as { version: string }).version,
    "0.0.1",
  );
  h.actionCache.applyInvalidation({
    type: "CacheInvalidationMessage",
    mainId: "guest/a",
    instanceId: "controller1",
  });
  assert.equal(
    ((await h.call("GET", "/api/v1/namespaces/_/actions/a")).body as { version: string }).version,
    "9.9.9",
  );
});

Deno.test("loadPackageParameters() feeds the package's parameters under the action's", async () => {
  await using h = await restHarness();
  await h.store.putEntity("packages", "guest", "pkg", {
    parameters: [{ key: "p", value: "pkg" }, { key: "q", value: 1 }],
  });
  await h.call("PUT", "/api/v1/namespaces/_/actions/pkg/a", {
    body: { exec: { kind: "nodejs:20", code: HELLO }, parameters: [{ key: "p", value: "action" }] },
  });
  await h.call("POST", "/api/v1/namespaces/_/actions/pkg/a");
  assert.deepEqual(h.invocations[0]?.params, { p: "action", q: 1 });
  assert.equal(h.invocations[0]?.action.namespace, "guest/pkg");
});
