/**
 * The pure transition of the ActivationClientProxy: one state function per state,
 * effects as data, no I/O.
 *
 * Mirrors `core/invoker/.../containerpool/v2/ActivationClientProxy.scala` (the FSM
 * body); differences: the endpoint of the live client is what later `newScheduler`
 * comparisons use (upstream kept the original one after a leader lookup, §9 item 10),
 * a reconnect is a `Ready` state without a client that stashes requests until the new
 * client is there, repeated leader reconnects without an answered fetch in between wait
 * a doubling backoff (a leader key can name a dead scheduler until its lease expires),
 * and "close safely" happens once however often it is asked for.
 *
 * @module
 */

import type { FetchResponse, RescheduleResponse } from "../../protocols/activation_service.ts";
import type { ActivationClient, ActivationClientError } from "../../protocols/activation_client.ts";
import {
  ActivationClientClosedError,
  ActivationResponseParseError,
  ActivationServiceUnavailableError,
} from "../../protocols/activation_client.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
  ClientFailureReason,
  RescheduleActivation,
} from "../../protocols/activation_client_proxy.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import { assertNever } from "../../protocols/_assert_never.ts";
import { type FsmEffect, type Ref, send, type Step } from "../../runtime/actors/mod.ts";

/** Private messages: outcomes of the shell's I/O. */
export type ClientInternal =
  | { readonly type: "ClientReady"; readonly client: ActivationClient; readonly pollAfter: boolean }
  | { readonly type: "ClientCreateFailed"; readonly error: Error }
  | { readonly type: "FetchAnswered"; readonly response: FetchResponse }
  | { readonly type: "FetchFailed"; readonly error: Error }
  | { readonly type: "Rescheduled"; readonly response: RescheduleResponse }
  | { readonly type: "ClientShutDown" }
  /** The reconnect backoff elapsed: look the leader up and connect. */
  | { readonly type: "ReconnectTimeout" };

/** The actor's inbox. */
export type ClientMsg = ActivationClientProxyCommand | ClientInternal;

/** The client's states; `warmed` travels with every one of them. */
export type ClientState =
  | { readonly name: "ClientProxyUninitialized"; readonly warmed: boolean }
  | {
    readonly name: "ClientProxyReady";
    readonly warmed: boolean;
    /** Undefined while a new client is being created (reconnect). */
    readonly client?: ActivationClient;
    /** Leader reconnects since the last answered fetch (drives the backoff). */
    readonly reconnects?: number;
  }
  | {
    readonly name: "ClientProxyRemoving";
    readonly warmed: boolean;
    /** Undefined once closed (or never created). */
    readonly client?: ActivationClient;
    /** True once "close safely" has started. */
    readonly closing: boolean;
  };

/** The shell's own effects. */
export type ClientEffect =
  | {
    readonly type: "createClient";
    /** Where to connect; undefined means: look the queue leader up in etcd first. */
    readonly endpoint?: SchedulerEndpoints;
    /** Poll right after connecting (a reconnect), instead of reporting completion. */
    readonly pollAfter: boolean;
  }
  | {
    readonly type: "fetch";
    readonly client: ActivationClient;
    readonly warmed: boolean;
    readonly lastDuration?: number;
  }
  | {
    readonly type: "reschedule";
    readonly client: ActivationClient;
    readonly msg: RescheduleActivation;
  }
  /** Close without telling anyone (before a reconnect). */
  | { readonly type: "close"; readonly client: ActivationClient }
  /** Last fetch with `alive = false`, close, then `ClientShutDown` to self. */
  | { readonly type: "closeSafely"; readonly client: ActivationClient; readonly warmed: boolean };

/** What the transition knows besides state and message. */
export interface ClientEnv {
  readonly parent: Ref<ActivationClientProxyEvent>;
  /** The scheduler the container proxy was given. */
  readonly endpoint: SchedulerEndpoints;
}

type ClientStep = Step<ClientState, ClientMsg, ClientEffect>;
type Effect = FsmEffect<ClientMsg> | ClientEffect;

/** Timer key of the reconnect backoff. */
export const RECONNECT_TIMER = "reconnect";
/** The second reconnect in a row waits this long; each later one twice as long... */
export const RECONNECT_FIRST_DELAY_MS = 100;
/** ...up to this. */
export const RECONNECT_MAX_DELAY_MS = 2_000;

/**
 * The wait before leader reconnect number `n` (0-based) since the last answered fetch:
 * none for the first (a moved queue is followed at once), then 100 ms doubling to 2 s,
 * so a leader key that still names a dead scheduler (up to its lease TTL) is not
 * hammered.
 */
