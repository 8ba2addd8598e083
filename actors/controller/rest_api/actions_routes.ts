/**
 * The `/namespaces/{ns}/actions` routes: list (also one package's, with a trailing
 * slash), get (`code=false` drops the code), create/update (`overwrite`), delete
 * (answers the deleted document) and invoke; reads and invokes also reach actions in
 * readable packages of other namespaces and through bindings, and a sequence's
 * components are checked on write. Every write drops the cached action and
 * announces the change on `cacheInvalidation`. Mirrors `core/controller/.../Actions.scala`
 * and the `putEntity`/`deleteEntity` helpers of `ApiUtils.scala`.
 *
 * @module
 */
import { isValidEntityName, type WhiskAction } from "../../../protocols/mod.ts";
import { readJsonObject } from "../../../runtime/http/body.ts";
import { NotFoundError } from "../../../runtime/store/mod.ts";
import { buildActionForPut } from "./action_put.ts";
import { invokeAction } from "./action_invoke.ts";
import { resolveAction } from "./action_resolution.ts";
import { actionSummary, apiAction, storedAction } from "./api_json.ts";
import { type ActionRef, parseActionRef, parsePackageName } from "./entity_names.ts";
import { ApiError, Messages } from "./errors.ts";
import { parseBoolean, parsePaging } from "./query.ts";
import { jsonResponse, type RequestContext, resolveNamespace } from "./request_context.ts";
import type { Params, Router } from "./router.ts";
import { checkSequence } from "./sequence_put.ts";

const ACTIONS = "/api/v1/namespaces/:ns/actions";

async function refOf(params: Params, ctx: RequestContext) {
  const caller = await ctx.caller();
  const namespace = resolveNamespace(params.ns ?? "", caller);
  return { caller, ref: parseActionRef(namespace, params.name ?? "") };
}

/** As {@link refOf}, but another namespace is allowed for a packaged action (read, invoke). */
async function readableRefOf(params: Params, ctx: RequestContext) {
  const caller = await ctx.caller();
  const segment = params.ns ?? "";
  const name = params.name ?? "";
  const foreign = segment !== "_" && segment !== caller.namespace && name.includes("/") &&
    isValidEntityName(segment);
  const namespace = foreign ? segment : resolveNamespace(segment, caller);
  return { caller, ref: parseActionRef(namespace, name) };
}

async function list(ctx: RequestContext, namespace: string, prefix?: string): Promise<Response> {
  const paging = parsePaging(ctx.url.searchParams, "actions");
  const filter = prefix === undefined ? {} : { prefix };
  if (paging.count) {
    return jsonResponse(200, {
      actions: await ctx.deps.store.countEntities("actions", namespace, filter),
    });
  }
  const entities = await ctx.deps.store.listEntities("actions", namespace, {
    ...filter,
    limit: paging.limit,
    skip: paging.skip,
  });
  const actions = entities.map(storedAction).filter((a): a is WhiskAction => a !== undefined);
  return jsonResponse(200, actions.map(actionSummary));
}

/** Drops the cached action and announces the change without waiting for the bus. */
function announce(ctx: RequestContext, ref: ActionRef, revision?: string): void {
  ctx.deps.actionCache.invalidate(ref.docId);
  const warn = (error: unknown) =>
    ctx.logger.warn("cache invalidation not announced", { docId: ref.docId, error });
  try {
    Promise.resolve(ctx.deps.announceChange({
      entityType: "action",
      mainId: ref.docId,
      ...(revision === undefined ? {} : { secondaryId: revision }),
    })).catch(warn);
  } catch (error) {
    warn(error);
  }
}

async function checkPackage(ctx: RequestContext, ref: ActionRef): Promise<void> {
  if (ref.packageName === undefined) return;
  const pkg = await ctx.deps.store.getEntity("packages", ref.namespace, ref.packageName);
  if (!pkg) throw new ApiError(404, Messages.resourceDoesNotExist);
  const binding = (pkg.doc as { binding?: unknown } | null)?.binding;
  if (typeof binding === "object" && binding !== null && Object.keys(binding).length > 0) {
    throw new ApiError(400, Messages.notAllowedOnBinding);
  }
}

async function put(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const { caller, ref } = await refOf(params, ctx);
  const body = await readJsonObject(request, ctx.options.maxRequestBytes);
  const overwrite = parseBoolean(ctx.url.searchParams, "overwrite", false);
  await checkPackage(ctx, ref);
  const stored = await ctx.deps.store.getEntity("actions", ref.namespace, ref.storeName);
  if (stored && !overwrite) throw new ApiError(409, Messages.conflict);
  const existing = stored ? storedAction(stored) : undefined;
  const built = buildActionForPut({
    ref,
    body,
    ...(existing ? { existing } : {}),
    now: ctx.deps.clock.now(),
    bounds: ctx.options.limitBounds,
    namespaceConcurrency: caller.identity.limits.concurrentInvocations ??
      ctx.options.concurrentInvocations,
    maxParameterBytes: ctx.options.maxParameterBytes,
  });
  if (!built.ok) throw new ApiError(built.status, built.message);
  const action = await checkSequence(ctx, caller.namespace, ref, built.action);
  const revision = await ctx.deps.store.putEntity(
    "actions",
    ref.namespace,
    ref.storeName,
    apiAction(action),
    stored
      ? { expectRevision: stored.revision, updated: action.updated ?? 0 }
      : { overwrite: false, updated: action.updated ?? 0 },
  );
  announce(ctx, ref, revision);
  return jsonResponse(200, apiAction(action));
}

async function get(ctx: RequestContext, params: Params): Promise<Response> {
  const { caller, ref } = await readableRefOf(params, ctx);
  const withCode = parseBoolean(ctx.url.searchParams, "code", true);
  const resolved = await resolveAction(ctx, caller.namespace, ref);
  if (!resolved) throw new ApiError(404, Messages.resourceDoesNotExist);
  return jsonResponse(200, apiAction(resolved.entry.value, withCode));
}

async function remove(ctx: RequestContext, params: Params): Promise<Response> {
  const { ref } = await refOf(params, ctx);
  const deleted = await ctx.deps.store.deleteEntity("actions", ref.namespace, ref.storeName)
    .catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new ApiError(404, Messages.resourceDoesNotExist);
      throw error;
    });
  announce(ctx, ref);
  const action = storedAction(deleted);
  return jsonResponse(200, action ? apiAction(action) : deleted.doc);
}

/**
 * Adds the action routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addActionRoutes } from "./actions_routes.ts";
 * const router = addActionRoutes(new Router());
 * console.assert(router.match("GET", "/api/v1/namespaces/_/actions") !== undefined);
 * ```
 */
export function addActionRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", ACTIONS, async (_r, p, ctx) => {
      return list(ctx, resolveNamespace(p.ns ?? "", await ctx.caller()));
    })
    .on("GET", `${ACTIONS}/:pkg/`, async (_r, p, ctx) => {
      const namespace = resolveNamespace(p.ns ?? "", await ctx.caller());
      return list(ctx, namespace, `${parsePackageName(p.pkg ?? "")}/`);
    })
    .on("GET", `${ACTIONS}/*name`, (_r, p, ctx) => get(ctx, p))
    .on("PUT", `${ACTIONS}/*name`, (r, p, ctx) => put(r, ctx, p))
    .on("DELETE", `${ACTIONS}/*name`, (_r, p, ctx) => remove(ctx, p))
    .on("POST", `${ACTIONS}/*name`, async (r, p, ctx) => {
      const { caller, ref } = await readableRefOf(p, ctx);
      return invokeAction(r, ctx, caller, ref);
    });
}
