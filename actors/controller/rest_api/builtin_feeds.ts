/**
 * Invoking a built-in feed action (`POST /namespaces/whisk.system/actions/alarms/alarm`,
 * what `feeds.create/get/update/delete` send): the injected `deps.feeds` runs it
 * in-process, and the answer is an ordinary activation — stored in the caller's
 * namespace, 200 with the record (or only its result with `result=true`), 502 when the
 * result carries an `error`, 202 `{activationId}` when not blocking. Mirrors the
 * activation upstream's feed action (a Node.js action of the alarms package) produces;
 * differences: no container, and the record's `kind` annotation is `builtin`.
 *
 * @module
 */
import {
  encodeActivation,
  errorResponse as errorResult,
  type JsonObject,
  newActivationId,
  successResponse,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import { readJsonBody } from "../../../runtime/http/body.ts";
import { callBacking } from "./backing_services.ts";
import type { ActionRef } from "./entity_names.ts";
import { ApiError } from "./errors.ts";
import { invokeResponse } from "./invoke_response.ts";
import { parseBoolean } from "./query.ts";
import type { Caller, RequestContext } from "./request_context.ts";

async function readParams(request: Request, limit: number): Promise<JsonObject> {
  const payload = await readJsonBody(request, limit);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new ApiError(
      400,
      "The request content was malformed:\nThe request content must be a JSON object.",
    );
  }
  return payload as JsonObject;
}

function recordOf(
  caller: Caller,
  ref: ActionRef,
  activationId: string,
  start: number,
  end: number,
  result: JsonObject,
): WhiskActivation {
  return {
    namespace: caller.namespace,
    name: ref.name,
    subject: caller.identity.subject,
    activationId,
    start,
    end,
    duration: end - start,
    response: "error" in result ? errorResult(1, result.error ?? null) : successResponse(result),
    logs: [],
    annotations: [
      { key: "path", value: `${ref.namespace}/${ref.storeName}` },
      { key: "kind", value: "builtin" },
      { key: "timeout", value: false },
    ],
    version: "0.0.1",
    publish: false,
  };
}

/**
 * Answers an invocation of `ref` when it names a built-in feed action.
 *
 * @returns the response, or undefined when `ref` is not built in
 * @throws {ApiError} 400 on a malformed payload; {BackingServiceError} (503) when the
 *   feed's store or the activation store fails
 */
export async function invokeBuiltInFeed(
  request: Request,
  ctx: RequestContext,
  caller: Caller,
  ref: ActionRef,
): Promise<Response | undefined> {
  const feeds = ctx.deps.feeds;
  if (!feeds?.serves(ref.namespace, ref.storeName)) return undefined;
  const query = ctx.url.searchParams;
  const blocking = parseBoolean(query, "blocking", false);
  const resultOnly = parseBoolean(query, "result", false);
  const params = await readParams(request, ctx.options.maxPayloadBytes);
  const activationId = newActivationId();
  const start = ctx.deps.clock.now();
  const result = await callBacking(
    "feed",
    () => feeds.invoke(caller.identity, ref.storeName, params),
  );
  const activation = recordOf(caller, ref, activationId, start, ctx.deps.clock.now(), result);
  await ctx.deps.store.putActivation(encodeActivation(activation) as never);
  return blocking
    ? invokeResponse({ type: "Completed", activation }, resultOnly, ctx.tid.id)
    : invokeResponse({ type: "Accepted", activationId }, false, ctx.tid.id);
}