export function reconnectDelayMs(n: number): number {
  if (n <= 0) return 0;
  return Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** (n - 1), RECONNECT_MAX_DELAY_MS);
}

/** The initial state. */
export const initialClientState: ClientState = { name: "ClientProxyUninitialized", warmed: false };

const stay = (state: ClientState, ...effects: Effect[]): ClientStep => ({ next: state, effects });

function closedNow(env: ClientEnv, ...before: Effect[]): ClientStep {
  return {
    next: { name: "ClientProxyRemoving", warmed: false, closing: true },
    effects: [...before, send(env.parent, { type: "ClientClosed" }), { type: "stop" }],
  };
}

function failure(env: ClientEnv, reason: ClientFailureReason, error: Error): Effect {
  return send(env.parent, { type: "FailureMessage", reason, error });
}

/** Starts "close safely", or answers `ClientClosed` at once when there is no client. */
function closeSafely(state: ClientState, env: ClientEnv, ...before: Effect[]): ClientStep {
  const client = state.name === "ClientProxyUninitialized" ? undefined : state.client;
  if (state.name === "ClientProxyRemoving" && state.closing) return stay(state, ...before);
  if (!client) return closedNow(env, ...before);
  return {
    next: { name: "ClientProxyRemoving", warmed: state.warmed, client, closing: true },
    effects: [...before, { type: "closeSafely", client, warmed: state.warmed }],
  };
}

function sameEndpoint(a: SchedulerEndpoints, b: SchedulerEndpoints): boolean {
  return a.host === b.host && a.rpcPort === b.rpcPort;
}

function uninitialized(
  state: Extract<ClientState, { name: "ClientProxyUninitialized" }>,
  msg: ClientMsg,
  env: ClientEnv,
): ClientStep {
  switch (msg.type) {
    case "StartClient":
      return stay(state, { type: "createClient", endpoint: env.endpoint, pollAfter: false });
    case "ClientReady":
      return {
        next: { name: "ClientProxyReady", warmed: state.warmed, client: msg.client },
        effects: [send(env.parent, { type: "ClientCreationCompleted" }), { type: "unstashAll" }],
      };
    case "ClientCreateFailed":
      return closedNow(env, failure(env, "ClientCreationFailed", msg.error));
    default:
      return stay(state, { type: "stash" });
  }
}

function onFetchAnswer(
  state: Extract<ClientState, { name: "ClientProxyReady" }>,
  response: FetchResponse,
  env: ClientEnv,
): ClientStep {
  switch (response.type) {
    case "Activation":
      return stay(answered(state), send(env.parent, response.activation));
    case "NoActivation":
      return stay(answered(state), send(env.parent, { type: "RetryRequestActivation" }));
    case "NoMemoryQueue":
      return reconnectViaLeader(state);
    case "ActionMismatch":
      return closeSafely(
        state,
        env,
        failure(env, "ActionMismatch", new Error("action version does not match")),
      );
    default:
      return assertNever(response);
  }
}

/** A fetch was answered: the service is reachable, the backoff starts over. */
function answered(
  state: Extract<ClientState, { name: "ClientProxyReady" }>,
): Extract<ClientState, { name: "ClientProxyReady" }> {
  const { reconnects: _reset, ...rest } = state;
  return rest;
}

/** Closes the client and connects to the queue leader, after the backoff when it repeats. */
function reconnectViaLeader(state: Extract<ClientState, { name: "ClientProxyReady" }>): ClientStep {
  const { client: _old, reconnects = 0, ...rest } = state;
  const delay = reconnectDelayMs(reconnects);
  return {
    next: { ...rest, reconnects: reconnects + 1 },
    effects: [
      ...(state.client ? [{ type: "close", client: state.client } as const] : []),
      delay === 0 ? { type: "createClient", pollAfter: true } : {
        type: "startTimer",
        key: RECONNECT_TIMER,
        msg: { type: "ReconnectTimeout" },
        ms: delay,
      },
    ],
  };
}

function onFetchFailure(
  state: Extract<ClientState, { name: "ClientProxyReady" }>,
  error: ActivationClientError | Error,
  env: ClientEnv,
): ClientStep {
  if (error instanceof ActivationResponseParseError) {
    return stay(state, send(env.parent, { type: "RetryRequestActivation" }));
  }
  if (error instanceof ActivationServiceUnavailableError && error.retryable) {
    return reconnectViaLeader(state);
  }
  if (
    error instanceof ActivationClientClosedError ||
    error instanceof ActivationServiceUnavailableError
  ) {
    const close: Effect[] = state.client ? [{ type: "close", client: state.client }] : [];
    return closedNow(env, failure(env, "ClientClosed", error), ...close);
  }
  return closeSafely(state, env, failure(env, "Unknown", error));
}

