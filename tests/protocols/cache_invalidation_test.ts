import assert from "node:assert/strict";
import { decodeCacheInvalidation, encodeCacheInvalidation } from "../../protocols/mod.ts";
import { CACHE_INVALIDATION_JSON } from "./_fixtures.ts";

Deno.test("decodeCacheInvalidation() reads upstream's message and writes it back", () => {
  const m = decodeCacheInvalidation(CACHE_INVALIDATION_JSON);
  assert.deepEqual(m, {
    type: "CacheInvalidationMessage",
    mainId: "guest/hello",
    secondaryId: "2-def",
    instanceId: "controller0",
  });
  assert.deepEqual(encodeCacheInvalidation(m), JSON.parse(CACHE_INVALIDATION_JSON));
});

Deno.test("decodeCacheInvalidation() rejects an unknown entity type", () => {
  assert.throws(
    () => decodeCacheInvalidation({ key: { mainId: "a/b" }, instanceId: "c0", entityType: "x" }),
    TypeError,
  );
});
