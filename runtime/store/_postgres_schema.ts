/**
 * The PostgreSQL store's schema: its migrations, recorded in a `schema_version` table
 * and applied under an advisory lock so processes starting at once migrate exactly once,
 * and the translation of driver errors into the store's error classes. Plays the role of
 * upstream's database setup (`ansible/roles/couchdb`, the design documents in
 * `ansible/files/`); differences: SQL tables and indices instead of CouchDB views.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { Pool, type PoolOptions, type Query } from "./_postgres_pool.ts";
import { StoreUnavailableError } from "./store_errors.ts";

/**
 * Schema steps; step `i` moves the schema from version `i` to `i + 1`. Append new steps,
 * never edit old ones. Times are epoch ms in `double precision` (exact up to 2^53).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE subjects (subject TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE subject_keys (
    uuid TEXT PRIMARY KEY, key TEXT NOT NULL, subject TEXT NOT NULL, namespace TEXT NOT NULL);
  CREATE INDEX subject_keys_by_subject ON subject_keys (subject);
  -- One row per document id (namespace, name) across the four collections, as upstream's
  -- whisks database; doc IS NULL marks a deleted entity whose revision count lives on.
  -- seq orders writes with the same updated stamp (the later write first).
  CREATE SEQUENCE entity_writes;
  CREATE TABLE entities (
    namespace TEXT NOT NULL, name TEXT NOT NULL, collection TEXT NOT NULL,
    revision TEXT NOT NULL, updated DOUBLE PRECISION NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('entity_writes'), doc TEXT,
    PRIMARY KEY (namespace, name));
  CREATE INDEX entities_by_updated ON entities (namespace, collection, updated DESC, seq DESC);
  CREATE TABLE activations (
    activation_id TEXT PRIMARY KEY, namespace TEXT NOT NULL, filter_name TEXT NOT NULL,
    start DOUBLE PRECISION NOT NULL, seq BIGSERIAL NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX activations_by_start ON activations (namespace, start DESC, seq DESC);
  CREATE INDEX activations_by_name ON activations (namespace, filter_name, start DESC);
  CREATE TABLE namespace_limits (namespace TEXT PRIMARY KEY, doc TEXT NOT NULL);
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Takes a transaction-scoped advisory lock named by `name` (database-wide). */
export async function advisoryLock(query: Query, name: string): Promise<void> {
  await query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [name]);
}

/**
 * Creates the schema when missing and brings it to {@link SCHEMA_VERSION}, inside one
 * transaction holding the schema's advisory lock: a second process starting at the same
 * time waits, then finds the work done.
 *
 * @returns the version found before migrating
 */
export function migrate(pool: Pool, schema: string): Promise<number> {
  return pool.transaction(async (query) => {
    await advisoryLock(query, `whisk-store-migrate:${schema}`);
    const found = await query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    // CREATE SCHEMA checks the database's CREATE privilege even with IF NOT EXISTS.
    if (found.rows.length === 0) await query(`CREATE SCHEMA ${schema}`);
    await query(`SET LOCAL search_path TO ${schema}`);
    await query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = (await query("SELECT max(version) AS v FROM schema_version")).rows[0];
    const current = Number(row?.v ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `store schema '${schema}' has version ${current}, newer than this build's ${SCHEMA_VERSION}`,
      );
    }
    for (let step = current; step < SCHEMA_VERSION; step++) await query(MIGRATIONS[step]!);
    if (current < SCHEMA_VERSION) {
      await query("DELETE FROM schema_version");
      await query("INSERT INTO schema_version (version) VALUES ($1)", [SCHEMA_VERSION]);
    }
    return current;
  });
}

/**
 * Opens a pool and migrates its schema; a failure closes the pool and rejects (a
 * `StoreUnavailableError` when the server is out of reach).
 */
export async function openMigratedPool(
  options: Omit<PoolOptions, "onIdleError"> & { readonly logger: Logger },
): Promise<Pool> {
  const { logger, schema } = options;
  const pool = new Pool({
    ...options,
    onIdleError: (error) =>
      logger.warn("an idle PostgreSQL connection failed; it will be replaced", {
        error: error.message,
      }),
  });
  try {
    const from = await migrate(pool, schema);
    if (from < SCHEMA_VERSION) {
      logger.info("store schema migrated", { schema, from, to: SCHEMA_VERSION });
    }
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    return translatePgError(error, `opening the PostgreSQL store (schema ${schema})`);
  }
}

/** Socket errors of a server that is down, unreachable or went away. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs worth retrying: shutdowns (57P01-57P03), too many connections (53300),
 * serialization failure (40001), deadlock (40P01), lock not available (55P03).
 */
const RETRYABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03"]);

const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error|Cannot use a pool after calling end|Client was closed/i;

/** True when the error means the server is out of reach for now (retry later). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // SQLSTATE class 08: connection exception.
    if (NETWORK_CODES.has(code) || RETRYABLE_STATES.has(code) || code.startsWith("08")) {
      return true;
    }
  }
  return DRIVER_MESSAGES.test(error.message);
}

/** Rethrows a connection failure as {@link StoreUnavailableError}, anything else as is. */
export function translatePgError(error: unknown, what: string): never {
  if (error instanceof StoreUnavailableError) throw error;
  if (isUnavailable(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`${what}: PostgreSQL is unavailable (${detail})`, {
      cause: error,
    });
  }
  throw error;
}
