/**
 * Who may read a package, and the package whose actions a name reaches: a package is
 * readable by its owner, or by anyone when published; a binding only by its owner, and
 * only while the package it binds is readable. A missing or private package of another
 * namespace answers 403 (never leaking whether it exists); a missing own package 404.
 * Mirrors `checkPackageReadPermission` of `core/controller/.../entitlement/PackageCollection.scala`
 * and `WhiskPackage.resolveBinding` (`core/entity/WhiskPackage.scala`).
 *
 * @module
 */
import type { KeyValue } from "../../../protocols/mod.ts";
import { overlayKeyValues } from "./entity_put.ts";
import { ApiError, Messages } from "./errors.ts";
import { PackageMessages, storedPackage, type WhiskPackage } from "./package_document.ts";
import type { RequestContext } from "./request_context.ts";

/** The stored package `namespace/name`, or undefined (absent or unreadable). */
export async function readPackage(
  ctx: RequestContext,
  namespace: string,
  name: string,
): Promise<WhiskPackage | undefined> {
  const entity = await ctx.deps.store.getEntity("packages", namespace, name);
  if (!entity) return undefined;
  const pkg = storedPackage(entity);
  if (!pkg) ctx.logger.warn("stored package does not decode", { namespace, name });
  return pkg;
}

const forbidden = () => new ApiError(403, Messages.notAuthorized);

/**
 * Checks that `callerNamespace` may read package `namespace/name` and returns it.
 *
 * @throws {ApiError} 404 (own package missing), 403 (not entitled), 422 (self-binding)
 */
export async function checkPackageRead(
  ctx: RequestContext,
  callerNamespace: string,
  namespace: string,
  name: string,
): Promise<WhiskPackage> {
  const isOwner = namespace === callerNamespace;
  const pkg = await readPackage(ctx, namespace, name);
  if (!pkg) throw isOwner ? new ApiError(404, Messages.resourceDoesNotExist) : forbidden();
  if (!pkg.binding) {
    if (pkg.publish || isOwner) return pkg;
    throw forbidden();
  }
  if (!isOwner) throw forbidden();
  const target = pkg.binding;
  if (target.namespace === namespace && target.name === name) {
    throw new ApiError(
      422,
      `Package binding '${namespace}/${name}' contains a circular reference.`,
    );
  }
  await checkPackageRead(ctx, callerNamespace, target.namespace, target.name).catch((error) => {
    // The binding exists but its package is gone: upstream answers 403 for it too.
    if (error instanceof ApiError && error.status === 404) throw forbidden();
    throw error;
  });
  return pkg;
}

/** The package whose actions a package name reaches, with the parameters they inherit. */
export interface ActionPackage {
  /** The namespace and name of the package that holds the actions. */
  readonly namespace: string;
  readonly name: string;
  /** The package's parameters, overlaid by the binding's when reached through one. */
  readonly parameters: readonly KeyValue[];
  /** `ns/binding` when reached through a binding. */
  readonly binding?: string;
}

/**
 * Resolves package `namespace/name` for `callerNamespace`: itself, or the package it binds.
 *
 * @throws {ApiError} as {@link checkPackageRead}
 */
export async function resolveActionPackage(
  ctx: RequestContext,
  callerNamespace: string,
  namespace: string,
  name: string,
): Promise<ActionPackage> {
  const pkg = await checkPackageRead(ctx, callerNamespace, namespace, name);
  if (!pkg.binding) return { namespace, name, parameters: pkg.parameters };
  const bound = await readPackage(ctx, pkg.binding.namespace, pkg.binding.name);
  if (!bound) throw forbidden();
  if (bound.binding) throw new ApiError(400, PackageMessages.bindingCannotReferenceBinding);
  return {
    namespace: pkg.binding.namespace,
    name: pkg.binding.name,
    parameters: overlayKeyValues(bound.parameters, pkg.parameters),
    binding: `${namespace}/${name}`,
  };
}
