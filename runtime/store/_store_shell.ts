/**
 * The `EntityStore` face both adapters share: the overloaded signatures, default
 * arguments, entity keys and the "first writer wins" log of `putActivation`, over a small
 * {@link StoreBackend} each adapter implements with its SQL. Mirrors the role of upstream's
 * `ArtifactStore` trait over its `CouchDbRestStore` implementation.
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
  RevisionMismatch,
  StoredEntity,
  SubjectRecord,
} from "./entity_store.ts";
import type { EntityKey } from "./_store_rules.ts";

/** What an adapter implements: every store call with its arguments normalised. */
export interface StoreBackend {
  putSubject(record: SubjectRecord): Promise<void>;
  getIdentityByKey(uuid: string, key: string): Promise<Identity | undefined>;
  getSubject(subject: string): Promise<SubjectRecord | undefined>;
  listSubjects(): Promise<SubjectRecord[]>;
  getEntity(
    key: EntityKey,
    revision: string | undefined,
  ): Promise<StoredEntity | RevisionMismatch | undefined>;
  putEntity(key: EntityKey, doc: unknown, options: PutEntityOptions): Promise<string>;
  deleteEntity(key: EntityKey, expectRevision: string | undefined): Promise<StoredEntity>;
  listEntities(
    coll: EntityCollection,
    namespace: string,
    options: Paging & EntityFilter,
  ): Promise<StoredEntity[]>;
  countEntities(coll: EntityCollection, namespace: string, filter: EntityFilter): Promise<number>;
  /** True when this call inserted the record, false when its id was stored. */
  insertActivation(record: ActivationIndexFields): Promise<boolean>;
  getActivation(namespace: string, activationId: string): Promise<unknown>;
  listActivations(
    namespace: string,
    options: Paging & ActivationFilter & { readonly docs?: boolean },
  ): Promise<unknown[]>;
  countActivations(namespace: string, filter: ActivationFilter): Promise<number>;
  getNamespaceLimits(namespace: string): Promise<unknown>;
  putNamespaceLimits(namespace: string, limits: unknown): Promise<void>;
  close(): Promise<void>;
}

/** The `EntityStore` over `backend`; `logger` hears of ignored activation rewrites. */
export function composeEntityStore(backend: StoreBackend, logger: Logger): EntityStore {
  const b = backend;
  return {
    putSubject: (record) => b.putSubject(record),
    getIdentityByKey: (uuid, key) => b.getIdentityByKey(uuid, key),
    getSubject: (subject) => b.getSubject(subject),
    listSubjects: () => b.listSubjects(),
    getEntity: ((
      coll: EntityCollection,
      namespace: string,
      name: string,
      options?: { readonly revision: string },
    ) => b.getEntity({ coll, namespace, name }, options?.revision)) as EntityStore["getEntity"],
    putEntity: (coll, namespace, name, doc, options = {}) =>
      b.putEntity({ coll, namespace, name }, doc, options),
    deleteEntity: ((
      coll: EntityCollection,
      namespace: string,
      name: string,
      options: { readonly expectRevision?: string } = {},
    ) => b.deleteEntity({ coll, namespace, name }, options.expectRevision)) as EntityStore[
      "deleteEntity"
    ],
    listEntities:
      ((coll: EntityCollection, namespace: string, options: Paging & EntityFilter = {}) =>
        b.listEntities(coll, namespace, options)) as EntityStore["listEntities"],
    countEntities: (coll, namespace, filter = {}) => b.countEntities(coll, namespace, filter),
    putActivation: async (record) => {
      if (await b.insertActivation(record)) return "inserted";
      logger.info("activation record already stored; the later write is ignored", {
        activationId: record.activationId,
        namespace: record.namespace,
      });
      return "exists";
    },
    getActivation:
      ((namespace: string, activationId: string) =>
        b.getActivation(namespace, activationId)) as EntityStore["getActivation"],
    listActivations: ((
      namespace: string,
      options: Paging & ActivationFilter & { readonly docs?: boolean } = {},
    ) => b.listActivations(namespace, options)) as EntityStore["listActivations"],
    countActivations: (namespace, filter = {}) => b.countActivations(namespace, filter),
    getNamespaceLimits:
      ((namespace: string) => b.getNamespaceLimits(namespace)) as EntityStore["getNamespaceLimits"],
    putNamespaceLimits: (namespace, limits) => b.putNamespaceLimits(namespace, limits),
    close: () => b.close(),
  };
}
