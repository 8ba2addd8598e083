/**
 * The pure transition of LeaseKeepAlive. Mirrors the FSM of upstream's
 * `common/.../core/service/LeaseKeepAliveService.scala` (reference §4.9): grant a lease,
 * put and watch the marker key under it, keep it alive every 500 ms, hand it out with
 * `GetLease`, and on a marker deletion or a keep-alive failure cancel, unwatch, revoke
 * and grant again. Differences: upstream's `Ready` is split into `Ready` (nothing in
 * flight; its state timeout starts the grant, which also retries a failed grant after
 * the retry interval) and `Granting`/`Registering` (I/O in flight); the marker watch is
 * opened before the marker is put, so a deletion right after the put is not missed;
 * subscribers get `LeaseChanged` on every new lease; stale results (of an older lease)
 * are ignored rather than stashed.
 *
 * @module
 */
import type { FsmEffect, Ref, Step } from "../../runtime/actors/mod.ts";
import { send } from "../../runtime/actors/mod.ts";
import type {
  LeaseChanged,
  LeaseIdString,
  LeaseKeepAliveCommand,
  LeaseKeepAliveInternal,
} from "../../protocols/lease_keep_alive.ts";
import { assertNever } from "../../protocols/_assert_never.ts";

/** Every message LeaseKeepAlive handles. */
export type LeaseKeepAliveMsg = LeaseKeepAliveCommand | LeaseKeepAliveInternal;

/** Settings of the transition. */
export interface LeaseKeepAliveConfig {
  /** Lease TTL in seconds (upstream `whisk.etcd.lease.timeout`). */
  readonly ttlSeconds: number;
  /** Milliseconds between keep-alives (upstream: 500). */
  readonly keepAliveIntervalMs: number;
  /** Milliseconds before a failed grant or marker registration is retried. */
  readonly retryIntervalMs: number;
  /** The marker key, `instanceLeaseKey(instance)`, e.g. `whisk/instance/scheduler0/lease`. */
  readonly markerKey: string;
}

/** Who hears about new leases; kept in every state. */
type Subscribers = readonly Ref<LeaseChanged>[];

/** The states, each with its own data. */
export type LeaseKeepAliveState =
  | { readonly name: "Ready"; readonly retryInMs: number; readonly subscribers: Subscribers }
  | { readonly name: "Granting"; readonly subscribers: Subscribers }
  | {
    readonly name: "Registering";
    readonly leaseId: LeaseIdString;
    readonly subscribers: Subscribers;
  }
  | {
    readonly name: "Active";
    readonly leaseId: LeaseIdString;
    readonly keepAliveInFlight: boolean;
    readonly subscribers: Subscribers;
  };

/** The effects the shell performs with the key-value store. */
export type LeaseKeepAliveEffect =
  /** Drop every marker watch and every result still in flight (a fresh start). */
  | { readonly type: "reset" }
  | { readonly type: "grant"; readonly ttlSeconds: number }
  /** Watch `key` for deletion, then put it (value: the lease id) under the lease. */
  | { readonly type: "registerMarker"; readonly leaseId: LeaseIdString; readonly key: string }
  | { readonly type: "unwatchMarker"; readonly leaseId: LeaseIdString }
  | { readonly type: "keepAlive"; readonly leaseId: LeaseIdString }
  | { readonly type: "revoke"; readonly leaseId: LeaseIdString };

type Effect = FsmEffect<LeaseKeepAliveMsg> | LeaseKeepAliveEffect;
type Out = Step<LeaseKeepAliveState, LeaseKeepAliveMsg, LeaseKeepAliveEffect>;

/** The timer key of the periodic keep-alive. */
export const KEEP_ALIVE_TIMER = "keep-alive";

/** The state at spawn and after a restart: grant at once. */
export function initialLeaseState(): LeaseKeepAliveState {
  return { name: "Ready", retryInMs: 0, subscribers: [] };
}

/** Milliseconds before `Ready` starts a grant; no timeout in other states. */
export function leaseStateTimeout(state: LeaseKeepAliveState): number | undefined {
  return state.name === "Ready" ? state.retryInMs : undefined;
}

const stay = (state: LeaseKeepAliveState, ...effects: Effect[]): Out => ({ next: state, effects });

function subscribe(state: LeaseKeepAliveState, subscriber: Ref<LeaseChanged>): Out {
  const known = state.subscribers.some((s) => s.path === subscriber.path);
  const subscribers = known ? state.subscribers : [...state.subscribers, subscriber];
  const next = { ...state, subscribers };
  return state.name === "Active"
    ? stay(next, send(subscriber, { type: "LeaseChanged", leaseId: state.leaseId }))
    : stay(next);
}

