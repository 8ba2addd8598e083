/**
 * Finds the action a name reaches for a caller: an action of the caller's own namespace,
 * or one inside a package the caller may read (its own, another namespace's published
 * one, or a binding, which reaches the bound package's actions and adds its
 * parameters). Mirrors `WhiskActionMetaData.resolveActionAndMergeParameters`
 * (`core/entity/WhiskAction.scala`) and the package rule of
 * `core/controller/.../entitlement/ActionCollection.scala`.
 *
 * @module
 */
import { type KeyValue, parseFqn, type WhiskAction } from "../../../protocols/mod.ts";
import type { CacheEntry } from "../entity_cache.ts";
import { loadAction } from "./action_loading.ts";
import { type ActionRef, parseActionRef } from "./entity_names.ts";
import { ApiError, Messages } from "./errors.ts";
import { resolveActionPackage } from "./package_access.ts";
import type { RequestContext } from "./request_context.ts";

/** An action ready to invoke. */
export interface ResolvedAction {
  /** The action document and its store revision. */
  readonly entry: CacheEntry<WhiskAction>;
  /** The parameters of its package (and binding), under the action's own. */
  readonly packageParameters: readonly KeyValue[];
  /** `ns/binding` when reached through a package binding. */
  readonly binding?: string;
}

/**
 * Resolves `ref` for a caller of `callerNamespace`.
 *
 * @returns the action, or undefined when it does not exist
 * @throws {ApiError} 403 when the caller may not read it; 404 for a missing own package
 */
export async function resolveAction(
  ctx: RequestContext,
  callerNamespace: string,
  ref: ActionRef,
): Promise<ResolvedAction | undefined> {
  if (ref.packageName === undefined) {
    if (ref.namespace !== callerNamespace) throw new ApiError(403, Messages.notAuthorized);
    const entry = await loadAction(ctx, ref);
    return entry && { entry, packageParameters: [] };
  }
  const pkg = await resolveActionPackage(ctx, callerNamespace, ref.namespace, ref.packageName);
  const target = pkg.binding === undefined
    ? ref
    : parseActionRef(pkg.namespace, `${pkg.name}/${ref.name}`);
  const entry = await loadAction(ctx, target);
  if (!entry) return undefined;
  return {
    entry,
    packageParameters: pkg.parameters,
    ...(pkg.binding === undefined ? {} : { binding: pkg.binding }),
  };
}

/**
 * The action reference of a fully qualified name (`/ns/name`, `/ns/pkg/name`; `_` is
 * the caller's namespace), or undefined when it is not one.
 *
 * @example
 * ```ts
 * import { refOfFqn } from "./action_resolution.ts";
 * console.assert(refOfFqn("/_/pkg/a", "guest")?.docId === "guest/pkg/a");
 * ```
 */
export function refOfFqn(name: string, callerNamespace: string): ActionRef | undefined {
  const fqn = parseFqn(name);
  if (!fqn) return undefined;
  const [namespace, ...rest] = fqn.path.split("/");
  const root = namespace === "_" ? callerNamespace : namespace!;
  return parseActionRef(root, [...rest, fqn.name].join("/"));
}
