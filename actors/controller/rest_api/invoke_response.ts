/**
 * The answer to `POST /actions/{name}` for each invocation outcome, exactly as upstream:
 * 202 `{activationId}` when accepted (non-blocking, or the blocking wait ran out);
 * 200 / 502 / 502 / 500 for success / application error / developer error / internal
 * error with the activation (or only its result with `result=true`) as body; a JSON
 * array result is always answered bare; a refusal is `{error, code}` with its status.
 * Every activation answer carries `x-openwhisk-activation-id`. Mirrors `doInvoke` of
 * `core/controller/.../Actions.scala`.
 *
 * @module
 */
import { errorResponse } from "./errors.ts";
import { apiActivation } from "./api_json.ts";
import { jsonResponse } from "./request_context.ts";
import type { InvokeOutcome } from "./rest_api_deps.ts";

/** The header naming the activation of an invocation answer. */
export const ACTIVATION_ID_HEADER = "x-openwhisk-activation-id";

const HTTP_STATUS_BY_CODE = [200, 502, 502, 500] as const;

/**
 * Renders an invocation outcome.
 *
 * @param outcome what the balancer (or the wait) decided
 * @param resultOnly `?result=true`: answer only the activation's result
 * @param tid the transaction id, the `code` of an error body
 *
 * @example
 * ```ts
 * import { invokeResponse } from "./invoke_response.ts";
 * const r = invokeResponse({ type: "Accepted", activationId: "a".repeat(32) }, false, "tid");
 * console.assert(r.status === 202);
 * ```
 */
export function invokeResponse(outcome: InvokeOutcome, resultOnly: boolean, tid: string): Response {
  switch (outcome.type) {
    case "Accepted":
      return jsonResponse(202, { activationId: outcome.activationId }, {
        [ACTIVATION_ID_HEADER]: outcome.activationId,
      });
    case "Rejected":
      return errorResponse(outcome.status, outcome.message, tid);
    case "Completed": {
      const activation = outcome.activation;
      const result = activation.response.result;
      const body = Array.isArray(result)
        ? result
        : resultOnly
        ? (result ?? {})
        : apiActivation(activation);
      return jsonResponse(HTTP_STATUS_BY_CODE[activation.response.statusCode], body, {
        [ACTIVATION_ID_HEADER]: activation.activationId,
      });
    }
  }
}
