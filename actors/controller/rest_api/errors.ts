/**
 * Errors of the REST API and their upstream rendering `{error, code}`. Mirrors
 * `common/.../http/ErrorResponse.scala` (the `Messages` object and `ErrorResponse`).
 *
 * @module
 */

/** Upstream's fixed messages, word for word, so clients that match on them keep working. */
export const Messages = {
  resourceDoesNotExist: "The requested resource does not exist.",
  notAuthorized: "The supplied authentication is not authorized to access this resource.",
  authenticationMissing:
    "The resource requires authentication, which was not supplied with the request",
  authenticationInvalid: "The supplied authentication is invalid",
  conflict: "resource already exists",
  concurrentModification: "Concurrent modification to resource detected.",
  methodNotAllowed: "HTTP method not allowed, supported methods: ",
  invalidActivationId: "The activation id is not valid.",
  activationIdLength: (length: number) => `Activation id length is ${length} but must be 32.`,
  tooManyRequests: (count: number, allowed: number) =>
    `Too many requests in the last minute (count: ${count}, allowed: ${allowed}).`,
  tooManyConcurrentRequests: (count: number, allowed: number) =>
    `Too many concurrent requests in flight (count: ${count}, allowed: ${allowed}).`,
  parametersNotAllowed:
    "Request defines parameters that are not allowed (e.g., reserved properties).",
  serviceUnavailable:
    "The server is currently unavailable (because it is overloaded or down for maintenance).",
  internalError: "The server encountered an internal error.",
  responseNotReady: "Response not yet ready.",
  conformance: "Resource by this name exists but is not in this collection.",
  execUndefined: "exec undefined",
  entityNameIllegal: "The name of the entity contains illegal characters.",
  namespaceIllegal: "The namespace contains illegal characters.",
  notAllowedOnBinding: "Operation not permitted on package binding.",
  docsNotAllowedWithCount: "The parameter 'docs' is not permitted with 'count'.",
  badNameFilter: (value: string) =>
    `Parameter may be a 'simple' name or 'package-name/simple' name: ${value}`,
  badEpoch: (value: string) => `Parameter is not a valid value for epoch seconds: ${value}`,
  invalidTimeout: (maxMs: number) => `Timeout must be number of milliseconds up to ${maxMs}.`,
  entityTooBig: (field: string, size: number, allowed: number) =>
    `${field} larger than allowed: ${size} > ${allowed} bytes.`,
  argumentNotInteger: (collection: string, value: string) =>
    `The value '${value}' is not an integer for ${collection}.`,
  listSkipOutOfRange: (collection: string, value: string) =>
    `The value '${value}' is not greater than or equal to 0 for ${collection}.`,
} as const;

export { errorResponse, HttpError as ApiError } from "../../../runtime/http/http_error.ts";

/** The reason phrase upstream falls back to for a status without its own message. */
export function reasonPhrase(status: number): string {
  switch (status) {
    case 400:
      return "The request could not be processed.";
    case 401:
      return Messages.authenticationMissing;
    case 403:
      return Messages.notAuthorized;
    case 404:
      return Messages.resourceDoesNotExist;
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return Messages.conflict;
    case 413:
      return "Request Entity Too Large";
    case 429:
      return "Too Many Requests";
    case 503:
      return Messages.serviceUnavailable;
    default:
      return Messages.internalError;
  }
}
