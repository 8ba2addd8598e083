/**
 * An HTTP answer rendered as OpenWhisk's error body `{error, code}`, shared by the
 * REST API, the ActivationService and the admin routes of every role. Mirrors
 * `common/.../http/ErrorResponse.scala` (`ErrorResponse`).
 *
 * @module
 */

/** An error that becomes an HTTP answer `{error, code}` with its status. */
export class HttpError extends Error {
  override name = "HttpError";
  /**
   * @param status the HTTP status
   * @param message the `error` field
   * @param headers extra response headers (e.g. `WWW-Authenticate`, `Allow`)
   */
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * Renders an error as upstream does: compact JSON `{error, code}` where `code` is the
 * transaction id, with the transaction id in `X-Request-ID`.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./http_error.ts";
 * const response = errorResponse(404, "The requested resource does not exist.", "tid1");
 * console.assert(response.status === 404);
 * ```
 */
export function errorResponse(
  status: number,
  message: string,
  tid: string,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify({ error: message, code: tid }), {
    status,
    headers: { "content-type": "application/json", "x-request-id": tid, ...headers },
  });
}
