/**
 * The one HTTP server of a standalone platform (FPC or lean): the console and its
 * `/trace`, `/metrics`, `/health`, and everything else to the controller's REST API;
 * plus the ordered close of the adapters. Shared by `standalone_platform.ts` and
 * `standalone_lean.ts`.
 *
 * @module
 */
import type { Logger } from "../runtime/log.ts";
import type { MetricsRegistry } from "../runtime/metrics.ts";

/** What the server routes to. */
export interface StandaloneRoutes {
  readonly hostname?: string;
  readonly port?: number;
  /** The console handler: undefined for paths that are not the console's. */
  readonly console: (request: Request) => Promise<Response> | undefined;
  readonly metrics: MetricsRegistry;
  /** The `/health` body. */
  readonly health: () => unknown;
  /** The REST API. */
  readonly api: (request: Request) => Promise<Response>;
}

/** A serving standalone server. */
export interface StandaloneServer {
  readonly url: string;
  shutdown(): Promise<void>;
}

/** Serves the standalone routes on `hostname:port` (default 127.0.0.1:3233; 0 picks one). */
export function serveStandalone(routes: StandaloneRoutes): StandaloneServer {
  const server = Deno.serve({
    hostname: routes.hostname ?? "127.0.0.1",
    port: routes.port ?? 3233,
    onListen: () => {},
  }, (request) => {
    const fromConsole = routes.console(request);
    if (fromConsole) return fromConsole;
    const path = new URL(request.url).pathname;
    if (path === "/metrics") return new Response(routes.metrics.render());
    if (path === "/health") return Response.json(routes.health());
    return routes.api(request);
  });
  const address = server.addr as Deno.NetAddr;
  return {
    url: `http://${address.hostname}:${address.port}`,
    shutdown: () => server.shutdown(),
  };
}

/** Runs `closers` last-registered first; a failing one is logged and the rest still run. */
export async function closeInReverse(
  closers: readonly (() => Promise<void> | void)[],
  logger: Logger,
): Promise<void> {
  for (const closer of [...closers].reverse()) {
    try {
      await closer();
    } catch (error) {
      logger.warn("error while closing", { error });
    }
  }
}
