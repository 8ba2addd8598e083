/**
 * The FunctionPullingContainerProxy's pulling phase: ClientCreated (bound, first
 * activation initializes), Running (warm) and Rescheduling (hand an activation back).
 *
 * Mirrors the `when(ClientCreated)`, `when(Running)` and `when(Rescheduling)` blocks of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * the unused timer is a keyed timer (`UnusedTimeout`) rather than a state timeout, a
 * `GracefulShutdown` in ClientCreated is served like in Running instead of stashed, and
 * the resume of a paused container is awaited in Running (`resuming`) so that a racing
 * shutdown can never re-put the existing key. A client's `FailureMessage` (an action
 * mismatch, a closed client) removes the container without a `HealthMessage(false)`,
 * as upstream's "other failure" case: a redeployed action must not make invokers
 * unhealthy.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import { actionFqn } from "../../protocols/whisk_action.ts";
import { send } from "../../runtime/actors/mod.ts";
import {
  cleanUp,
  clientOutlives,
  type Effect,
  endAbnormally,
  existingKeyOf,
  health,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  type ProxyStep,
  type Pulling,
  stay,
  tallyRun,
  TIMER,
  warmDataOf,
} from "./function_pulling_container_proxy_fsm_common.ts";
import { NAMESPACE_BLOCKED_MESSAGE } from "./_activation_run.ts";

type S<N extends ProxyState["name"]> = Extract<ProxyState, { name: N }>;
type Pull = S<"ClientCreated"> | S<"Running">;

const without = (list: readonly ActivationMessage[], id: string) =>
  list.filter((m) => m.activationId !== id);

const unusedTimer = (env: ProxyEnv): Effect => ({
  type: "startTimer",
  key: TIMER.unused,
  msg: { type: "UnusedTimeout" },
  ms: env.pauseGraceMs,
});

function withPulling(state: Pull, pulling: Pulling): Pull {
  return { ...state, pulling } as Pull;
}

/** An activation arrived: clear `timedOut`, stop the unused timer, fetch its action. */
function onActivation(state: Pull, msg: ActivationMessage, env: ProxyEnv): ProxyStep {
  const { data } = state;
  if (env.isNamespaceBlocked(msg.user.namespace.name)) {
    return stay(
      state,
      {
        type: "failActivation",
        msg,
        action: data.action,
        message: NAMESPACE_BLOCKED_MESSAGE,
        statusCode: 1,
      },
      send(data.clientProxy, { type: "RequestActivation" }),
    );
  }
  const pulling = { ...state.pulling, timedOut: false, pending: [...state.pulling.pending, msg] };
  return stay(
    withPulling(state, pulling),
    { type: "cancelTimer", key: TIMER.unused },
    { type: "fetchAction", msg, action: data.action, revision: data.revision },
  );
}

/** The action document arrived: run it (initializing first when not warm). */
function onRunActivation(
  state: Pull,
  msg: Extract<ProxyMsg, { type: "RunActivation" }>,
  now: number,
): ProxyStep {
  const id = msg.msg.activationId;
  const pulling = {
    ...state.pulling,
    pending: without(state.pulling.pending, id),
    running: [...state.pulling.running, msg.msg],
  };
  const effect: Effect = {
    type: "runActivation",
    msg: msg.msg,
    action: msg.action,
    container: state.data.container,
    initialize: state.name === "ClientCreated",
  };
  if (state.name === "Running") {
    return stay({ ...state, pulling, data: { ...state.data, lastUsed: now } }, effect);
  }
  return stay(withPulling(state, pulling), effect);
}

function onFetchFailed(
  state: Pull,
  msg: Extract<ProxyMsg, { type: "ActionFetchFailed" }>,
): ProxyStep {
  const pulling = {
    ...state.pulling,
    pending: without(state.pulling.pending, msg.msg.activationId),
  };
  return stay(
    withPulling(state, pulling),
    {
      type: "failActivation",
      msg: msg.msg,
      action: state.data.action,
      message: msg.error,
      statusCode: 3,
    },
    send(state.data.clientProxy, { type: "RequestActivation" }),
  );
}

