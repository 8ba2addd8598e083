/**
 * The `/namespaces/{ns}/activations` routes: list (`name`, `limit`, `skip`, `since`,
 * `upto`, `docs`, `count`; summaries with a top-level `statusCode`, newest first), get
 * one record, its `/logs` and its `/result`, with upstream's activation-id and filter
 * messages. Mirrors `core/controller/.../Activations.scala`.
 *
 * @module
 */
import { isValidEntityName } from "../../../protocols/mod.ts";
import type { ActivationFilter } from "../../../runtime/store/mod.ts";
import { apiActivation, apiResponse, storedActivation } from "./api_json.ts";
import { ApiError, Messages } from "./errors.ts";
import { parseBoolean, parsePaging } from "./query.ts";
import { jsonResponse, type RequestContext, resolveNamespace } from "./request_context.ts";
import type { Params, Router } from "./router.ts";

const ACTIVATIONS = "/api/v1/namespaces/:ns/activations";

/**
 * Checks an activation id: 32 lowercase hex characters.
 *
 * @throws {ApiError} 400 "Activation id length is N but must be 32." or "The activation id is not valid."
 */
export function checkActivationId(id: string): string {
  if (id.length !== 32) throw new ApiError(400, Messages.activationIdLength(id.length));
  if (!/^[0-9a-f]{32}$/.test(id)) throw new ApiError(400, Messages.invalidActivationId);
  return id;
}

function epoch(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new ApiError(400, Messages.badEpoch(raw));
  }
  return value;
}

/** Reads the list filter (`name`, `since`, `upto`). @throws {ApiError} 400 on a bad value */
export function parseActivationFilter(query: URLSearchParams): ActivationFilter {
  const name = query.get("name");
  if (name !== null && name !== "") {
    const parts = name.split("/");
    if (parts.length > 2 || !parts.every(isValidEntityName)) {
      throw new ApiError(400, Messages.badNameFilter(name));
    }
  }
  const since = epoch(query, "since");
  const upto = epoch(query, "upto");
  return {
    ...(name === null || name === "" ? {} : { name }),
    ...(since === undefined ? {} : { since }),
    ...(upto === undefined ? {} : { upto }),
  };
}

async function list(ctx: RequestContext, params: Params): Promise<Response> {
  const namespace = resolveNamespace(params.ns ?? "", await ctx.caller());
  const query = ctx.url.searchParams;
  const paging = parsePaging(query, "activations");
  const docs = parseBoolean(query, "docs", false);
  if (paging.count && docs) throw new ApiError(400, Messages.docsNotAllowedWithCount);
  const filter = parseActivationFilter(query);
  const store = ctx.deps.store;
  if (paging.count) {
    return jsonResponse(200, { activations: await store.countActivations(namespace, filter) });
  }
  const page = { ...filter, limit: paging.limit, skip: paging.skip };
  if (!docs) return jsonResponse(200, await store.listActivations(namespace, page));
  const records = await store.listActivations(namespace, { ...page, docs: true });
  return jsonResponse(
    200,
    records.map((doc) => {
      const activation = storedActivation(doc);
      return activation ? apiActivation(activation) : doc;
    }),
  );
}

async function fetchRecord(ctx: RequestContext, params: Params) {
  const namespace = resolveNamespace(params.ns ?? "", await ctx.caller());
  const id = checkActivationId(params.id ?? "");
  const doc = await ctx.deps.store.getActivation(namespace, id);
  if (doc === undefined) throw new ApiError(404, Messages.resourceDoesNotExist);
  const activation = storedActivation(doc);
  if (!activation) {
    ctx.logger.warn("stored activation does not decode", { activationId: id });
    throw new ApiError(404, Messages.resourceDoesNotExist);
  }
  return activation;
}

/**
 * Adds the activation routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addActivationRoutes } from "./activations_routes.ts";
 * const router = addActivationRoutes(new Router());
 * console.assert(router.match("GET", "/api/v1/namespaces/_/activations") !== undefined);
 * ```
 */
export function addActivationRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", ACTIVATIONS, (_r, p, ctx) => list(ctx, p))
    .on("GET", `${ACTIVATIONS}/:id`, async (_r, p, ctx) => {
      return jsonResponse(200, apiActivation(await fetchRecord(ctx, p)));
    })
    .on("GET", `${ACTIVATIONS}/:id/logs`, async (_r, p, ctx) => {
      return jsonResponse(200, { logs: (await fetchRecord(ctx, p)).logs });
    })
    .on("GET", `${ACTIVATIONS}/:id/result`, async (_r, p, ctx) => {
      return jsonResponse(200, apiResponse(await fetchRecord(ctx, p)));
    });
}
