/**
 * A web action's arguments from its HTTP request: `__ow_method` (lower case),
 * `__ow_headers` (lower-cased names), `__ow_path` (what follows the action in the URL),
 * `__ow_user` when the caller authenticated, then the query parameters and the body
 * merged in (a JSON object's fields, a form's fields, or any other body as
 * `__ow_body`: text as a string, binary content base64). A `raw-http` action gets the
 * query string as `__ow_query` and the body unparsed as `__ow_body` (base64 unless it
 * is text). A query or body may not set a reserved `__ow_*` name. Mirrors `Context`,
 * `toActionArgument` and `extractEntityAndProcessRequest` of
 * `core/controller/.../WebActions.scala`.
 *
 * @module
 */
import { encodeBase64 } from "./web_base64.ts";
import type { JsonObject, JsonValue } from "../../../protocols/mod.ts";
import { readBodyBytes } from "../../../runtime/http/body.ts";
import { ApiError, Messages } from "./errors.ts";

/** The argument names a web request fills in itself. */
export const RESERVED_WEB_PROPERTIES: ReadonlySet<string> = new Set([
  "__ow_method",
  "__ow_headers",
  "__ow_path",
  "__ow_user",
  "__ow_query",
  "__ow_body",
]);

/** How to read a web request. */
export interface WebRequestOptions {
  /** The action's `raw-http` annotation. */
  readonly raw: boolean;
  /** The authenticated caller's namespace, when there is one. */
  readonly user?: string;
  /** The path after the action segment (`""` or `/a/b`). */
  readonly path: string;
  readonly maxBytes: number;
}

/** The media type of a `Content-Type` value, lower case, without parameters. */
export function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Whether a media type is JSON: `application/json` or `*\/*+json`. */
export function isJsonFamily(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

const TEXT_APPLICATION_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "application/xml",
  "application/javascript",
  "application/ecmascript",
]);

/** Whether a body of this media type is text (anything else is passed on as base64). */
export function isTextMediaType(mediaType: string): boolean {
  return mediaType.startsWith("text/") || TEXT_APPLICATION_TYPES.has(mediaType) ||
    mediaType.endsWith("+xml");
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function parseJsonBody(bytes: Uint8Array): JsonValue {
  try {
    return JSON.parse(decodeText(bytes)) as JsonValue;
  } catch {
    throw new ApiError(
      400,
      "The request content was malformed:\nThe request content is not valid JSON.",
    );
  }
}

/** The body as the action sees it: undefined when empty. */
function bodyValue(bytes: Uint8Array, mediaType: string, raw: boolean): JsonValue | undefined {
  if (bytes.byteLength === 0) return undefined;
  if (!raw && isJsonFamily(mediaType)) return parseJsonBody(bytes);
  if (!raw && mediaType === "application/x-www-form-urlencoded") {
    return Object.fromEntries(new URLSearchParams(decodeText(bytes)));
  }
  if (isTextMediaType(mediaType)) return decodeText(bytes);
  return encodeBase64(bytes);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds a web action's arguments from `request`.
 *
 * @throws {ApiError} 400 on malformed JSON or when the query or body sets a reserved
 *   name; 413 past `maxBytes`
 */
export async function webActionArguments(
  request: Request,
  options: WebRequestOptions,
): Promise<JsonObject> {
  const url = new URL(request.url);
  const bytes = await readBodyBytes(request, options.maxBytes);
  const declared = request.headers.get("content-type");
  const mediaType = declared === null && bytes.byteLength > 0
    ? "application/octet-stream"
    : mediaTypeOf(declared);
  const body = bodyValue(bytes, mediaType, options.raw);
  const query: Record<string, JsonValue> = options.raw
    ? { __ow_query: url.search.replace(/^\?/, "") }
    : Object.fromEntries(url.searchParams);
  const bodyFields: Record<string, JsonValue> = isObject(body) && !options.raw
    ? body
    : body !== undefined
    ? { __ow_body: body }
    : options.raw
    ? { __ow_body: "" }
    : {};
  if (!options.raw) {
    const given = [...url.searchParams.keys(), ...(isObject(body) ? Object.keys(body) : [])];
    if (given.some((key) => RESERVED_WEB_PROPERTIES.has(key))) {
      throw new ApiError(400, Messages.parametersNotAllowed);
    }
  }
  return {
    __ow_method: request.method.toLowerCase(),
    __ow_headers: Object.fromEntries(request.headers),
    __ow_path: options.path,
    ...(options.user === undefined ? {} : { __ow_user: options.user }),
    ...query,
    ...bodyFields,
  };
}
