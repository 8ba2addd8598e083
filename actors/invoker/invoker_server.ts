/**
 * The invoker's HTTP server: the admin routes `POST /enable`, `POST /disable` and
 * `GET /isEnabled` behind the cluster's internal credential (Basic auth with the
 * `whisk.system` key; anything else is 401), plus `/ping`, `/metrics`, `/health` and
 * `/trace` (recent trace events as JSON, or a live `text/event-stream`). Served on
 * 127.0.0.1:(12001 + N) by default.
 *
 * Mirrors `core/invoker/.../invoker/FPCInvokerServer.scala` and the `enable`/`disable`/
 * `isEnabled` of `FPCInvokerReactive.scala`; differences: the credential is the
 * `whisk.system` subject's key (upstream has its own invoker user and password),
 * `isEnabled` asks the health manager, and `/pool` is not served.
 *
 * @module
 */

import type {
  PoolEnable,
  PoolGracefulShutdown,
} from "../../protocols/function_pulling_container_pool.ts";
import type {
  Enable,
  GetInvokerHealth,
  GracefulShutdown,
  InvokerHealthSnapshot,
} from "../../protocols/invoker_health_manager.ts";
import { errorResponse } from "../../runtime/http/http_error.ts";
import {
  ask,
  type Ref,
  type System,
  tell,
  type TraceEvent,
  type TraceFilter,
  type Tracer,
} from "../../runtime/actors/mod.ts";

/** The default port of invoker `id`. */
export function invokerPort(id: number): number {
  return 12001 + id;
}

/** What the admin routes act on. */
export interface InvokerControl {
  enable(): void | Promise<void>;
  disable(): void | Promise<void>;
  isEnabled(): boolean | Promise<boolean>;
}

/** Everything the routes need. */
export interface InvokerServerDeps {
  /** `invoker<N>`, used in the answers. */
  readonly instanceName: string;
  readonly control: InvokerControl;
  /** The internal credential, `uuid:key` of the `whisk.system` subject. */
  readonly internalAuthKey: string;
  /** Prometheus text. */
  metrics(): string;
  /** The `/health` body. */
  health(): unknown | Promise<unknown>;
  readonly tracer?: Tracer;
}

/** Upstream's message of a 401 from the invoker's admin API. */
export const UNAUTHORIZED_MESSAGE = "The supplied authentication is invalid";

const UNAUTHORIZED_HEADERS = { "www-authenticate": 'Basic realm="OpenWhisk invoker"' };

/** Compares without an early exit, so the time taken does not leak the key's prefix. */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Whether `header` carries Basic credentials equal to `uuid:key`. */
export function isInternalCredential(header: string | null, authKey: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return false;
  }
  return sameSecret(decoded, authKey);
}

const text = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=UTF-8" } });
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function traceFilter(url: URL): TraceFilter | undefined {
  const kind = url.searchParams.get("kind");
  const tid = url.searchParams.get("tid");
  const path = url.searchParams.get("path");
  if (kind === null && tid === null && path === null) return undefined;
  return {
    ...(kind === "message" || kind === "dead_letter" || kind === "transition" ? { kind } : {}),
    ...(tid === null ? {} : { tid }),
    ...(path === null ? {} : { path }),
  };
}

function traceStream(tracer: Tracer): Response {
  let unsubscribe = () => {};
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      unsubscribe = tracer.subscribe((event: TraceEvent) =>
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`))
      );
    },
    cancel() {
      unsubscribe();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

async function admin(
  request: Request,
  path: string,
  deps: InvokerServerDeps,
): Promise<Response | undefined> {
  if (path === "/enable" && request.method === "POST") {
    await deps.control.enable();
    return text(`${deps.instanceName} is now enabled.`);
  }
  if (path === "/disable" && request.method === "POST") {
    await deps.control.disable();
    return text(`${deps.instanceName} is now disabled.`);
  }
  if (path === "/isEnabled" && request.method === "GET") {
    return json({ enabled: await deps.control.isEnabled() });
  }
  return undefined;
}

/**
 * The request handler of the invoker's server.
 *
 * @example
 * ```ts
 * import { invokerHandler } from "./invoker_server.ts";
 * const handle = invokerHandler({
 *   instanceName: "invoker0",
 *   control: { enable() {}, disable() {}, isEnabled: () => true },
 *   internalAuthKey: "u:k",
 *   metrics: () => "",
 *   health: () => ({ status: "up" }),
 * });
 * const response = await handle(new Request("http://x/isEnabled"));
 * console.assert(response.status === 401);
 * ```
 */
export function invokerHandler(deps: InvokerServerDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const tid = request.headers.get("x-request-id") ?? crypto.randomUUID().replaceAll("-", "");
    try {
      switch (url.pathname) {
        case "/ping":
          return text("pong");
        case "/metrics":
          return new Response(deps.metrics(), {
            headers: { "content-type": "text/plain; version=0.0.4" },
          });
        case "/health":
          return json(await deps.health());
        case "/trace":
          if (!deps.tracer) {
            return errorResponse(404, "The requested resource does not exist.", tid);
          }
          return request.headers.get("accept")?.includes("text/event-stream")
            ? traceStream(deps.tracer)
            : json(deps.tracer.recent(traceFilter(url)));
      }
      if (!["/enable", "/disable", "/isEnabled"].includes(url.pathname)) {
        return errorResponse(404, "The requested resource does not exist.", tid);
      }
      if (!isInternalCredential(request.headers.get("authorization"), deps.internalAuthKey)) {
        return errorResponse(401, UNAUTHORIZED_MESSAGE, tid, UNAUTHORIZED_HEADERS);
      }
      return await admin(request, url.pathname, deps) ??
        errorResponse(405, "HTTP method not allowed, supported methods: POST, GET", tid);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return errorResponse(500, `An internal error occurred: ${message}`, tid);
    }
  };
}

/** Options of {@link serveInvoker}. */
export interface ServeInvokerOptions {
  readonly hostname?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly signal?: AbortSignal;
}

/** Serves {@link invokerHandler} with `Deno.serve`. */
export function serveInvoker(
  deps: InvokerServerDeps,
  options: ServeInvokerOptions,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port,
    ...(options.signal ? { signal: options.signal } : {}),
    onListen: () => {},
  }, invokerHandler(deps));
}

/**
 * The control over the pool and the health manager (upstream `enable`/`disable`):
 * both get `Enable` or `GracefulShutdown`; `isEnabled` asks the health manager.
 */
export function actorInvokerControl(
  system: System,
  pool: Ref<PoolEnable | PoolGracefulShutdown>,
  healthManager: Ref<Enable | GracefulShutdown | GetInvokerHealth>,
  askTimeoutMs = 5_000,
): InvokerControl {
  return {
    enable() {
      tell(system, healthManager, { type: "Enable" });
      tell(system, pool, { type: "Enable" });
    },
    disable() {
      tell(system, healthManager, { type: "GracefulShutdown" });
      tell(system, pool, { type: "GracefulShutdown" });
    },
    async isEnabled() {
      const snapshot = await ask<InvokerHealthSnapshot, GetInvokerHealth>(
        system,
        healthManager,
        (replyTo) => ({ type: "GetInvokerHealth", replyTo }),
        askTimeoutMs,
      );
      return snapshot.enabled;
    },
  };
}
