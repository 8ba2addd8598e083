/**
 * The activation record (`WhiskActivation`): what is stored once per activation,
 * served by `GET /activations/{id}` and carried in completion messages; its response
 * status codes; and the standard annotations (`path`, `kind`, `limits`, `waitTime`,
 * `initTime`, `timeout`, `causedBy`).
 *
 * Mirrors `common/scala/.../core/entity/WhiskActivation.scala`, `ActivationResult.scala`
 * and `ActivationId.scala`; differences: the JSON `response` carries both the stored
 * `statusCode` and the API's `status`/`success`, and the decoder accepts either.
 *
 * @module
 */

import {
  array,
  type At,
  boolean,
  child,
  integer,
  invalid,
  json,
  type JsonValue,
  object,
  opt,
  optional,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";
import type { ActionLimits } from "./action_limits.ts";
import { fqnString, type FullyQualifiedEntityName } from "./entity_name.ts";
import { decodeKeyValuesAt, type KeyValue } from "./whisk_action.ts";

/** Status codes: success, application error, action developer error, whisk internal error. */
export type ActivationStatusCode = 0 | 1 | 2 | 3;

/** The status text of each code, as the API shows it. */
export const STATUS_TEXT: Readonly<Record<ActivationStatusCode, string>> = {
  0: "success",
  1: "application error",
  2: "action developer error",
  3: "whisk internal error",
};

/** The outcome of an activation. */
export interface ActivationResponse {
  readonly statusCode: ActivationStatusCode;
  /** The action's JSON result, or `{error: ...}`. */
  readonly result?: JsonValue;
  /** Result size in bytes, when known. */
  readonly size?: number;
}

/** A stored activation record. */
export interface WhiskActivation {
  /** The invoking namespace. */
  readonly namespace: string;
  /** Action (or trigger) name, without package. */
  readonly name: string;
  readonly subject: string;
  readonly activationId: string;
  /** Epoch ms. */
  readonly start: number;
  /** Epoch ms; 0 when the activation has no end (omitted on the wire then). */
  readonly end: number;
  readonly duration?: number;
  /** The enclosing sequence activation. */
  readonly cause?: string;
  readonly response: ActivationResponse;
  readonly logs: readonly string[];
  readonly annotations: readonly KeyValue[];
  readonly version: string;
  readonly publish: boolean;
}

const ACTIVATION_ID = /^[0-9a-f]{32}$/;

/** Whether `id` is 32 lowercase hex characters. */
export function isActivationId(id: string): boolean {
  return ACTIVATION_ID.test(id);
}

/** A fresh random activation id (a UUID without dashes). */
export function newActivationId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** A success response. */
export function successResponse(result: JsonValue): ActivationResponse {
  return { statusCode: 0, result };
}

/** An error response with `{error}` as result: 1 application, 2 developer, 3 whisk. */
export function errorResponse(statusCode: 1 | 2 | 3, error: JsonValue): ActivationResponse {
  return { statusCode, result: { error } };
}

/** Inputs of {@link activationAnnotations}. */
export interface ActivationAnnotationInput {
  /** `ns/pkg/name`, no leading slash. */
  readonly path: string;
  readonly kind: string;
  readonly limits: ActionLimits;
  /** ms from the request reaching the controller to the start of init/run. */
  readonly waitTime?: number;
  /** ms of init; only on a cold start. */
  readonly initTime?: number;
  /** true when the time limit was hit. */
  readonly timeout?: boolean;
  readonly causedBy?: string;
  readonly binding?: string;
}

/** The standard annotations of an activation record, in upstream's order. */
export function activationAnnotations(a: ActivationAnnotationInput): KeyValue[] {
  const out: KeyValue[] = [{ key: "path", value: a.path }];
  if (a.waitTime !== undefined) out.push({ key: "waitTime", value: a.waitTime });
  out.push(
    { key: "kind", value: a.kind },
    { key: "timeout", value: a.timeout ?? false },
    { key: "limits", value: { ...a.limits } },
  );
  if (a.initTime !== undefined) out.push({ key: "initTime", value: a.initTime });
  if (a.causedBy !== undefined) out.push({ key: "causedBy", value: a.causedBy });
  if (a.binding !== undefined) out.push({ key: "binding", value: a.binding });
  return out;
}

/**
 * What a whisk-error record needs of the activation it ends; an `ActivationMessage`
 * fits as it is, and a caller without one (the controller's forced completion) passes
 * the identity, the action's name and the id.
 */
export interface WhiskErrorInput {
  readonly activationId: string;
  /** The caller: its namespace is the record's namespace. */
  readonly user: { readonly subject: string; readonly namespace: { readonly name: string } };
  /** The action (`path/name`, its version and binding when known). */
  readonly action: FullyQualifiedEntityName;
  /** The enclosing sequence activation (adds `causedBy: "sequence"`). */
  readonly cause?: string;
  /** When the request reached the controller (adds `waitTime`). */
  readonly transid?: { readonly start: number };
}

/** The action's metadata, when known: adds `kind`, `timeout` and `limits`, and its version. */
export interface WhiskErrorMeta {
  readonly exec: { readonly kind: string };
  readonly limits: ActionLimits;
  readonly version: string;
  readonly binding?: string;
}

/**
 * The one builder of a "whisk internal error" record (status code 3): for an activation
 * the invoker could not run, a lost container held, the scheduler refuses or expires,
 * or the controller force-completes. Start and end are `now`, duration 0, no logs.
 *
 * @param input the activation (an `ActivationMessage`, or what the controller knows)
 * @param message the error, stored as `{error: message}`
 * @param now the injected clock's time
 * @param meta the action's metadata, when known
 * @returns the record to store (insert-if-absent)
 *
 * @example
 * ```ts
 * import { whiskErrorActivation } from "./whisk_activation.ts";
 * const record = whiskErrorActivation({
 *   activationId: "0123456789abcdef0123456789abcdef",
 *   user: { subject: "guest", namespace: { name: "guest" } },
 *   action: { path: "guest", name: "hello" },
 * }, "The activation has not been processed: abnormal run.", 1000);
 * console.assert(record.response.statusCode === 3 && record.duration === 0);
 * ```
 */
export function whiskErrorActivation(
  input: WhiskErrorInput,
  message: string,
  now: number,
  meta?: WhiskErrorMeta,
): WhiskActivation {
  const path = fqnString(input.action);
  const causedBy = input.cause === undefined ? {} : { causedBy: "sequence" };
  const binding = meta?.binding ?? input.action.binding;
  const waitTime = input.transid === undefined
    ? {}
    : { waitTime: Math.max(0, now - input.transid.start) };
  const annotations: KeyValue[] = meta === undefined
    ? [
      { key: "path", value: path },
      ...(input.cause === undefined ? [] : [{ key: "causedBy", value: "sequence" }]),
      ...(binding === undefined ? [] : [{ key: "binding", value: binding }]),
    ]
    : activationAnnotations({
      path,
      kind: meta.exec.kind,
      limits: meta.limits,
      timeout: false,
      ...waitTime,
      ...causedBy,
      ...(binding === undefined ? {} : { binding }),
    });
  return {
    namespace: input.user.namespace.name,
    name: input.action.name,
    subject: input.user.subject,
    activationId: input.activationId,
    start: now,
    end: now,
    duration: 0,
    ...(input.cause === undefined ? {} : { cause: input.cause }),
    response: errorResponse(3, message),
    logs: [],
    annotations,
    version: meta?.version ?? input.action.version ?? "0.0.1",
    publish: false,
  };
}

/** Wire form of a response: `{status, statusCode, success, result, size?}`. */
export function encodeActivationResponse(r: ActivationResponse): Record<string, unknown> {
  return {
    status: STATUS_TEXT[r.statusCode],
    statusCode: r.statusCode,
    success: r.statusCode === 0,
    ...opt("result", r.result),
    ...opt("size", r.size),
  };
}

/** Wire form of an activation record. */
export function encodeActivation(a: WhiskActivation): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    subject: a.subject,
    activationId: a.activationId,
    start: a.start,
    ...(a.end === 0 ? {} : { end: a.end }),
    ...opt("duration", a.duration),
    ...opt("cause", a.cause),
    response: encodeActivationResponse(a.response),
    logs: [...a.logs],
    annotations: a.annotations.map((kv) => ({ key: kv.key, value: kv.value })),
    version: a.version,
    publish: a.publish,
  };
}

