/**
 * Firing a trigger (`POST /triggers/{name}`): at most `firesPerMinute` fires per
 * namespace and minute (429 with upstream's message); with no active rule, 204 and no
 * record; otherwise 202 `{activationId}` at once, while each active rule's action is
 * invoked non-blocking with the trigger's parameters under the payload, and the trigger's
 * activation record is stored with one JSON log line per rule
 * (`{rule, action, statusCode, success, activationId | error}`). Mirrors `activate`,
 * `activateRules` and `RuleActivationResult` of `core/controller/.../Triggers.scala` and
 * the fire rate of `entitlement/RateThrottler.scala`; differences: rule actions are
 * invoked in-process rather than by posting back to the controller over HTTP.
 *
 * @module
 */
import {
  encodeActivation,
  type Identity,
  type JsonObject,
  type JsonValue,
  newActivationId,
  type WhiskActivation,
} from "../../../protocols/mod.ts";
import { mergeParameters } from "./action_invoke.ts";
import { refOfFqn, resolveAction } from "./action_resolution.ts";
import { ApiError, Messages } from "./errors.ts";
import { invokeResolved } from "./invocation.ts";
import { ACTIVATION_ID_HEADER } from "./invoke_response.ts";
import { jsonResponse, type RequestContext } from "./request_context.ts";
import { fqnId } from "./rule_document.ts";
import type { ReducedRule, WhiskTrigger } from "./trigger_document.ts";

/** Counts fires per namespace in the current minute, as upstream's `RateThrottler`. */
export class FireRateLimiter {
  readonly #windows = new Map<string, { minute: number; count: number }>();

  /**
   * Counts one fire of `namespace` at `now`.
   *
   * @returns undefined when allowed, else the count that passed `allowed`
   */
  count(namespace: string, now: number, allowed: number): number | undefined {
    const minute = Math.floor(now / 60_000);
    const window = this.#windows.get(namespace);
    const next = window && window.minute === minute
      ? { minute, count: window.count + 1 }
      : { minute, count: 1 };
    this.#windows.set(namespace, next);
    return next.count > allowed ? next.count : undefined;
  }
}

// One limiter per REST API instance: the route deps object lives as long as the handler.
const limiters = new WeakMap<object, FireRateLimiter>();

/** The fire limiter of the REST API whose route deps are `deps`. */
export function fireLimiterOf(deps: object): FireRateLimiter {
  let limiter = limiters.get(deps);
  if (!limiter) limiters.set(deps, limiter = new FireRateLimiter());
  return limiter;
}

/** What one rule did when its trigger fired. */
export interface RuleActivationResult {
  readonly rule: string;
  readonly action: string;
  /** 0 invoked, 1 refused by the caller's mistake, 3 refused by the platform. */
  readonly statusCode: 0 | 1 | 3;
  readonly success: boolean;
  readonly activationId?: string;
  readonly error?: string;
}

function failed(rule: string, action: string, status: number, error: string): RuleActivationResult {
  const statusCode = status >= 500 ? 3 : 1;
  return { rule, action, statusCode, success: false, error };
}

async function activateRule(
  ctx: RequestContext,
  identity: Identity,
  ruleId: string,
  link: ReducedRule,
  args: JsonObject,
): Promise<RuleActivationResult> {
  const action = fqnId(link.action);
  if (link.status !== "active") {
    return failed(
      ruleId,
      action,
      400,
      `Rule '${ruleId}' is inactive, action '${action}' was not activated.`,
    );
  }
  try {
    const ref = refOfFqn(`/${action}`, identity.namespace.name);
    const resolved = ref && await resolveAction(ctx, identity.namespace.name, ref);
    if (!resolved) throw new ApiError(404, Messages.resourceDoesNotExist);
    const params = mergeParameters(resolved.entry.value, resolved.packageParameters, args);
    const { activationId, outcome } = await invokeResolved(ctx, {
      identity,
      resolved,
      params,
      blocking: false,
      waitMs: ctx.options.maxBlockingWaitMs,
    });
    if (outcome === undefined) return failed(ruleId, action, 503, Messages.serviceUnavailable);
    if (outcome.type === "Rejected") return failed(ruleId, action, outcome.status, outcome.message);
    return { rule: ruleId, action, statusCode: 0, success: true, activationId };
  } catch (error) {
    if (error instanceof ApiError) return failed(ruleId, action, error.status, error.message);
    ctx.logger.warn("rule action not invoked", { rule: ruleId, error });
    return failed(ruleId, action, 503, Messages.serviceUnavailable);
  }
}

/** The log line of one rule result, with upstream's field order. */
export function ruleLogLine(r: RuleActivationResult): string {
  const outcome = r.activationId === undefined
    ? { error: r.error ?? "" }
    : { activationId: r.activationId };
  return JSON.stringify({
    rule: r.rule,
    action: r.action,
    statusCode: r.statusCode,
    success: r.success,
    ...outcome,
  });
}

/** The trigger's activation record (no end: a trigger activation is instantaneous). */
export function triggerRecord(
  identity: Identity,
  trigger: WhiskTrigger,
  activationId: string,
  start: number,
  payload: JsonObject,
  results: readonly RuleActivationResult[],
): WhiskActivation {
  return {
    namespace: identity.namespace.name,
    name: trigger.name,
    subject: identity.subject,
    activationId,
    start,
    end: 0,
    response: { statusCode: 0, result: payload },
    logs: results.map(ruleLogLine),
    annotations: [],
    version: trigger.version,
    publish: false,
  };
}

function parametersOf(trigger: WhiskTrigger): Record<string, JsonValue> {
  return Object.fromEntries(trigger.parameters.map((kv) => [kv.key, kv.value]));
}

/**
 * Fires `trigger` for `identity` with `payload` and answers 202 or 204.
 *
 * @throws {ApiError} 429 past the fire rate
 */
export function fireTrigger(
  ctx: RequestContext,
  identity: Identity,
  trigger: WhiskTrigger,
  payload: JsonObject,
): Response {
  const rules = Object.entries(trigger.rules ?? {});
  if (!rules.some(([, link]) => link.status === "active")) {
    return new Response(null, { status: 204 });
  }
  const activationId = newActivationId();
  const start = ctx.deps.clock.now();
  const args = { ...parametersOf(trigger), ...payload };
  const done = Promise.all(
    rules.map(([ruleId, link]) => activateRule(ctx, identity, ruleId, link, args)),
  ).then((results) => {
    const record = triggerRecord(identity, trigger, activationId, start, payload, results);
    return ctx.deps.store.putActivation(encodeActivation(record) as never);
  });
  done.catch((error: unknown) =>
    ctx.logger.warn("trigger activation not stored", { activationId, error })
  );
  return jsonResponse(202, { activationId }, { [ACTIVATION_ID_HEADER]: activationId });
}

/**
 * Counts a fire against the namespace's rate.
 *
 * @throws {ApiError} 429 "Too many requests in the last minute (count: N, allowed: M)."
 */
export function checkFireRate(ctx: RequestContext, identity: Identity): void {
  const allowed = identity.limits.firesPerMinute ?? ctx.options.firesPerMinute;
  const count = fireLimiterOf(ctx.deps).count(
    identity.namespace.name,
    ctx.deps.clock.now(),
    allowed,
  );
  if (count !== undefined) throw new ApiError(429, Messages.tooManyRequests(count, allowed));
}
