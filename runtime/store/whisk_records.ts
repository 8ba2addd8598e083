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
import type { ActivationIndexFields, EntityStore, PutActivationResult } from "./entity_store.ts";

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
