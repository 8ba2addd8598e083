/**
 * The scheduler's HTTP server routes (port 13001 + N): the ActivationService, the
 * admin routes `/state`, `/disable`, `/queue/total`, `/queue/status` and `/trace`
 * (internal credential required, 401 otherwise), and the open `/metrics` and
 * `/health`. Mirrors `core/scheduler/.../FPCSchedulerServer.scala` (reference
 * `openwhisk-fpc.md` §2.6, §8.6 item 70); differences: the credential is the
 * `whisk.system` subject's key, and the ActivationService shares the port.
 *
 * @module
 */

import { ask, type Ref, type System } from "../../runtime/actors/mod.ts";
import { errorResponse } from "../../runtime/http/http_error.ts";
import type { QueueStatus } from "../../protocols/memory_queue.ts";
import type {
  QueueManagerCommand,
  QueueSizeResult,
  QueueStates,
} from "../../protocols/queue_manager.ts";
import {
  type InternalCredential,
  isInternalCredential,
  type QueueTotal,
} from "../../protocols/scheduler_admin.ts";

/** What the scheduler's server needs. */
export interface SchedulerServerDeps {
  readonly credential: InternalCredential;
  /** Serves `/activations/*` (see `createActivationServiceHandler`). */
  readonly activationService: (request: Request) => Promise<Response>;
  /** `POST /disable`: starts the graceful shutdown (reference §2.6). */
  disable(): void | Promise<void>;
  /** `GET /state`: this scheduler's state as JSON (e.g. its `SchedulerStates`). */
  state(): Promise<unknown>;
  /** `GET /queue/total`. */
  queueTotal(): Promise<QueueTotal>;
  /** `GET /queue/status`. */
  queueStatus(): Promise<readonly QueueStatus[]>;
  /** `GET /metrics`: Prometheus text. */
  metrics(): string;
  /** `GET /health`: JSON. */
  health(): unknown;
  /** `GET /trace`, when tracing is served. */
  trace?(request: Request): Response | Promise<Response>;
}

type Route = {
  readonly method: "GET" | "POST";
  readonly admin: boolean;
  readonly run: (request: Request) => Promise<Response>;
};

const json = (value: unknown) => Response.json(value);

/**
 * The scheduler's request handler.
 *
 * @example
 * ```ts
 * import { createSchedulerServerHandler } from "./scheduler_server.ts";
 * import { DEFAULT_INTERNAL_CREDENTIAL } from "../../protocols/scheduler_admin.ts";
 * const handler = createSchedulerServerHandler({
 *   credential: DEFAULT_INTERNAL_CREDENTIAL,
 *   activationService: () => Promise.resolve(new Response(null, { status: 404 })),
 *   disable: () => {},
 *   state: () => Promise.resolve({}),
 *   queueTotal: () => Promise.resolve({ total: 0, leaders: 0 }),
 *   queueStatus: () => Promise.resolve([]),
 *   metrics: () => "",
 *   health: () => ({ ok: true }),
 * });
 * const response = await handler(new Request("http://x/state"));
 * console.assert(response.status === 401);
 * ```
 */
export function createSchedulerServerHandler(
  deps: SchedulerServerDeps,
): (request: Request) => Promise<Response> {
  const routes: Record<string, Route> = {
    "/state": { method: "GET", admin: true, run: async () => json(await deps.state()) },
    "/disable": {
      method: "POST",
      admin: true,
      run: async () => {
        await deps.disable();
        return json({ disabled: true });
      },
    },
    "/queue/total": { method: "GET", admin: true, run: async () => json(await deps.queueTotal()) },
    "/queue/status": {
      method: "GET",
      admin: true,
      run: async () => json(await deps.queueStatus()),
    },
    "/metrics": {
      method: "GET",
      admin: false,
      run: () =>
        Promise.resolve(
          new Response(deps.metrics(), {
            headers: { "content-type": "text/plain; version=0.0.4" },
          }),
        ),
    },
    "/health": { method: "GET", admin: false, run: () => Promise.resolve(json(deps.health())) },
  };
  return async (request) => {
    const tid = request.headers.get("x-request-id") ?? "sid_scheduler";
    const path = new URL(request.url).pathname;
    if (path.startsWith("/activations/")) return await deps.activationService(request);
    const trace = deps.trace;
    const route: Route | undefined = path === "/trace" && trace !== undefined
      ? { method: "GET", admin: true, run: async (r) => await trace(r) }
      : routes[path];
    if (route === undefined) {
      return errorResponse(404, "The requested resource does not exist.", tid);
    }
    if (request.method !== route.method) {
      return errorResponse(
        405,
        `HTTP method not allowed, supported methods: ${route.method}`,
        tid,
        { allow: route.method },
      );
    }
    if (
      route.admin && !isInternalCredential(request.headers.get("authorization"), deps.credential)
    ) {
      return errorResponse(401, "The supplied authentication is invalid", tid, {
        "www-authenticate": 'Basic realm="OpenWhisk internal"',
      });
    }
    return await route.run(request);
  };
}

/**
 * `/queue/total` and `/queue/status` answered by the QueueManager (`QueueSize`,
 * `GetState`).
 */
export function queueManagerAdmin(
  system: System,
  queueManager: Ref<QueueManagerCommand>,
  timeoutMs = 10_000,
): Pick<SchedulerServerDeps, "queueTotal" | "queueStatus"> {
  return {
    queueTotal: async () => {
      const r = await ask<QueueSizeResult, QueueManagerCommand>(
        system,
        queueManager,
        (replyTo) => ({ type: "QueueSize", replyTo }),
        timeoutMs,
      );
      return { total: r.size, leaders: r.leaders };
    },
    queueStatus: async () =>
      (await ask<QueueStates, QueueManagerCommand>(
        system,
        queueManager,
        (replyTo) => ({ type: "GetState", replyTo }),
        timeoutMs,
      )).queues,
  };
}
