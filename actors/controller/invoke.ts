/**
 * `invoke()`, the function the REST API calls to start an activation: it takes a
 * concurrency slot, registers the activation with the completions actor (arming the
 * forced completion and, for a blocking call, the waiter), asks the pool balancer to
 * publish it, and answers `Completed`, `Accepted` or `Rejected` as a value.
 *
 * Mirrors `invokeSimpleAction` of `core/controller/.../actions/PrimitiveActions.scala`
 * together with `publish` / `setupActivation` of
 * `core/controller/.../loadBalancer/FPCPoolBalancer.scala`; differences: the outcome is
 * a value, never a failed future; a blocking wait that runs out answers `Accepted` while
 * the activation goes on; a result shrunk to its id is read back from the store.
 *
 * A publish the pool balancer does not answer in time is an UNKNOWN outcome, not a
 * rejection: the balancer stashes requests while it loads and publishes them later, so
 * a 503 could make the user retry an activation that runs anyway. `invoke` answers
 * `Accepted` (202 with the id, blocking or not) and keeps the registration, so the
 * completion ack, or else the forced-completion record, still ends the activation and
 * frees its slot. (The alternative, a deadline the balancer checks before publishing,
 * still leaves its reply racing the ask's timeout; only an answered `PublishRejected`
 * means "not published".)
 *
 * @module
 */
import {
  actionFqn,
  actionMetaData,
  activationAnnotations,
  controllerInstance,
  errorResponse,
  fqnString,
  type Identity,
  type JsonObject,
  type JsonValue,
  newActivationId,
  queueLeaderKey,
  startTransaction,
  transactionId,
  type TransactionMetadata,
  type WhiskAction,
  type WhiskActivation,
} from "../../protocols/mod.ts";
import type { ActivationMessage } from "../../protocols/mod.ts";
import type {
  CompletionsCommand,
  RegisterActivation,
  WaiterOutcome,
} from "../../protocols/completions.ts";
import type { PoolBalancerCommand, PublishOutcome } from "../../protocols/pool_balancer.ts";
import { ask, AskTimeoutError, type Ref, type System, tell } from "../../runtime/actors/mod.ts";
import { DEFAULTS } from "../../runtime/config.ts";
import type { Logger } from "../../runtime/log.ts";
import type { InvokeOutcome, InvokeParams } from "./rest_api/rest_api_deps.ts";

// The outcome and parameter types are the REST API's contract (one definition).
export type { InvokeOutcome, InvokeParams } from "./rest_api/rest_api_deps.ts";

/** Per-invocation settings. */
export interface InvokeOptions {
  readonly blocking: boolean;
  /** Blocking only: how long to wait for the result before answering `Accepted`. */
  readonly waitMs: number;
  /** The request's transaction (an id alone starts one now). */
  readonly tid: TransactionMetadata | string;
  /** The enclosing sequence activation. */
  readonly cause?: string;
  /** `ns/binding` when the action was reached through a package binding. */
  readonly binding?: string;
  /** The activation id to use (default: a fresh one). */
  readonly activationId?: string;
  /** The action document's store revision (default: empty, the latest). */
  readonly revision?: string;
}

/** The function the REST API calls. */
export type InvokeFunction = (
  identity: Identity,
  action: WhiskAction,
  params: InvokeParams,
  options: InvokeOptions,
) => Promise<InvokeOutcome>;

/** What {@link createInvoke} stands on. */
export interface InvokeDeps {
  readonly system: System;
  readonly poolBalancer: Ref<PoolBalancerCommand>;
  readonly completions: Ref<CompletionsCommand>;
  /** Takes a concurrency slot (the completions actor frees it). */
  readonly slots: { activationStarted(namespace: string): void };
  readonly logger: Logger;
  /** Reads a stored record (for results shrunk to their id). */
  readonly loadActivation?: (activationId: string) => Promise<WhiskActivation | undefined>;
}

/**
 * The forced-completion window's settings: upstream's formula
 * (max(action timeout, floor) × factor + extra) and the scheduler timeline the window
 * must outlast (queue retention + container creation + the run), each defaulting to
 * `runtime/config.ts`'s `DEFAULTS`.
 */
