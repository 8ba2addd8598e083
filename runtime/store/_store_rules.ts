/**
 * The database-independent rules both store adapters (`sqlite_store.ts`,
 * `postgres_store.ts`) apply around their SQL: entity rows and their liveness, upstream's
 * revision and conflict rules for writes and deletes, paging bounds, the activation
 * index values and the constant-time key comparison. Mirrors the document semantics of
 * upstream's `ArtifactStore.put/get/del` (`common/scala/.../core/database/`); revisions
 * come from `protocols/revision.ts`.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import { nextRevision } from "../../protocols/revision.ts";
import { activationFilterName } from "./activation_index.ts";
import type {
  ActivationIndexFields,
  EntityCollection,
  Paging,
  PutEntityOptions,
  RevisionMismatch,
  StoredEntity,
} from "./entity_store.ts";
import { ConflictError, NotFoundError } from "./store_errors.ts";

/** Which entity: its collection and its document id `(namespace, name)`. */
export interface EntityKey {
  readonly coll: EntityCollection;
  readonly namespace: string;
  readonly name: string;
}

/** One row of the `entities` table; `doc` is null for a tombstone. */
export interface EntityRow {
  readonly collection: EntityCollection;
  readonly namespace: string;
  readonly name: string;
  readonly revision: string;
  readonly updated: number | string;
  readonly doc: string | null;
}

/** The columns an {@link EntityRow} is read from. */
export const ENTITY_COLUMNS = "collection, namespace, name, revision, updated, doc";

/** A `putEntity` write ready for SQL: the document's JSON and the `updated` stamp. */
export type EntityWrite = PutEntityOptions & { readonly updated: number };

/** Parses a stored JSON column. */
export function parseJson<T>(json: unknown): T {
  return JSON.parse(typeof json === "string" ? json : "null") as T;
}

/** The document id conflicts and not-found errors name: `namespace/name`. */
function docIdOf(key: EntityKey): string {
  return `${key.namespace}/${key.name}`;
}

/** The stored entity of a row. */
export function toEntity<T>(row: EntityRow): StoredEntity<T> {
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

/** The row when it holds a live entity of the key's collection, else undefined. */
export function liveEntityRow(row: EntityRow | undefined, key: EntityKey): EntityRow | undefined {
  return row && row.doc !== null && row.collection === key.coll ? row : undefined;
}

/** The current entity; with a non-empty `revision` that is not current, a mismatch. */
export function entityAtRevision<T>(
  row: EntityRow | undefined,
  key: EntityKey,
  revision?: string,
): StoredEntity<T> | RevisionMismatch | undefined {
  const live = liveEntityRow(row, key);
  if (!live) return undefined;
  // An empty revision means "the latest", as upstream's retry after a mismatch.
  if (revision && revision !== live.revision) {
    return { type: "RevisionMismatch", currentRevision: live.revision };
  }
  return toEntity<T>(live);
}

/**
 * The revision a write of `json` over the stored `row` (live or tombstone) gets, after
 * upstream's conflict rules; throws `ConflictError`.
 */
export function revisionOfWrite(
  row: EntityRow | undefined,
  key: EntityKey,
  json: string,
  options: PutEntityOptions,
): string {
  const docId = docIdOf(key);
  const live = row !== undefined && row.doc !== null;
  if (live && row.collection !== key.coll) throw new ConflictError("collection", docId);
  if (options.expectRevision !== undefined) {
    if (!live || row.revision !== options.expectRevision) {
      throw new ConflictError("revision", docId);
    }
  } else if (live && !options.overwrite) throw new ConflictError("exists", docId);
  return nextRevision(row?.revision ?? "", json);
}

/**
 * The tombstone revision of deleting the stored `row`; throws `NotFoundError` or
 * `ConflictError`.
 */
export function revisionOfDelete(
  row: EntityRow | undefined,
  key: EntityKey,
  expectRevision: string | undefined,
): { readonly live: EntityRow; readonly revision: string } {
  const live = liveEntityRow(row, key);
  if (!live) throw new NotFoundError(docIdOf(key));
  if (expectRevision !== undefined && expectRevision !== live.revision) {
    throw new ConflictError("revision", docIdOf(key));
  }
  return { live, revision: nextRevision(live.revision, "deleted") };
}

/**
 * The JSON of an entity document and the write's options with `updated` stamped
 * (`options.updated`, else `now()`); throws `TypeError` when `doc` is not JSON.
 */
export function prepareEntityWrite(
  doc: unknown,
  options: PutEntityOptions,
  now: () => number,
): { readonly json: string; readonly write: EntityWrite } {
  const json = JSON.stringify(doc);
  if (json === undefined) throw new TypeError("an entity document must be a JSON value");
  return { json, write: { ...options, updated: options.updated ?? now() } };
}

/** A page's row bounds: `limit` undefined means no limit. */
export function pageBounds(paging: Paging): { limit: number | undefined; offset: number } {
  const limit = paging.limit === undefined ? undefined : Math.max(0, Math.trunc(paging.limit));
  return { limit, offset: Math.max(0, Math.trunc(paging.skip ?? 0)) };
}

/**
 * The values of an `activations` row: id, namespace, filter name, start and the record's
 * JSON; throws `TypeError` when an index field is missing.
 */
export function activationRowValues(
  record: ActivationIndexFields,
): [string, string, string, number, string] {
  const ok = typeof record === "object" && record !== null &&
    typeof record.activationId === "string" && typeof record.namespace === "string" &&
    typeof record.name === "string" && Number.isFinite(record.start);
  if (!ok) throw new TypeError("an activation record needs activationId, namespace, name, start");
  return [
    record.activationId,
    record.namespace,
    activationFilterName(record),
    record.start,
    JSON.stringify(record),
  ];
}

/** Whether two secrets are equal, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
