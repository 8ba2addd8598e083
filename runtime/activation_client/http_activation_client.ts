/**
 * The HTTP `ActivationClient`: `POST /activations/fetch` and `/activations/reschedule`
 * on a scheduler's ActivationService, with the cluster's internal Basic credential, over
 * one keep-alive connection pool per client.
 *
 * Mirrors the gRPC `ActivationServiceClient` of upstream's `ActivationClientProxy`;
 * differences: JSON over HTTP/1.1 (ARCHITECTURE, Transports), and failures map to the
 * named errors of `protocols/activation_client.ts` (network or 5xx → retryable
 * `ActivationServiceUnavailableError`; an unresolvable host → the same, not retryable).
 *
 * @module
 */

import {
  type ActivationClient,
  ActivationClientClosedError,
  ActivationResponseParseError,
  ActivationServiceRejectedError,
  ActivationServiceUnavailableError,
} from "../../protocols/activation_client.ts";
import {
  decodeFetchResponse,
  decodeRescheduleResponse,
  encodeFetchRequest,
  encodeRescheduleRequest,
} from "../../protocols/activation_service.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";

/** Options of {@link httpActivationClient}. */
export interface HttpActivationClientOptions {
  /** The internal credential (`whisk.system` subject's `uuid:key`). */
  readonly credential: { readonly user: string; readonly password: string };
  /** `http` (default) or `https`. */
  readonly protocol?: "http" | "https";
}

const UNRESOLVABLE = /dns error|failed to lookup address|name or service not known|no such host/i;

function networkError(error: unknown, url: string): Error {
  const text = error instanceof Error ? error.message : String(error);
  return new ActivationServiceUnavailableError(`cannot reach ${url}: ${text}`, {
    cause: error,
    retryable: !UNRESOLVABLE.test(text),
  });
}

/**
 * Connects to `endpoint`'s ActivationService.
 *
 * @example
 * ```ts
 * import { httpActivationClient } from "./mod.ts";
 * const client = httpActivationClient({ host: "127.0.0.1", rpcPort: 13001 }, {
 *   credential: { user: "uuid", password: "key" },
 * });
 * await client.close();
 * ```
 */
export function httpActivationClient(
  endpoint: SchedulerEndpoints,
  options: HttpActivationClientOptions,
): ActivationClient {
  const base = `${options.protocol ?? "http"}://${endpoint.host}:${endpoint.rpcPort}`;
  const authorization = "Basic " +
    btoa(`${options.credential.user}:${options.credential.password}`);
  const httpClient = Deno.createHttpClient({});
  const inFlight = new Set<AbortController>();
  let closed = false;

  const post = async <T>(path: string, body: unknown, decode: (v: unknown) => T): Promise<T> => {
    if (closed) throw new ActivationClientClosedError();
    const url = `${base}${path}`;
    const abort = new AbortController();
    inFlight.add(abort);
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          client: httpClient,
          signal: abort.signal,
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      } catch (error) {
        if (closed) throw new ActivationClientClosedError(undefined, { cause: error });
        throw networkError(error, url);
      }
      const text = await res.text();
      if (res.status >= 500) {
        throw new ActivationServiceUnavailableError(`${url} answered ${res.status}: ${text}`);
      }
      if (res.status !== 200) {
        throw new ActivationServiceRejectedError(
          res.status,
          `${url} answered ${res.status}: ${text}`,
        );
      }
      try {
        return decode(text);
      } catch (error) {
        throw new ActivationResponseParseError(`${url}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    } finally {
      inFlight.delete(abort);
    }
  };

  return {
    endpoint,
    fetch: (request) =>
      post("/activations/fetch", encodeFetchRequest(request), decodeFetchResponse),
    reschedule: (request) =>
      post("/activations/reschedule", encodeRescheduleRequest(request), decodeRescheduleResponse),
    close() {
      if (!closed) {
        closed = true;
        for (const a of inFlight) a.abort();
        httpClient.close();
      }
      return Promise.resolve();
    },
  };
}
