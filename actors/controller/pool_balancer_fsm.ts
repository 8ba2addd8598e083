/**
 * The pool balancer's pure transition: `Starting` (waits for `Start`), `Loading` (the
 * three key families are read; publishes and health asks are stashed) and `Running`.
 *
 * Mirrors `core/controller/.../loadBalancer/FPCPoolBalancer.scala` (watches of the
 * scheduler, queue and invoker keys; `publish`; `createQueue`; recreation of queues
 * whose leader vanished with activations in flight); differences are listed in
 * `pool_balancer_queues.ts` and `pool_balancer_view.ts`. Nothing here reads etcd on an
 * activation's path: every decision reads the watch-fed caches.
 *
 * @module
 */
import type { CreateQueue, CreateQueueResponse, SchedulerEndpoints } from "../../protocols/mod.ts";
import type {
  ClusterViewReport,
  PoolBalancerCommand,
  PublishActivation,
  PublishOutcome,
} from "../../protocols/pool_balancer.ts";
import type { FsmEffect, Ref, Step } from "../../runtime/actors/mod.ts";
import type { KeyValue, WatchEvent } from "../../runtime/kv/key_value_store.ts";
import {
  type Applied,
  applySnapshot,
  applyWatchEvent,
  CLUSTER_FAMILIES,
  type ClusterFamily,
  emptyFamily,
  type FamilyCache,
  type FamilyDecoder,
  invokerDecoder,
  invokerHealth,
  leaderDecoder,
  schedulerDecoder,
  type SchedulerEntry,
} from "./pool_balancer_view.ts";
import {
  creationAnswered,
  creationFailed,
  currentSchedulers,
  leaderKeyOf,
  leaderVanished,
  type Outcome,
  queueRequest,
  targetFor,
} from "./pool_balancer_queues.ts";
import { schedulerPrefix } from "../../protocols/mod.ts";

/** Upstream's message when no scheduler is known (`LoadBalancerException`). */
export const NO_SCHEDULER_MESSAGE = "No scheduler endpoint available";

/** Settings of the transition. */
export interface PoolBalancerSettings {
  /** Cluster name, the first segment of every key (default `whisk`). */
  readonly cluster: string;
  /** This controller's id (`completed<id>`). */
  readonly controllerId: string;
  /** Timeout of one `CreateQueue` ask (upstream 8 s). */
  readonly createQueueTimeoutMs: number;
  /** Attempts of a creation, each on another scheduler (upstream 6). */
  readonly createQueueAttempts: number;
  /** Wait before re-reading a family whose first read failed. */
  readonly reloadIntervalMs: number;
}

/** A queue creation in progress. */
export interface Creation {
  readonly leaderKey: string;
  readonly request: CreateQueue;
  readonly sid: string;
  readonly attempt: number;
  /** Schedulers asked so far, this one included. */
  readonly tried: readonly string[];
  readonly correlationId: string;
}

/** Activations in flight for one queue, and how to recreate it. */
export interface InFlightQueue {
  readonly count: number;
  readonly request: CreateQueue;
}

interface Sending {
  readonly replyTo: Ref<PublishOutcome>;
  readonly sid: string;
  readonly leaderKey: string;
}

/** The pool balancer's state. */
export interface PoolBalancerState {
  readonly name: "Starting" | "Loading" | "Running";
  readonly nextWatchId: number;
  readonly schedulers: FamilyCache<SchedulerEntry>;
  readonly leaders: FamilyCache<SchedulerEndpoints>;
  readonly invokers: FamilyCache<string>;
  readonly creations: ReadonlyMap<string, Creation>;
  /** Queues created on a scheduler since its last state report, by sid. */
  readonly unreported: ReadonlyMap<string, number>;
  /** By leader key. */
  readonly inFlight: ReadonlyMap<string, InFlightQueue>;
  /** Activations handed to the bus and not yet confirmed, by activation id. */
  readonly sending: ReadonlyMap<string, Sending>;
  readonly nextCorrelation: number;
}

