/** Tests of actors/controller/rest_api/caller_identity.ts: the authenticated Identity. */
import assert from "node:assert/strict";
import { authenticateCaller } from "../../../../actors/controller/rest_api/caller_identity.ts";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import { ensureGuestSubject } from "../../../../actors/controller/rest_api/guest_subjects.ts";
import { capturingLogger, silentLogger } from "../../../../runtime/log.ts";
import { openSqliteStore } from "../../../../runtime/store/mod.ts";
import { GUEST_AUTH } from "./_harness.ts";

Deno.test("authenticateCaller() builds the Identity with the namespace's limits", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    await ensureGuestSubject(store);
    await store.putNamespaceLimits("guest", { concurrentInvocations: 4 });
    const caller = await authenticateCaller(GUEST_AUTH, store, silentLogger);
    assert.equal(caller.namespace, "guest");
    assert.deepEqual(caller.identity.namespace, {
      name: "guest",
      uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
    });
    assert.deepEqual(caller.identity.limits, { concurrentInvocations: 4 });
    assert.deepEqual(caller.identity.rights, ["READ", "PUT", "DELETE", "ACTIVATE"]);
  } finally {
    await store.close();
  }
});

Deno.test("authenticateCaller() ignores malformed limits with a warning and 401s unknown keys", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  const logs = capturingLogger();
  try {
    await ensureGuestSubject(store);
    await store.putNamespaceLimits("guest", { concurrentInvocations: "many" });
    const caller = await authenticateCaller(GUEST_AUTH, store, logs);
    assert.deepEqual(caller.identity.limits, {});
    assert.equal(logs.entries[0]?.level, "warn");
    await assert.rejects(
      authenticateCaller("Basic " + btoa(`x:${"y".repeat(64)}`), store, logs),
      (e: unknown) => e instanceof ApiError && e.status === 401,
    );
  } finally {
    await store.close();
  }
});
