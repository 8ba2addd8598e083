/**
 * The `cacheInvalidation` topic's message: an entity changed (or was deleted), so
 * every cache drops its entry for that document.
 *
 * Mirrors `CacheInvalidationMessage` and `CacheKey` in
 * `common/scala/.../core/database/RemoteCacheInvalidation.scala` and
 * `core/entity/CacheKey.scala` (`{"key":{"mainId","secondaryId"?},"instanceId"}`);
 * differences: an optional `entityType` says which collection the document is in, so
 * a process can skip caches it does not keep.
 *
 * @module
 */

import {
  child,
  nonEmptyString,
  object,
  oneOf,
  opt,
  optional,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";

/** The collections whose documents are cached. */
export const CACHED_ENTITY_TYPES = ["action", "package", "trigger", "rule", "identity"] as const;

/** A cached collection. */
export type CachedEntityType = typeof CACHED_ENTITY_TYPES[number];

/** An entity changed. */
export interface CacheInvalidationMessage {
  readonly type: "CacheInvalidationMessage";
  /** The document id, e.g. `guest/hello` or `guest/pkg/hello`. */
  readonly mainId: string;
  /** The new revision (upstream's `secondaryId`), absent on delete. */
  readonly secondaryId?: string;
  /** The sender, e.g. `controller0`, so it can skip its own message. */
  readonly instanceId: string;
  readonly entityType?: CachedEntityType;
}

/** Wire value. */
export function encodeCacheInvalidation(m: CacheInvalidationMessage): Record<string, unknown> {
  return {
    key: { mainId: m.mainId, ...opt("secondaryId", m.secondaryId) },
    instanceId: m.instanceId,
    ...opt("entityType", m.entityType),
  };
}

/** Decodes the message. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeCacheInvalidation(input: unknown): CacheInvalidationMessage {
  const at = root("CacheInvalidationMessage");
  const rec = object(parseInput(at.what, input), at);
  const keyAt = child(at, "key");
  const key = object(own(rec, "key"), keyAt);
  return {
    type: "CacheInvalidationMessage",
    mainId: nonEmptyString(own(key, "mainId"), child(keyAt, "mainId")),
    ...opt("secondaryId", optional(key, keyAt, "secondaryId", string)),
    instanceId: string(own(rec, "instanceId"), child(at, "instanceId")),
    ...opt(
      "entityType",
      optional(rec, at, "entityType", (v, a) => oneOf(v, a, CACHED_ENTITY_TYPES)),
    ),
  };
}