/** Messages the pool balancer sends itself. */
export type PoolBalancerInternal =
  | { readonly type: "Start" }
  | {
    readonly type: "FamilyLoaded";
    readonly family: ClusterFamily;
    readonly watchId: number;
    readonly entries: readonly KeyValue[];
  }
  | {
    readonly type: "FamilyEvent";
    readonly family: ClusterFamily;
    readonly watchId: number;
    readonly event: WatchEvent;
  }
  | {
    readonly type: "FamilyLoadFailed";
    readonly family: ClusterFamily;
    readonly watchId: number;
    readonly error: unknown;
  }
  | { readonly type: "ReloadFamily"; readonly family: ClusterFamily }
  | { readonly type: "ActivationSent"; readonly activationId: string }
  | {
    readonly type: "ActivationSendFailed";
    readonly activationId: string;
    readonly error: unknown;
  }
  | {
    readonly type: "CreateQueueSendFailed";
    readonly leaderKey: string;
    readonly attempt: number;
    readonly error: unknown;
  }
  | { readonly type: "CreateQueueTimedOut"; readonly leaderKey: string; readonly attempt: number };

/** Everything the transition handles. */
export type PoolBalancerMsg = PoolBalancerCommand | PoolBalancerInternal;

/** The pool balancer's own effects (performed by the shell). */
export type PoolBalancerEffect =
  /** Close the family's watch, open a new one (`watchId`), then read the prefix. */
  | { readonly type: "WatchFamily"; readonly family: ClusterFamily; readonly watchId: number }
  | {
    readonly type: "SendActivation";
    readonly sid: string;
    readonly activation: PublishActivation["activation"];
  }
  | {
    readonly type: "SendCreateQueue";
    readonly sid: string;
    readonly request: CreateQueue;
    readonly correlationId: string;
    readonly leaderKey: string;
    readonly attempt: number;
  }
  | {
    readonly type: "Log";
    readonly level: "debug" | "info" | "warn" | "error";
    readonly msg: string;
    readonly meta: Readonly<Record<string, unknown>>;
  };

type PbStep = Step<PoolBalancerState, PoolBalancerMsg, PoolBalancerEffect>;
type Effect = FsmEffect<PoolBalancerMsg> | PoolBalancerEffect;

/** The state at spawn and after a restart. */
export function initialPoolBalancerState(): PoolBalancerState {
  return {
    name: "Starting",
    nextWatchId: 1,
    schedulers: emptyFamily(0),
    leaders: emptyFamily(0),
    invokers: emptyFamily(0),
    creations: new Map(),
    unreported: new Map(),
    inFlight: new Map(),
    sending: new Map(),
    nextCorrelation: 1,
  };
}

const stay = (state: PoolBalancerState, ...effects: Effect[]): PbStep => ({ next: state, effects });
const fromOutcome = (o: Outcome, ...more: Effect[]): PbStep => ({
  next: o.state,
  effects: [...o.effects, ...more],
});

/** The pure transition of the pool balancer. */
export function poolBalancerTransition(
  settings: PoolBalancerSettings,
): (state: PoolBalancerState, msg: PoolBalancerMsg) => PbStep {
  return (state, msg) => {
    if (state.name === "Starting") {
      return msg.type === "Start" ? start(state) : stay(state, { type: "stash" });
    }
    switch (msg.type) {
      case "Start":
        return stay(state, { type: "unhandled" });
      case "FamilyEvent":
        return familyEvent(state, settings, msg);
      case "FamilyLoaded":
        return familyLoaded(state, settings, msg);
      case "FamilyLoadFailed":
        return familyLoadFailed(state, settings, msg);
      case "ReloadFamily":
        return watchFamily(state, msg.family);
      case "PublishActivation":
        return state.name === "Loading"
          ? stay(state, { type: "stash" })
          : publish(state, settings, msg);
      case "ActivationSent":
        return activationSent(state, msg.activationId);
      case "ActivationSendFailed":
        return activationSendFailed(state, msg.activationId, msg.error);
      case "ActivationFinished":
        return stay(countInFlight(state, msg.leaderKey, -1));
      case "CreateQueueResponse":
        return fromOutcome(creationAnswered(state, settings, msg as CreateQueueResponse));
      case "CreateQueueTimedOut":
        return fromOutcome(
          creationFailed(state, settings, msg.leaderKey, msg.attempt, "ask timed out"),
        );
      case "CreateQueueSendFailed":
        return fromOutcome(
          creationFailed(state, settings, msg.leaderKey, msg.attempt, String(msg.error)),
        );
      case "GetInvokerHealth":
        if (state.name === "Loading") return stay(state, { type: "stash" });
        return stay(state, {
          type: "send",
          to: msg.replyTo,
          msg: {
            type: "InvokerHealthReport",
            invokers: invokerHealth(state.invokers.entries, settings.cluster),
          },
        });
      case "GetClusterView":
        return stay(state, { type: "send", to: msg.replyTo, msg: clusterView(state) });
    }
  };
}

