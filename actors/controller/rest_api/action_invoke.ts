/**
 * `POST /actions/{name}`: reads `blocking`, `result` and `timeout`, the payload (an
 * object, or an array passed through), resolves the action (own, in a readable package,
 * or through a binding), merges the payload over the package's and the action's
 * default parameters (refusing to override `final` ones), and starts the activation
 * (`invocation.ts`: entitlement, balancer or sequence, the blocking wait).
 * Mirrors `activate` / `doInvoke` of `core/controller/.../Actions.scala` and
 * `invokeSimpleAction` of `actions/PrimitiveActions.scala`; differences: the REST layer
 * generates the activation id and enforces the wait itself, so a balancer that never
 * answers still ends in 202 (blocking) or 503 (non-blocking).
 *
 * @module
 */
import {
  annotationValue,
  type JsonObject,
  type JsonValue,
  type KeyValue,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import { readJsonBody } from "../../../runtime/http/body.ts";
import { resolveAction } from "./action_resolution.ts";
import { invokeBuiltInFeed } from "./builtin_feeds.ts";
import type { ActionRef } from "./entity_names.ts";
import { ApiError, Messages } from "./errors.ts";
import { invokeResponse } from "./invoke_response.ts";
import { invokeResolved } from "./invocation.ts";
import { parseBoolean, parseWaitTimeout } from "./query.ts";
import type { Caller, RequestContext } from "./request_context.ts";
import type { InvokeParams } from "./rest_api_deps.ts";

function toParams(list: readonly KeyValue[]): Record<string, JsonValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}

/** Parameters a payload may not override: the action's set ones, when it is `final`. */
function immutableKeys(action: WhiskAction, defaults: Record<string, JsonValue>): Set<string> {
  const final = annotationValue(action.annotations, "final");
  if (final !== true && final !== "true") return new Set();
  return new Set(Object.keys(defaults).filter((k) => defaults[k] !== null && defaults[k] !== ""));
}

/**
 * The parameters of an activation: package defaults, then the action's, then the payload.
 *
 * @throws {ApiError} 400 when the payload overrides a `final` parameter
 */
export function mergeParameters(
  action: WhiskAction,
  packageParameters: readonly KeyValue[],
  payload: JsonObject | readonly JsonValue[],
): InvokeParams {
  if (Array.isArray(payload)) return payload;
  const defaults = { ...toParams(packageParameters), ...toParams(action.parameters) };
  const locked = immutableKeys(action, defaults);
  if (Object.keys(payload).some((key) => locked.has(key))) {
    throw new ApiError(400, Messages.parametersNotAllowed);
  }
  return { ...defaults, ...(payload as JsonObject) };
}

/** Reads an invocation payload: a JSON object or array (empty means `{}`). */
export async function readPayload(
  request: Request,
  limit: number,
): Promise<JsonObject | readonly JsonValue[]> {
  const payload = await readJsonBody(request, limit);
  if (typeof payload !== "object" || payload === null) {
    throw new ApiError(
      400,
      "The request content was malformed:\nThe request content must be a JSON object or array.",
    );
  }
  return payload as JsonObject | readonly JsonValue[];
}

/** Handles an invocation of `ref` by `caller`. */
export async function invokeAction(
  request: Request,
  ctx: RequestContext,
  caller: Caller,
  ref: ActionRef,
): Promise<Response> {
  const builtIn = await invokeBuiltInFeed(request, ctx, caller, ref);
  if (builtIn) return builtIn;
  const query = ctx.url.searchParams;
  const blocking = parseBoolean(query, "blocking", false);
  const resultOnly = parseBoolean(query, "result", false);
  const waitMs = parseWaitTimeout(query, ctx.options.maxBlockingWaitMs);
  const payload = await readPayload(request, ctx.options.maxPayloadBytes);
  const resolved = await resolveAction(ctx, caller.namespace, ref);
  if (!resolved) throw new ApiError(404, Messages.resourceDoesNotExist);
  const params = mergeParameters(resolved.entry.value, resolved.packageParameters, payload);
  const { activationId, outcome } = await invokeResolved(ctx, {
    identity: caller.identity,
    resolved,
    params,
    blocking,
    waitMs,
  });
  if (outcome === undefined) {
    if (!blocking) throw new ApiError(503, Messages.serviceUnavailable);
    return invokeResponse({ type: "Accepted", activationId }, resultOnly, ctx.tid.id);
  }
  return invokeResponse(outcome, resultOnly, ctx.tid.id);
}
