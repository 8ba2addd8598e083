/**
 * The embedded {@link EntityStore}: one SQLite file in the data directory, shared by every
 * process on the host (WAL journal, busy timeout, writes under `BEGIN IMMEDIATE`), on
 * Deno's `node:sqlite`. Plays the role of upstream's `CouchDbRestStore` for the whisks,
 * subjects and activations databases; differences: SQL instead of CouchDB views, and
 * documents are JSON text behind a few index columns.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
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
  removeEntity,
  selectEntities,
  selectEntity,
  writeEntity,
} from "./_sqlite_entities.ts";
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
} from "./_sqlite_records.ts";
import { openSqliteDatabase, translateSqliteError, writeTransaction } from "./_sqlite_schema.ts";
import { composeEntityStore, type StoreBackend } from "./_store_shell.ts";
import { type EntityKey, prepareEntityWrite } from "./_store_rules.ts";
import { StoreUnavailableError } from "./store_errors.ts";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file (see {@link storeFileIn}), or `:memory:`. */
  readonly path: string;
  readonly logger: Logger;
  /**
   * Stamps `updated` when the caller gives none (default: `Date.now`). Any `Clock` of
   * `runtime/actors/clock.ts` fits; the store needs only `now`.
   */
  readonly clock?: { now(): number };
  /** How long a write waits for another process's lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** The store file inside a data directory (`./.data` by default). */
export function storeFileIn(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/whisk.sqlite`;
}

/**
 * Opens the store file, creating or migrating its schema.
 *
 * @example
 * ```ts
 * import { openSqliteStore } from "./sqlite_store.ts";
 * import { silentLogger } from "../log.ts";
 * const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
 * const rev = await store.putEntity("actions", "guest", "hello", { code: "x" });
 * console.assert(rev.startsWith("1-"));
 * await store.close();
 * ```
 */
export function openSqliteStore(options: SqliteStoreOptions): EntityStore {
  return composeEntityStore(new SqliteBackend(options), options.logger);
}

class SqliteBackend implements StoreBackend {
  readonly #db: DatabaseSync;
  readonly #clock: { now(): number };
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: SqliteStoreOptions) {
    this.#db = openSqliteDatabase(options.path, options.busyTimeoutMs ?? 5000);
    this.#clock = options.clock ?? { now: () => Date.now() };
  }

  readonly #sql = (sql: string): StatementSync => {
    if (!this.#db.isOpen) throw new StoreUnavailableError("the store is closed");
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, statement = this.#db.prepare(sql));
    return statement;
  };

  // Every call runs synchronously inside this wrapper, which maps lock timeouts to
  // StoreUnavailableError; the async signatures leave room for a networked store.
  async #run<R>(what: string, body: () => R): Promise<R> {
    await Promise.resolve();
    try {
      return body();
    } catch (error) {
      return translateSqliteError(error, what);
    }
  }

  #write<R>(what: string, body: () => R): Promise<R> {
    return this.#run(what, () => writeTransaction(this.#db, body));
  }

  putSubject(record: SubjectRecord): Promise<void> {
    return this.#write("putSubject", () => writeSubject(this.#sql, record));
  }

  getIdentityByKey(uuid: string, key: string): Promise<Identity | undefined> {
    return this.#run("getIdentityByKey", () => selectIdentity(this.#sql, uuid, key));
  }

  getSubject(subject: string): Promise<SubjectRecord | undefined> {
    return this.#run("getSubject", () => selectSubjects(this.#sql, subject)[0]);
  }

  listSubjects(): Promise<SubjectRecord[]> {
    return this.#run("listSubjects", () => selectSubjects(this.#sql));
  }

  getEntity(key: EntityKey, revision: string | undefined) {
    return this.#run("getEntity", () => selectEntity(this.#sql, key, revision));
  }

  putEntity(key: EntityKey, doc: unknown, options: PutEntityOptions): Promise<string> {
    return this.#write("putEntity", () => {
      const { json, write } = prepareEntityWrite(doc, options, () => this.#clock.now());
      return writeEntity(this.#sql, key, json, write);
    });
  }

  deleteEntity(key: EntityKey, expectRevision: string | undefined) {
    return this.#write(
      "deleteEntity",
      () => removeEntity(this.#sql, key, expectRevision, this.#clock.now()),
    );
  }

  listEntities(coll: EntityCollection, namespace: string, options: Paging & EntityFilter) {
    return this.#run("listEntities", () => selectEntities(this.#sql, coll, namespace, options));
  }

  countEntities(coll: EntityCollection, namespace: string, filter: EntityFilter) {
    return this.#run("countEntities", () => countEntityRows(this.#sql, coll, namespace, filter));
  }

  insertActivation(record: ActivationIndexFields): Promise<boolean> {
    return this.#run("putActivation", () => insertActivation(this.#sql, record));
  }

  getActivation(namespace: string, activationId: string): Promise<unknown> {
    return this.#run("getActivation", () => selectActivation(this.#sql, namespace, activationId));
  }

  listActivations(
    namespace: string,
    options: Paging & ActivationFilter & { readonly docs?: boolean },
  ): Promise<unknown[]> {
    return this.#run("listActivations", () => selectActivations(this.#sql, namespace, options));
  }

  countActivations(namespace: string, filter: ActivationFilter): Promise<number> {
    return this.#run("countActivations", () => countActivationRows(this.#sql, namespace, filter));
  }

  getNamespaceLimits(namespace: string): Promise<unknown> {
    return this.#run("getNamespaceLimits", () => selectNamespaceLimits(this.#sql, namespace));
  }

  putNamespaceLimits(namespace: string, limits: unknown): Promise<void> {
    return this.#run(
      "putNamespaceLimits",
      () => writeNamespaceLimits(this.#sql, namespace, limits),
    );
  }

  close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}
