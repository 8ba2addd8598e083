import assert from "node:assert/strict";
import { ConflictError, NotFoundError, StoreUnavailableError } from "../../../runtime/store/mod.ts";

Deno.test("ConflictError() carries upstream's message for each reason", () => {
  assert.equal(new ConflictError("exists", "guest/a").message, "resource already exists");
  assert.equal(
    new ConflictError("revision", "guest/a").message,
    "Concurrent modification to resource detected.",
  );
  const e = new ConflictError("collection", "guest/a");
  assert.deepEqual([e.name, e.reason, e.docId, e.retryable], [
    "ConflictError",
    "collection",
    "guest/a",
    false,
  ]);
});

Deno.test("NotFoundError() and StoreUnavailableError() tell whether to retry", () => {
  const cause = new Error("database is locked");
  const unavailable = new StoreUnavailableError("putEntity: the store stayed locked", { cause });
  assert.deepEqual([unavailable.name, unavailable.retryable, unavailable.cause], [
    "StoreUnavailableError",
    true,
    cause,
  ]);
  const missing = new NotFoundError("guest/a");
  assert.deepEqual([missing.name, missing.retryable], ["NotFoundError", false]);
  assert.match(missing.message, /guest\/a/);
});
