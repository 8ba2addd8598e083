/** Tests of actors/controller/rest_api/actions_routes.ts: CRUD, lists, cache invalidation. */
import assert from "node:assert/strict";
import { Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { GUEST_AUTH, HELLO, restHarness } from "./_harness.ts";

const exec = { kind: "nodejs:default", code: HELLO };
type Doc = Record<string, unknown>;

Deno.test("PUT creates, 409s without overwrite, updates with overwrite and announces each write", async () => {
  await using h = await restHarness();
  const created = await h.call("PUT", "/api/v1/namespaces/_/actions/hello?", { body: { exec } });
  assert.equal(created.status, 200);
  assert.equal((created.body as Doc).version, "0.0.1");
  const again = await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec } });
  assert.equal(again.status, 409);
  assert.equal((again.body as Doc).error, Messages.conflict);
  const updated = await h.call("PUT", "/api/v1/namespaces/guest/actions/hello?overwrite=true", {
    body: { parameters: [{ key: "a", value: 1 }] },
    headers: { "content-type": "application/json; charset=utf-8" },
  });
  assert.equal((updated.body as Doc).version, "0.0.2");
  assert.deepEqual(h.announced.map((c) => c.mainId), ["guest/hello", "guest/hello"]);
  assert.ok(h.announced.every((c) => c.entityType === "action" && /^\d+-/.test(c.secondaryId!)));
});

Deno.test("GET answers the document with code, without code on code=false, 404 when absent", async () => {
  await using h = await restHarness();
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec } });
  const full = await h.call("GET", "/api/v1/namespaces/_/actions/hello?");
  assert.equal(((full.body as Doc).exec as Doc).code, HELLO);
  const bare = await h.call("GET", "/api/v1/namespaces/_/actions/hello?code=false");
  assert.deepEqual((bare.body as Doc).exec, { kind: "nodejs:20", binary: false });
  const missing = await h.call("GET", "/api/v1/namespaces/_/actions/nope");
  assert.equal(missing.status, 404);
});

Deno.test("a write drops the cached action so the next GET sees it", async () => {
  await using h = await restHarness();
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec } });
  await h.call("GET", "/api/v1/namespaces/_/actions/hello");
  assert.equal(h.actionCache.size, 1);
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello?overwrite=true", {
    body: { version: "2.0.0" },
  });
  assert.equal(h.actionCache.size, 0);
  const fresh = await h.call("GET", "/api/v1/namespaces/_/actions/hello");
  assert.equal((fresh.body as Doc).version, "2.0.0");
});

Deno.test("DELETE answers the deleted document, announces it, then 404", async () => {
  await using h = await restHarness();
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec } });
  const deleted = await h.call("DELETE", "/api/v1/namespaces/_/actions/hello");
  assert.equal(deleted.status, 200);
  assert.equal((deleted.body as Doc).name, "hello");
  assert.deepEqual(h.announced.at(-1), { entityType: "action", mainId: "guest/hello" });
  assert.equal((await h.call("DELETE", "/api/v1/namespaces/_/actions/hello")).status, 404);
});

Deno.test("list answers summaries newest first, count, paging errors and a package's list", async () => {
  await using h = await restHarness();
  await h.store.putEntity("packages", "guest", "pkg", { name: "pkg", parameters: [] });
  for (const name of ["a", "b", "pkg/c"]) {
    await h.call("PUT", `/api/v1/namespaces/_/actions/${name}`, { body: { exec } });
    h.clock.advance(10);
  }
  const list = await h.call("GET", "/api/v1/namespaces/_/actions?limit=2");
  assert.deepEqual((list.body as Doc[]).map((a) => a.name), ["c", "b"]);
  assert.deepEqual(Object.keys((list.body as Doc[])[0]!), [
    "namespace",
    "name",
    "version",
    "publish",
    "annotations",
    "limits",
    "exec",
    "updated",
  ]);
  assert.deepEqual((list.body as Doc[])[0]!.exec, { binary: false });
  assert.deepEqual((await h.call("GET", "/api/v1/namespaces/_/actions?count=true")).body, {
    actions: 3,
  });
  const pkg = await h.call("GET", "/api/v1/namespaces/_/actions/pkg/");
  assert.deepEqual((pkg.body as Doc[]).map((a) => a.namespace), ["guest/pkg"]);
  const bad = await h.call("GET", "/api/v1/namespaces/_/actions?limit=500");
  assert.equal(
    (bad.body as Doc).error,
    "The value '500' is not in the range of 0 to 200 for actions.",
  );
});

Deno.test("PUT into a missing package is 404, into a binding 400; bad names 400; other namespaces 403", async () => {
  await using h = await restHarness();
  assert.equal(
    (await h.call("PUT", "/api/v1/namespaces/_/actions/no/a", { body: { exec } })).status,
    404,
  );
  await h.store.putEntity("packages", "guest", "bound", { binding: { namespace: "x", name: "y" } });
  const bound = await h.call("PUT", "/api/v1/namespaces/_/actions/bound/a", { body: { exec } });
  assert.equal((bound.body as Doc).error, Messages.notAllowedOnBinding);
  const badName = await h.call("PUT", "/api/v1/namespaces/_/actions/%24bad", { body: { exec } });
  assert.equal((badName.body as Doc).error, Messages.entityNameIllegal);
  const other = await h.call("GET", "/api/v1/namespaces/whisk.system/actions");
  assert.equal(other.status, 403);
  assert.equal((other.body as Doc).error, Messages.notAuthorized);
});

Deno.test("PUT answers 400 on a body that is not a JSON object", async () => {
  await using h = await restHarness();
  const answer = await h.call("PUT", "/api/v1/namespaces/_/actions/a", { raw: "[1,2]" });
  assert.equal(answer.status, 400);
  const broken = await h.call("PUT", "/api/v1/namespaces/_/actions/a", { raw: "{nope" });
  assert.equal(broken.status, 400);
});

Deno.test("PUT answers 413 past the request size limit", async () => {
  await using h = await restHarness({ options: { maxRequestBytes: 100 } });
  const answer = await h.call("PUT", "/api/v1/namespaces/_/actions/a", {
    body: { exec: { kind: "nodejs:20", code: "x".repeat(200) } },
  });
  assert.equal(answer.status, 413);
});

Deno.test("a write succeeds even when announcing the change fails", async () => {
  await using h = await restHarness();
  const server = await import("../../../../actors/controller/rest_api/server.ts");
  const handler = server.createRestApi({
    store: h.store,
    clock: h.clock,
    logger: h.logs,
    metrics: h.metrics,
    announceChange: () => Promise.reject(new Error("bus down")),
    checkThrottle: () => ({ type: "Allowed" }),
    invoke: () => new Promise(() => {}),
  });
  const response = await handler(
    new Request("http://localhost/api/v1/namespaces/_/actions/a", {
      method: "PUT",
      headers: { authorization: GUEST_AUTH },
      body: JSON.stringify({ exec }),
    }),
  );
  assert.equal(response.status, 200);
  await response.body?.cancel();
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(h.logs.entries.some((e) => e.msg === "cache invalidation not announced"));
});
