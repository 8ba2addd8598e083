/**
 * A web action's answer for each extension: `.json` (an object or array), `.html` /
 * `.svg` (`body`, or `html` / `svg`, a string), `.text` (`body` or `text`; other JSON
 * printed), `.http` (`{statusCode, headers, body}`: a string body is text, or base64
 * decoded for a binary content type; a JSON body is sent as JSON; no body is 204). An
 * application error renders its `error` field the same way; a developer or internal
 * error answers 400 "There was an error processing your request."; no result within the
 * wait 202 "Response not yet ready.". Mirrors the transcoders (`resultAsHttp`,
 * `resultAsJson`, ...) and `completeRequest` of `core/controller/.../WebActions.scala`.
 *
 * @module
 */
import { isBinaryCode, type JsonValue } from "../../../protocols/mod.ts";
import { errorResponse, Messages } from "./errors.ts";
import { ACTIVATION_ID_HEADER } from "./invoke_response.ts";
import type { InvokeOutcome } from "./rest_api_deps.ts";
import { decodeBase64 } from "./web_base64.ts";
import { isJsonFamily, isTextMediaType, mediaTypeOf } from "./web_request.ts";

/** The extensions a web action URL may end with. */
export const WEB_EXTENSIONS = [".http", ".json", ".html", ".svg", ".text"] as const;

/** One of {@link WEB_EXTENSIONS}. */
export type WebExtension = typeof WEB_EXTENSIONS[number];

/** Upstream's messages of web actions. */
export const WebMessages = {
  invalidMedia: (mediaType: string) => `Response is not valid '${mediaType}'.`,
  propertyNotFound: "Response does not include requested property.",
  httpUnknownContentType: "Response did not specify a known content-type.",
  httpContentTypeError: "Response type in header did not match generated content type.",
  errorProcessingRequest: "There was an error processing your request.",
  extensionNotSupported: `Extension must be specified and one of [${WEB_EXTENSIONS.join(", ")}].`,
} as const;

/**
 * Splits `name.ext` into the action name and a known extension (`.http` when none).
 *
 * @example
 * ```ts
 * import { splitExtension } from "./web_response.ts";
 * console.assert(splitExtension("hello.json").name === "hello");
 * console.assert(splitExtension("hello").extension === ".http");
 * ```
 */
export function splitExtension(segment: string): { name: string; extension: WebExtension } {
  const extension = WEB_EXTENSIONS.find((ext) => segment.endsWith(ext) && segment !== ext);
  return extension
    ? { name: segment.slice(0, -extension.length), extension }
    : { name: segment, extension: ".http" };
}

