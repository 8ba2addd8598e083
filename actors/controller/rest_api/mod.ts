/**
 * The controller's REST API v1: `createRestApi(deps, options)` gives a `Deno.serve`
 * handler compatible with upstream clients (`openwhisk` npm, `wsk`, curl), and
 * `ensureGuestSubject(store)` seeds upstream's guest and whisk.system subjects. Mirrors
 * `core/controller/.../RestAPIs.scala` and the collections under it.
 *
 * @module
 */
export { CORS_HEADERS, createRestApi } from "./server.ts";
export type {
  EntityChange,
  InvokeOptions,
  InvokeOutcome,
  InvokeParams,
  RestApiDeps,
  RestApiOptions,
  ThrottleDecision,
} from "./rest_api_deps.ts";
export { apiKeyOf, ensureGuestSubject, GUEST_SUBJECT, SYSTEM_SUBJECT } from "./guest_subjects.ts";
export { ACTIVATION_ID_HEADER } from "./invoke_response.ts";
export { ApiError, Messages } from "./errors.ts";
