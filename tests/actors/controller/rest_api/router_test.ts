/** Tests of actors/controller/rest_api/router.ts: matching, params, 405. */
import assert from "node:assert/strict";
import { pathSegments, Router } from "../../../../actors/controller/rest_api/router.ts";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";

const ok = (label: string) => () => Promise.resolve(new Response(label));

function router(): Router<void> {
  return new Router<void>()
    .on("GET", "/api/v1/namespaces/:ns/actions", ok("list"))
    .on("GET", "/api/v1/namespaces/:ns/actions/:pkg/", ok("list-package"))
    .on("GET", "/api/v1/namespaces/:ns/actions/*name", ok("get"))
    .on("PUT", "/api/v1/namespaces/:ns/actions/*name", ok("put"));
}

Deno.test("Router.match() captures a single segment and the rest of a package path", () => {
  const r = router();
  assert.deepEqual(r.match("GET", "/api/v1/namespaces/_/actions/hello")?.params, {
    ns: "_",
    name: "hello",
  });
  assert.deepEqual(r.match("get", "/api/v1/namespaces/guest/actions/pkg/hello")?.params, {
    ns: "guest",
    name: "pkg/hello",
  });
});

Deno.test("Router.match() tells a package listing (trailing slash) from a list and a get", () => {
  const r = router();
  assert.deepEqual(r.match("GET", "/api/v1/namespaces/_/actions/pkg/")?.params, {
    ns: "_",
    pkg: "pkg",
  });
  assert.deepEqual(r.match("GET", "/api/v1/namespaces/_/actions")?.params, { ns: "_" });
});

Deno.test("Router.match() returns undefined for an unknown path", () => {
  assert.equal(router().match("GET", "/api/v1/nothing/here"), undefined);
  assert.equal(router().match("GET", "/api/v1/namespaces//actions"), undefined);
});

Deno.test("Router.match() throws 405 naming the allowed methods when only the method is wrong", () => {
  assert.throws(
    () => router().match("DELETE", "/api/v1/namespaces/_/actions/x"),
    (e: unknown) =>
      e instanceof ApiError && e.status === 405 && e.message.includes("GET, PUT") &&
      e.headers.allow === "GET, PUT",
  );
});

Deno.test("pathSegments() decodes segments and rejects bad escapes with 400", () => {
  assert.deepEqual(pathSegments("/a/b%20c/"), ["a", "b c", ""]);
  assert.throws(
    () => pathSegments("/a/%zz"),
    (e: unknown) => e instanceof ApiError && e.status === 400,
  );
});