function start(state: PoolBalancerState): PbStep {
  let next: PoolBalancerState = { ...state, name: "Loading" };
  const effects: Effect[] = [];
  for (const family of CLUSTER_FAMILIES) {
    const step = watchFamily(next, family);
    next = step.next;
    effects.push(...step.effects);
  }
  return { next, effects: [...effects] };
}

function watchFamily(state: PoolBalancerState, family: ClusterFamily): PbStep {
  const watchId = state.nextWatchId;
  const old = state[family] as FamilyCache<unknown>;
  const cache = { ...emptyFamily(watchId), entries: old.entries };
  return {
    next: { ...state, nextWatchId: watchId + 1, [family]: cache },
    effects: [{ type: "WatchFamily", family, watchId }],
  };
}

function decoderOf(family: ClusterFamily, settings: PoolBalancerSettings): FamilyDecoder<unknown> {
  switch (family) {
    case "schedulers":
      return schedulerDecoder(schedulerPrefix(settings.cluster));
    case "leaders":
      return leaderDecoder;
    case "invokers":
      return invokerDecoder(settings.cluster);
  }
}

function refusedLog(family: ClusterFamily, applied: Applied<unknown>): Effect[] {
  if (applied.refused.length === 0) return [];
  const meta = { family, keys: applied.refused };
  return [{ type: "Log", level: "warn", msg: "ignored unreadable cluster-state values", meta }];
}

function familyEvent(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  msg: Extract<PoolBalancerInternal, { type: "FamilyEvent" }>,
): PbStep {
  const cache = state[msg.family] as FamilyCache<unknown>;
  if (cache.watchId !== msg.watchId) return stay(state);
  const applied = applyWatchEvent(cache, msg.event, decoderOf(msg.family, settings));
  let next: PoolBalancerState = { ...state, [msg.family]: applied.cache };
  const logs = refusedLog(msg.family, applied);
  if (msg.family === "schedulers" && cache.loaded) next = schedulerReported(next, msg.event);
  if (msg.family === "leaders" && cache.loaded && msg.event.type === "delete") {
    return fromOutcome(leaderVanished(next, settings, msg.event.key, msg.event.prevValue), ...logs);
  }
  return stay(next, ...logs);
}

/** A scheduler's new report counts the queues created on it so far. */
function schedulerReported(state: PoolBalancerState, event: WatchEvent): PoolBalancerState {
  const sid = state.schedulers.entries.get(event.key)?.sid ??
    event.key.slice(event.key.lastIndexOf("/") + 1);
  if (!state.unreported.has(sid)) return state;
  const unreported = new Map(state.unreported);
  unreported.delete(sid);
  return { ...state, unreported };
}

function familyLoaded(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  msg: Extract<PoolBalancerInternal, { type: "FamilyLoaded" }>,
): PbStep {
  const cache = state[msg.family] as FamilyCache<unknown>;
  if (cache.watchId !== msg.watchId || cache.loaded) return stay(state);
  const applied = applySnapshot(cache, msg.entries, decoderOf(msg.family, settings));
  const next: PoolBalancerState = { ...state, [msg.family]: applied.cache };
  const logs = refusedLog(msg.family, applied);
  const allLoaded = CLUSTER_FAMILIES.every((f) => (next[f] as FamilyCache<unknown>).loaded);
  if (next.name === "Loading" && allLoaded) {
    return stay({ ...next, name: "Running" }, ...logs, { type: "unstashAll" });
  }
  return stay(next, ...logs);
}