const CODES_BY_TEXT: Readonly<Record<string, ActivationStatusCode>> = {
  "success": 0,
  "application error": 1,
  "action developer error": 2,
  "whisk internal error": 3,
};

function statusCodeAt(rec: Readonly<Record<string, unknown>>, at: At): ActivationStatusCode {
  const code = own(rec, "statusCode");
  if (code !== undefined) {
    const n = integer(code, child(at, "statusCode"));
    if (n < 0 || n > 3) return invalid(child(at, "statusCode"), `must be 0..3, got ${n}`);
    return n as ActivationStatusCode;
  }
  const text = string(own(rec, "status"), child(at, "status"));
  const byText = CODES_BY_TEXT[text];
  return byText ?? invalid(child(at, "status"), `is not a known status, got "${text}"`);
}

/** Decodes a response (`statusCode`, or the API's `status` text). */
export function decodeActivationResponseAt(value: unknown, at: At): ActivationResponse {
  const rec = object(value, at);
  const result = own(rec, "result");
  return {
    statusCode: statusCodeAt(rec, at),
    ...opt("result", result === undefined ? undefined : json(result, child(at, "result"))),
    ...opt("size", optional(rec, at, "size", (v, a) => integer(v, a, 0))),
  };
}

/** Decodes an activation record at `at`. */
export function decodeActivationAt(value: unknown, at: At): WhiskActivation {
  const rec = object(value, at);
  return {
    namespace: string(own(rec, "namespace"), child(at, "namespace")),
    name: string(own(rec, "name"), child(at, "name")),
    subject: string(own(rec, "subject"), child(at, "subject")),
    activationId: string(own(rec, "activationId"), child(at, "activationId")),
    start: integer(own(rec, "start"), child(at, "start"), 0),
    end: optional(rec, at, "end", (v, a) => integer(v, a, 0)) ?? 0,
    ...opt("duration", optional(rec, at, "duration", (v, a) => integer(v, a, 0))),
    ...opt("cause", optional(rec, at, "cause", string)),
    response: decodeActivationResponseAt(own(rec, "response"), child(at, "response")),
    logs: optional(rec, at, "logs", (v, a) => array(v, a, string)) ?? [],
    annotations: decodeKeyValuesAt(own(rec, "annotations"), child(at, "annotations")),
    version: optional(rec, at, "version", string) ?? "0.0.1",
    publish: optional(rec, at, "publish", boolean) ?? false,
  };
}

/**
 * Decodes an activation record from JSON text, bytes or a parsed value.
 *
 * @example
 * ```ts
 * import { decodeActivation } from "./mod.ts";
 * const a = decodeActivation({
 *   namespace: "guest", name: "hello", subject: "guest",
 *   activationId: "0123456789abcdef0123456789abcdef", start: 1, end: 2,
 *   response: { status: "success", success: true, result: {} },
 * });
 * a.response.statusCode; // 0
 * ```
 */
export function decodeActivation(input: unknown): WhiskActivation {
  return decodeActivationAt(parseInput("WhiskActivation", input), root("WhiskActivation"));
}