function ready(
  state: Extract<ClientState, { name: "ClientProxyReady" }>,
  msg: ClientMsg,
  env: ClientEnv,
): ClientStep {
  const client = state.client;
  switch (msg.type) {
    case "RequestActivation": {
      if (!client) return stay(state, { type: "stash" });
      if (msg.newScheduler && !sameEndpoint(msg.newScheduler, client.endpoint)) {
        const { client: _old, ...rest } = state;
        return {
          next: rest,
          effects: [
            { type: "close", client },
            { type: "createClient", endpoint: msg.newScheduler, pollAfter: true },
          ],
        };
      }
      return stay(state, {
        type: "fetch",
        client,
        warmed: state.warmed,
        ...(msg.lastDuration === undefined ? {} : { lastDuration: msg.lastDuration }),
      });
    }
    case "RescheduleActivation":
      return client
        ? stay(state, { type: "reschedule", client, msg })
        : stay(state, { type: "stash" });
    case "ClientReady":
      return {
        next: { ...state, client: msg.client },
        effects: [
          ...(msg.pollAfter
            ? [{ type: "fetch", client: msg.client, warmed: state.warmed } as const]
            : []),
          { type: "unstashAll" },
        ],
      };
    case "ClientCreateFailed":
      return closedNow(env, failure(env, "ClientCreationFailed", msg.error));
    case "ReconnectTimeout":
      return client
        ? stay(state, { type: "unhandled" })
        : stay(state, { type: "createClient", pollAfter: true });
    case "FetchAnswered":
      return onFetchAnswer(state, msg.response, env);
    case "FetchFailed":
      return onFetchFailure(state, msg.error, env);
    default:
      return anyState(state, msg, env);
  }
}

function removing(
  state: Extract<ClientState, { name: "ClientProxyRemoving" }>,
  msg: ClientMsg,
  env: ClientEnv,
): ClientStep {
  switch (msg.type) {
    case "RequestActivation":
      return closeSafely(state, env);
    case "FetchAnswered":
      return msg.response.type === "Activation"
        ? stay(state, send(env.parent, msg.response.activation))
        : closeSafely(state, env);
    case "FetchFailed":
      return closeSafely(state, env);
    case "ClientReady": // a reconnect finished after we gave up: close it at once
      return closeSafely({ ...state, client: msg.client }, env);
    case "ClientCreateFailed":
      return state.closing ? stay(state) : closedNow(env);
    case "ReconnectTimeout": // gave up while waiting to reconnect
      return stay(state);
    case "RescheduleActivation":
      return state.client && !state.closing
        ? stay(state, { type: "reschedule", client: state.client, msg })
        : stay(state, send(env.parent, { type: "RescheduleResponse", isRescheduled: false }));
    default:
      return anyState(state, msg, env);
  }
}

/** Messages every state handles the same way (upstream's `whenUnhandled`). */
function anyState(state: ClientState, msg: ClientMsg, env: ClientEnv): ClientStep {
  switch (msg.type) {
    case "ContainerWarmed":
      return stay({ ...state, warmed: true });
    case "GracefulShutdown": {
      if (state.name === "ClientProxyRemoving") return stay(state);
      const client = state.name === "ClientProxyReady" ? state.client : undefined;
      if (!client) return closedNow(env);
      return stay({ name: "ClientProxyRemoving", warmed: state.warmed, client, closing: false });
    }
    case "StopClientProxy":
      return closeSafely(state, env);
    case "ClientShutDown":
      return closedNow(env);
    case "Rescheduled":
      return stay(state, send(env.parent, msg.response));
    default:
      return stay(state, { type: "unhandled" });
  }
}

/**
 * The transition: `(state, msg) → {next, effects}` for the given environment.
 *
 * @example
 * ```ts
 * // Uninitialized + StartClient → create the client to the original endpoint.
 * ```
 */
export function clientTransition(env: ClientEnv) {
  return (state: ClientState, msg: ClientMsg): ClientStep => {
    switch (state.name) {
      case "ClientProxyUninitialized":
        return msg.type === "StopClientProxy" || msg.type === "GracefulShutdown" ||
            msg.type === "ContainerWarmed"
          ? anyState(state, msg, env)
          : uninitialized(state, msg, env);
      case "ClientProxyReady":
        return ready(state, msg, env);
      case "ClientProxyRemoving":
        return removing(state, msg, env);
      default:
        return assertNever(state);
    }
  };
}
