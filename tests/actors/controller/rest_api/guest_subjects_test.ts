/** Tests of actors/controller/rest_api/guest_subjects.ts: seeding upstream's subjects. */
import assert from "node:assert/strict";
import {
  apiKeyOf,
  ensureGuestSubject,
  GUEST_SUBJECT,
} from "../../../../actors/controller/rest_api/guest_subjects.ts";
import { silentLogger } from "../../../../runtime/log.ts";
import { openSqliteStore } from "../../../../runtime/store/mod.ts";

Deno.test("ensureGuestSubject() creates guest and whisk.system once with upstream's keys", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    assert.deepEqual(await ensureGuestSubject(store), ["guest", "whisk.system"]);
    assert.deepEqual(await ensureGuestSubject(store), []);
    const guest = await store.getIdentityByKey(
      "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
      "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
    );
    assert.equal(guest?.namespace, "guest");
    const system = await store.getIdentityByKey(
      "789c46b1-71f6-4ed5-8c54-816aa4f8c502",
      "abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
    );
    assert.equal(system?.namespace, "whisk.system");
  } finally {
    await store.close();
  }
});

Deno.test("ensureGuestSubject() leaves an existing guest subject as it is", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    const changed = {
      subject: "guest",
      namespaces: [{ name: "guest", uuid: "u", key: "k".repeat(64) }],
    };
    await store.putSubject(changed);
    assert.deepEqual(await ensureGuestSubject(store), ["whisk.system"]);
    assert.deepEqual(await store.getSubject("guest"), changed);
    assert.equal(apiKeyOf(GUEST_SUBJECT).split(":")[1]?.length, 64);
  } finally {
    await store.close();
  }
});
