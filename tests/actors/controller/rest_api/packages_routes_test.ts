/** Tests of actors/controller/rest_api/packages_routes.ts: CRUD, contents, bindings, sharing. */
import assert from "node:assert/strict";
import { Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { PackageMessages } from "../../../../actors/controller/rest_api/package_document.ts";
import { restHarness } from "./_harness.ts";
import { JS, OTHER_AUTH, OTHER_SUBJECT } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const PKG = "/api/v1/namespaces/_/packages";

async function withOther() {
  const h = await restHarness();
  await h.store.putSubject(OTHER_SUBJECT);
  return h;
}

Deno.test("PUT/GET/DELETE a package answers its document with actions and feeds", async () => {
  await using h = await restHarness();
  const put = await h.call("PUT", `${PKG}/utils`, {
    body: { parameters: [{ key: "p", value: 1 }], publish: true },
  });
  assert.equal(put.status, 200);
  assert.deepEqual((put.body as Doc).binding, {});
  assert.equal((put.body as Doc).version, "0.0.1");
  await h.call("PUT", "/api/v1/namespaces/_/actions/utils/echo", { body: { exec: JS } });
  await h.call("PUT", "/api/v1/namespaces/_/actions/utils/feed", {
    body: { exec: JS, annotations: [{ key: "feed", value: true }] },
  });
  const got = (await h.call("GET", `${PKG}/utils`)).body as Doc;
  assert.deepEqual((got.actions as Doc[]).map((a) => a.name), ["echo"]);
  assert.deepEqual((got.feeds as Doc[]).map((a) => a.name), ["feed"]);
  assert.equal((await h.call("PUT", `${PKG}/utils`, { body: {} })).status, 409);
  const updated = await h.call("PUT", `${PKG}/utils?overwrite=true`, { body: {} });
  assert.equal((updated.body as Doc).version, "0.0.2");
  assert.deepEqual((updated.body as Doc).parameters, [{ key: "p", value: 1 }]);
  assert.deepEqual(h.announced.at(-1)?.entityType, "package");
});

Deno.test("DELETE of a package holding actions answers 409 unless force=true", async () => {
  await using h = await restHarness();
  await h.call("PUT", `${PKG}/utils`, { body: {} });
  await h.call("PUT", "/api/v1/namespaces/_/actions/utils/echo", { body: { exec: JS } });
  const refused = await h.call("DELETE", `${PKG}/utils`);
  assert.deepEqual([refused.status, (refused.body as Doc).error], [
    409,
    PackageMessages.notEmpty(1),
  ]);
  assert.equal((await h.call("DELETE", `${PKG}/utils?force=true`)).status, 200);
  assert.equal((await h.call("GET", "/api/v1/namespaces/_/actions/utils/echo")).status, 404);
  assert.equal((await h.call("DELETE", `${PKG}/utils`)).status, 404);
});

Deno.test("PUT refuses the reserved name, a package becoming a binding, a missing target", async () => {
  await using h = await restHarness();
  assert.equal((await h.call("PUT", `${PKG}/default`, { body: {} })).status, 400);
  await h.call("PUT", `${PKG}/plain`, { body: {} });
  const become = await h.call("PUT", `${PKG}/plain?overwrite=true`, {
    body: { binding: { namespace: "guest", name: "x" } },
  });
  assert.deepEqual([become.status, (become.body as Doc).error], [
    409,
    PackageMessages.packageCannotBecomeBinding,
  ]);
  const missing = await h.call("PUT", `${PKG}/b`, {
    body: { binding: { namespace: "_", name: "nope" } },
  });
  assert.deepEqual([missing.status, (missing.body as Doc).error], [
    400,
    PackageMessages.bindingDoesNotExist,
  ]);
});

Deno.test("a binding to a shared package of another namespace shows merged parameters", async () => {
  await using h = await withOther();
  const other = { auth: OTHER_AUTH };
  await h.call("PUT", "/api/v1/namespaces/_/packages/lib", {
    ...other,
    body: { publish: true, parameters: [{ key: "a", value: 1 }, { key: "b", value: 1 }] },
  });
  await h.call("PUT", "/api/v1/namespaces/_/actions/lib/echo", { ...other, body: { exec: JS } });
  const bound = await h.call("PUT", `${PKG}/mylib`, {
    body: { binding: { namespace: "other.ns", name: "lib" }, parameters: [{ key: "b", value: 2 }] },
  });
  assert.equal(bound.status, 200);
  assert.deepEqual((bound.body as Doc).annotations, [
    { key: "binding", value: { namespace: "other.ns", name: "lib" } },
  ]);
  const got = (await h.call("GET", `${PKG}/mylib`)).body as Doc;
  assert.deepEqual(got.parameters, [{ key: "a", value: 1 }, { key: "b", value: 2 }]);
  assert.deepEqual((got.actions as Doc[]).map((a) => a.name), ["echo"]);
  const list = (await h.call("GET", PKG)).body as Doc[];
  assert.deepEqual(list.map((p) => [p.name, p.binding]), [["mylib", {
    namespace: "other.ns",
    name: "lib",
  }]]);
  const withShared = (await h.call("GET", `${PKG}?public=true`)).body as Doc[];
  assert.deepEqual(withShared.map((p) => p.name).sort(), ["lib", "mylib"]);
});

Deno.test("another namespace's private package answers 403 to get, bind, put and delete", async () => {
  await using h = await withOther();
  await h.call("PUT", "/api/v1/namespaces/_/packages/secret", { auth: OTHER_AUTH, body: {} });
  const forbidden = [
    await h.call("GET", "/api/v1/namespaces/other.ns/packages/secret"),
    await h.call("GET", "/api/v1/namespaces/other.ns/packages/missing"),
    await h.call("PUT", `${PKG}/b`, {
      body: { binding: { namespace: "other.ns", name: "secret" } },
    }),
    await h.call("PUT", "/api/v1/namespaces/other.ns/packages/secret?overwrite=true", { body: {} }),
    await h.call("DELETE", "/api/v1/namespaces/other.ns/packages/secret"),
  ];
  for (const answer of forbidden) {
    assert.deepEqual([answer.status, (answer.body as Doc).error], [403, Messages.notAuthorized]);
  }
  assert.deepEqual((await h.call("GET", "/api/v1/namespaces/other.ns/packages")).body, []);
});
