/**
 * The JSON the REST API serves for stored documents: activation records as the API
 * shows them (the stored `statusCode` replaced by `status` and `success`), action
 * documents with or without code, and action list summaries. Mirrors
 * `WhiskActivation.toExtendedJson` / `ActivationResponse.toExtendedJson` in
 * `core/entity/WhiskActivation.scala`, `ActivationResult.scala`, and the entity list
 * views of `ansible/files/whisks_design_document_for_entities_db_v2.1.0.json`.
 *
 * @module
 */
import {
  actionMetaData,
  decodeActivation,
  decodeWhiskAction,
  encodeActionMetaData,
  encodeActivation,
  encodeActivationResponse,
  encodeWhiskAction,
  type WhiskAction,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import type { StoredEntity } from "../../../runtime/store/mod.ts";

/** An activation response as the API shows it: `{status, success, result?, size?}`. */
export function apiResponse(activation: WhiskActivation): Record<string, unknown> {
  const { statusCode: _stored, ...shown } = encodeActivationResponse(activation.response);
  return shown;
}

/**
 * An activation record as the API shows it.
 *
 * @example
 * ```ts
 * import { apiActivation } from "./api_json.ts";
 * const shown = apiActivation({
 *   namespace: "guest", name: "hello", subject: "guest", activationId: "a".repeat(32),
 *   start: 1, end: 2, response: { statusCode: 0, result: {} }, logs: [], annotations: [],
 *   version: "0.0.1", publish: false,
 * });
 * console.assert(!("statusCode" in (shown.response as object)));
 * ```
 */
export function apiActivation(activation: WhiskActivation): Record<string, unknown> {
  return { ...encodeActivation(activation), response: apiResponse(activation) };
}

/** A stored activation document, decoded; `undefined` when it does not decode. */
export function storedActivation(doc: unknown): WhiskActivation | undefined {
  try {
    return decodeActivation(doc);
  } catch {
    return undefined;
  }
}

/** A stored action, decoded with the store's `updated`; `undefined` when it does not decode. */
export function storedAction(entity: StoredEntity): WhiskAction | undefined {
  try {
    return { ...decodeWhiskAction(entity.doc), updated: entity.updated };
  } catch {
    return undefined;
  }
}

/** An action document, with its code or (`code=false`) without. */
export function apiAction(action: WhiskAction, withCode = true): Record<string, unknown> {
  return withCode ? encodeWhiskAction(action) : encodeActionMetaData(actionMetaData(action));
}

/** An action list entry: `{namespace, name, version, publish, annotations, limits, exec: {binary}, updated}`. */
export function actionSummary(action: WhiskAction): Record<string, unknown> {
  const binary = action.exec.kind === "sequence" ? false : action.exec.binary;
  return {
    namespace: action.namespace,
    name: action.name,
    version: action.version,
    publish: action.publish,
    annotations: action.annotations.map((kv) => ({ key: kv.key, value: kv.value })),
    limits: { ...action.limits },
    exec: { binary },
    ...(action.updated === undefined ? {} : { updated: action.updated }),
  };
}
