/**
 * The cluster {@link EntityStore}: PostgreSQL shared by every process on every host, on
 * the `pg` driver with a small connection pool. Same semantics as the SQLite store
 * (revisions `N-<hash>` that climb through deletes, insert-if-absent activation records,
 * one name space across the four collections, newest-first lists). Plays the role of
 * upstream's `CouchDbRestStore` for the whisks, subjects and activations databases;
 * differences: SQL instead of CouchDB views, documents are JSON text behind a few index
 * columns, and each store lives in one schema (default `public`).
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type {
  ActivationFilter,
  ActivationIndexFields,
  EntityCollection,
  EntityFilter,
  EntityStore,
  Identity,
  Paging,
  PutEntityOptions,
  SubjectRecord,
} from "./entity_store.ts";
import {
  countEntityRows,
  lockDocument,
  removeEntity,
  selectEntities,
  selectEntity,
  writeEntity,
} from "./_postgres_entities.ts";
import type { Pool, Query } from "./_postgres_pool.ts";
import {
  countActivationRows,
  insertActivation,
  selectActivation,
  selectActivations,
  selectIdentity,
  selectNamespaceLimits,
  selectSubjects,
  writeNamespaceLimits,
  writeSubject,
} from "./_postgres_records.ts";
import { openMigratedPool, translatePgError } from "./_postgres_schema.ts";
import { composeEntityStore, type StoreBackend } from "./_store_shell.ts";
import { type EntityKey, prepareEntityWrite } from "./_store_rules.ts";
import { StoreUnavailableError } from "./store_errors.ts";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (cluster default: `WSK_POSTGRES`). */
  readonly url: string;
  readonly logger: Logger;
  /** Stamps `updated` when the caller gives none (default: `Date.now`). */
  readonly clock?: { now(): number };
  /** The schema holding the tables, created when missing (default `public`). */
  readonly schema?: string;
  /** At most this many connections (default 4). */
  readonly poolSize?: number;
  /** How long a call waits to connect before failing as unavailable (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/**
 * Connects, creates or migrates the schema (safe when several processes start at once),
 * and returns the store. Rejects with `StoreUnavailableError` when the server is out of
 * reach.
 *
 * @example
 * ```ts ignore
 * import { openPostgresStore } from "./postgres_store.ts";
 * import { silentLogger } from "../log.ts";
 * const store = await openPostgresStore({
 *   url: "postgres://whisk:whisk@127.0.0.1:5432/whisk",
 *   logger: silentLogger,
 * });
 * const rev = await store.putEntity("actions", "guest", "hello", { code: "x" });
 * console.assert(rev.startsWith("1-"));
 * await store.close();
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<EntityStore> {
  const schema = options.schema ?? "public";
  const pool = await openMigratedPool({
    url: options.url,
    schema,
    size: options.poolSize ?? 4,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    logger: options.logger,
  });
  return composeEntityStore(new PostgresBackend(pool, schema, options), options.logger);
}

class PostgresBackend implements StoreBackend {
  readonly #pool: Pool;
  readonly #schema: string;
  readonly #clock: { now(): number };
  #closed = false;

  constructor(pool: Pool, schema: string, options: PostgresStoreOptions) {
    this.#pool = pool;
    this.#schema = schema;
    this.#clock = options.clock ?? { now: () => Date.now() };
  }

  async #run<R>(what: string, body: (query: Query) => Promise<R>): Promise<R> {
    if (this.#closed) throw new StoreUnavailableError(`${what}: the store is closed`);
    try {
      return await body(this.#pool.query);
    } catch (error) {
      return translatePgError(error, what);
    }
  }

  #write<R>(what: string, body: (query: Query) => Promise<R>): Promise<R> {
    return this.#run(what, () => this.#pool.transaction(body));
  }

  putSubject(record: SubjectRecord): Promise<void> {
    return this.#write("putSubject", (q) => writeSubject(q, this.#schema, record));
  }

  getIdentityByKey(uuid: string, key: string): Promise<Identity | undefined> {
    return this.#run("getIdentityByKey", (q) => selectIdentity(q, uuid, key));
  }

  getSubject(subject: string): Promise<SubjectRecord | undefined> {
    return this.#run("getSubject", async (q) => (await selectSubjects(q, subject))[0]);
  }

  listSubjects(): Promise<SubjectRecord[]> {
    return this.#run("listSubjects", (q) => selectSubjects(q));
  }

  getEntity(key: EntityKey, revision: string | undefined) {
    return this.#run("getEntity", (q) => selectEntity(q, key, revision));
  }

  putEntity(key: EntityKey, doc: unknown, options: PutEntityOptions): Promise<string> {
    let prepared;
    try {
      prepared = prepareEntityWrite(doc, options, () => this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    const { json, write } = prepared;
    return this.#write("putEntity", async (q) => {
      await lockDocument(q, this.#schema, key);
      return writeEntity(q, key, json, write);
    });
  }

  deleteEntity(key: EntityKey, expectRevision: string | undefined) {
    return this.#write("deleteEntity", async (q) => {
      await lockDocument(q, this.#schema, key);
      return removeEntity(q, key, expectRevision, this.#clock.now());
    });
  }

  listEntities(coll: EntityCollection, namespace: string, options: Paging & EntityFilter) {
    return this.#run("listEntities", (q) => selectEntities(q, coll, namespace, options));
  }

  countEntities(coll: EntityCollection, namespace: string, filter: EntityFilter) {
    return this.#run("countEntities", (q) => countEntityRows(q, coll, namespace, filter));
  }

  insertActivation(record: ActivationIndexFields): Promise<boolean> {
    return this.#run("putActivation", (q) => insertActivation(q, record));
  }

  getActivation(namespace: string, activationId: string): Promise<unknown> {
    return this.#run("getActivation", (q) => selectActivation(q, namespace, activationId));
  }

  listActivations(
    namespace: string,
    options: Paging & ActivationFilter & { readonly docs?: boolean },
  ): Promise<unknown[]> {
    return this.#run("listActivations", (q) => selectActivations(q, namespace, options));
  }

  countActivations(namespace: string, filter: ActivationFilter): Promise<number> {
    return this.#run("countActivations", (q) => countActivationRows(q, namespace, filter));
  }

  getNamespaceLimits(namespace: string): Promise<unknown> {
    return this.#run("getNamespaceLimits", (q) => selectNamespaceLimits(q, namespace));
  }

  putNamespaceLimits(namespace: string, limits: unknown): Promise<void> {
    return this.#run("putNamespaceLimits", (q) => writeNamespaceLimits(q, namespace, limits));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
