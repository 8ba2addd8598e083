/**
 * The unauthenticated routes: `GET /` (platform description, limits in upstream's
 * units, the runtime manifest), `GET /ping` and `GET /api/v1` (API version and build).
 * Mirrors `core/controller/.../Controller.scala` (`info`, `ping`) and `RestAPIs.scala`
 * (`RestApiCommons.info`).
 *
 * @module
 */
import {
  DEFAULT_ACTION_LIMITS,
  DEFAULT_KIND_ALIASES,
  RUNTIME_KINDS,
} from "../../../protocols/mod.ts";
import { jsonResponse, type RequestContext } from "./request_context.ts";
import type { ResolvedOptions } from "./rest_api_deps.ts";
import type { Router } from "./router.ts";

const MB = 1024 * 1024;

/** The runtime manifest by family: `{nodejs: [{kind, default, deprecated}], ...}`. */
export function runtimeManifest(): Record<string, unknown[]> {
  const defaults = new Set(Object.values(DEFAULT_KIND_ALIASES));
  const manifest: Record<string, unknown[]> = {};
  for (const kind of RUNTIME_KINDS) {
    const family = kind.slice(0, kind.indexOf(":"));
    (manifest[family] ??= []).push({ kind, default: defaults.has(kind), deprecated: false });
  }
  return manifest;
}

/** The body of `GET /`. */
export function platformInfo(options: ResolvedOptions): Record<string, unknown> {
  const b = options.limitBounds;
  return {
    description: "OpenWhisk",
    support: {
      github: "https://github.com/apache/openwhisk/issues",
      slack: "http://slack.openwhisk.org",
    },
    api_paths: ["/api/v1"],
    limits: {
      actions_per_minute: options.invocationsPerMinute,
      triggers_per_minute: options.firesPerMinute,
      concurrent_actions: options.concurrentInvocations,
      sequence_length: 50,
      default_action_duration: DEFAULT_ACTION_LIMITS.timeout,
      min_action_duration: b.timeout.min,
      max_action_duration: b.timeout.max,
      default_action_memory: DEFAULT_ACTION_LIMITS.memory * MB,
      min_action_memory: b.memory.min * MB,
      max_action_memory: b.memory.max * MB,
      default_action_logs: DEFAULT_ACTION_LIMITS.logs * MB,
      min_action_logs: b.logs.min * MB,
      max_action_logs: b.logs.max * MB,
    },
    runtimes: runtimeManifest(),
  };
}

/** The body of `GET /api/v1`. */
export function apiInfo(options: ResolvedOptions): Record<string, unknown> {
  return {
    description: "OpenWhisk API",
    api_version: "1.0.0",
    api_version_path: "v1",
    build: options.build,
    buildno: options.buildNo,
    swagger_paths: { ui: "/docs", "api-docs": "/api-docs" },
  };
}

/** Adds `GET /`, `GET /ping` and `GET /api/v1` to `router`. */
export function addInfoRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", "/", (_r, _p, ctx) => Promise.resolve(jsonResponse(200, platformInfo(ctx.options))))
    .on(
      "GET",
      "/ping",
      () => Promise.resolve(new Response("pong", { headers: { "content-type": "text/plain" } })),
    )
    .on(
      "GET",
      "/api/v1",
      (_r, _p, ctx) => Promise.resolve(jsonResponse(200, apiInfo(ctx.options))),
    );
}
