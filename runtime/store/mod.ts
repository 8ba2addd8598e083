/**
 * The entity store: the `EntityStore` interface every role opens, its errors, the
 * activation index helpers shared by implementations, and the embedded SQLite store.
 * Mirrors the roles of upstream's `ArtifactStore` / `ActivationStore` providers.
 *
 * @module
 */

export type {
  ActivationFilter,
  ActivationIndexFields,
  ActivationSummary,
  EntityCollection,
  EntityFilter,
  EntityStore,
  Identity,
  Paging,
  PutActivationResult,
  PutEntityOptions,
  RevisionMismatch,
  StoredEntity,
  SubjectNamespace,
  SubjectRecord,
} from "./entity_store.ts";
export { ConflictError, NotFoundError, StoreUnavailableError } from "./store_errors.ts";
export type { ConflictReason } from "./store_errors.ts";
export { activationFilterName, summarizeActivation } from "./activation_index.ts";
export { openSqliteStore, storeFileIn } from "./sqlite_store.ts";
export type { SqliteStoreOptions } from "./sqlite_store.ts";
export { openPostgresStore, type PostgresStoreOptions } from "./postgres_store.ts";
export {
  actionStoreKey,
  getWhiskAction,
  getWhiskActivation,
  putWhiskActivation,
  type StoredAction,
} from "./whisk_records.ts";
