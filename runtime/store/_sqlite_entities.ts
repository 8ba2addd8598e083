/**
 * The entity half of the SQLite store: reads and writes of actions, packages, triggers
 * and rules with upstream's revision and conflict rules. Mirrors the document semantics of
 * upstream's whisks database (`ArtifactStore.put/get/del`, the `whisks.v2.1.0` views);
 * differences: a deleted entity leaves a tombstone row so its revision count continues.
 * Callers run the writes inside a write transaction.
 *
 * @module
 */

import type { SQLInputValue, StatementSync } from "node:sqlite";
import type {
  EntityCollection,
  EntityFilter,
  Paging,
  PutEntityOptions,
  RevisionMismatch,
  StoredEntity,
} from "./entity_store.ts";
import { nextRevision, revisionNumber } from "./_revision.ts";
import { ConflictError, NotFoundError } from "./store_errors.ts";

/** Prepares (or reuses) a statement. */
export type Sql = (sql: string) => StatementSync;

/** Which entity: its collection and its document id `(namespace, name)`. */
export interface EntityKey {
  readonly coll: EntityCollection;
  readonly namespace: string;
  readonly name: string;
}

interface EntityRow {
  collection: EntityCollection;
  namespace: string;
  name: string;
  revision: string;
  updated: number;
  doc: string | null;
}

const COLUMNS = "collection, namespace, name, revision, updated, doc";

/** Parses a stored JSON column. */
export function parseJson<T>(json: unknown): T {
  return JSON.parse(typeof json === "string" ? json : "null") as T;
}

/** ` LIMIT n OFFSET m` for a page; no limit when `limit` is absent. */
export function pageSql(paging: Paging): string {
  const limit = paging.limit === undefined ? -1 : Math.max(0, Math.trunc(paging.limit));
  return ` LIMIT ${limit} OFFSET ${Math.max(0, Math.trunc(paging.skip ?? 0))}`;
}

function toEntity<T>(row: EntityRow): StoredEntity<T> {
  const { collection, namespace, name, revision, updated } = row;
  return {
    type: "Entity",
    collection,
    namespace,
    name,
    revision,
    updated,
    doc: parseJson(row.doc),
  };
}

function selectRow(sql: Sql, key: EntityKey): EntityRow | undefined {
  return sql(`SELECT ${COLUMNS} FROM entities WHERE namespace = ? AND name = ?`)
    .get(key.namespace, key.name) as EntityRow | undefined;
}

function liveRow(sql: Sql, key: EntityKey): EntityRow | undefined {
  const row = selectRow(sql, key);
  return row && row.doc !== null && row.collection === key.coll ? row : undefined;
}

/** The current entity; with a non-empty `revision` that is not current, a mismatch. */
export function selectEntity<T>(
  sql: Sql,
  key: EntityKey,
  revision?: string,
): StoredEntity<T> | RevisionMismatch | undefined {
  const row = liveRow(sql, key);
  if (!row) return undefined;
  // An empty revision means "the latest", as upstream's retry after a mismatch.
  if (revision && revision !== row.revision) {
    return { type: "RevisionMismatch", currentRevision: row.revision };
  }
  return toEntity<T>(row);
}

function saveRow(sql: Sql, key: EntityKey, revision: string, updated: number, doc: string | null) {
  sql(
    `INSERT INTO entities (collection, namespace, name, revision, updated, seq, doc)
     VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM entities), ?)
     ON CONFLICT (namespace, name) DO UPDATE SET collection = excluded.collection,
       revision = excluded.revision, updated = excluded.updated, seq = excluded.seq,
       doc = excluded.doc`,
  ).run(key.coll, key.namespace, key.name, revision, updated, doc);
}

/** Writes `json` under upstream's conflict rules and returns the new revision. */
export function writeEntity(
  sql: Sql,
  key: EntityKey,
  json: string,
  options: PutEntityOptions & { readonly updated: number },
): string {
  const row = selectRow(sql, key);
  const docId = `${key.namespace}/${key.name}`;
  const live = row !== undefined && row.doc !== null;
  if (live && row.collection !== key.coll) throw new ConflictError("collection", docId);
  if (options.expectRevision !== undefined) {
    if (!live || row.revision !== options.expectRevision) {
      throw new ConflictError("revision", docId);
    }
  } else if (live && !options.overwrite) throw new ConflictError("exists", docId);
  const revision = nextRevision(row ? revisionNumber(row.revision) : 0, json);
  saveRow(sql, key, revision, options.updated, json);
  return revision;
}

/** Deletes the entity, leaving a tombstone, and returns what was stored. */
export function removeEntity<T>(
  sql: Sql,
  key: EntityKey,
  expectRevision: string | undefined,
  now: number,
): StoredEntity<T> {
  const row = liveRow(sql, key);
  const docId = `${key.namespace}/${key.name}`;
  if (!row) throw new NotFoundError(docId);
  if (expectRevision !== undefined && expectRevision !== row.revision) {
    throw new ConflictError("revision", docId);
  }
  saveRow(sql, key, nextRevision(revisionNumber(row.revision), "deleted"), now, null);
  return toEntity<T>(row);
}

function where(coll: EntityCollection, namespace: string, filter: EntityFilter) {
  const params: SQLInputValue[] = [namespace, coll];
  let clause = "WHERE namespace = ? AND collection = ? AND doc IS NOT NULL";
  if (filter.prefix !== undefined) {
    clause += " AND substr(name, 1, length(?)) = ?";
    params.push(filter.prefix, filter.prefix);
  }
  return { clause, params };
}

/** A page of live entities, most recently updated first (write order breaks ties). */
export function selectEntities<T>(
  sql: Sql,
  coll: EntityCollection,
  namespace: string,
  options: Paging & EntityFilter,
): StoredEntity<T>[] {
  const { clause, params } = where(coll, namespace, options);
  const query = `SELECT ${COLUMNS} FROM entities ${clause}
    ORDER BY updated DESC, seq DESC${pageSql(options)}`;
  return sql(query).all(...params).map((row) => toEntity<T>(row as unknown as EntityRow));
}

/** How many live entities match. */
export function countEntityRows(
  sql: Sql,
  coll: EntityCollection,
  namespace: string,
  filter: EntityFilter,
): number {
  const { clause, params } = where(coll, namespace, filter);
  return Number(sql(`SELECT count(*) AS n FROM entities ${clause}`).get(...params)?.n ?? 0);
}
