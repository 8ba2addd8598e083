/**
 * The per-request context handed to every route (transaction, URL, deps, options, the
 * authenticated caller) and the small response helpers the routes share: compact JSON
 * and `_`-namespace resolution with upstream's 403. Mirrors the directives of
 * `core/controller/.../RestAPIs.scala` and `AuthorizedRouteDispatcher.scala`.
 *
 * @module
 */
import type { Identity, TransactionMetadata, WhiskAction } from "../../../protocols/mod.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { EntityCache } from "../entity_cache.ts";
import { ApiError, Messages } from "./errors.ts";
import type { ResolvedOptions, RestApiDeps } from "./rest_api_deps.ts";

/** The authenticated caller. */
export interface Caller {
  readonly identity: Identity;
  /** The caller's namespace name, what `_` stands for. */
  readonly namespace: string;
}

/** The deps as routes see them: the store guarded, the cache present. */
export interface RouteDeps extends RestApiDeps {
  readonly actionCache: EntityCache<WhiskAction>;
}

/** Everything a route handler needs besides the request and path parameters. */
export interface RequestContext {
  readonly tid: TransactionMetadata;
  readonly url: URL;
  readonly deps: RouteDeps;
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  /** Authenticates the request (401 otherwise); computed once per request. */
  caller(): Promise<Caller>;
}

/**
 * A compact JSON response.
 *
 * @example
 * ```ts
 * import { jsonResponse } from "./request_context.ts";
 * console.assert(jsonResponse(200, ["guest"]).headers.get("content-type") === "application/json");
 * ```
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * The namespace a path segment names: `_` is the caller's own; any other namespace
 * than the caller's answers 403.
 *
 * @throws {ApiError} 403 "The supplied authentication is not authorized to access this resource."
 */
export function resolveNamespace(segment: string, caller: Caller): string {
  if (segment === "_" || segment === caller.namespace) return caller.namespace;
  throw new ApiError(403, Messages.notAuthorized);
}
