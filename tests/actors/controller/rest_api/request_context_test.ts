/** Tests of actors/controller/rest_api/request_context.ts: JSON answers and `_` resolution. */
import assert from "node:assert/strict";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import {
  type Caller,
  jsonResponse,
  resolveNamespace,
} from "../../../../actors/controller/rest_api/request_context.ts";

const caller = { namespace: "guest" } as Caller;

Deno.test("jsonResponse() writes compact JSON", async () => {
  const response = jsonResponse(201, { a: [1, { b: 2 }] }, { "x-extra": "1" });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("x-extra"), "1");
  assert.equal(await response.text(), '{"a":[1,{"b":2}]}');
});

Deno.test("resolveNamespace() maps _ to the caller's namespace and 403s any other", () => {
  assert.equal(resolveNamespace("_", caller), "guest");
  assert.equal(resolveNamespace("guest", caller), "guest");
  assert.throws(
    () => resolveNamespace("whisk.system", caller),
    (e: unknown) => e instanceof ApiError && e.status === 403,
  );
});
