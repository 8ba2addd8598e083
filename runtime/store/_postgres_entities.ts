/**
 * The entity half of the PostgreSQL store: reads and writes of actions, packages,
 * triggers and rules with upstream's revision and conflict rules, the same semantics as
 * `_sqlite_entities.ts`. Mirrors the document semantics of upstream's whisks database
 * (`ArtifactStore.put/get/del`, the `whisks.v2.1.0` views); differences: a deleted entity
 * leaves a tombstone row so its revision count continues. Writers run inside a
 * transaction holding the document's advisory lock, so concurrent writers of one
 * document id (in any process) take turns and no revision is lost.
 *
 * @module
 */

import type {
  EntityCollection,
  EntityFilter,
  Paging,
  PutEntityOptions,
  RevisionMismatch,
  StoredEntity,
} from "./entity_store.ts";
import type { Query } from "./_postgres_pool.ts";
import { advisoryLock } from "./_postgres_schema.ts";
import { nextRevision, revisionNumber } from "./_revision.ts";
import { ConflictError, NotFoundError } from "./store_errors.ts";

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

/** `LIMIT $a OFFSET $b` for a page, appending its two values; a null limit means none. */
export function pageSql(paging: Paging, params: unknown[]): string {
  const limit = paging.limit === undefined ? null : Math.max(0, Math.trunc(paging.limit));
  params.push(limit, Math.max(0, Math.trunc(paging.skip ?? 0)));
  return ` LIMIT $${params.length - 1} OFFSET $${params.length}`;
}

function toEntity<T>(row: EntityRow): StoredEntity<T> {
  const { collection, namespace, name, revision, updated } = row;
  return {
    type: "Entity",
    collection,
    namespace,
    name,
    revision,
    updated: Number(updated),
    doc: parseJson(row.doc),
  };
}

async function selectRow(query: Query, key: EntityKey): Promise<EntityRow | undefined> {
  const { rows } = await query(
    `SELECT ${COLUMNS} FROM entities WHERE namespace = $1 AND name = $2`,
    [key.namespace, key.name],
  );
  return rows[0] as EntityRow | undefined;
}

async function liveRow(query: Query, key: EntityKey): Promise<EntityRow | undefined> {
  const row = await selectRow(query, key);
  return row && row.doc !== null && row.collection === key.coll ? row : undefined;
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
  const row = await liveRow(query, key);
  if (!row) return undefined;
  // An empty revision means "the latest", as upstream's retry after a mismatch.
  if (revision && revision !== row.revision) {
    return { type: "RevisionMismatch", currentRevision: row.revision };
  }
  return toEntity<T>(row);
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
  options: PutEntityOptions & { readonly updated: number },
): Promise<string> {
  const row = await selectRow(query, key);
  const docId = `${key.namespace}/${key.name}`;
  const live = row !== undefined && row.doc !== null;
  if (live && row.collection !== key.coll) throw new ConflictError("collection", docId);
  if (options.expectRevision !== undefined) {
    if (!live || row.revision !== options.expectRevision) {
      throw new ConflictError("revision", docId);
    }
  } else if (live && !options.overwrite) throw new ConflictError("exists", docId);
  const revision = nextRevision(row ? revisionNumber(row.revision) : 0, json);
  await saveRow(query, key, revision, options.updated, json);
  return revision;
}

/** Deletes the entity, leaving a tombstone, and returns what was stored. */
export async function removeEntity<T>(
  query: Query,
  key: EntityKey,
  expectRevision: string | undefined,
  now: number,
): Promise<StoredEntity<T>> {
  const row = await liveRow(query, key);
  const docId = `${key.namespace}/${key.name}`;
  if (!row) throw new NotFoundError(docId);
  if (expectRevision !== undefined && expectRevision !== row.revision) {
    throw new ConflictError("revision", docId);
  }
  await saveRow(query, key, nextRevision(revisionNumber(row.revision), "deleted"), now, null);
  return toEntity<T>(row);
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
  const sql = `SELECT ${COLUMNS} FROM entities ${clause}
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
