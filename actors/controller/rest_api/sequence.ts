/**
 * Runs a sequence action in the controller: each component is its own blocking
 * activation through the injected `invoke` (its `cause` is the sequence's activation
 * id), the result of one is the input of the next, a result with an `error` (or a
 * failed component) stops the sequence with that response, and an inner sequence runs
 * the same way with its own record. The sequence's record lists the component
 * activation ids as its `logs`, sums their durations, carries `topmost`, `path`,
 * `kind: sequence` (`causedBy` when nested, `limits` with the largest memory) and is
 * stored once. Mirrors `invokeSequence` / `SequenceAccounting` of
 * `core/controller/.../actions/SequenceActions.scala`; differences: components are
 * resolved one at a time, as they are reached.
 *
 * @module
 */
import {
  type ActivationResponse,
  annotationValue,
  errorResponse,
  type Identity,
  type JsonValue,
  type KeyValue,
  newActivationId,
  type TransactionMetadata,
  type WhiskAction,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import type { Clock } from "../../../runtime/actors/clock.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { ResolvedAction } from "./action_resolution.ts";
import { ApiError } from "./errors.ts";
import type { InvokeParams, RestApiDeps } from "./rest_api_deps.ts";

/** Upstream's messages about sequences. */
export const SequenceMessages = {
  tooLong: "Too many actions in the sequence.",
  noComponent: "No component specified for the sequence.",
  cyclic: "Sequence may not refer to itself.",
  componentNotFound: "Sequence component does not exist.",
  retrieveTimeout: (id: string) =>
    `Timeout reached when retrieving activation ${id} for sequence component.`,
  failed: "Sequence failed.",
} as const;

/** What a running sequence stands on. */
export interface SequenceEnv {
  readonly identity: Identity;
  readonly tid: TransactionMetadata;
  readonly invoke: RestApiDeps["invoke"];
  /** Resolves a component name (`/ns/pkg/a`); undefined or an ApiError when unreachable. */
  resolve(component: string): Promise<ResolvedAction | undefined>;
  /** Stores a finished sequence record. */
  putActivation(record: WhiskActivation): Promise<unknown>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Most atomic actions one topmost sequence may run (upstream `actionSequenceLimit`, 50). */
  readonly maxAtomicActions: number;
}

/** One sequence activation to run. */
export interface SequenceStart {
  readonly action: WhiskAction;
  readonly activationId: string;
  /** The input of the first component (already merged with the sequence's parameters). */
  readonly params: InvokeParams;
  /** The enclosing sequence's activation id, for an inner sequence. */
  readonly cause?: string;
}

interface Step {
  readonly ids: readonly string[];
  readonly duration: number;
  readonly memory?: number;
  readonly response: ActivationResponse;
}

/** The atomic actions run so far under one topmost sequence. */
export interface SequenceCounter {
  atomic: number;
}

function isObject(value: JsonValue | undefined): value is { readonly [k: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stops(response: ActivationResponse): boolean {
  return response.statusCode !== 0 || (isObject(response.result) && "error" in response.result);
}

function memoryOf(annotations: readonly KeyValue[]): number | undefined {
  const limits = annotationValue(annotations, "limits");
  return isObject(limits) && typeof limits.memory === "number" ? limits.memory : undefined;
}

/** A component's input: its package's and its own parameters under the previous output. */
export function componentParams(resolved: ResolvedAction, input: InvokeParams): InvokeParams {
  if (Array.isArray(input)) return input;
  const defaults = [...resolved.packageParameters, ...resolved.entry.value.parameters];
  return { ...Object.fromEntries(defaults.map((kv) => [kv.key, kv.value])), ...input };
}

async function resolveComponent(env: SequenceEnv, name: string) {
  try {
    return await env.resolve(name);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

async function runAtomic(
  env: SequenceEnv,
  resolved: ResolvedAction,
  params: InvokeParams,
  cause: string,
): Promise<Step> {
  const action = resolved.entry.value;
  const id = newActivationId();
  const outcome = await env.invoke(env.identity, action, params, {
    blocking: true,
    tid: env.tid,
    activationId: id,
    revision: resolved.entry.revision,
    waitMs: action.limits.timeout + 60_000,
    cause,
    ...(resolved.binding === undefined ? {} : { binding: resolved.binding }),
  }).catch((error: unknown) => {
    env.logger.warn("sequence component failed to start", { activationId: id, error });
    return undefined;
  });
  if (outcome === undefined || outcome.type === "Rejected") {
    return { ids: [], duration: 0, response: errorResponse(3, SequenceMessages.failed) };
  }
  if (outcome.type === "Accepted") {
    return {
      ids: [id],
      duration: 0,
      response: errorResponse(3, SequenceMessages.retrieveTimeout(id)),
    };
  }
  const activation = outcome.activation;
  const memory = memoryOf(activation.annotations);
  return {
    ids: [activation.activationId],
    duration: activation.duration ?? 0,
    ...(memory === undefined ? {} : { memory }),
    response: activation.response,
  };
}

async function runComponent(
  env: SequenceEnv,
  name: string,
  input: InvokeParams,
  cause: string,
  counter: SequenceCounter,
): Promise<Step> {
  if (counter.atomic >= env.maxAtomicActions) {
    return { ids: [], duration: 0, response: errorResponse(1, SequenceMessages.tooLong) };
  }
  const resolved = await resolveComponent(env, name).catch((error: unknown) => {
    env.logger.warn("sequence component not resolved", { component: name, error });
    return null;
  });
  if (resolved === null) {
    return { ids: [], duration: 0, response: errorResponse(3, SequenceMessages.failed) };
  }
  if (resolved === undefined) {
    return { ids: [], duration: 0, response: errorResponse(1, SequenceMessages.componentNotFound) };
  }
  const params = componentParams(resolved, input);
  if (resolved.entry.value.exec.kind !== "sequence") {
    counter.atomic += 1;
    return runAtomic(env, resolved, params, cause);
  }
  const inner = await runSequence(env, {
    action: resolved.entry.value,
    activationId: newActivationId(),
    params,
    cause,
  }, counter);
  const memory = memoryOf(inner.annotations);
  return {
    ids: [inner.activationId],
    duration: inner.duration ?? 0,
    ...(memory === undefined ? {} : { memory }),
    response: inner.response,
  };
}

function sequenceAnnotations(action: WhiskAction, topmost: boolean, memory?: number): KeyValue[] {
  const out: KeyValue[] = [
    { key: "topmost", value: topmost },
    { key: "path", value: `${action.namespace}/${action.name}` },
    { key: "kind", value: "sequence" },
  ];
  if (!topmost) out.push({ key: "causedBy", value: "sequence" });
  if (memory !== undefined) {
    out.push({
      key: "limits",
      value: { timeout: action.limits.timeout, memory, logs: action.limits.logs },
    });
  }
  return out;
}

/**
 * Runs a sequence to its end and stores its record.
 *
 * @param counter atomic actions already run under the topmost sequence (shared by nesting)
 * @returns the sequence's activation record
 */
export async function runSequence(
  env: SequenceEnv,
  start: SequenceStart,
  counter: SequenceCounter = { atomic: 0 },
): Promise<WhiskActivation> {
  const { action } = start;
  if (action.exec.kind !== "sequence") throw new TypeError("runSequence needs a sequence action");
  const begin = env.clock.now();
  const logs: string[] = [];
  let duration = 0;
  let memory: number | undefined;
  let response: ActivationResponse = { statusCode: 0, result: start.params as JsonValue };
  let input = start.params;
  for (const component of action.exec.components) {
    const step = await runComponent(env, component, input, start.activationId, counter);
    logs.push(...step.ids);
    duration += step.duration;
    if (step.memory !== undefined) memory = Math.max(memory ?? 0, step.memory);
    response = step.response;
    if (stops(response)) break;
    input = isObject(response.result) ? response.result : {};
  }
  const record: WhiskActivation = {
    namespace: env.identity.namespace.name,
    name: action.name,
    subject: env.identity.subject,
    activationId: start.activationId,
    start: begin,
    end: env.clock.now(),
    duration,
    ...(start.cause === undefined ? {} : { cause: start.cause }),
    response,
    logs,
    annotations: sequenceAnnotations(action, start.cause === undefined, memory),
    version: action.version,
    publish: false,
  };
  await env.putActivation(record).catch((error: unknown) =>
    env.logger.warn("sequence record not stored", { activationId: record.activationId, error })
  );
  return record;
}
