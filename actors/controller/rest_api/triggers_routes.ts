/**
 * The `/namespaces/{ns}/triggers` routes: list, get, create/update (`overwrite`; the
 * rules map survives updates), delete (answers the deleted document) and fire (POST,
 * `trigger_fire.ts`). Writes announce the change on `cacheInvalidation`. Mirrors
 * `core/controller/.../Triggers.scala`.
 *
 * @module
 */
import type { JsonObject } from "../../../protocols/mod.ts";
import { readJsonObject } from "../../../runtime/http/body.ts";
import { NotFoundError } from "../../../runtime/store/mod.ts";
import { announceEntity } from "./entity_changes.ts";
import { parsePackageName } from "./entity_names.ts";
import { entitySummary } from "./entity_put.ts";
import { ApiError, Messages } from "./errors.ts";
import { parseBoolean, parsePaging } from "./query.ts";
import { jsonResponse, type RequestContext, resolveNamespace } from "./request_context.ts";
import type { Params, Router } from "./router.ts";
import {
  apiTrigger,
  buildTriggerForPut,
  storedTrigger,
  type WhiskTrigger,
} from "./trigger_document.ts";
import { checkFireRate, fireTrigger } from "./trigger_fire.ts";

const TRIGGERS = "/api/v1/namespaces/:ns/triggers";

async function target(ctx: RequestContext, params: Params) {
  const caller = await ctx.caller();
  const namespace = resolveNamespace(params.ns ?? "", caller);
  const name = parsePackageName(params.name ?? "");
  return { caller, namespace, name };
}

/** The stored trigger `namespace/name`, or undefined. */
export async function readTrigger(
  ctx: RequestContext,
  namespace: string,
  name: string,
): Promise<{ trigger: WhiskTrigger; revision: string } | undefined> {
  const entity = await ctx.deps.store.getEntity("triggers", namespace, name);
  const trigger = entity && storedTrigger(entity);
  if (entity && !trigger) ctx.logger.warn("stored trigger does not decode", { namespace, name });
  return entity && trigger ? { trigger, revision: entity.revision } : undefined;
}

async function list(ctx: RequestContext, params: Params): Promise<Response> {
  const namespace = resolveNamespace(params.ns ?? "", await ctx.caller());
  const paging = parsePaging(ctx.url.searchParams, "triggers");
  if (paging.count) {
    return jsonResponse(200, {
      triggers: await ctx.deps.store.countEntities("triggers", namespace),
    });
  }
  const entities = await ctx.deps.store.listEntities("triggers", namespace, {
    limit: paging.limit,
    skip: paging.skip,
  });
  const triggers = entities.map(storedTrigger).flatMap((t) => t ? [t] : []);
  return jsonResponse(200, triggers.map(entitySummary));
}

async function get(ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const found = await readTrigger(ctx, namespace, name);
  if (!found) throw new ApiError(404, Messages.resourceDoesNotExist);
  return jsonResponse(200, apiTrigger(found.trigger));
}

async function put(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const body = await readJsonObject(request, ctx.options.maxRequestBytes);
  const overwrite = parseBoolean(ctx.url.searchParams, "overwrite", false);
  const stored = await readTrigger(ctx, namespace, name);
  if (stored && !overwrite) throw new ApiError(409, Messages.conflict);
  const trigger = buildTriggerForPut({
    namespace,
    name,
    body,
    ...(stored ? { existing: stored.trigger } : {}),
    now: ctx.deps.clock.now(),
    maxParameterBytes: ctx.options.maxParameterBytes,
  });
  const revision = await ctx.deps.store.putEntity(
    "triggers",
    namespace,
    name,
    apiTrigger(trigger),
    stored
      ? { expectRevision: stored.revision, updated: trigger.updated ?? 0 }
      : { overwrite: false, updated: trigger.updated ?? 0 },
  );
  announceEntity(ctx, "trigger", `${namespace}/${name}`, revision);
  return jsonResponse(200, apiTrigger(trigger));
}

async function remove(ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const deleted = await ctx.deps.store.deleteEntity("triggers", namespace, name).catch((error) => {
    if (error instanceof NotFoundError) throw new ApiError(404, Messages.resourceDoesNotExist);
    throw error;
  });
  announceEntity(ctx, "trigger", `${namespace}/${name}`);
  const trigger = storedTrigger(deleted);
  return jsonResponse(200, trigger ? apiTrigger(trigger) : deleted.doc);
}

async function fire(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const { caller, namespace, name } = await target(ctx, params);
  checkFireRate(ctx, caller.identity);
  const payload = await readJsonObject(request, ctx.options.maxPayloadBytes);
  const found = await readTrigger(ctx, namespace, name);
  if (!found) throw new ApiError(404, Messages.resourceDoesNotExist);
  return fireTrigger(ctx, caller.identity, found.trigger, payload as JsonObject);
}

/**
 * Adds the trigger routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addTriggerRoutes } from "./triggers_routes.ts";
 * const router = addTriggerRoutes(new Router());
 * console.assert(router.match("POST", "/api/v1/namespaces/_/triggers/t1") !== undefined);
 * ```
 */
export function addTriggerRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", TRIGGERS, (_r, p, ctx) => list(ctx, p))
    .on("GET", `${TRIGGERS}/:name`, (_r, p, ctx) => get(ctx, p))
    .on("PUT", `${TRIGGERS}/:name`, (r, p, ctx) => put(r, ctx, p))
    .on("DELETE", `${TRIGGERS}/:name`, (_r, p, ctx) => remove(ctx, p))
    .on("POST", `${TRIGGERS}/:name`, (r, p, ctx) => fire(r, ctx, p));
}