/** Hand the activation back to its queue (`ContainerHealthErrorWithResumedRun`). */
function reschedule(state: Pull, msg: ActivationMessage): ProxyStep {
  const { data } = state;
  return {
    next: {
      name: "Rescheduling",
      data: {
        type: "ReschedulingData",
        container: data.container,
        invocationNamespace: data.invocationNamespace,
        action: data.action,
        revision: data.revision,
        clientProxy: data.clientProxy,
        resumeRun: msg,
      },
      pending: state.pulling.pending,
    },
    effects: [
      { type: "cancelTimer", key: TIMER.unused },
      send(data.clientProxy, {
        type: "RescheduleActivation",
        invocationNamespace: data.invocationNamespace,
        fqn: actionFqn(data.action),
        revision: data.revision,
        msg,
      }),
    ],
  };
}

function onRunCompleted(
  state: Pull,
  msg: Extract<ProxyMsg, { type: "RunActivationCompleted" }>,
  env: ProxyEnv,
): ProxyStep {
  const pulling = {
    ...state.pulling,
    running: without(state.pulling.running, msg.msg.activationId),
    usage: tallyRun(state.pulling.usage, msg.durationMs, msg.initialized === true),
  };
  const next = withPulling(state, pulling);
  if (msg.outcome === "ContainerHealthErrorWithResumedRun") return reschedule(next, msg.msg);
  const sample = health(env, !msg.whiskError);
  if (msg.outcome === "ActivationUnsuccessful") {
    const step = cleanUp(next.data, env, {
      replacePrewarm: true,
      withClient: true,
      held: pulling.pending,
    });
    return { next: step.next, effects: [sample, ...step.effects] };
  }
  if (next.name === "ClientCreated") return stay(next, sample); // init never completed
  return stay(
    next,
    sample,
    unusedTimer(env),
    send(next.data.clientProxy, { type: "RequestActivation", lastDuration: msg.durationMs }),
  );
}

function onRetryRequest(state: Pull, env: ProxyEnv): ProxyStep {
  const { pulling, data } = state;
  if (!pulling.timedOut) return stay(state, send(data.clientProxy, { type: "RequestActivation" }));
  if (state.name === "ClientCreated") {
    return cleanUp(data, env, { replacePrewarm: false, withClient: true, held: pulling.pending });
  }
  if (pulling.running.length > 0 || pulling.pending.length > 0) return stay(state);
  return {
    next: {
      name: "Pausing",
      data: state.data,
      ...(pulling.usage === undefined ? {} : { usage: pulling.usage }),
    },
    effects: [
      { type: "cancelTimer", key: TIMER.unused },
      { type: "pauseContainer", container: data.container },
    ],
  };
}

function onClientClosed(state: Pull, env: ProxyEnv): ProxyStep {
  const { pulling } = state;
  if (state.name === "Running" && pulling.running.length > 0) {
    return stay(state, {
      type: "startTimer",
      key: TIMER.clientClosed,
      msg: { type: "ClientClosed" },
      ms: env.clientClosedRetryMs,
    });
  }
  return cleanUp(state.data, env, {
    replacePrewarm: false,
    withClient: false,
    held: pulling.pending,
  });
}

function onGracefulShutdown(state: Pull, env: ProxyEnv): ProxyStep {
  if (state.pulling.shuttingDown) return stay(state);
  return stay(
    withPulling(state, { ...state.pulling, shuttingDown: true }),
    { type: "retireKeys" },
    { type: "unregisterData", key: existingKeyOf(state.data, env) },
    send(state.data.clientProxy, { type: "GracefulShutdown" }),
  );
}

/** The resume of a paused container finished (Running with `resuming`). */
function onResumed(state: S<"Running">, env: ProxyEnv, ok: boolean): ProxyStep {
  const init = state.resuming;
  if (!init) return stay(state, { type: "unhandled" });
  const { resuming: _done, ...rest } = state;
  const creation = init.creationId === undefined ? {} : { creationId: init.creationId };
  if (!ok) {
    const step = cleanUp(rest.data, env, { replacePrewarm: false, withClient: true });
    return {
      next: step.next,
      effects: [
        send(env.parent, { type: "ResumeFailed", proxy: env.self, data: rest.data, ...creation }),
        health(env, false),
        ...step.effects,
      ],
    };
  }
  const schedulerMoved = { host: init.schedulerHost, rpcPort: init.rpcPort };
  return stay(
    { ...rest, pulling: { ...rest.pulling, timedOut: false } },
    ...(rest.pulling.shuttingDown
      ? []
      : [{ type: "registerData", key: existingKeyOf(rest.data, env) } as const]),
    send(env.parent, { type: "Resumed", proxy: env.self, data: rest.data, ...creation }),
    send(rest.data.clientProxy, { type: "RequestActivation", newScheduler: schedulerMoved }),
    unusedTimer(env),
  );
}

