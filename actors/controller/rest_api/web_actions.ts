/**
 * Web actions at `/api/v1/web/{namespace}/{package|default}/{action}.{ext}[/path]`,
 * for GET, POST, PUT, DELETE, PATCH, HEAD and OPTIONS, with no authentication needed:
 * the action runs as its namespace's owner and must carry `web-export: true` (else
 * 404); `require-whisk-auth` asks for the `X-Require-Whisk-Auth` secret (or, when
 * `true`, Basic credentials), else 401; the controller answers CORS (and OPTIONS
 * itself) unless the action sets `web-custom-options: true`; the invocation is blocking
 * through the injected balancer and rendered per extension (`web_response.ts`).
 * Mirrors `WhiskWebActionsApi` of `core/controller/.../WebActions.scala`; differences:
 * a name ending in an unknown `.ext` that matches no action answers 406 (upstream would
 * look the whole name up and answer 404).
 *
 * @module
 */
import { annotationValue, type Identity, isValidEntityName } from "../../../protocols/mod.ts";
import { mergeParameters } from "./action_invoke.ts";
import { resolveAction, type ResolvedAction } from "./action_resolution.ts";
import { identityOfNamespace } from "./caller_identity.ts";
import { parseActionRef } from "./entity_names.ts";
import { ApiError, errorResponse, Messages } from "./errors.ts";
import { invokeResolved } from "./invocation.ts";
import type { RequestContext } from "./request_context.ts";
import type { Params, Router } from "./router.ts";
import { webActionArguments } from "./web_request.ts";
import {
  splitExtension,
  type WebExtension,
  WebMessages,
  webOutcomeResponse,
} from "./web_response.ts";

const WEB_PREFIX = "/api/v1/web/";
const WEB_ROUTE = "/api/v1/web/:ns/:pkg/*action";
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;
const DEFAULT_ALLOW_HEADERS =
  "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent";

/** Whether `path` is under the web action prefix (CORS and OPTIONS are handled here). */
export function isWebActionPath(path: string): boolean {
  return path.startsWith(WEB_PREFIX);
}

/** The CORS headers of a web answer, echoing `Access-Control-Request-Headers`. */
export function webCorsHeaders(request: Request): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH",
    "access-control-allow-headers": request.headers.get("access-control-request-headers") ??
      DEFAULT_ALLOW_HEADERS,
  };
}

/** Whether the request passes the action's `require-whisk-auth` annotation. */
export function webAuthorized(
  action: ResolvedAction["entry"]["value"],
  request: Request,
  user: Identity | undefined,
): boolean {
  const required = annotationValue(action.annotations, "require-whisk-auth");
  if (required === undefined) return true;
  const secret = request.headers.get("x-require-whisk-auth");
  if (typeof required === "string" || typeof required === "number") {
    return secret === String(required);
  }
  return required === true && user !== undefined;
}

async function optionalUser(request: Request, ctx: RequestContext): Promise<Identity | undefined> {
  if (!request.headers.get("authorization")) return undefined;
  try {
    return (await ctx.caller()).identity;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

const notFound = () => new ApiError(404, Messages.resourceDoesNotExist);

async function lookup(ctx: RequestContext, owner: Identity, pkg: string, name: string) {
  if (!isValidEntityName(name)) return undefined;
  const ref = parseActionRef(owner.namespace.name, pkg === "default" ? name : `${pkg}/${name}`);
  return await resolveAction(ctx, owner.namespace.name, ref).catch((error) => {
    if (error instanceof ApiError) return undefined;
    throw error;
  });
}

interface WebTarget {
  readonly owner: Identity;
  readonly resolved: ResolvedAction;
  readonly extension: WebExtension;
  readonly path: string;
}

async function findTarget(ctx: RequestContext, params: Params): Promise<WebTarget> {
  const namespace = params.ns ?? "";
  const pkg = params.pkg ?? "";
  const [segment = "", ...rest] = (params.action ?? "").split("/");
  if (!isValidEntityName(namespace) || !isValidEntityName(pkg)) throw notFound();
  const owner = await identityOfNamespace(ctx.deps.store, namespace, ctx.logger);
  if (!owner) throw notFound();
  const { name, extension } = splitExtension(segment);
  const resolved = await lookup(ctx, owner, pkg, name);
  if (!resolved) {
    if (name === segment && /\.[a-z]+$/.test(segment)) {
      throw new ApiError(406, WebMessages.extensionNotSupported);
    }
    throw notFound();
  }
  if (annotationValue(resolved.entry.value.annotations, "web-export") !== true) throw notFound();
  return { owner, resolved, extension, path: rest.length ? `/${rest.join("/")}` : "" };
}

async function handle(request: Request, params: Params, ctx: RequestContext): Promise<Response> {
  const target = await findTarget(ctx, params);
  const action = target.resolved.entry.value;
  const customOptions = annotationValue(action.annotations, "web-custom-options") === true;
  const cors = customOptions ? {} : webCorsHeaders(request);
  const answer = (response: Response) => {
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };
  if (request.method === "OPTIONS" && !customOptions) {
    return answer(new Response(null, { status: 200 }));
  }
  const user = await optionalUser(request, ctx);
  if (request.method !== "OPTIONS" && !webAuthorized(action, request, user)) {
    return answer(errorResponse(401, Messages.authenticationMissing, ctx.tid.id));
  }
  const args = await webActionArguments(request, {
    raw: annotationValue(action.annotations, "raw-http") === true,
    path: target.path,
    maxBytes: ctx.options.maxPayloadBytes,
    ...(user === undefined ? {} : { user: user.namespace.name }),
  });
  const { activationId, outcome } = await invokeResolved(ctx, {
    identity: target.owner,
    resolved: target.resolved,
    params: mergeParameters(action, target.resolved.packageParameters, args),
    blocking: true,
    waitMs: ctx.options.maxBlockingWaitMs,
  });
  return answer(webOutcomeResponse(outcome, activationId, target.extension, ctx.tid.id));
}

/**
 * Adds the web action routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addWebActionRoutes } from "./web_actions.ts";
 * const router = addWebActionRoutes(new Router());
 * console.assert(router.match("PATCH", "/api/v1/web/guest/default/hello.json") !== undefined);
 * ```
 */
export function addWebActionRoutes(router: Router<RequestContext>): Router<RequestContext> {
  for (const method of METHODS) router.on(method, WEB_ROUTE, handle);
  return router;
}
