/** Tests of actors/controller/rest_api/info_routes.ts: `/`, `/ping`, `/api/v1`. */
import assert from "node:assert/strict";
import { runtimeManifest } from "../../../../actors/controller/rest_api/info_routes.ts";
import { restHarness } from "./_harness.ts";

type Doc = Record<string, unknown>;

Deno.test("GET / describes the platform with limits in bytes and the runtimes", async () => {
  await using h = await restHarness();
  const info = await h.call("GET", "/", { auth: null });
  const body = info.body as Doc;
  assert.equal(body.description, "OpenWhisk");
  assert.deepEqual(body.api_paths, ["/api/v1"]);
  assert.equal((body.limits as Doc).max_action_memory, 512 * 1024 * 1024);
  assert.equal((body.limits as Doc).concurrent_actions, 30);
  assert.ok("nodejs" in (body.runtimes as Doc));
});

Deno.test("GET /ping answers pong and GET /api/v1 the API version, both without auth", async () => {
  await using h = await restHarness();
  assert.equal((await h.call("GET", "/ping", { auth: null })).body, "pong");
  const api = (await h.call("GET", "/api/v1", { auth: null })).body as Doc;
  assert.equal(api.api_version, "1.0.0");
  assert.equal(api.api_version_path, "v1");
  assert.deepEqual(api.swagger_paths, { ui: "/docs", "api-docs": "/api-docs" });
});

Deno.test("runtimeManifest() marks each family's default kind", () => {
  assert.deepEqual(runtimeManifest().nodejs, [{
    kind: "nodejs:20",
    default: true,
    deprecated: false,
  }]);
});
