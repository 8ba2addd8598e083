/**
 * The dev console's HTTP handler, mounted by every role on its own server: the page and
 * its assets under `/console`, the trace as server-sent events on `/trace` (this
 * process's; `/trace?merged=1` fans in every process the sources find in etcd, see
 * `merged_trace.ts`; `snapshot=1` ends after the buffered events), and three JSON
 * endpoints, `/console/api/actors` (the live actor tree with FSM state names),
 * `/console/api/state` (invokers, queues and recent activations from injected sources)
 * and `/console/api/processes` (the cluster's processes serving `/trace`).
 * Upstream has no counterpart; it stands where its admin/health routes and Zipkin UI
 * would. Everything is served from this process: no CDN, nothing beyond loopback.
 *
 * @module
 */
import type { ActorInfo } from "../actors/registry.ts";
import type { Clock } from "../actors/clock.ts";
import type { System } from "../actors/system.ts";
import type { Tracer } from "../actors/tracer.ts";
import { errorResponse } from "../http/http_error.ts";
import { type ConsoleSources, emptySources } from "./console_views.ts";
import { mergedTraceStream } from "./merged_trace.ts";
import { parseTraceQuery, traceStream } from "./trace_stream.ts";

/** Answers a request, or returns `undefined` when the path is not the console's. */
export type ConsoleHandler = (request: Request) => Promise<Response> | undefined;

/** What {@link createConsoleHandler} needs. */
export interface ConsoleHandlerOptions {
  /** The process's tracer, streamed on `/trace`. */
  readonly tracer: Tracer;
  /** The process's actor system, listed on `/console/api/actors`. */
  readonly system: System;
  /** Invokers, queues and activations for `/console/api/state`; empty when omitted. */
  readonly sources?: ConsoleSources;
  /** Clock of the SSE heartbeats; the system's clock when omitted. */
  readonly clock?: Clock;
  /** Milliseconds between SSE heartbeat comments; 15,000 by default. */
  readonly heartbeatMs?: number;
  /** How long the merged trace holds an event for older ones; 250 ms by default. */
  readonly mergeWindowMs?: number;
}

/** One actor in the tree `/console/api/actors` returns. */
export interface ActorNode extends ActorInfo {
  readonly children: ActorNode[];
}

/** Nests a flat registry listing under `rootPath`; orphans hang at the top. */
export function actorTree(actors: readonly ActorInfo[], rootPath: string): ActorNode[] {
  const nodes = new Map<string, ActorNode>(
    actors.map((info) => [info.path, { ...info, children: [] }]),
  );
  const top: ActorNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentPath === rootPath ? undefined : nodes.get(node.parentPath);
    (parent ? parent.children : top).push(node);
  }
  return top;
}

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  "console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "console.css": { file: "console.css", type: "text/css; charset=utf-8" },
};

/** Only this process and loopback APIs may be reached from the page. */
const PAGE_POLICY = "default-src 'self'; connect-src 'self' http://127.0.0.1:* " +
  "http://localhost:*; img-src 'self' data:; style-src 'self'; script-src 'self'";

const NO_STORE = { "cache-control": "no-store" };
const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
};
const TID = "sid_console";

const cache = new Map<string, Uint8Array>();

async function readAsset(file: string): Promise<Uint8Array> {
  let bytes = cache.get(file);
  if (!bytes) {
    bytes = await Deno.readFile(new URL(`./${file}`, import.meta.url));
    cache.set(file, bytes);
  }
  return bytes;
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", ...NO_STORE },
  });
}

async function fileResponse(file: string, type: string, extra: Record<string, string> = {}) {
  return new Response(await readAsset(file) as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": type, ...NO_STORE, ...extra },
  });
}

function isConsolePath(path: string): boolean {
  return path === "/trace" || path === "/console" || path.startsWith("/console/");
}

/** Settles a source, turning a failure into an error message so one source cannot blank the page. */
async function settled<T>(read: () => Promise<T[]>): Promise<{ items: T[]; error?: string }> {
  try {
    return { items: await read() };
  } catch (error) {
    return { items: [], error: error instanceof Error ? error.message : String(error) };
  }
}

