/** Tests of actors/controller/rest_api/entity_put.ts: shared PUT rules. */
import assert from "node:assert/strict";
import {
  overlayKeyValues,
  putKeyValues,
  putPublish,
  putVersion,
} from "../../../../actors/controller/rest_api/entity_put.ts";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";

Deno.test("putVersion()/putPublish() keep or bump, and refuse bad values", () => {
  assert.equal(putVersion("x", undefined, undefined), "0.0.1");
  assert.equal(putVersion("x", undefined, "0.0.4"), "0.0.5");
  assert.equal(putVersion("x", "1.2.3", "0.0.4"), "1.2.3");
  assert.throws(() => putVersion("x", "one", undefined), ApiError);
  assert.equal(putPublish("x", undefined, true), true);
  assert.throws(() => putPublish("x", "yes", false), ApiError);
});

Deno.test("putKeyValues() keeps the old list when absent, 400 when malformed", () => {
  assert.deepEqual(putKeyValues("x", "parameters", undefined, [{ key: "a", value: 1 }]), [{
    key: "a",
    value: 1,
  }]);
  assert.throws(
    () => putKeyValues("x", "parameters", [{ nokey: 1 }], []),
    (e: unknown) => e instanceof ApiError && e.status === 400,
  );
});

Deno.test("overlayKeyValues() lets the top list win by key", () => {
  assert.deepEqual(
    overlayKeyValues([{ key: "a", value: 1 }, { key: "b", value: 1 }], [{ key: "b", value: 2 }]),
    [{ key: "a", value: 1 }, { key: "b", value: 2 }],
  );
});
