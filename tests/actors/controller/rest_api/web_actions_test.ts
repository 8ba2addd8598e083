/** Tests of actors/controller/rest_api/web_actions.ts: export, auth, CORS, routing. */
import assert from "node:assert/strict";
import { Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { WebMessages } from "../../../../actors/controller/rest_api/web_response.ts";
import { GUEST_AUTH, restHarness } from "./_harness.ts";
import { computedInvoke, JS } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const WEB = "/api/v1/web/guest/default";

async function webHarness() {
  const h = await restHarness({ invoke: computedInvoke() });
  const put = (name: string, annotations: unknown[]) =>
    h.call("PUT", `/api/v1/namespaces/_/actions/${name}`, { body: { exec: JS, annotations } });
  await put("echo", [{ key: "web-export", value: true }]);
  await put("hidden", []);
  await put("secret", [{ key: "web-export", value: true }, {
    key: "require-whisk-auth",
    value: "s3",
  }]);
  await put("members", [{ key: "web-export", value: true }, {
    key: "require-whisk-auth",
    value: true,
  }]);
  await put("custom", [{ key: "web-export", value: true }, {
    key: "web-custom-options",
    value: true,
  }]);
  return h;
}

Deno.test("a web action runs as its owner, blocking, without credentials", async () => {
  await using h = await webHarness();
  const answer = await h.call("GET", `${WEB}/echo.json/a/b?x=1`, { auth: null });
  assert.equal(answer.status, 200);
  const args = answer.body as Doc;
  assert.deepEqual([args.__ow_method, args.__ow_path, args.x, args.__ow_user], [
    "get",
    "/a/b",
    "1",
    undefined,
  ]);
  const call = h.invocations[0]!;
  assert.deepEqual([call.identity.namespace.name, call.options.blocking], ["guest", true]);
  assert.equal(answer.headers.get("access-control-allow-origin"), "*");
  assert.match(answer.headers.get("x-openwhisk-activation-id") ?? "", /^[0-9a-f]{32}$/);
  const withUser = await h.call("POST", `${WEB}/echo.json`, {
    body: { y: 2 },
    headers: { "content-type": "application/json" },
  });
  assert.deepEqual([(withUser.body as Doc).__ow_user, (withUser.body as Doc).y], ["guest", 2]);
  const asText = await h.call("POST", `${WEB}/echo.json`, { raw: "plain words" });
  assert.equal((asText.body as Doc).__ow_body, "plain words");
});

Deno.test("a web action answers 404 unless exported, 406 for an unknown extension", async () => {
  await using h = await webHarness();
  for (
    const path of [`${WEB}/hidden.json`, `${WEB}/none.json`, "/api/v1/web/nobody/default/echo.json"]
  ) {
    const answer = await h.call("GET", path, { auth: null });
    assert.deepEqual([answer.status, (answer.body as Doc).error], [
      404,
      Messages.resourceDoesNotExist,
    ]);
  }
  const unknown = await h.call("GET", `${WEB}/echo.xml`, { auth: null });
  assert.deepEqual([unknown.status, (unknown.body as Doc).error], [
    406,
    WebMessages.extensionNotSupported,
  ]);
  assert.equal(h.invocations.length, 0);
});

Deno.test("require-whisk-auth asks for the secret header or for Basic credentials", async () => {
  await using h = await webHarness();
  assert.equal((await h.call("GET", `${WEB}/secret.json`, { auth: null })).status, 401);
  const wrong = { auth: null, headers: { "x-require-whisk-auth": "nope" } };
  assert.equal((await h.call("GET", `${WEB}/secret.json`, wrong)).status, 401);
  const right = { auth: null, headers: { "x-require-whisk-auth": "s3" } };
  assert.equal((await h.call("GET", `${WEB}/secret.json`, right)).status, 200);
  assert.equal((await h.call("GET", `${WEB}/members.json`, { auth: null })).status, 401);
  assert.equal((await h.call("GET", `${WEB}/members.json`, { auth: GUEST_AUTH })).status, 200);
  const badKey = "Basic " + btoa(`nobody:${"x".repeat(64)}`);
  assert.equal((await h.call("GET", `${WEB}/members.json`, { auth: badKey })).status, 401);
});

Deno.test("OPTIONS is answered with CORS unless the action handles its own options", async () => {
  await using h = await webHarness();
  const preflight = await h.call("OPTIONS", `${WEB}/echo.json`, {
    auth: null,
    headers: { "access-control-request-headers": "x-custom" },
  });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers.get("access-control-allow-headers"), "x-custom");
  assert.equal(h.invocations.length, 0);
  const custom = await h.call("OPTIONS", `${WEB}/custom.http`, { auth: null });
  assert.equal(custom.status, 204);
  assert.equal(custom.headers.get("access-control-allow-origin"), null);
  assert.equal(h.invocations.length, 1);
});
