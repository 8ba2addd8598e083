/**
 * Where the pool balancer sends an activation, and the queue creations it runs (pure):
 * the cached leader's scheduler, or the scheduler already asked to create the queue, or
 * the scheduler with the fewest queues, which is then asked to create it; retries on
 * another scheduler when the ask fails or times out; recreation when a leader key
 * vanishes while activations are in flight.
 *
 * Mirrors `publish`, `createQueue` and `schedule` of
 * `core/controller/.../loadBalancer/FPCPoolBalancer.scala` (8 s ask, 6 attempts, never
 * twice on the same scheduler); differences: no etcd read when the leader is not
 * cached (the watch-fed cache is the truth; a creation already running for the key
 * is reused instead of starting another one); the choice counts queues this controller
 * asked for and the scheduler has not reported yet, so a burst of new actions is spread
 * (reference §9.12); a scheduler's `success = false` answer (non-executable action) is
 * final, not retried.
 *
 * @module
 */
import {
  type ActivationMessage,
  type CreateQueue,
  type CreateQueueResponse,
  queueLeaderKey,
  type WhiskActionMetaData,
} from "../../protocols/mod.ts";
import type { SchedulerView } from "../../protocols/pool_balancer.ts";
import { fewestQueues, leaderDecoder, schedulerAt, schedulerViews } from "./pool_balancer_view.ts";
import type {
  Creation,
  PoolBalancerEffect,
  PoolBalancerMsg,
  PoolBalancerSettings,
  PoolBalancerState,
} from "./pool_balancer_fsm.ts";
import type { FsmEffect } from "../../runtime/actors/mod.ts";

type Effect = FsmEffect<PoolBalancerMsg> | PoolBalancerEffect;

/** A state change and what to do about it. */
export interface Outcome {
  readonly state: PoolBalancerState;
  readonly effects: readonly Effect[];
}

/** The timer key of the creation ask for `leaderKey`. */
export function creationTimerKey(leaderKey: string): string {
  return `create-queue:${leaderKey}`;
}

/** Known schedulers, each with its pending and recently created queues counted. */
export function currentSchedulers(state: PoolBalancerState): SchedulerView[] {
  const unreported = new Map(state.unreported);
  for (const c of state.creations.values()) unreported.set(c.sid, (unreported.get(c.sid) ?? 0) + 1);
  const byKey = state.schedulers.entries;
  return schedulerViews(new Map([...byKey.values()].map((e) => [e.sid, e])), unreported);
}

/** The queue a message belongs to, as a `CreateQueue` request. */
export function queueRequest(
  activation: ActivationMessage,
  action: WhiskActionMetaData,
): CreateQueue {
  return {
    type: "CreateQueue",
    invocationNamespace: activation.user.namespace.name,
    fqn: activation.action,
    revision: activation.revision,
    whiskActionMetaData: action,
  };
}

/** The leader key of a queue request. */
export function leaderKeyOf(
  request: Pick<CreateQueue, "invocationNamespace" | "fqn">,
  settings: PoolBalancerSettings,
): string {
  return queueLeaderKey(request.invocationNamespace, request.fqn, settings.cluster);
}

/** Starts attempt `attempt` of creating the queue on `sid`. */
export function startCreation(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  request: CreateQueue,
  sid: string,
  attempt: number,
  tried: readonly string[],
): Outcome {
  const leaderKey = leaderKeyOf(request, settings);
  const correlationId = `${settings.controllerId}-cq-${state.nextCorrelation}`;
  const creation: Creation = {
    leaderKey,
    request,
    sid,
    attempt,
    tried: [...tried, sid],
    correlationId,
  };
  const creations = new Map(state.creations).set(leaderKey, creation);
  return {
    state: { ...state, creations, nextCorrelation: state.nextCorrelation + 1 },
    effects: [
      { type: "SendCreateQueue", sid, request, correlationId, leaderKey, attempt },
      {
        type: "startTimer",
        key: creationTimerKey(leaderKey),
        msg: { type: "CreateQueueTimedOut", leaderKey, attempt },
        ms: settings.createQueueTimeoutMs,
      },
    ],
  };
}

function dropCreation(state: PoolBalancerState, leaderKey: string): PoolBalancerState {
  const creations = new Map(state.creations);
  creations.delete(leaderKey);
  return { ...state, creations };
}

