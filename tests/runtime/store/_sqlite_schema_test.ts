import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqliteDatabase, SCHEMA_VERSION } from "../../../runtime/store/_sqlite_schema.ts";
import { StoreUnavailableError } from "../../../runtime/store/mod.ts";

async function withTempFile(body: (path: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wsk-store-schema-" });
  try {
    await body(`${dir}/whisk.sqlite`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openSqliteDatabase() creates the schema in WAL mode with a busy timeout", () =>
  withTempFile((path) => {
    const db = openSqliteDatabase(path, 1234);
    try {
      const versions = db.prepare("SELECT version FROM schema_version").all().map((r) => r.version);
      assert.deepEqual(versions, [SCHEMA_VERSION]);
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
      assert.equal(db.prepare("PRAGMA busy_timeout").get()?.timeout, 1234);
      const indices = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all()
        .map((r) => r.name);
      for (const name of ["entities_by_updated", "activations_by_start", "activations_by_name"]) {
        assert.ok(indices.includes(name), `missing index ${name}`);
      }
    } finally {
      db.close();
    }
  }));

Deno.test("openSqliteDatabase() reopens a current file without migrating it again", () =>
  withTempFile((path) => {
    openSqliteDatabase(path, 100).close();
    const db = openSqliteDatabase(path, 100);
    try {
      assert.equal(db.prepare("SELECT count(*) AS n FROM schema_version").get()?.n, 1);
    } finally {
      db.close();
    }
  }));

Deno.test("openSqliteDatabase() refuses a file written by a newer schema", () =>
  withTempFile((path) => {
    openSqliteDatabase(path, 100).close();
    const raw = new DatabaseSync(path);
    raw.exec(`UPDATE schema_version SET version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => openSqliteDatabase(path, 100), /newer than this build/);
  }));

Deno.test("openSqliteDatabase() fails as unavailable while another process holds the lock", () =>
  withTempFile((path) => {
    const holder = new DatabaseSync(path);
    holder.exec("PRAGMA journal_mode = WAL");
    holder.exec("CREATE TABLE hold (x)");
    holder.exec("BEGIN IMMEDIATE");
    try {
      assert.throws(() => openSqliteDatabase(path, 20), StoreUnavailableError);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  }));