/** ClientCreated and Running. */
export function pulling(state: Pull, msg: ProxyMsg, env: ProxyEnv, now: number): ProxyStep {
  switch (msg.type) {
    case "ActivationMessage":
      return onActivation(state, msg, env);
    case "RunActivation":
      return onRunActivation(state, msg, now);
    case "ActionFetchFailed":
      return onFetchFailed(state, msg);
    case "InitCodeCompleted": {
      if (state.name !== "ClientCreated") return stay(state, { type: "unhandled" });
      const extra = Math.max(0, state.data.action.limits.concurrency - 1);
      const data = warmDataOf(state.data, now);
      const more = Array.from(
        { length: extra },
        () => send(data.clientProxy, { type: "RequestActivation" }),
      );
      return {
        next: { name: "Running", data, pulling: state.pulling },
        effects: [send(data.clientProxy, { type: "ContainerWarmed" }), ...more],
      };
    }
    case "RunActivationCompleted":
      return onRunCompleted(state, msg, env);
    case "RetryRequestActivation":
      return onRetryRequest(state, env);
    case "UnusedTimeout":
    case "PauseWhenIdle": // memory is short: as if the pause grace had passed
      return stay(withPulling(state, { ...state.pulling, timedOut: true }));
    case "ContainerResumed":
    case "ContainerResumeFailed":
      return state.name === "Running"
        ? onResumed(state, env, msg.type === "ContainerResumed")
        : stay(state, { type: "unhandled" });
    case "FailureMessage": // a client failure says nothing about this invoker's health
      return cleanUp(state.data, env, {
        replacePrewarm: true,
        withClient: clientOutlives(msg),
        held: state.pulling.pending,
      });
    case "ClientClosed":
      return onClientClosed(state, env);
    case "GracefulShutdown":
      return onGracefulShutdown(state, env);
    case "PingCache":
      return state.name === "Running"
        ? stay(state, { type: "refreshAction", data: state.data })
        : stay(state);
    case "Initialize": // a second Initialize for a bound container: nothing to do
    case "Remove":
      return stay(state, { type: "unhandled" });
    default:
      return stay(state, { type: "unhandled" });
  }
}

/**
 * Rescheduling: wait for the queue's answer (or 10 s), ack a fallback if refused, clean
 * up (handing the activations still waiting for their document to the pool). An
 * activation that arrives meanwhile, or whose document arrives, is ended with a record:
 * the container that refused to run is not used again.
 */
export function rescheduling(state: S<"Rescheduling">, msg: ProxyMsg, env: ProxyEnv): ProxyStep {
  const { data } = state;
  const fallback = endAbnormally(data.resumeRun, data.action);
  const clean = (withClient: boolean) =>
    cleanUp(data, env, { replacePrewarm: true, withClient, held: state.pending });
  switch (msg.type) {
    case "RescheduleResponse": {
      const step = clean(true);
      return {
        next: step.next,
        effects: [...(msg.isRescheduled ? [] : [fallback]), ...step.effects],
      };
    }
    case "StateTimeout": {
      const step = clean(true);
      return { next: step.next, effects: [fallback, ...step.effects] };
    }
    case "ClientClosed": {
      const step = clean(false);
      return { next: step.next, effects: [fallback, ...step.effects] };
    }
    case "ActivationMessage":
      return stay(state, endAbnormally(msg, data.action));
    case "RunActivation":
    case "ActionFetchFailed": {
      const pending = without(state.pending, msg.msg.activationId);
      const end: Effect = msg.type === "RunActivation" ? endAbnormally(msg.msg, data.action) : {
        type: "failActivation",
        msg: msg.msg,
        action: data.action,
        message: msg.error,
        statusCode: 3,
      };
      return stay({ ...state, pending }, end);
    }
    default:
      return stay(state);
  }
}
