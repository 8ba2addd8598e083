/**
 * `POST /actions/{name}`: reads `blocking`, `result` and `timeout`, the payload (an
 * object, or an array passed through), merges it over the package's and the action's
 * default parameters (refusing to override `final` ones), asks entitlement, starts the
 * activation through the injected balancer, and waits at most the blocking wait.
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
  newActivationId,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import { readJsonBody } from "../../../runtime/http/body.ts";
import { callBacking } from "./backing_services.ts";
import type { ActionRef } from "./entity_names.ts";
import { ApiError, Messages } from "./errors.ts";
import { invokeResponse } from "./invoke_response.ts";
import { loadAction, loadPackageParameters } from "./action_loading.ts";
import { parseBoolean, parseWaitTimeout } from "./query.ts";
import type { Caller, RequestContext } from "./request_context.ts";
import type { InvokeOutcome, InvokeParams } from "./rest_api_deps.ts";

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

async function readPayload(
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

/** Settles with the outcome, or with `undefined` when `ms` pass first. */
function withinWait(
  ctx: RequestContext,
  outcome: Promise<InvokeOutcome>,
  ms: number,
): Promise<InvokeOutcome | undefined> {
  return new Promise((resolve, reject) => {
    const timer = ctx.deps.clock.setTimeout(() => resolve(undefined), ms);
    outcome.then(
      (value) => {
        ctx.deps.clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        ctx.deps.clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Handles an invocation of `ref` by `caller`. */
export async function invokeAction(
  request: Request,
  ctx: RequestContext,
  caller: Caller,
  ref: ActionRef,
): Promise<Response> {
  const query = ctx.url.searchParams;
  const blocking = parseBoolean(query, "blocking", false);
  const resultOnly = parseBoolean(query, "result", false);
  const waitMs = parseWaitTimeout(query, ctx.options.maxBlockingWaitMs);
  const payload = await readPayload(request, ctx.options.maxPayloadBytes);
  const loaded = await loadAction(ctx, ref);
  if (!loaded) throw new ApiError(404, Messages.resourceDoesNotExist);
  const action = loaded.value;
  const params = mergeParameters(action, await loadPackageParameters(ctx, ref), payload);
  const verdict = await callBacking(
    "throttle",
    () => ctx.deps.checkThrottle(caller.identity, action),
  );
  if (verdict.type === "Throttled") throw new ApiError(429, verdict.message);
  const activationId = newActivationId();
  const started = callBacking("invoke", () =>
    ctx.deps.invoke(caller.identity, action, params, {
      blocking,
      tid: ctx.tid,
      activationId,
      revision: loaded.revision,
      waitMs,
    }));
  const outcome = await withinWait(ctx, started, blocking ? waitMs : ctx.options.maxBlockingWaitMs);
  ctx.deps.metrics.counter("whisk_rest_invocations_total", "Invocations through the REST API")
    .inc({ outcome: outcome?.type ?? (blocking ? "WaitExpired" : "NoAnswer") });
  if (outcome === undefined) {
    started.catch((error) => ctx.logger.warn("late invoke failure", { activationId, error }));
    if (!blocking) throw new ApiError(503, Messages.serviceUnavailable);
    return invokeResponse({ type: "Accepted", activationId }, resultOnly, ctx.tid.id);
  }
  return invokeResponse(outcome, resultOnly, ctx.tid.id);
}
