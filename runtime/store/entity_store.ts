/**
 * The `EntityStore` interface: subjects and their keys, actions/packages/triggers/rules
 * with revisions, activation records and namespace limits. Mirrors the roles of upstream's
 * `ArtifactStore` over the `subjects`, `whisks` and `activations` databases
 * (`common/scala/.../core/database/ArtifactStore.scala`, `ActivationStore.scala`,
 * `WhiskEntityQueries.scala`, `core/entity/Identity.scala`).
 *
 * Differences: documents are opaque JSON values (the typed shapes live in
 * `protocols/entities.ts`); the store keeps only the index fields it needs; every method
 * is async so a PostgreSQL implementation fits behind the same interface.
 *
 * @module
 */

/** The four entity collections that share one name space per namespace, as upstream. */
export type EntityCollection = "actions" | "packages" | "triggers" | "rules";

/** One namespace of a subject with its basic-auth credential. */
export interface SubjectNamespace {
  readonly name: string;
  /** The basic-auth user name (a UUID). */
  readonly uuid: string;
  /** The basic-auth password (64 characters upstream). */
  readonly key: string;
}

/** A subject (a user) and the namespaces it owns. */
export interface SubjectRecord {
  readonly subject: string;
  readonly namespaces: readonly SubjectNamespace[];
}

/** Who a credential authenticates: upstream's `Identity` without rights and limits. */
export interface Identity {
  readonly subject: string;
  readonly namespace: string;
  readonly uuid: string;
  readonly key: string;
}

/** A stored entity with the store's metadata. */
export interface StoredEntity<T = unknown> {
  readonly type: "Entity";
  readonly collection: EntityCollection;
  /** The root namespace, e.g. `guest`. */
  readonly namespace: string;
  /** `name` or `package/name`. */
  readonly name: string;
  /** Upstream's `N-<hash>` revision. */
  readonly revision: string;
  /** Epoch ms of the last write. */
  readonly updated: number;
  readonly doc: T;
}

/** The entity exists but its current revision is not the one asked for. */
export interface RevisionMismatch {
  readonly type: "RevisionMismatch";
  readonly currentRevision: string;
}

/** Options of {@link EntityStore.putEntity}. */
export interface PutEntityOptions {
  /** Update only if the current revision is this one (implies overwrite). */
  readonly expectRevision?: string;
  /** Replace an existing document (upstream's `overwrite=true`). */
  readonly overwrite?: boolean;
  /** The `updated` stamp to index by (default: the store's clock); pass the doc's own. */
  readonly updated?: number;
}

/** Paging of list calls; the REST layer applies upstream's 30/200 defaults. */
export interface Paging {
  /** At most this many rows; absent means no limit. */
  readonly limit?: number;
  /** Rows to skip first (default 0). */
  readonly skip?: number;
}

/** Filters of entity lists and counts. */
export interface EntityFilter {
  /**
   * Only names starting with this; `pkg/` lists one package's actions. Without it a
   * namespace's list includes its packaged actions, as upstream's views do.
   */
  readonly prefix?: string;
}

/** The fields of an activation record the store indexes; the rest is opaque. */
export interface ActivationIndexFields {
  readonly activationId: string;
  /** The invoking namespace. */
  readonly namespace: string;
  /** The action (or trigger) name without package. */
  readonly name: string;
  /** Epoch ms. */
  readonly start: number;
  /** Carries `path` (`ns/pkg/name`) and `binding` used by the name filter. */
  readonly annotations?: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
}

/** Filters of activation lists and counts (`since`/`upto` inclusive, epoch ms). */
export interface ActivationFilter {
  /** `name` for unpackaged actions, `pkg/name` for packaged ones. */
  readonly name?: string;
  readonly since?: number;
  readonly upto?: number;
}

/** Upstream's activation list entry (`docs=false`). */
export interface ActivationSummary {
  readonly namespace: string;
  readonly name: string;
  readonly version?: unknown;
  readonly publish?: unknown;
  readonly annotations?: unknown;
  readonly activationId: string;
  readonly start: number;
  readonly end?: number;
  readonly duration?: number;
  readonly cause?: unknown;
  readonly statusCode?: number;
}

/** Result of {@link EntityStore.putActivation}: the first writer wins. */
export type PutActivationResult = "inserted" | "exists";

/**
 * Persistent state shared by every role. Errors: `ConflictError`, `NotFoundError`,
 * `StoreUnavailableError` (retryable), from `store_errors.ts`.
 */
export interface EntityStore {
  /** Creates or replaces a subject and its keys; a key owned by another subject conflicts. */
  putSubject(subject: SubjectRecord): Promise<void>;
  /** The identity a basic-auth credential names, or undefined. */
  getIdentityByKey(uuid: string, key: string): Promise<Identity | undefined>;
  getSubject(subject: string): Promise<SubjectRecord | undefined>;
  /** Every subject, by name. */
  listSubjects(): Promise<SubjectRecord[]>;

  /** The current entity, or undefined (also when the name belongs to another collection). */
  getEntity<T = unknown>(
    coll: EntityCollection,
    namespace: string,
    name: string,
  ): Promise<StoredEntity<T> | undefined>;
  /** The entity at `revision`, a mismatch naming the current one, or undefined. */
  getEntity<T = unknown>(
    coll: EntityCollection,
    namespace: string,
    name: string,
    options: { readonly revision: string },
  ): Promise<StoredEntity<T> | RevisionMismatch | undefined>;
  /** Writes a document and returns its new revision; throws `ConflictError`. */
  putEntity(
    coll: EntityCollection,
    namespace: string,
    name: string,
    doc: unknown,
    options?: PutEntityOptions,
  ): Promise<string>;
  /** Deletes and returns the entity; throws `NotFoundError` or `ConflictError`. */
  deleteEntity<T = unknown>(
    coll: EntityCollection,
    namespace: string,
    name: string,
    options?: { readonly expectRevision?: string },
  ): Promise<StoredEntity<T>>;
  /** Entities of a namespace, most recently updated first. */
  listEntities<T = unknown>(
    coll: EntityCollection,
    namespace: string,
    options?: Paging & EntityFilter,
  ): Promise<StoredEntity<T>[]>;
  countEntities(coll: EntityCollection, namespace: string, filter?: EntityFilter): Promise<number>;

  /** Insert-if-absent by activation id; a later writer gets "exists" and is logged at info. */
  putActivation(record: ActivationIndexFields): Promise<PutActivationResult>;
  getActivation<T = unknown>(namespace: string, activationId: string): Promise<T | undefined>;
  /** Full records (`docs: true`), newest first. */
  listActivations<T = unknown>(
    namespace: string,
    options: Paging & ActivationFilter & { readonly docs: true },
  ): Promise<T[]>;
  /** Summaries (`docs` false or absent), newest first. */
  listActivations(
    namespace: string,
    options?: Paging & ActivationFilter & { readonly docs?: false },
  ): Promise<ActivationSummary[]>;
  countActivations(namespace: string, filter?: ActivationFilter): Promise<number>;

  /** The namespace's limits document, or undefined when it has none. */
  getNamespaceLimits<T = unknown>(namespace: string): Promise<T | undefined>;
  putNamespaceLimits(namespace: string, limits: unknown): Promise<void>;

  /** Releases the store; later calls throw `StoreUnavailableError`. */
  close(): Promise<void>;
}
