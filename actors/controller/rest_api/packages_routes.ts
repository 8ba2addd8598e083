/**
 * The `/namespaces/{ns}/packages` routes: list (another namespace's, or with
 * `public=true` every namespace's, published packages), get (with the package's
 * `actions` and `feeds`; a binding shows its bound package's actions and the merged
 * parameters), create/update (`overwrite`; a binding must reach a readable package that
 * is not itself a binding), delete (409 while it holds actions, unless `force=true`).
 * Every write announces the change on `cacheInvalidation`. Mirrors
 * `core/controller/.../Packages.scala`; differences: `force=true` deletes the package's
 * actions first, and `public=true` lists every namespace's shared packages.
 *
 * @module
 */
import { annotationValue } from "../../../protocols/mod.ts";
import { readJsonObject } from "../../../runtime/http/body.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import { storedAction } from "./api_json.ts";
import { parsePackageName } from "./entity_names.ts";
import { overlayKeyValues } from "./entity_put.ts";
import { ApiError, Messages } from "./errors.ts";
import { checkPackageRead, readPackage } from "./package_access.ts";
import {
  apiPackage,
  buildPackageForPut,
  type PackageBinding,
  PackageMessages,
  packageSummary,
  storedPackage,
  type WhiskPackage,
} from "./package_document.ts";
import { announceEntity } from "./entity_changes.ts";
import { parseBoolean, parsePaging } from "./query.ts";
import {
  type Caller,
  jsonResponse,
  type RequestContext,
  resolveNamespace,
} from "./request_context.ts";
import type { Params, Router } from "./router.ts";

const PACKAGES = "/api/v1/namespaces/:ns/packages";

/** The namespace a read names: the caller's (`_`) or any valid other one. */
function readNamespace(segment: string, caller: Caller): string {
  if (segment === "_" || segment === caller.namespace) return caller.namespace;
  return parsePackageName(segment);
}

async function packagesOf(store: EntityStore, namespace: string): Promise<WhiskPackage[]> {
  const entities = await store.listEntities("packages", namespace);
  return entities.map(storedPackage).filter((p): p is WhiskPackage => p !== undefined);
}

async function sharedPackages(ctx: RequestContext, except: string): Promise<WhiskPackage[]> {
  const namespaces = new Set(
    (await ctx.deps.store.listSubjects()).flatMap((s) => s.namespaces.map((n) => n.name)),
  );
  namespaces.delete(except);
  const lists = await Promise.all([...namespaces].map((ns) => packagesOf(ctx.deps.store, ns)));
  return lists.flat().filter((p) => p.publish && !p.binding);
}

async function list(ctx: RequestContext, params: Params): Promise<Response> {
  const caller = await ctx.caller();
  const namespace = readNamespace(params.ns ?? "", caller);
  const paging = parsePaging(ctx.url.searchParams, "packages");
  const withPublic = parseBoolean(ctx.url.searchParams, "public", false);
  let packages: WhiskPackage[];
  if (namespace !== caller.namespace) {
    packages = (await packagesOf(ctx.deps.store, namespace)).filter((p) => p.publish && !p.binding);
  } else {
    packages = await packagesOf(ctx.deps.store, namespace);
    if (withPublic) packages = [...packages, ...await sharedPackages(ctx, namespace)];
  }
  if (paging.count) return jsonResponse(200, { packages: packages.length });
  packages.sort((a, b) => (b.updated ?? 0) - (a.updated ?? 0));
  const page = packages.slice(paging.skip, paging.skip + paging.limit);
  return jsonResponse(200, page.map(packageSummary));
}

async function contents(ctx: RequestContext, namespace: string, name: string) {
  const entities = await ctx.deps.store.listEntities("actions", namespace, { prefix: `${name}/` });
  const actions = entities.map(storedAction).flatMap((a) => a ? [a] : []);
  const entry = (a: (typeof actions)[number]) => ({
    name: a.name,
    version: a.version,
    annotations: a.annotations.map((kv) => ({ key: kv.key, value: kv.value })),
  });
  const isFeed = (a: (typeof actions)[number]) =>
    annotationValue(a.annotations, "feed") !== undefined;
  return {
    actions: actions.filter((a) => !isFeed(a)).map(entry),
    feeds: actions.filter(isFeed).map(entry),
  };
}

