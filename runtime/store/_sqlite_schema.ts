/**
 * Opening the SQLite store file: connection pragmas for several processes on one host
 * (WAL journal, busy timeout), the schema and its migrations recorded in a
 * `schema_version` table, and the translation of driver errors. Plays the role of
 * upstream's database setup (`ansible/roles/couchdb`, the design documents in
 * `ansible/files/`); differences: SQL tables and indices instead of CouchDB views.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { StoreUnavailableError } from "./store_errors.ts";

/**
 * Schema steps; step `i` moves the file from version `i` to `i + 1`. Append new steps,
 * never edit old ones.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE subjects (subject TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE subject_keys (
    uuid TEXT PRIMARY KEY, key TEXT NOT NULL, subject TEXT NOT NULL, namespace TEXT NOT NULL);
  CREATE INDEX subject_keys_by_subject ON subject_keys (subject);
  -- One row per document id (namespace, name) across the four collections, as upstream's
  -- whisks database; doc IS NULL marks a deleted entity whose revision count lives on.
  CREATE TABLE entities (
    namespace TEXT NOT NULL, name TEXT NOT NULL, collection TEXT NOT NULL,
    revision TEXT NOT NULL, updated INTEGER NOT NULL, seq INTEGER NOT NULL, doc TEXT,
    PRIMARY KEY (namespace, name));
  CREATE INDEX entities_by_updated ON entities (namespace, collection, updated, seq);
  CREATE INDEX entities_by_seq ON entities (seq);
  CREATE TABLE activations (
    activation_id TEXT PRIMARY KEY, namespace TEXT NOT NULL, filter_name TEXT NOT NULL,
    start INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX activations_by_start ON activations (namespace, start);
  CREATE INDEX activations_by_name ON activations (namespace, filter_name, start);
  CREATE TABLE namespace_limits (namespace TEXT PRIMARY KEY, doc TEXT NOT NULL);
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** True when a driver error means another connection holds the lock. */
function isBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const errcode = (error as { errcode?: unknown }).errcode;
  return errcode === 5 || errcode === 6 || /database (is|table is) locked/.test(error.message);
}

/** Rethrows a lock timeout or a closed database as {@link StoreUnavailableError}. */
export function translateSqliteError(error: unknown, what: string): never {
  if (isBusy(error)) {
    throw new StoreUnavailableError(`${what}: the store stayed locked`, { cause: error });
  }
  if (error instanceof Error && /database is not open/.test(error.message)) {
    throw new StoreUnavailableError(`${what}: the store is closed`, { cause: error });
  }
  throw error;
}

/** Runs `body` inside `BEGIN IMMEDIATE` (takes the write lock up front, waiting up to the busy timeout). */
export function writeTransaction<R>(db: DatabaseSync, body: () => R): R {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

function migrate(db: DatabaseSync, path: string): void {
  writeTransaction(db, () => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = db.prepare("SELECT max(version) AS v FROM schema_version").get() as
      | { v: number | null }
      | undefined;
    const current = row?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `store '${path}' has schema version ${current}, newer than this build's ${SCHEMA_VERSION}`,
      );
    }
    for (let step = current; step < SCHEMA_VERSION; step++) db.exec(MIGRATIONS[step]!);
    if (current < SCHEMA_VERSION) {
      db.prepare("DELETE FROM schema_version").run();
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION);
    }
  });
}

/**
 * Opens (creating if needed) the store file, sets WAL mode and the busy timeout, and
 * brings the schema to {@link SCHEMA_VERSION}. Safe to race from several processes.
 *
 * @param path a file path, or `:memory:`
 * @param busyTimeoutMs how long a statement waits for another process's lock
 */
export function openSqliteDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    return translateSqliteError(error, `opening store '${path}'`);
  }
}