/** Cancel, unwatch, revoke and grant again (upstream: back to `Ready` with `GrantLease`). */
function regrant(state: LeaseKeepAliveState, leaseId: LeaseIdString, config: LeaseKeepAliveConfig) {
  return {
    next: { name: "Granting", subscribers: state.subscribers },
    effects: [
      { type: "cancelTimer", key: KEEP_ALIVE_TIMER },
      { type: "unwatchMarker", leaseId },
      { type: "revoke", leaseId },
      { type: "grant", ttlSeconds: config.ttlSeconds },
    ],
  } satisfies Out;
}

/**
 * Builds the transition for `config`.
 *
 * @example
 * ```ts
 * import { initialLeaseState, leaseKeepAliveTransition } from "./lease_keep_alive_fsm.ts";
 * const transition = leaseKeepAliveTransition({
 *   ttlSeconds: 10, keepAliveIntervalMs: 500, retryIntervalMs: 1000,
 *   markerKey: "whisk/instance/scheduler0/lease",
 * });
 * const { next } = transition(initialLeaseState(), { type: "GrantLease" }, 0);
 * console.assert(next.name === "Granting");
 * ```
 */
export function leaseKeepAliveTransition(config: LeaseKeepAliveConfig) {
  return (state: LeaseKeepAliveState, msg: LeaseKeepAliveMsg, _now: number): Out => {
    if (msg.type === "SubscribeLease") return subscribe(state, msg.subscriber);
    switch (state.name) {
      case "Ready":
        if (msg.type === "GrantLease" || msg.type === "StateTimeout") {
          return {
            next: { name: "Granting", subscribers: state.subscribers },
            effects: [{ type: "reset" }, { type: "grant", ttlSeconds: config.ttlSeconds }],
          };
        }
        return pending(state, msg);
      case "Granting":
        if (msg.type === "LeaseGranted") {
          return {
            next: { name: "Registering", leaseId: msg.leaseId, subscribers: state.subscribers },
            effects: [{ type: "registerMarker", leaseId: msg.leaseId, key: config.markerKey }],
          };
        }
        if (msg.type === "LeaseGrantFailed") {
          const retryInMs = config.retryIntervalMs;
          return {
            next: { name: "Ready", retryInMs, subscribers: state.subscribers },
            effects: [],
          };
        }
        return pending(state, msg);
      case "Registering":
        return registering(state, msg, config);
      case "Active":
        return active(state, msg, config);
      default:
        return assertNever(state, "LeaseKeepAlive state");
    }
  };
}

/** While no lease is active: stash `GetLease`, ignore everything else. */
function pending(state: LeaseKeepAliveState, msg: LeaseKeepAliveMsg): Out {
  return msg.type === "GetLease" ? stay(state, { type: "stash" }) : stay(state);
}

function registering(
  state: Extract<LeaseKeepAliveState, { name: "Registering" }>,
  msg: LeaseKeepAliveMsg,
  config: LeaseKeepAliveConfig,
): Out {
  const current = "leaseId" in msg && msg.leaseId === state.leaseId;
  if (msg.type === "MarkerRegistered" && current) {
    const { leaseId, subscribers } = state;
    return {
      next: { name: "Active", leaseId, keepAliveInFlight: false, subscribers },
      effects: [
        {
          type: "startTimer",
          key: KEEP_ALIVE_TIMER,
          msg: { type: "KeepAliveTick" },
          ms: config.keepAliveIntervalMs,
          repeat: true,
        },
        ...subscribers.map((s) => send(s, { type: "LeaseChanged", leaseId })),
        { type: "unstashAll" },
      ],
    };
  }
  if (msg.type === "MarkerRegistrationFailed" && current) {
    return {
      next: { name: "Ready", retryInMs: config.retryIntervalMs, subscribers: state.subscribers },
      effects: [
        { type: "unwatchMarker", leaseId: state.leaseId },
        { type: "revoke", leaseId: state.leaseId },
      ],
    };
  }
  if (msg.type === "MarkerDeleted" && current) return regrant(state, state.leaseId, config);
  return pending(state, msg);
}

function active(
  state: Extract<LeaseKeepAliveState, { name: "Active" }>,
  msg: LeaseKeepAliveMsg,
  config: LeaseKeepAliveConfig,
): Out {
  const current = "leaseId" in msg && msg.leaseId === state.leaseId;
  switch (msg.type) {
    case "GetLease":
      return stay(
        state,
        send(msg.replyTo, { type: "Lease", leaseId: state.leaseId, ttlSeconds: config.ttlSeconds }),
      );
    case "KeepAliveTick":
      return state.keepAliveInFlight ? stay(state) : stay({ ...state, keepAliveInFlight: true }, {
        type: "keepAlive",
        leaseId: state.leaseId,
      });
    case "KeepAliveDone":
      return current ? stay({ ...state, keepAliveInFlight: false }) : stay(state);
    case "KeepAliveFailed":
    case "MarkerDeleted":
      return current ? regrant(state, state.leaseId, config) : stay(state);
    default: // stale grant/registration results and timer leftovers
      return stay(state);
  }
}