type Fields = { readonly [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function reply(status: number, body: BodyInit | null, headers: HeadersInit = {}): Response {
  return new Response(body, { status, headers });
}

function field(result: JsonValue, ...names: string[]): JsonValue | undefined {
  if (!isObject(result)) return result;
  for (const name of names) if (result[name] !== undefined) return result[name];
  return undefined;
}

function asMarkup(result: JsonValue, key: string, mediaType: string, tid: string): Response {
  const value = field(result, "body", key);
  if (typeof value !== "string") {
    return errorResponse(400, WebMessages.invalidMedia(mediaType), tid);
  }
  const type = mediaType === "text/html" ? "text/html; charset=UTF-8" : mediaType;
  return reply(200, value, { "content-type": type });
}

function asText(result: JsonValue, tid: string): Response {
  const value = field(result, "body", "text");
  if (value === undefined) return errorResponse(404, WebMessages.propertyNotFound, tid);
  const text = typeof value === "string"
    ? value
    : typeof value === "object" && value !== null
    ? JSON.stringify(value, null, 2)
    : String(value);
  return reply(200, text, { "content-type": "text/plain; charset=UTF-8" });
}

function asJson(result: JsonValue, tid: string): Response {
  if (typeof result !== "object" || result === null) {
    return errorResponse(400, WebMessages.invalidMedia("application/json"), tid);
  }
  return reply(200, JSON.stringify(result), { "content-type": "application/json" });
}

class InvalidHttpResult extends Error {
  override readonly name = "InvalidHttpResult";
}

function httpHeaders(raw: JsonValue | undefined): [string, string][] {
  if (raw === undefined) return [];
  if (!isObject(raw)) throw new InvalidHttpResult("headers");
  const out: [string, string][] = [];
  const add = (name: string, value: JsonValue): void => {
    if (Array.isArray(value)) return value.forEach((inner) => add(name, inner));
    if (typeof value === "object" || value === null) throw new InvalidHttpResult("header");
    out.push([name, String(value)]);
  };
  for (const [name, value] of Object.entries(raw)) add(name, value);
  return out;
}

function httpStatus(raw: JsonValue | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const code = typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 100 || code > 599) {
    throw new InvalidHttpResult("statusCode");
  }
  return code;
}

const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

function withBody(status: number, headers: [string, string][], body: JsonValue, tid: string) {
  const given = headers.find(([n]) => n.toLowerCase() === "content-type")?.[1];
  const others = headers.filter(([n]) => n.toLowerCase() !== "content-type");
  const mediaType = given === undefined ? undefined : mediaTypeOf(given);
  if (mediaType !== undefined && !MEDIA_TYPE.test(mediaType)) {
    return errorResponse(400, WebMessages.httpUnknownContentType, tid);
  }
  if (typeof body !== "string") {
    if (mediaType !== undefined && !isJsonFamily(mediaType)) {
      return errorResponse(400, WebMessages.httpContentTypeError, tid);
    }
    const text = mediaType === undefined || mediaType === "application/json"
      ? JSON.stringify(body)
      : JSON.stringify(body, null, 2);
    return reply(status, text, [...others, ["content-type", given ?? "application/json"]]);
  }
  const type = given ?? "text/html; charset=UTF-8";
  const media = mediaType ?? "text/html";
  const decode = isJsonFamily(media) ? isBinaryCode(body) : !isTextMediaType(media);
  if (!decode) return reply(status, body, [...others, ["content-type", type]]);
  const bytes = decodeBase64(body);
  if (!bytes) return errorResponse(400, WebMessages.httpContentTypeError, tid);
  return reply(status, bytes, [...others, ["content-type", type]]);
}

function asHttp(result: JsonValue, tid: string): Response {
  try {
    if (!isObject(result)) throw new InvalidHttpResult("result");
    const headers = httpHeaders(result.headers);
    const code = httpStatus(result.statusCode);
    const body = result.body;
    if (body === undefined || body === null || body === "") {
      const kept = headers.filter(([n]) => n.toLowerCase() !== "content-type");
      return reply(code ?? 204, null, kept);
    }
    return withBody(code ?? 200, headers, body, tid);
  } catch (error) {
    if (!(error instanceof InvalidHttpResult)) throw error;
    return errorResponse(400, WebMessages.invalidMedia("message/http"), tid);
  }
}

/** Renders a result (or an application error's `error` field) for `extension`. */
export function renderWebResult(extension: WebExtension, result: JsonValue, tid: string): Response {
  switch (extension) {
    case ".http":
      return asHttp(result, tid);
    case ".json":
      return asJson(result, tid);
    case ".html":
      return asMarkup(result, "html", "text/html", tid);
    case ".svg":
      return asMarkup(result, "svg", "image/svg+xml", tid);
    case ".text":
      return asText(result, tid);
  }
}

/**
 * The web answer of an invocation outcome (undefined: no result within the wait).
 *
 * @example
 * ```ts
 * import { webOutcomeResponse } from "./web_response.ts";
 * const r = webOutcomeResponse(undefined, "a".repeat(32), ".json", "tid");
 * console.assert(r.status === 202);
 * ```
 */
export function webOutcomeResponse(
  outcome: InvokeOutcome | undefined,
  activationId: string,
  extension: WebExtension,
  tid: string,
): Response {
  if (outcome?.type === "Rejected") return errorResponse(outcome.status, outcome.message, tid);
  if (outcome === undefined || outcome.type === "Accepted") {
    return errorResponse(202, Messages.responseNotReady, tid, {
      [ACTIVATION_ID_HEADER]: activationId,
    });
  }
  const { response } = outcome.activation;
  const idHeader = { [ACTIVATION_ID_HEADER]: outcome.activation.activationId };
  let rendered: Response;
  if (response.statusCode === 0) {
    rendered = renderWebResult(extension, response.result ?? {}, tid);
  } else if (response.statusCode === 1) {
    const error = isObject(response.result) ? response.result.error : undefined;
    rendered = error === undefined
      ? errorResponse(404, WebMessages.propertyNotFound, tid)
      : renderWebResult(extension, error, tid);
  } else {
    rendered = errorResponse(400, WebMessages.errorProcessingRequest, tid);
  }
  rendered.headers.set(ACTIVATION_ID_HEADER, idHeader[ACTIVATION_ID_HEADER]);
  return rendered;
}
