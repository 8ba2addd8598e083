/**
 * Pure helpers for running one activation in a container: the `/init` and `/run`
 * bodies, the reading of a runtime's answer as an `ActivationResponse`, the activation
 * record with upstream's annotations, and the acknowledgement for the controller.
 *
 * Mirrors the activation parts of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * (`initializeAndRunActivation`, `constructWhiskActivation`), `ContainerProxy.partitionArguments`
 * and `ActivationResponse.processInitResponseContent` / `processRunResponseContent`;
 * differences: the container already classifies a missing answer (`timeout`, `oom`,
 * `crashed`, `unreachable`), and a 503 or an unreachable container is reported as
 * "reschedule" rather than as an exception.
 *
 * @module
 */

import type { JsonObject, JsonValue } from "../../protocols/_decode.ts";
import type { AcknowledgementMessage, ActivationMessage } from "../../protocols/activation.ts";
import { fqnString, fqnWithLeadingSlash } from "../../protocols/entity_name.ts";
import { authKeyString } from "../../protocols/identity.ts";
import type { InvokerInstanceId } from "../../protocols/instance_id.ts";
import {
  actionFqn,
  annotationValue,
  type WhiskAction,
  type WhiskActionMetaData,
} from "../../protocols/whisk_action.ts";
import {
  activationAnnotations,
  type ActivationResponse,
  errorResponse,
  successResponse,
  type WhiskActivation,
} from "../../protocols/whisk_activation.ts";
import type { CallResult } from "../../runtime/containers/container_factory.ts";

/** Upstream's "abnormal run" whisk error (a container lost before the activation ran). */
export const ABNORMAL_RUN_MESSAGE = "The activation has not been processed: abnormal run.";

/** Upstream's message for an activation of a blocked namespace. */
export const NAMESPACE_BLOCKED_MESSAGE =
  "The action was not invoked due to a blacklisted namespace.";

/** The content of an activation split into `/init` environment and `/run` arguments. */
export interface PartitionedArguments {
  readonly env: JsonObject;
  /** An array payload passes through whole, as upstream does. */
  readonly args: JsonObject | readonly JsonValue[];
}

/** Splits `content`: keys named in `initArgs` go to `/init`'s env, the rest to `/run`. */
export function partitionArguments(
  content: JsonObject | readonly JsonValue[] | undefined,
  initArgs: readonly string[],
): PartitionedArguments {
  if (Array.isArray(content)) return { env: {}, args: content };
  const env: Record<string, JsonValue> = {};
  const args: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries((content ?? {}) as JsonObject)) {
    if (initArgs.includes(k)) env[k] = v;
    else args[k] = v;
  }
  return { env, args };
}

/** Whether the action wants the caller's API key (`provide-api-key` truthy or absent). */
export function providesApiKey(action: WhiskActionMetaData | WhiskAction): boolean {
  const v = annotationValue(action.annotations, "provide-api-key");
  return v === undefined || (v !== false && v !== null && v !== "false");
}

/** The activation context (`namespace`, `action_name`, ...) as `/run` sends it. */
export function activationContext(
  msg: ActivationMessage,
  action: WhiskActionMetaData | WhiskAction,
  deadline: number,
): Record<string, string> {
  return {
    namespace: msg.user.namespace.name,
    action_name: fqnWithLeadingSlash(actionFqn(action)),
    action_version: action.version,
    activation_id: msg.activationId,
    transaction_id: msg.transid.id,
    deadline: String(deadline),
    ...(providesApiKey(action) ? { api_key: authKeyString(msg.user.authkey) } : {}),
  };
}

