/**
 * The REST API v1 as one `Deno.serve` handler: routes, Basic authentication on demand,
 * `X-Request-ID` reuse or generation, CORS headers and `OPTIONS` 200 on every path,
 * and one place that renders failures as `{error, code}` — 4xx for the caller's
 * mistakes, 503 when a backing service fails. Mirrors `core/controller/.../RestAPIs.scala`
 * (`RestAPIVersion.routes`), `BasicHttpService.scala` (transaction ids, rejection and
 * exception handlers) and `CorsSettings`.
 *
 * @module
 */
import {
  generateTransactionId,
  startTransaction,
  transactionId,
  type TransactionMetadata,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import { HttpError } from "../../../runtime/http/http_error.ts";
import { withMeta } from "../../../runtime/log.ts";
import { ConflictError, NotFoundError, StoreUnavailableError } from "../../../runtime/store/mod.ts";
import { EntityCache } from "../entity_cache.ts";
import { addActionRoutes } from "./actions_routes.ts";
import { addActivationRoutes } from "./activations_routes.ts";
import { BackingServiceError, guardStore } from "./backing_services.ts";
import { authenticateCaller } from "./caller_identity.ts";
import { errorResponse, Messages } from "./errors.ts";
import { addInfoRoutes } from "./info_routes.ts";
import { addNamespaceRoutes } from "./namespaces_routes.ts";
import { addPackageRoutes } from "./packages_routes.ts";
import { addRuleRoutes } from "./rules_routes.ts";
import { addTriggerRoutes } from "./triggers_routes.ts";
import { addWebActionRoutes, isWebActionPath } from "./web_actions.ts";
import type { Caller, RequestContext, RouteDeps } from "./request_context.ts";
import { resolveOptions, type RestApiDeps, type RestApiOptions } from "./rest_api_deps.ts";
import { Router } from "./router.ts";

/** The headers every answer carries so browsers may call the API. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, DELETE, POST, PUT, HEAD",
  "access-control-allow-headers":
    "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent",
};

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The request's transaction: its `X-Request-ID` when usable, else a fresh id. */
export function requestTransaction(request: Request, now: number): TransactionMetadata {
  const incoming = request.headers.get("x-request-id");
  const id = incoming !== null && REQUEST_ID.test(incoming)
    ? transactionId(incoming)
    : generateTransactionId();
  return startTransaction(id, now);
}

function failure(error: unknown, ctx: { tid: TransactionMetadata; logger: RestApiDeps["logger"] }) {
  const tid = ctx.tid.id;
  if (error instanceof HttpError) {
    return errorResponse(error.status, error.message, tid, error.headers);
  }
  if (error instanceof ConflictError) return errorResponse(409, error.message, tid);
  if (error instanceof NotFoundError) return errorResponse(404, Messages.resourceDoesNotExist, tid);
  if (error instanceof StoreUnavailableError || error instanceof BackingServiceError) {
    ctx.logger.warn("backing service unavailable", { error });
    return errorResponse(503, Messages.serviceUnavailable, tid);
  }
  ctx.logger.error("request failed unexpectedly", { error });
  return errorResponse(500, Messages.internalError, tid);
}

function buildRouter(): Router<RequestContext> {
  const router = new Router<RequestContext>();
  addInfoRoutes(router);
  addNamespaceRoutes(router);
  addActionRoutes(router);
  addActivationRoutes(router);
  addPackageRoutes(router);
  addTriggerRoutes(router);
  addRuleRoutes(router);
  addWebActionRoutes(router);
  return router;
}

/**
 * Builds the REST API handler.
 *
 * @param deps the store, balancer, entitlement, cache-invalidation publisher, clock, logger, metrics
 * @param options settings (upstream's defaults)
 * @returns a handler for `Deno.serve`
 *
 * @example
 * ```ts
 * import { createRestApi } from "./server.ts";
 * import { openSqliteStore } from "../../../runtime/store/mod.ts";
 * import { silentLogger } from "../../../runtime/log.ts";
 * import { MetricsRegistry } from "../../../runtime/metrics.ts";
 * import { systemClock } from "../../../runtime/actors/clock.ts";
 * const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
 * const handler = createRestApi({
 *   store, clock: systemClock, logger: silentLogger, metrics: new MetricsRegistry(),
 *   announceChange: () => {}, checkThrottle: () => ({ type: "Allowed" }),
 *   invoke: () => Promise.resolve({ type: "Accepted", activationId: "0".repeat(32) }),
 * });
 * const response = await handler(new Request("http://localhost/ping"));
 * console.assert((await response.text()) === "pong");
 * await store.close();
 * ```
 */
export function createRestApi(
  deps: RestApiDeps,
  options: RestApiOptions = {},
): (request: Request) => Promise<Response> {
  const resolved = resolveOptions(options);
  const routeDeps: RouteDeps = {
    ...deps,
    announceChange: (change) => deps.announceChange(change),
    invoke: (...args) => deps.invoke(...args),
    checkThrottle: (...args) => deps.checkThrottle(...args),
    store: guardStore(deps.store),
    actionCache: deps.actionCache ?? new EntityCache<WhiskAction>({ clock: deps.clock }),
  };
  const router = buildRouter();
  const requests = deps.metrics.counter("whisk_rest_requests_total", "REST API requests");
  const latency = deps.metrics.histogram("whisk_rest_request_ms", "REST API request duration");

  return async (request) => {
    const started = deps.clock.now();
    const tid = requestTransaction(request, started);
    const logger = withMeta(deps.logger, { component: "rest-api", tid: tid.id });
    let caller: Promise<Caller> | undefined;
    const ctx: RequestContext = {
      tid,
      url: new URL(request.url),
      deps: routeDeps,
      options: resolved,
      logger,
      caller: () =>
        caller ??= authenticateCaller(
          request.headers.get("authorization"),
          routeDeps.store,
          logger,
        ),
    };
    let response: Response;
    try {
      response = await route(router, request, ctx);
    } catch (error) {
      response = failure(error, ctx);
    }
    response.headers.set("x-request-id", tid.id);
    // Web actions answer their own CORS headers (or none, with `web-custom-options`).
    if (!isWebActionPath(ctx.url.pathname)) {
      for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
    }
    requests.inc({ method: request.method, status: String(response.status) });
    latency.observe(deps.clock.now() - started);
    return response;
  };
}

async function route(
  router: Router<RequestContext>,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  if (request.method === "OPTIONS" && !isWebActionPath(ctx.url.pathname)) {
    return new Response(null, { status: 200 });
  }
  const match = router.match(request.method, ctx.url.pathname);
  if (!match) return errorResponse(404, Messages.resourceDoesNotExist, ctx.tid.id);
  return await match.handler(request, match.params, ctx);
}
