/**
 * Starting one activation of a resolved action, for every path that invokes (the
 * actions API, trigger rules, web actions): asks entitlement, generates the activation
 * id, runs a sequence here in the controller or hands a primitive action to the
 * injected balancer (with the binding it was reached through), and waits at most the
 * blocking wait. Mirrors `invokeAction` of `core/controller/.../actions/PrimitiveActions.scala`
 * (the dispatch between `invokeSimpleAction` and `invokeSequence`) and the entitlement
 * check of `Actions.scala` `activate`.
 *
 * @module
 */
import { encodeActivation, type Identity, newActivationId } from "../../../protocols/mod.ts";
import { refOfFqn, resolveAction, type ResolvedAction } from "./action_resolution.ts";
import { callBacking } from "./backing_services.ts";
import { ApiError } from "./errors.ts";
import type { RequestContext } from "./request_context.ts";
import type { InvokeOutcome, InvokeParams } from "./rest_api_deps.ts";
import { runSequence, type SequenceEnv } from "./sequence.ts";

/** One invocation to start. */
export interface InvocationRequest {
  /** Who invokes (whose namespace the activation belongs to). */
  readonly identity: Identity;
  readonly resolved: ResolvedAction;
  /** The merged parameters. */
  readonly params: InvokeParams;
  readonly blocking: boolean;
  /** Blocking only: the longest wait before answering with the id alone. */
  readonly waitMs: number;
}

/** How a started invocation stands once the wait is over. */
export interface Invocation {
  readonly activationId: string;
  /** Undefined when no answer came within the wait. */
  readonly outcome: InvokeOutcome | undefined;
}

/** Settles with the outcome, or with `undefined` when `ms` pass first. */
export function withinWait<T>(
  ctx: RequestContext,
  outcome: Promise<T>,
  ms: number,
): Promise<T | undefined> {
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

/** The environment a sequence invoked by `identity` runs in. */
export function sequenceEnv(ctx: RequestContext, identity: Identity): SequenceEnv {
  const namespace = identity.namespace.name;
  return {
    identity,
    tid: ctx.tid,
    invoke: (...args) => ctx.deps.invoke(...args),
    resolve: async (component) => {
      const ref = refOfFqn(component, namespace);
      return ref && await resolveAction(ctx, namespace, ref);
    },
    putActivation: (record) => ctx.deps.store.putActivation(encodeActivation(record) as never),
    clock: ctx.deps.clock,
    logger: ctx.logger,
    maxAtomicActions: ctx.options.sequenceLength,
  };
}

function startSequence(
  ctx: RequestContext,
  req: InvocationRequest,
  activationId: string,
): Promise<InvokeOutcome> {
  const running = runSequence(sequenceEnv(ctx, req.identity), {
    action: req.resolved.entry.value,
    activationId,
    params: req.params,
  }).then((activation): InvokeOutcome => ({ type: "Completed", activation }));
  if (req.blocking) return running;
  running.catch((error: unknown) => ctx.logger.error("sequence failed", { activationId, error }));
  return Promise.resolve({ type: "Accepted", activationId });
}

/**
 * Starts an invocation and waits for its outcome within the wait.
 *
 * @throws {ApiError} 429 when entitlement throttles; {BackingServiceError} (503) when a
 *   backing service fails
 */
export async function invokeResolved(
  ctx: RequestContext,
  req: InvocationRequest,
): Promise<Invocation> {
  const action = req.resolved.entry.value;
  const verdict = await callBacking("throttle", () => ctx.deps.checkThrottle(req.identity, action));
  if (verdict.type === "Throttled") throw new ApiError(429, verdict.message);
  const activationId = newActivationId();
  const started = action.exec.kind === "sequence"
    ? startSequence(ctx, req, activationId)
    : callBacking("invoke", () =>
      ctx.deps.invoke(req.identity, action, req.params, {
        blocking: req.blocking,
        tid: ctx.tid,
        activationId,
        revision: req.resolved.entry.revision,
        waitMs: req.waitMs,
        ...(req.resolved.binding === undefined ? {} : { binding: req.resolved.binding }),
      }));
  const wait = req.blocking ? req.waitMs : ctx.options.maxBlockingWaitMs;
  const outcome = await withinWait(ctx, started, wait);
  ctx.deps.metrics.counter("whisk_rest_invocations_total", "Invocations through the REST API")
    .inc({ outcome: outcome?.type ?? (req.blocking ? "WaitExpired" : "NoAnswer") });
  if (outcome === undefined) {
    started.catch((error) => ctx.logger.warn("late invoke failure", { activationId, error }));
  }
  return { activationId, outcome };
}