/** Attempt `attempt` of `leaderKey` failed (ask timeout or send failure): try another. */
export function creationFailed(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  leaderKey: string,
  attempt: number,
  reason: string,
): Outcome {
  const creation = state.creations.get(leaderKey);
  if (creation === undefined || creation.attempt !== attempt) return { state, effects: [] };
  const rest = dropCreation(state, leaderKey);
  const cancel: Effect = { type: "cancelTimer", key: creationTimerKey(leaderKey) };
  const meta = { leaderKey, sid: creation.sid, attempt, reason };
  const next = attempt < settings.createQueueAttempts
    ? fewestQueues(currentSchedulers(rest), new Set(creation.tried))
    : undefined;
  if (next === undefined) {
    const msg = "queue creation failed on every attempt; related activations may fail";
    return { state: rest, effects: [cancel, { type: "Log", level: "error", msg, meta }] };
  }
  const retry = startCreation(
    rest,
    settings,
    creation.request,
    next.sid,
    attempt + 1,
    creation.tried,
  );
  const log: Effect = { type: "Log", level: "warn", msg: "queue creation failed; retrying", meta };
  return { state: retry.state, effects: [cancel, log, ...retry.effects] };
}

/** A scheduler answered a creation ask. */
export function creationAnswered(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  response: CreateQueueResponse,
): Outcome {
  const leaderKey = leaderKeyOf(response, settings);
  const creation = state.creations.get(leaderKey);
  if (creation === undefined) {
    const meta = { leaderKey, success: response.success };
    return {
      state,
      effects: [{ type: "Log", level: "debug", msg: "late queue creation answer", meta }],
    };
  }
  const rest = dropCreation(state, leaderKey);
  const cancel: Effect = { type: "cancelTimer", key: creationTimerKey(leaderKey) };
  if (!response.success) {
    const meta = { leaderKey, sid: creation.sid };
    const msg = "scheduler refused to create the queue (action not executable)";
    return { state: rest, effects: [cancel, { type: "Log", level: "warn", msg, meta }] };
  }
  const unreported = new Map(rest.unreported);
  unreported.set(creation.sid, (unreported.get(creation.sid) ?? 0) + 1);
  return { state: { ...rest, unreported }, effects: [cancel] };
}

/**
 * The scheduler for an activation of the queue `request`, starting a creation when no
 * leader is cached and none is running. `undefined` when no scheduler is known.
 */
export function targetFor(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  request: CreateQueue,
): (Outcome & { readonly sid: string }) | undefined {
  const schedulers = currentSchedulers(state);
  const leaderKey = leaderKeyOf(request, settings);
  const leader = state.leaders.entries.get(leaderKey);
  const creation = state.creations.get(leaderKey);
  const known = leader !== undefined
    ? schedulerAt(schedulers, leader)
    : schedulers.find((s) => s.sid === creation?.sid);
  if (known !== undefined) return { sid: known.sid, state, effects: [] };
  const chosen = fewestQueues(schedulers);
  if (chosen === undefined) return undefined;
  if (leader !== undefined) return { sid: chosen.sid, state, effects: [] };
  return { sid: chosen.sid, ...startCreation(state, settings, request, chosen.sid, 1, []) };
}

/**
 * The leader key `leaderKey` (last at `previous`) was deleted: recreate the queue when
 * activations are still in flight, preferring another scheduler than the old leader.
 */
export function leaderVanished(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  leaderKey: string,
  previous: string | undefined,
): Outcome {
  const queue = state.inFlight.get(leaderKey);
  if (queue === undefined || queue.count === 0 || state.creations.has(leaderKey)) {
    return { state, effects: [] };
  }
  const schedulers = currentSchedulers(state);
  const oldEndpoints = previous === undefined ? undefined : leaderDecoder(leaderKey, previous);
  const oldSid = oldEndpoints && schedulerAt(schedulers, oldEndpoints)?.sid;
  const chosen = fewestQueues(schedulers, new Set(oldSid === undefined ? [] : [oldSid])) ??
    fewestQueues(schedulers);
  const meta = { leaderKey, inFlight: queue.count, sid: chosen?.sid };
  if (chosen === undefined) {
    const msg = "queue leader vanished and no scheduler is known; activations may fail";
    return { state, effects: [{ type: "Log", level: "error", msg, meta }] };
  }
  const created = startCreation(state, settings, queue.request, chosen.sid, 1, []);
  const log: Effect = {
    type: "Log",
    level: "info",
    msg: "queue leader vanished; recreating",
    meta,
  };
  return { state: created.state, effects: [log, ...created.effects] };
}
