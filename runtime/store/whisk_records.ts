/**
 * Typed access to the store's records in upstream's shapes: a `WhiskActivation`
 * written insert-if-absent (`encodeActivation` gives the stored JSON), and read back
 * with `decodeActivation`. The one place that joins the protocol types to the store's
 * index fields, so no caller casts.
 *
 * @module
 */
import {
  decodeActivation,
  encodeActivation,
  type WhiskActivation,
} from "../../protocols/whisk_activation.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import { decodeWhiskAction, type WhiskAction } from "../../protocols/whisk_action.ts";
import type { ActivationIndexFields, EntityStore, PutActivationResult } from "./entity_store.ts";

/** An action document with the store's revision of it. */
export interface StoredAction {
  readonly action: WhiskAction;
  readonly revision: string;
}

/**
 * Where an action lives in the store: namespace `guest`, name `pkg/act` for the fully
 * qualified `guest/pkg/act`.
 */
export function actionStoreKey(fqn: FullyQualifiedEntityName): { namespace: string; name: string } {
  const [namespace = "", ...pkg] = fqn.path.split("/");
  return { namespace, name: [...pkg, fqn.name].join("/") };
}

/**
 * Reads an action at `revision`; when that revision is gone it reads the latest, as
 * upstream's invoker retries without a revision. Undefined when the action is absent.
 *
 * @throws {TypeError} when the stored document does not decode
 */
export async function getWhiskAction(
  store: EntityStore,
  fqn: FullyQualifiedEntityName,
  revision?: string,
): Promise<StoredAction | undefined> {
  const { namespace, name } = actionStoreKey(fqn);
  const found = revision
    ? await store.getEntity("actions", namespace, name, { revision })
    : await store.getEntity("actions", namespace, name);
  const entity = found?.type === "RevisionMismatch"
    ? await store.getEntity("actions", namespace, name)
    : found;
  if (!entity) return undefined;
  return {
    action: { ...decodeWhiskAction(entity.doc), updated: entity.updated },
    revision: entity.revision,
  };
}

/**
 * Stores an activation record, insert-if-absent by activation id.
 *
 * @returns "inserted", or "exists" when another writer was first
 */
export function putWhiskActivation(
  store: EntityStore,
  record: WhiskActivation,
): Promise<PutActivationResult> {
  return store.putActivation(encodeActivation(record) as unknown as ActivationIndexFields);
}

/** Reads an activation record, or undefined while none is stored. */
export async function getWhiskActivation(
  store: EntityStore,
  namespace: string,
  activationId: string,
): Promise<WhiskActivation | undefined> {
  const doc = await store.getActivation(namespace, activationId);
  return doc === undefined ? undefined : decodeActivation(doc);
}
