/** Tests of actors/controller/rest_api/backing_services.ts: failures become 503 errors. */
import assert from "node:assert/strict";
import {
  BackingServiceError,
  callBacking,
  guardStore,
} from "../../../../actors/controller/rest_api/backing_services.ts";
import { silentLogger } from "../../../../runtime/log.ts";
import {
  ConflictError,
  type EntityStore,
  openSqliteStore,
  StoreUnavailableError,
} from "../../../../runtime/store/mod.ts";

Deno.test("callBacking() passes values through and wraps any failure", async () => {
  assert.equal(await callBacking("invoke", () => 5), 5);
  const error = await callBacking("throttle", () => Promise.reject(new RangeError("x"))).catch((
    e,
  ) => e);
  assert.ok(error instanceof BackingServiceError);
  assert.equal(error.service, "throttle");
  assert.ok(error.cause instanceof RangeError);
});

Deno.test("guardStore() keeps conflicts and turns unexpected driver errors into StoreUnavailableError", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    const guarded = guardStore(store);
    await guarded.putEntity("actions", "guest", "a", {});
    await assert.rejects(guarded.putEntity("actions", "guest", "a", {}), ConflictError);
    const broken = guardStore({
      ...store,
      listSubjects: () => Promise.reject(new TypeError("driver bug")),
    } as EntityStore);
    await assert.rejects(broken.listSubjects(), StoreUnavailableError);
  } finally {
    await store.close();
  }
});
