/** Tests of actors/controller/rest_api/entity_names.ts: action names in paths. */
import assert from "node:assert/strict";
import {
  parseActionRef,
  parsePackageName,
} from "../../../../actors/controller/rest_api/entity_names.ts";
import { ApiError, Messages } from "../../../../actors/controller/rest_api/errors.ts";

Deno.test("parseActionRef() reads a plain and a packaged name", () => {
  assert.deepEqual(parseActionRef("guest", "hello"), {
    namespace: "guest",
    name: "hello",
    storeName: "hello",
    docId: "guest/hello",
    path: "guest",
  });
  assert.deepEqual(parseActionRef("guest", "pkg/hello"), {
    namespace: "guest",
    packageName: "pkg",
    name: "hello",
    storeName: "pkg/hello",
    docId: "guest/pkg/hello",
    path: "guest/pkg",
  });
});

Deno.test("parseActionRef() answers 400 for illegal names and 404 for deeper paths", () => {
  for (const bad of ["", "a b ", "$x", "pkg/", "x".repeat(257)]) {
    assert.throws(
      () => parseActionRef("guest", bad),
      (e: unknown) =>
        e instanceof ApiError && e.status === 400 && e.message === Messages.entityNameIllegal,
      bad,
    );
  }
  assert.throws(
    () => parseActionRef("guest", "a/b/c"),
    (e: unknown) => e instanceof ApiError && e.status === 404,
  );
  assert.throws(() => parsePackageName("%"), ApiError);
  assert.equal(parsePackageName("pkg"), "pkg");
});
