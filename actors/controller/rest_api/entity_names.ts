/**
 * Action names in REST paths: `name` or `package/name` (package paths arrive as two
 * unencoded segments), checked with upstream's entity-name rule, and the ids derived
 * from them (store key, document id, namespace path). Mirrors `EntityName`,
 * `EntityPath` and `FullyQualifiedEntityName` of `common/scala/.../core/entity/`.
 *
 * @module
 */
import { isValidEntityName } from "../../../protocols/mod.ts";
import { ApiError, Messages } from "./errors.ts";

/** An action inside a root namespace. */
export interface ActionRef {
  /** The root namespace, `guest`. */
  readonly namespace: string;
  /** The package, when the action is in one. */
  readonly packageName?: string;
  /** The action's own name. */
  readonly name: string;
  /** The store key inside the namespace: `name` or `pkg/name`. */
  readonly storeName: string;
  /** The document id, `guest/name` or `guest/pkg/name` (cache key, invalidation id). */
  readonly docId: string;
  /** The document's `namespace` field: `guest` or `guest/pkg`. */
  readonly path: string;
}

/**
 * Parses the name part of `/actions/{name}` or `/actions/{pkg}/{name}`.
 *
 * @throws {ApiError} 400 when a segment is not a valid entity name; 404 when deeper
 *
 * @example
 * ```ts
 * import { parseActionRef } from "./entity_names.ts";
 * const ref = parseActionRef("guest", "pkg/hello");
 * console.assert(ref.docId === "guest/pkg/hello" && ref.path === "guest/pkg");
 * ```
 */
export function parseActionRef(namespace: string, raw: string): ActionRef {
  const segments = raw.split("/");
  if (segments.length > 2) throw new ApiError(404, Messages.resourceDoesNotExist);
  if (!segments.every(isValidEntityName)) throw new ApiError(400, Messages.entityNameIllegal);
  const [first, second] = segments as [string, string | undefined];
  if (second === undefined) {
    return {
      namespace,
      name: first,
      storeName: first,
      docId: `${namespace}/${first}`,
      path: namespace,
    };
  }
  return {
    namespace,
    packageName: first,
    name: second,
    storeName: `${first}/${second}`,
    docId: `${namespace}/${first}/${second}`,
    path: `${namespace}/${first}`,
  };
}

/**
 * Parses a package name of `/actions/{pkg}/` (listing a package).
 *
 * @throws {ApiError} 400 when it is not a valid entity name
 */
export function parsePackageName(raw: string): string {
  if (!isValidEntityName(raw)) throw new ApiError(400, Messages.entityNameIllegal);
  return raw;
}