async function get(ctx: RequestContext, params: Params): Promise<Response> {
  const caller = await ctx.caller();
  const namespace = readNamespace(params.ns ?? "", caller);
  const name = parsePackageName(params.name ?? "");
  const pkg = await checkPackageRead(ctx, caller.namespace, namespace, name);
  if (!pkg.binding) {
    return jsonResponse(200, { ...apiPackage(pkg), ...await contents(ctx, namespace, name) });
  }
  const bound = await readPackage(ctx, pkg.binding.namespace, pkg.binding.name);
  const merged = { ...pkg, parameters: overlayKeyValues(bound?.parameters ?? [], pkg.parameters) };
  return jsonResponse(200, {
    ...apiPackage(merged),
    ...await contents(ctx, pkg.binding.namespace, pkg.binding.name),
  });
}

/** Checks that a new binding reaches a readable package that is not a binding. */
async function checkBindingTarget(ctx: RequestContext, caller: Caller, target: PackageBinding) {
  const isOwner = target.namespace === caller.namespace;
  const bound = await checkPackageRead(ctx, caller.namespace, target.namespace, target.name)
    .catch((error) => {
      if (error instanceof ApiError && error.status === 404) {
        throw new ApiError(400, PackageMessages.bindingDoesNotExist);
      }
      throw error;
    });
  if (bound.binding) {
    throw new ApiError(isOwner ? 400 : 403, PackageMessages.bindingCannotReferenceBinding);
  }
}

async function put(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const caller = await ctx.caller();
  const namespace = resolveNamespace(params.ns ?? "", caller);
  const name = parsePackageName(params.name ?? "");
  const body = await readJsonObject(request, ctx.options.maxRequestBytes);
  const overwrite = parseBoolean(ctx.url.searchParams, "overwrite", false);
  const stored = await ctx.deps.store.getEntity("packages", namespace, name);
  if (stored && !overwrite) throw new ApiError(409, Messages.conflict);
  const existing = stored ? storedPackage(stored) : undefined;
  const pkg = buildPackageForPut({
    namespace,
    name,
    body,
    ...(existing ? { existing } : {}),
    now: ctx.deps.clock.now(),
    maxParameterBytes: ctx.options.maxParameterBytes,
  });
  if (pkg.binding && body.binding !== undefined) await checkBindingTarget(ctx, caller, pkg.binding);
  const revision = await ctx.deps.store.putEntity(
    "packages",
    namespace,
    name,
    apiPackage(pkg),
    stored
      ? { expectRevision: stored.revision, updated: pkg.updated ?? 0 }
      : { overwrite: false, updated: pkg.updated ?? 0 },
  );
  announceEntity(ctx, "package", `${namespace}/${name}`, revision);
  return jsonResponse(200, apiPackage(pkg));
}

async function remove(ctx: RequestContext, params: Params): Promise<Response> {
  const caller = await ctx.caller();
  const namespace = resolveNamespace(params.ns ?? "", caller);
  const name = parsePackageName(params.name ?? "");
  const force = parseBoolean(ctx.url.searchParams, "force", false);
  const pkg = await readPackage(ctx, namespace, name);
  if (!pkg) throw new ApiError(404, Messages.resourceDoesNotExist);
  if (!pkg.binding) {
    const inside = await ctx.deps.store.listEntities("actions", namespace, { prefix: `${name}/` });
    if (inside.length > 0 && !force) {
      throw new ApiError(409, PackageMessages.notEmpty(inside.length));
    }
    for (const action of inside) {
      await ctx.deps.store.deleteEntity("actions", namespace, action.name);
      ctx.deps.actionCache.invalidate(`${namespace}/${action.name}`);
      announceEntity(ctx, "action", `${namespace}/${action.name}`);
    }
  }
  await ctx.deps.store.deleteEntity("packages", namespace, name);
  announceEntity(ctx, "package", `${namespace}/${name}`);
  return jsonResponse(200, apiPackage(pkg));
}

/**
 * Adds the package routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addPackageRoutes } from "./packages_routes.ts";
 * const router = addPackageRoutes(new Router());
 * console.assert(router.match("GET", "/api/v1/namespaces/_/packages/utils") !== undefined);
 * ```
 */
export function addPackageRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", PACKAGES, (_r, p, ctx) => list(ctx, p))
    .on("GET", `${PACKAGES}/:name`, (_r, p, ctx) => get(ctx, p))
    .on("PUT", `${PACKAGES}/:name`, (r, p, ctx) => put(r, ctx, p))
    .on("DELETE", `${PACKAGES}/:name`, (_r, p, ctx) => remove(ctx, p));
}
