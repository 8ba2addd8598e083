/**
 * HTTP Basic authentication of API callers: `Authorization: Basic base64(uuid:key)`,
 * where the key must be exactly 64 characters. Mirrors
 * `core/controller/.../BasicAuthenticationDirective.scala` and `entity/Secret.scala`.
 *
 * @module
 */
import { ApiError, Messages } from "./errors.ts";

/** The header upstream sends with every 401. */
export const WWW_AUTHENTICATE = { "www-authenticate": 'Basic realm="OpenWhisk secure realm"' };

/** Credentials read from a request. */
export interface BasicCredentials {
  readonly uuid: string;
  readonly key: string;
}

/**
 * Reads Basic credentials from an `Authorization` header value.
 *
 * @returns the credentials, or undefined when the header is absent
 * @throws {ApiError} 401 "The supplied authentication is invalid" when the header is
 *   malformed or the key is not 64 characters
 *
 * @example
 * ```ts
 * import { parseBasicAuth } from "./auth.ts";
 * const header = "Basic " + btoa("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:" + "k".repeat(64));
 * console.assert(parseBasicAuth(header)?.uuid === "23bc46b1-71f6-4ed5-8c54-816aa4f8c502");
 * ```
 */
export function parseBasicAuth(header: string | null | undefined): BasicCredentials | undefined {
  if (header === null || header === undefined || header.trim() === "") return undefined;
  const invalid = () => new ApiError(401, Messages.authenticationInvalid, WWW_AUTHENTICATE);
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) throw invalid();
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    throw invalid();
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw invalid();
  const uuid = decoded.slice(0, colon);
  const key = decoded.slice(colon + 1);
  if (key.length !== 64) throw invalid();
  return { uuid, key };
}

/**
 * Authenticates a request with a lookup function.
 *
 * @throws {ApiError} 401 with upstream's messages when credentials are missing or unknown
 */
export async function authenticate<I>(
  header: string | null,
  lookup: (credentials: BasicCredentials) => Promise<I | undefined>,
): Promise<I> {
  const credentials = parseBasicAuth(header);
  if (!credentials) throw new ApiError(401, Messages.authenticationMissing, WWW_AUTHENTICATE);
  const identity = await lookup(credentials);
  if (identity === undefined) {
    throw new ApiError(401, Messages.authenticationInvalid, WWW_AUTHENTICATE);
  }
  return identity;
}