export interface ForcedCompletionSettings {
  /** Upstream `loadbalancer.timeout-factor` (default 2). */
  readonly timeoutFactor?: number;
  /** The least action timeout the window counts with (`controller.forcedCompletionFloorMs`). */
  readonly forcedCompletionFloorMs?: number;
  /** Added after the factor (`controller.forcedCompletionExtraMs`). */
  readonly forcedCompletionExtraMs?: number;
  /** How long a queue keeps an activation (`queue.maxRetentionMs`, 60 s). */
  readonly queueRetentionMs?: number;
  /** The same for a blackbox action (`queue.maxBlackboxRetentionMs`, 300 s). */
  readonly blackboxQueueRetentionMs?: number;
  /** How long a container creation may take (`scheduling.inProgressJobRetentionMs`, 20 s). */
  readonly creationJobTimeoutMs?: number;
  /** The creation time's multiplier for a blackbox action (`scheduling.blackboxMultiple`, 15). */
  readonly blackboxMultiple?: number;
}

/** Settings of {@link createInvoke}. */
export interface InvokeSettings extends ForcedCompletionSettings {
  readonly controllerId: string;
  /** Cluster name of the leader keys (default `whisk`). */
  readonly cluster?: string;
  /** How long the pool balancer may take to publish (default 10 s). */
  readonly publishTimeoutMs?: number;
}

/** The record's message when no completion came in time. */
export const FORCED_COMPLETION_MESSAGE =
  "No completion was received for this activation in time; its outcome is unknown.";

/**
 * The forced-completion window: the longer of upstream's
 * max(action timeout, floor) × factor + extra (by default max(timeout, 60 s) × 2 + 60 s)
 * and the scheduler's own timeline, queue retention + container creation + action
 * timeout (ARCHITECTURE "Entities and records": the window must outlast both, or a
 * forced record could precede a real result). A blackbox action counts with the
 * blackbox retention and the creation time × `blackboxMultiple`; by default its window
 * is 300 s + 20 s × 15 + timeout. Tests shorten it through all of these settings.
 *
 * @example
 * ```ts
 * import { forcedCompletionMs } from "./invoke.ts";
 * forcedCompletionMs(60_000); // 180_000 (upstream's formula wins)
 * forcedCompletionMs(60_000, {}, true); // 660_000 (300 s + 300 s + 60 s)
 * ```
 */
export function forcedCompletionMs(
  actionTimeoutMs: number,
  settings: ForcedCompletionSettings = {},
  isBlackbox = false,
): number {
  const floorMs = settings.forcedCompletionFloorMs ?? DEFAULTS.controller.forcedCompletionFloorMs;
  const extraMs = settings.forcedCompletionExtraMs ?? DEFAULTS.controller.forcedCompletionExtraMs;
  const factor = settings.timeoutFactor ?? DEFAULTS.controller.timeoutFactor;
  const upstreamMs = Math.max(actionTimeoutMs, floorMs) * factor + extraMs;
  return Math.max(upstreamMs, schedulerTimelineMs(actionTimeoutMs, settings, isBlackbox));
}

/** Queue retention + container creation + the run, as the scheduler allows them. */
function schedulerTimelineMs(
  actionTimeoutMs: number,
  settings: ForcedCompletionSettings,
  isBlackbox: boolean,
): number {
  const creationMs = settings.creationJobTimeoutMs ??
    DEFAULTS.scheduling.inProgressJobRetentionMs;
  if (!isBlackbox) {
    return (settings.queueRetentionMs ?? DEFAULTS.queue.maxRetentionMs) + creationMs +
      actionTimeoutMs;
  }
  const retentionMs = settings.blackboxQueueRetentionMs ?? DEFAULTS.queue.maxBlackboxRetentionMs;
  const multiple = settings.blackboxMultiple ?? DEFAULTS.scheduling.blackboxMultiple;
  return retentionMs + creationMs * multiple + actionTimeoutMs;
}

/** The pool balancer's answer, or none in time: the activation may still be published. */
type PublishResult = PublishOutcome | {
  readonly type: "PublishUnknown";
  readonly activationId: string;
  readonly message: string;
};

/** Extra time the edge waits for the actor's own wait timer before giving up itself. */
const WAIT_MARGIN_MS = 1_000;

function contentOf(params: InvokeParams): JsonObject | readonly JsonValue[] | undefined {
  if (Array.isArray(params) && params.length === 0) return undefined;
  return params as JsonObject | readonly JsonValue[];
}

function transactionOf(tid: TransactionMetadata | string, now: number): TransactionMetadata {
  return typeof tid === "string" ? startTransaction(transactionId(tid), now) : tid;
}

/** The record stored if no completion arrives (its `end` is set then). */
export function forcedRecord(
  identity: Identity,
  action: WhiskAction,
  activationId: string,
  start: number,
  cause?: string,
): WhiskActivation {
  return {
    namespace: identity.namespace.name,
    name: action.name,
    subject: identity.subject,
    activationId,
    start,
    end: 0,
    ...(cause === undefined ? {} : { cause }),
    response: errorResponse(3, FORCED_COMPLETION_MESSAGE),
    logs: [],
    annotations: activationAnnotations({
      path: fqnString(actionFqn(action)),
      kind: action.exec.kind,
      limits: action.limits,
    }),
    version: action.version,
    publish: false,
  };
}

