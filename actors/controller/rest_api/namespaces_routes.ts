/**
 * `GET /api/v1/namespaces` (the caller's namespace names) and
 * `GET /api/v1/namespaces/{ns}/limits` (the caller's effective limits: the namespace's
 * own values, the system defaults for the rest). Mirrors
 * `core/controller/.../Namespaces.scala` and `Limits.scala`.
 *
 * @module
 */
import type { Identity } from "../../../protocols/mod.ts";
import { jsonResponse, type RequestContext, resolveNamespace } from "./request_context.ts";
import type { ResolvedOptions } from "./rest_api_deps.ts";
import type { Router } from "./router.ts";

/**
 * The limits a caller sees: its namespace's values over the system defaults.
 *
 * @example
 * ```ts
 * import { effectiveLimits } from "./namespaces_routes.ts";
 * import { resolveOptions } from "./rest_api_deps.ts";
 * const identity = {
 *   subject: "guest", namespace: { name: "guest", uuid: "u" }, authkey: { uuid: "u", key: "k" },
 *   rights: [], limits: { invocationsPerMinute: 5 },
 * };
 * console.assert(effectiveLimits(identity, resolveOptions()).invocationsPerMinute === 5);
 * ```
 */
export function effectiveLimits(
  identity: Identity,
  options: ResolvedOptions,
): Record<string, unknown> {
  const own = identity.limits;
  const bounds = options.limitBounds;
  const concurrent = own.concurrentInvocations ?? options.concurrentInvocations;
  return {
    invocationsPerMinute: own.invocationsPerMinute ?? options.invocationsPerMinute,
    concurrentInvocations: concurrent,
    firesPerMinute: own.firesPerMinute ?? options.firesPerMinute,
    ...(own.allowedKinds === undefined ? {} : { allowedKinds: own.allowedKinds }),
    ...(own.storeActivations === undefined ? {} : { storeActivations: own.storeActivations }),
    minActionMemory: own.minActionMemory ?? bounds.memory.min,
    maxActionMemory: own.maxActionMemory ?? bounds.memory.max,
    minActionLogs: own.minActionLogs ?? bounds.logs.min,
    maxActionLogs: own.maxActionLogs ?? bounds.logs.max,
    minActionTimeout: own.minActionTimeout ?? bounds.timeout.min,
    maxActionTimeout: own.maxActionTimeout ?? bounds.timeout.max,
    minActionConcurrency: own.minActionConcurrency ?? bounds.concurrency.min,
    maxActionConcurrency: own.maxActionConcurrency ?? bounds.concurrency.max,
    maxParameterSize: own.maxParameterSize ?? byteSize(options.maxParameterBytes),
    maxPayloadSize: own.maxPayloadSize ?? byteSize(options.maxPayloadBytes),
    maxActionInstances: own.maxActionInstances ?? concurrent,
  };
}

/** Upstream's `ByteSize` string form, e.g. `1 MB`. */
function byteSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} B`;
}

/** Adds the namespace routes to `router`. */
export function addNamespaceRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", "/api/v1/namespaces", async (_r, _p, ctx) => {
      return jsonResponse(200, [(await ctx.caller()).namespace]);
    })
    .on("GET", "/api/v1/namespaces/:ns/limits", async (_r, p, ctx) => {
      const caller = await ctx.caller();
      resolveNamespace(p.ns ?? "", caller);
      return jsonResponse(200, effectiveLimits(caller.identity, ctx.options));
    });
}
