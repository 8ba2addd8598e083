/** Tests of actors/controller/rest_api/action_resolution.ts: packages, bindings, sharing. */
import assert from "node:assert/strict";
import { refOfFqn } from "../../../../actors/controller/rest_api/action_resolution.ts";
import { restHarness } from "./_harness.ts";
import { computedInvoke, JS, OTHER_AUTH, OTHER_SUBJECT } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;

Deno.test("refOfFqn() reads /ns/name and /ns/pkg/name, _ being the caller's namespace", () => {
  assert.equal(refOfFqn("/_/a", "guest")?.docId, "guest/a");
  assert.equal(refOfFqn("/other/pkg/a", "guest")?.storeName, "pkg/a");
  assert.equal(refOfFqn("nope", "guest"), undefined);
});

Deno.test("a packaged action is invoked by short and fully qualified name with package params", async () => {
  await using h = await restHarness({ invoke: computedInvoke() });
  await h.call("PUT", "/api/v1/namespaces/_/packages/pkg", {
    body: { parameters: [{ key: "p", value: "pkg" }, { key: "q", value: "pkg" }] },
  });
  await h.call("PUT", "/api/v1/namespaces/_/actions/pkg/act", {
    body: { exec: JS, parameters: [{ key: "q", value: "act" }] },
  });
  for (
    const path of [
      "/api/v1/namespaces/_/actions/pkg/act",
      "/api/v1/namespaces/guest/actions/pkg/act",
    ]
  ) {
    const answer = await h.call("POST", `${path}?blocking=true`, { body: { r: 1 } });
    assert.equal(answer.status, 200);
  }
  assert.deepEqual(h.invocations[0]!.params, { p: "pkg", q: "act", r: 1 });
  assert.equal(h.invocations[1]!.options.binding, undefined);
});

Deno.test("an action reached through a binding carries the binding and its parameters", async () => {
  await using h = await restHarness({ invoke: computedInvoke() });
  await h.store.putSubject(OTHER_SUBJECT);
  await h.call("PUT", "/api/v1/namespaces/_/packages/lib", {
    auth: OTHER_AUTH,
    body: { publish: true, parameters: [{ key: "who", value: "lib" }] },
  });
  await h.call("PUT", "/api/v1/namespaces/_/actions/lib/echo", {
    auth: OTHER_AUTH,
    body: { exec: JS },
  });
  await h.call("PUT", "/api/v1/namespaces/_/packages/mine", {
    body: {
      binding: { namespace: "other.ns", name: "lib" },
      parameters: [{ key: "who", value: "me" }],
    },
  });
  const answer = await h.call("POST", "/api/v1/namespaces/_/actions/mine/echo?blocking=true");
  assert.equal(answer.status, 200);
  const call = h.invocations[0]!;
  assert.equal(call.action.namespace, "other.ns/lib");
  assert.equal(call.options.binding, "guest/mine");
  assert.deepEqual(call.params, { who: "me" });
  const annotations = (answer.body as Doc).annotations as Doc[];
  assert.deepEqual(annotations.find((a) => a.key === "binding")?.value, "guest/mine");
  // A shared package's action is also reachable directly, but not a private one.
  assert.equal((await h.call("POST", "/api/v1/namespaces/other.ns/actions/lib/echo")).status, 202);
  await h.call("PUT", "/api/v1/namespaces/_/actions/solo", {
    auth: OTHER_AUTH,
    body: { exec: JS },
  });
  assert.equal((await h.call("POST", "/api/v1/namespaces/other.ns/actions/solo")).status, 403);
});