/** A boolean query flag: `1` or `true`. */
function isOn(value: string | null): boolean {
  return value === "1" || value === "true";
}

function limitOf(params: URLSearchParams): number {
  const limit = Number(params.get("limit") ?? 50);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50;
}

/**
 * Creates the console's handler.
 *
 * @example
 * ```ts
 * import { createConsoleHandler } from "./console_handler.ts";
 * import { startSystem, stopSystem } from "../actors/mod.ts";
 * import { silentLogger } from "../log.ts";
 * const system = startSystem({ logger: silentLogger });
 * const handle = createConsoleHandler({ tracer: system.tracer, system });
 * console.assert(handle(new Request("http://127.0.0.1/api/v1")) === undefined);
 * const response = await handle(new Request("http://127.0.0.1/console/api/actors"));
 * console.assert(response?.status === 200);
 * await stopSystem(system);
 * ```
 */
export function createConsoleHandler(options: ConsoleHandlerOptions): ConsoleHandler {
  const { tracer, system } = options;
  const sources = options.sources ?? emptySources;
  const clock = options.clock ?? system.clock;

  const route = async (request: Request, url: URL): Promise<Response> => {
    const path = url.pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return errorResponse(405, "Method not allowed.", TID, { allow: "GET, HEAD" });
    }
    if (path === "/console" || path === "/console/") {
      return await fileResponse("index.html", "text/html; charset=utf-8", {
        "content-security-policy": PAGE_POLICY,
      });
    }
    const asset = path.startsWith("/console/assets/")
      ? ASSETS[path.slice("/console/assets/".length)]
      : undefined;
    if (asset) return await fileResponse(asset.file, asset.type);
    if (path === "/trace" && isOn(url.searchParams.get("merged"))) {
      const processes = sources.processes?.bind(sources);
      const body = mergedTraceStream(parseTraceQuery(url.searchParams), {
        local: { name: system.name, tracer },
        discover: processes ?? (() => Promise.resolve([])),
        selfOrigin: url.origin,
        clock,
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        ...(options.mergeWindowMs === undefined ? {} : { windowMs: options.mergeWindowMs }),
      });
      return new Response(body, { headers: SSE_HEADERS });
    }
    if (path === "/trace") {
      const query = parseTraceQuery(url.searchParams);
      // Deno.serve cancels the body when the client goes away, which unsubscribes;
      // request.signal is left alone (Deno 2.9 warns about its legacy abort timing).
      const body = traceStream(tracer, query, {
        clock,
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      });
      return new Response(body, { headers: SSE_HEADERS });
    }
    if (path === "/console/api/processes") {
      const read = sources.processes?.bind(sources);
      const found = await settled(read ?? (() => Promise.resolve([])));
      return json({
        self: system.name,
        cluster: read !== undefined,
        processes: found.items,
        ...(found.error === undefined ? {} : { error: found.error }),
      });
    }
    if (path === "/console/api/actors") {
      const actors = system.actors();
      return json({
        system: system.name,
        root: system.path,
        actors,
        tree: actorTree(actors, system.path),
      });
    }
    if (path === "/console/api/state") {
      const [invokers, queues, activations] = await Promise.all([
        settled(() => sources.invokers()),
        settled(() => sources.queues()),
        settled(() => sources.activations(limitOf(url.searchParams))),
      ]);
      const errors = Object.fromEntries(
        Object.entries({ invokers, queues, activations })
          .flatMap(([name, r]) => r.error === undefined ? [] : [[name, r.error]]),
      );
      return json({
        now: clock.now(),
        invokers: invokers.items,
        queues: queues.items,
        activations: activations.items,
        errors,
      });
    }
    return errorResponse(404, "The requested resource does not exist.", TID);
  };

  return (request) => {
    // Every request of the process passes here first: skip parsing the URL of those that
    // cannot be console paths (the path is not decoded, so it holds these words as is).
    if (!request.url.includes("console") && !request.url.includes("trace")) return undefined;
    const url = new URL(request.url);
    if (!isConsolePath(url.pathname)) return undefined;
    return route(request, url).catch((error) =>
      error instanceof TypeError
        ? errorResponse(400, error.message, TID)
        : errorResponse(500, "Cannot serve the console: " + String(error), TID)
    );
  };
}
