import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { silentLogger } from "../../../runtime/log.ts";
import { openSqliteStore, storeFileIn, StoreUnavailableError } from "../../../runtime/store/mod.ts";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wsk-store-sqlite-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("storeFileIn() names one file in the data directory", () => {
  assert.equal(storeFileIn("./.data"), "./.data/whisk.sqlite");
  assert.equal(storeFileIn("/var/wsk/"), "/var/wsk/whisk.sqlite");
});

Deno.test("openSqliteStore() keeps documents across reopening the file", () =>
  withTempDir(async (dir) => {
    const path = storeFileIn(dir);
    const first = openSqliteStore({ path, logger: silentLogger });
    const rev = await first.putEntity("actions", "guest", "a", { code: "x" });
    await first.close();
    const second = openSqliteStore({ path, logger: silentLogger });
    try {
      assert.equal((await second.getEntity("actions", "guest", "a"))?.revision, rev);
    } finally {
      await second.close();
    }
  }));

Deno.test("openSqliteStore() rejects a write as retryable when the lock outlasts the busy timeout", () =>
  withTempDir(async (dir) => {
    const path = storeFileIn(dir);
    const store = openSqliteStore({ path, logger: silentLogger, busyTimeoutMs: 20 });
    const holder = new DatabaseSync(path);
    holder.exec("BEGIN IMMEDIATE");
    try {
      await assert.rejects(
        store.putActivation({ activationId: "a".repeat(32), namespace: "g", name: "n", start: 1 }),
        (e) => e instanceof StoreUnavailableError && e.retryable && e.cause instanceof Error,
      );
      await assert.rejects(store.putEntity("actions", "g", "a", {}), StoreUnavailableError);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    assert.equal(await store.putEntity("actions", "g", "a", {}).then((r) => r[0]), "1");
    await store.close();
  }));

Deno.test("openSqliteStore() on :memory: serves a private store", async () => {
  const store = openSqliteStore({
    path: ":memory:",
    logger: silentLogger,
    clock: { now: () => 42 },
  });
  try {
    await store.putEntity("packages", "guest", "p", { binding: {} });
    assert.equal((await store.getEntity("packages", "guest", "p"))?.updated, 42);
  } finally {
    await store.close();
  }
});