/**
 * Builds the `invoke` function.
 *
 * @example
 * ```ts ignore
 * const invoke = createInvoke(deps, { controllerId: "0" });
 * const outcome = await invoke(identity, action, { name: "x" }, { blocking: true, waitMs: 60_000, tid });
 * ```
 */
export function createInvoke(deps: InvokeDeps, settings: InvokeSettings): InvokeFunction {
  const cluster = settings.cluster ?? "whisk";
  const publishTimeoutMs = settings.publishTimeoutMs ?? 10_000;
  const controller = controllerInstance(settings.controllerId);
  const { system } = deps;

  const publish = (
    activation: ActivationMessage,
    action: WhiskAction,
    lateReplyWindowMs: number,
  ): Promise<PublishResult> => {
    const { activationId } = activation;
    return ask<PublishOutcome, PoolBalancerCommand>(
      system,
      deps.poolBalancer,
      (replyTo) => ({
        type: "PublishActivation",
        activation,
        action: actionMetaData(action),
        replyTo,
      }),
      publishTimeoutMs,
      {
        lateReplyWindowMs,
        onLateReply: (late) =>
          deps.logger.info("late publish answer", { activationId, outcome: late.type }),
      },
    ).catch((error): PublishResult => {
      const message = `The pool balancer did not publish the activation: ${
        (error as Error).message
      }`;
      return error instanceof AskTimeoutError
        ? { type: "PublishUnknown", activationId, message }
        : { type: "PublishRejected", activationId, status: 503, message };
    });
  };

  const settle = async (outcome: WaiterOutcome): Promise<InvokeOutcome> => {
    switch (outcome.type) {
      case "ResultReady":
        return { type: "Completed", activation: outcome.activation };
      case "ResultStored": {
        const stored = await deps.loadActivation?.(outcome.activationId).catch(() => undefined);
        return stored
          ? { type: "Completed", activation: stored }
          : { type: "Accepted", activationId: outcome.activationId };
      }
      case "WaitExpired":
      case "Cancelled":
        return { type: "Accepted", activationId: outcome.activationId };
    }
  };

  return async (identity, action, params, options) => {
    const now = system.clock.now();
    const activationId = options.activationId ?? newActivationId();
    const transid = transactionOf(options.tid, now);
    const content = contentOf(params);
    const activation: ActivationMessage = {
      type: "ActivationMessage",
      transid,
      action: options.binding === undefined
        ? actionFqn(action)
        : { ...actionFqn(action), binding: options.binding },
      revision: options.revision ?? "",
      user: identity,
      activationId,
      rootControllerIndex: controller,
      blocking: options.blocking,
      ...(content === undefined ? {} : { content }),
      initArgs: action.parameters.filter((p) => p.init).map((p) => p.key),
      lockedArgs: {},
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    };
    const namespace = identity.namespace.name;
    const registration: RegisterActivation = {
      type: "RegisterActivation",
      activationId,
      namespace,
      leaderKey: queueLeaderKey(namespace, activation.action, cluster),
      forcedAfterMs: forcedCompletionMs(
        action.limits.timeout,
        settings,
        action.exec.kind === "blackbox",
      ),
      forcedRecord: forcedRecord(identity, action, activationId, now, options.cause),
    };
    deps.slots.activationStarted(namespace);
    const waited = options.blocking
      ? ask<WaiterOutcome, CompletionsCommand>(
        system,
        deps.completions,
        (replyTo) => ({ ...registration, waiter: { replyTo, waitMs: options.waitMs } }),
        options.waitMs + WAIT_MARGIN_MS,
      ).catch((): WaiterOutcome => ({ type: "WaitExpired", activationId }))
      : (tell(system, deps.completions, registration), undefined);
    const published = await publish(activation, action, registration.forcedAfterMs);
    switch (published.type) {
      case "PublishRejected":
        tell(system, deps.completions, { type: "UnregisterActivation", activationId });
        await waited;
        deps.logger.warn("activation rejected", { activationId, message: published.message });
        return { type: "Rejected", status: published.status, message: published.message };
      case "PublishUnknown":
        // Maybe still published (stashed while the balancer loads): keep the registration.
        deps.logger.warn("activation publish outcome unknown", {
          activationId,
          message: published.message,
        });
        return { type: "Accepted", activationId };
      case "Published":
        return waited === undefined ? { type: "Accepted", activationId } : settle(await waited);
    }
  };
}