function familyLoadFailed(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  msg: Extract<PoolBalancerInternal, { type: "FamilyLoadFailed" }>,
): PbStep {
  const cache = state[msg.family] as FamilyCache<unknown>;
  if (cache.watchId !== msg.watchId) return stay(state);
  return stay(
    state,
    {
      type: "Log",
      level: "warn",
      msg: "reading cluster state failed; retrying",
      meta: { family: msg.family, error: msg.error },
    },
    {
      type: "startTimer",
      key: `reload-${msg.family}`,
      msg: { type: "ReloadFamily", family: msg.family },
      ms: settings.reloadIntervalMs,
    },
  );
}

function countInFlight(
  state: PoolBalancerState,
  leaderKey: string,
  delta: number,
  request?: CreateQueue,
): PoolBalancerState {
  const old = state.inFlight.get(leaderKey);
  const count = Math.max(0, (old?.count ?? 0) + delta);
  const inFlight = new Map(state.inFlight);
  const req = request ?? old?.request;
  if (count === 0 || req === undefined) inFlight.delete(leaderKey);
  else inFlight.set(leaderKey, { count, request: req });
  return { ...state, inFlight };
}

function publish(
  state: PoolBalancerState,
  settings: PoolBalancerSettings,
  msg: PublishActivation,
): PbStep {
  const { activation, replyTo } = msg;
  const request = queueRequest(activation, msg.action);
  const target = targetFor(state, settings, request);
  if (target === undefined) {
    const outcome: PublishOutcome = {
      type: "PublishRejected",
      activationId: activation.activationId,
      status: 503,
      message: NO_SCHEDULER_MESSAGE,
    };
    return stay(state, { type: "send", to: replyTo, msg: outcome });
  }
  const leaderKey = leaderKeyOf(request, settings);
  const sending = new Map(target.state.sending).set(activation.activationId, {
    replyTo,
    sid: target.sid,
    leaderKey,
  });
  const next = countInFlight({ ...target.state, sending }, leaderKey, +1, request);
  return {
    next,
    effects: [...target.effects, { type: "SendActivation", sid: target.sid, activation }],
  };
}

function activationSent(state: PoolBalancerState, activationId: string): PbStep {
  const sending = state.sending.get(activationId);
  if (sending === undefined) return stay(state);
  const rest = new Map(state.sending);
  rest.delete(activationId);
  const outcome: PublishOutcome = { type: "Published", activationId, sid: sending.sid };
  return stay({ ...state, sending: rest }, { type: "send", to: sending.replyTo, msg: outcome });
}

function activationSendFailed(
  state: PoolBalancerState,
  activationId: string,
  error: unknown,
): PbStep {
  const sending = state.sending.get(activationId);
  if (sending === undefined) return stay(state);
  const rest = new Map(state.sending);
  rest.delete(activationId);
  const next = countInFlight({ ...state, sending: rest }, sending.leaderKey, -1);
  const outcome: PublishOutcome = {
    type: "PublishRejected",
    activationId,
    status: 503,
    message: `Could not publish the activation to scheduler${sending.sid}.`,
  };
  return stay(
    next,
    {
      type: "Log",
      level: "error",
      msg: "publishing an activation failed",
      meta: { activationId, error },
    },
    { type: "send", to: sending.replyTo, msg: outcome },
  );
}

function clusterView(state: PoolBalancerState): ClusterViewReport {
  return {
    type: "ClusterView",
    schedulers: currentSchedulers(state),
    leaders: Object.fromEntries(state.leaders.entries),
    creating: Object.fromEntries([...state.creations].map(([k, c]) => [k, c.sid])),
    inFlight: Object.fromEntries([...state.inFlight].map(([k, q]) => [k, q.count])),
  };
}
