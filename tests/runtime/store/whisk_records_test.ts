/** Tests of runtime/store/whisk_records.ts: typed action and activation access. */
import assert from "node:assert/strict";
import { decodeActivation, fqn } from "../../../protocols/mod.ts";
import { silentLogger } from "../../../runtime/log.ts";
import {
  actionStoreKey,
  getWhiskAction,
  getWhiskActivation,
  openSqliteStore,
  putWhiskActivation,
} from "../../../runtime/store/mod.ts";
import { ACTION_JSON, ACTIVATION_STORED_JSON } from "../../protocols/_fixtures.ts";

Deno.test("actionStoreKey() puts the package into the name", () => {
  assert.deepEqual(actionStoreKey(fqn("guest/pkg", "act")), {
    namespace: "guest",
    name: "pkg/act",
  });
  assert.deepEqual(actionStoreKey(fqn("guest", "act")), { namespace: "guest", name: "act" });
});

Deno.test("getWhiskAction() reads a revision and falls back to the latest when it is gone", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    const doc = JSON.parse(ACTION_JSON);
    const first = await store.putEntity("actions", "guest", "hello", doc);
    const second = await store.putEntity(
      "actions",
      "guest",
      "hello",
      { ...doc, version: "0.0.2" },
      {
        overwrite: true,
      },
    );
    const atFirst = await getWhiskAction(store, fqn("guest", "hello"), first);
    assert.equal(
      atFirst?.revision,
      second,
      "an old revision is no longer stored: the latest answers",
    );
    assert.equal(atFirst?.action.version, "0.0.2");
    assert.equal((await getWhiskAction(store, fqn("guest", "hello")))?.revision, second);
    assert.equal(await getWhiskAction(store, fqn("guest", "missing")), undefined);
  } finally {
    await store.close();
  }
});

Deno.test("putWhiskActivation() inserts once and getWhiskActivation() reads it back", async () => {
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  try {
    const record = decodeActivation(ACTIVATION_STORED_JSON);
    assert.equal(await putWhiskActivation(store, record), "inserted");
    assert.equal(await putWhiskActivation(store, record), "exists");
    const read = await getWhiskActivation(store, record.namespace, record.activationId);
    assert.equal(read?.activationId, record.activationId);
    assert.equal(await getWhiskActivation(store, "guest", "0".repeat(32)), undefined);
  } finally {
    await store.close();
  }
});
