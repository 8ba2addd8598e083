/**
 * A small path router for the REST API: patterns with `:param` and a trailing `*rest`
 * segment, one handler per method, 405 with upstream's message when the path exists
 * but the method does not. Mirrors the route tree of `core/controller/.../RestAPIs.scala`.
 *
 * @module
 */
import { ApiError, Messages } from "./errors.ts";

/** Path parameters captured by a pattern. */
export type Params = Readonly<Record<string, string>>;

/** What a matched route is handed besides the request. */
export interface Match<C> {
  readonly params: Params;
  readonly handler: (request: Request, params: Params, context: C) => Promise<Response>;
}

interface Route<C> {
  readonly segments: readonly string[];
  readonly methods: Map<string, Match<C>["handler"]>;
}

/** Splits a path into its decoded segments; a trailing slash leaves an empty last segment. */
export function pathSegments(path: string): string[] {
  return path.split("/").slice(1).map(safeDecode);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, `The request path segment "${segment}" is not valid URL encoding.`);
  }
}

/**
 * Routes requests to handlers by method and path pattern.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * const router = new Router<void>();
 * router.on("GET", "/api/v1/namespaces/:ns/actions/:name", async (_r, p) => new Response(p.name));
 * const match = router.match("GET", "/api/v1/namespaces/_/actions/hello");
 * console.assert(match?.params.name === "hello");
 * ```
 */
export class Router<C> {
  readonly #routes: Route<C>[] = [];

  /** Adds a handler; `:x` captures one segment, `*x` captures the rest (one or more). */
  on(method: string, pattern: string, handler: Match<C>["handler"]): this {
    const segments = pattern.split("/").slice(1);
    let route = this.#routes.find((r) => r.segments.join("/") === segments.join("/"));
    if (!route) {
      route = { segments, methods: new Map() };
      this.#routes.push(route);
    }
    route.methods.set(method.toUpperCase(), handler);
    return this;
  }

  /**
   * Finds the handler for a request.
   *
   * @returns the match, or undefined when no pattern matches the path
   * @throws {ApiError} 405 when a pattern matches but not for this method
   */
  match(method: string, path: string): Match<C> | undefined {
    const segments = pathSegments(path);
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      const handler = route.methods.get(method.toUpperCase());
      if (handler) return { params, handler };
      throw new ApiError(405, Messages.methodNotAllowed + [...route.methods.keys()].join(", "), {
        allow: [...route.methods.keys()].join(", "),
      });
    }
    return undefined;
  }
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Params | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith("*")) {
      const rest = path.slice(i);
      if (rest.length === 0 || rest.every((s) => s === "")) return undefined;
      params[p.slice(1)] = rest.join("/");
      return params;
    }
    const s = path[i];
    if (s === undefined) return undefined;
    if (p.startsWith(":")) {
      if (s === "") return undefined;
      params[p.slice(1)] = s;
    } else if (p !== s) return undefined;
  }
  return pattern.length === path.length ? params : undefined;
}