function envString(v: JsonValue): string {
  if (v === null) return "";
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * The `/init` body: `{value: {name, main, binary, code, env}}`; `env` holds the init
 * parameters and the `__OW_`-prefixed activation context of the triggering activation.
 */
export function buildInitBody(
  action: WhiskAction,
  msg: ActivationMessage,
  deadline: number,
): { value: Record<string, unknown> } {
  const exec = action.exec;
  if (exec.kind === "sequence") throw new TypeError("a sequence cannot be initialized");
  const env: Record<string, string> = {};
  for (const p of action.parameters) if (p.init) env[p.key] = envString(p.value);
  for (const [k, v] of Object.entries(partitionArguments(msg.content, msg.initArgs).env)) {
    env[k] = envString(v);
  }
  for (const [k, v] of Object.entries(activationContext(msg, action, deadline))) {
    env[`__OW_${k.toUpperCase()}`] = v;
  }
  return {
    value: {
      name: action.name,
      main: exec.main ?? "main",
      binary: exec.binary,
      ...(exec.code === undefined ? {} : { code: exec.code }),
      env,
    },
  };
}

/** The `/run` body: `{value: <arguments>, namespace, action_name, ..., deadline}`. */
export function buildRunBody(
  msg: ActivationMessage,
  action: WhiskActionMetaData | WhiskAction,
  deadline: number,
): Record<string, unknown> {
  return {
    value: partitionArguments(msg.content, msg.initArgs).args,
    ...activationContext(msg, action, deadline),
  };
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Upstream `Messages.invalidRunResponse`. */
export function invalidRunResponseMessage(body: unknown): string {
  const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
  return "The action did not produce a valid JSON or JSON Array response" +
    (text.length > 0 ? `: ${text}` : ".");
}

/** Upstream `Messages.abnormalInitialization` / `invalidInitResponse`. */
function initFailureMessage(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return `The action failed during initialization: ${text}`;
}

/**
 * Hand the activation back to its queue: the runtime asked not to be used (503
 * "shutting down"), or the request never reached it (its container was already gone).
 */
export function wantsReschedule(result: CallResult): boolean {
  if (result.failure !== undefined) return result.failure.type === "unreachable";
  return result.status === 503;
}

/** How an `/init` answer reads: `undefined` when the container is ready. */
export function interpretInit(result: CallResult): ActivationResponse | undefined {
  if (result.failure) return errorResponse(2, result.failure.message);
  if (result.status === 200) return undefined;
  const body = result.body;
  if (isObject(body) && body.error !== undefined) return errorResponse(2, body.error);
  return errorResponse(2, initFailureMessage(body));
}

/** How a `/run` answer reads (`ActivationResponse.processRunResponseContent`). */
export function interpretRun(result: CallResult): ActivationResponse {
  if (result.failure) return errorResponse(2, result.failure.message);
  const body = result.body;
  const size = result.sizeBytes;
  if (result.status === 200) {
    if (Array.isArray(body)) return { ...successResponse(body as JsonValue), size };
    if (isObject(body)) {
      return body.error !== undefined
        ? { ...errorResponse(1, body.error), size }
        : { ...successResponse(body), size };
    }
    return errorResponse(2, invalidRunResponseMessage(body));
  }
  if (isObject(body) && body.error !== undefined) return errorResponse(2, body.error);
  return errorResponse(2, invalidRunResponseMessage(body));
}

/** Whether the container may serve the next activation: only success and application errors. */
export function keepsContainer(response: ActivationResponse): boolean {
  return response.statusCode === 0 || response.statusCode === 1;
}

/** Inputs of {@link buildActivationRecord}. */
export interface ActivationRecordInput {
  readonly msg: ActivationMessage;
  readonly action: WhiskActionMetaData | WhiskAction;
  readonly response: ActivationResponse;
  /** Epoch ms when init (cold) or run (warm) started. */
  readonly start: number;
  readonly end: number;
  /** ms spent in `/init`, only on a cold start. */
  readonly initTimeMs?: number;
  readonly timedOut?: boolean;
  readonly logs?: readonly string[];
}

/** The activation record, with `path`, `waitTime`, `kind`, `timeout`, `limits`, `initTime`. */
export function buildActivationRecord(r: ActivationRecordInput): WhiskActivation {
  const { msg, action } = r;
  const path = fqnString(actionFqn(action));
  return {
    namespace: msg.user.namespace.name,
    name: action.name,
    subject: msg.user.subject,
    activationId: msg.activationId,
    start: r.start,
    end: r.end,
    duration: r.end - r.start,
    ...(msg.cause === undefined ? {} : { cause: msg.cause }),
    response: r.response,
    logs: r.logs ?? [],
    annotations: activationAnnotations({
      path,
      kind: action.exec.kind,
      limits: action.limits,
      waitTime: Math.max(0, r.start - msg.transid.start),
      ...(r.initTimeMs === undefined ? {} : { initTime: r.initTimeMs }),
      timeout: r.timedOut ?? false,
      ...(msg.action.binding === undefined ? {} : { binding: msg.action.binding }),
    }),
    version: action.version,
    publish: false,
  };
}

/**
 * The ack for `completed<rootControllerIndex>`: the record for a blocking call
 * (`CombinedCompletionAndResultMessage`), the slot release only otherwise.
 */
export function buildAck(
  msg: ActivationMessage,
  record: WhiskActivation,
  invoker: InvokerInstanceId,
): AcknowledgementMessage {
  const isSystemError = record.response.statusCode === 3;
  return msg.blocking
    ? {
      type: "CombinedCompletionAndResultMessage",
      transid: msg.transid,
      response: record,
      isSystemError,
      instance: invoker,
    }
    : {
      type: "CompletionMessage",
      transid: msg.transid,
      activationId: msg.activationId,
      isSystemError,
      instance: invoker,
    };
}
