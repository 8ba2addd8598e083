/**
 * The entity half of the PostgreSQL store: the SQL that reads and writes actions,
 * packages, triggers and rules; the revision and conflict rules come from
 * `_store_rules.ts`, as for `_sqlite_entities.ts`. Mirrors the document semantics of
 * upstream's whisks database (`ArtifactStore.put/get/del`, the `whisks.v2.1.0` views);
 * differences: a deleted entity leaves a tombstone row so its revision count continues.
 * Writers run inside a transaction holding the document's advisory lock, so concurrent
 * writers of one document id (in any process) take turns and no revision is lost.
 *
 * @module
 */

import type {
  EntityCollection,
  EntityFilter,
  Paging,
  RevisionMismatch,
  StoredEntity,
} from "./entity_store.ts";
import type { Query } from "./_postgres_pool.ts";
import { advisoryLock } from "./_postgres_schema.ts";
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

/** `LIMIT $a OFFSET $b` for a page, appending its two values; a null limit means none. */
export function pageSql(paging: Paging, params: unknown[]): string {
  const { limit, offset } = pageBounds(paging);
  params.push(limit ?? null, offset);
  return ` LIMIT $${params.length - 1} OFFSET $${params.length}`;
}

async function selectRow(query: Query, key: EntityKey): Promise<EntityRow | undefined> {
  const { rows } = await query(
    `SELECT ${ENTITY_COLUMNS} FROM entities WHERE namespace = $1 AND name = $2`,
    [key.namespace, key.name],
  );
  return rows[0] as EntityRow | undefined;
}

/** Serialises writers of one document id; `scope` keeps schemas apart. */
export function lockDocument(query: Query, scope: string, key: EntityKey): Promise<void> {
  return advisoryLock(query, `whisk-store-doc:${scope}:${key.namespace}/${key.name}`);
}

/** The current entity; with a non-empty `revision` that is not current, a mismatch. */
export async function selectEntity<T>(
  query: Query,
  key: EntityKey,
  revision?: string,
): Promise<StoredEntity<T> | RevisionMismatch | undefined> {
  return entityAtRevision<T>(await selectRow(query, key), key, revision);
}

async function saveRow(
  query: Query,
  key: EntityKey,
  revision: string,
  updated: number,
  doc: string | null,
): Promise<void> {
  await query(
    `INSERT INTO entities (collection, namespace, name, revision, updated, doc)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (namespace, name) DO UPDATE SET collection = excluded.collection,
       revision = excluded.revision, updated = excluded.updated,
       seq = nextval('entity_writes'), doc = excluded.doc`,
    [key.coll, key.namespace, key.name, revision, updated, doc],
  );
}

/** Writes `json` under upstream's conflict rules and returns the new revision. */
export async function writeEntity(
  query: Query,
  key: EntityKey,
  json: string,
  write: EntityWrite,
): Promise<string> {
  const revision = revisionOfWrite(await selectRow(query, key), key, json, write);
  await saveRow(query, key, revision, write.updated, json);
  return revision;
}

/** Deletes the entity, leaving a tombstone, and returns what was stored. */
export async function removeEntity<T>(
  query: Query,
  key: EntityKey,
  expectRevision: string | undefined,
  now: number,
): Promise<StoredEntity<T>> {
  const { live, revision } = revisionOfDelete(await selectRow(query, key), key, expectRevision);
  await saveRow(query, key, revision, now, null);
  return toEntity<T>(live);
}

function where(coll: EntityCollection, namespace: string, filter: EntityFilter) {
  const params: unknown[] = [namespace, coll];
  let clause = "WHERE namespace = $1 AND collection = $2 AND doc IS NOT NULL";
  if (filter.prefix !== undefined) {
    params.push(filter.prefix);
    clause += " AND starts_with(name, $3)";
  }
  return { clause, params };
}

/** A page of live entities, most recently updated first (write order breaks ties). */
export async function selectEntities<T>(
  query: Query,
  coll: EntityCollection,
  namespace: string,
  options: Paging & EntityFilter,
): Promise<StoredEntity<T>[]> {
  const { clause, params } = where(coll, namespace, options);
  const sql = `SELECT ${ENTITY_COLUMNS} FROM entities ${clause}
    ORDER BY updated DESC, seq DESC${pageSql(options, params)}`;
  const { rows } = await query(sql, params);
  return rows.map((row) => toEntity<T>(row as unknown as EntityRow));
}

/** How many live entities match. */
export async function countEntityRows(
  query: Query,
  coll: EntityCollection,
  namespace: string,
  filter: EntityFilter,
): Promise<number> {
  const { clause, params } = where(coll, namespace, filter);
  const { rows } = await query(`SELECT count(*) AS n FROM entities ${clause}`, params);
  return Number(rows[0]?.n ?? 0);
}
