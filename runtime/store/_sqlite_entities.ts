/**
 * The entity half of the SQLite store: the SQL that reads and writes actions, packages,
 * triggers and rules; the revision and conflict rules come from `_store_rules.ts`.
 * Mirrors the document semantics of upstream's whisks database (`ArtifactStore.put/get/del`,
 * the `whisks.v2.1.0` views); differences: a deleted entity leaves a tombstone row so its
 * revision count continues. Callers run the writes inside a write transaction.
 *
 * @module
 */

import type { SQLInputValue, StatementSync } from "node:sqlite";
import type {
  EntityCollection,
  EntityFilter,
  Paging,
  RevisionMismatch,
  StoredEntity,
} from "./entity_store.ts";
import {
  ENTITY_COLUMNS,
  entityAtRevision,
  type EntityKey,
  type EntityRow,
  type EntityWrite,
  pageBounds,
  revisionOfDelete,
  revisionOfWrite,
  toEntity,
} from "./_store_rules.ts";

/** Prepares (or reuses) a statement. */
export type Sql = (sql: string) => StatementSync;

/** ` LIMIT n OFFSET m` for a page; no limit when `limit` is absent. */
export function pageSql(paging: Paging): string {
  const { limit, offset } = pageBounds(paging);
  return ` LIMIT ${limit ?? -1} OFFSET ${offset}`;
}

function selectRow(sql: Sql, key: EntityKey): EntityRow | undefined {
  return sql(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE namespace = ? AND name = ?`)
    .get(key.namespace, key.name) as EntityRow | undefined;
}

/** The current entity; with a non-empty `revision` that is not current, a mismatch. */
export function selectEntity<T>(
  sql: Sql,
  key: EntityKey,
  revision?: string,
): StoredEntity<T> | RevisionMismatch | undefined {
  return entityAtRevision<T>(selectRow(sql, key), key, revision);
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
export function writeEntity(sql: Sql, key: EntityKey, json: string, write: EntityWrite): string {
  const revision = revisionOfWrite(selectRow(sql, key), key, json, write);
  saveRow(sql, key, revision, write.updated, json);
  return revision;
}

/** Deletes the entity, leaving a tombstone, and returns what was stored. */
export function removeEntity<T>(
  sql: Sql,
  key: EntityKey,
  expectRevision: string | undefined,
  now: number,
): StoredEntity<T> {
  const { live, revision } = revisionOfDelete(selectRow(sql, key), key, expectRevision);
  saveRow(sql, key, revision, now, null);
  return toEntity<T>(live);
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
  const query = `SELECT ${ENTITY_COLUMNS} FROM entities ${clause}
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
