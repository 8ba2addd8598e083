/**
 * The classic ContainerProxy's pure transition: dispatches on the state, handles the
 * startup states (Uninitialized, Starting, Started) here and the working states in
 * `container_proxy_fsm_running.ts`, and says how long each state may last. No I/O, no
 * clock reads besides `now`, no dispatch.
 *
 * Mirrors `when(Uninitialized)`, `when(Starting)`, `when(Started)` and the state
 * timeouts of `core/invoker/.../containerpool/ContainerProxy.scala`; differences: a cold
 * start is two steps the FSM drives (create, then init-and-run once `PreWarmCompleted`
 * arrives) instead of one chained future, and the idle prewarm's health check is the
 * runtime process's liveness instead of a TCP ping.
 *
 * @module
 */

import { assertNever } from "../../protocols/_assert_never.ts";
import type { Run } from "../../protocols/container_proxy.ts";
import { errorResponse } from "../../protocols/whisk_activation.ts";
import { send } from "../../runtime/actors/mod.ts";
import {
  type ContainerProxyEnv,
  type ContainerProxyMsg,
  type ContainerProxyState,
  delay,
  type Effect,
  HEALTH_TIMER,
  type ProxyStep,
  remove,
  removedEvent,
  stay,
  unhandled,
} from "./container_proxy_fsm_common.ts";
import { paused, pausing, ready, removing, running } from "./container_proxy_fsm_running.ts";

export * from "./container_proxy_fsm_common.ts";

/** The initial state. */
export const initialProxyState: ContainerProxyState = {
  name: "Uninitialized",
  data: { type: "NoData" },
};

type State<N extends ContainerProxyState["name"]> = Extract<ContainerProxyState, { name: N }>;

/**
 * The transition for `env`.
 *
 * @example
 * ```ts
 * // Uninitialized + Start(nodejs:20, 256) → Starting, effect createContainer (prewarm).
 * ```
 */
export function proxyTransition(env: ContainerProxyEnv) {
  return (state: ContainerProxyState, msg: ContainerProxyMsg, now: number): ProxyStep => {
    switch (state.name) {
      case "Uninitialized":
        return uninitialized(state, msg, env, now);
      case "Starting":
        return starting(state, msg, env);
      case "Started":
        return started(state, msg, env, now);
      case "Running":
        return running(state, msg, env, now);
      case "Ready":
        return ready(state, msg, env, now);
      case "Pausing":
        return pausing(state, msg, env);
      case "Paused":
        return paused(state, msg, env, now);
      case "Removing":
        return removing(state, msg, env);
      default:
        return assertNever(state);
    }
  };
}

/** State timeouts: Ready (pause-grace), Paused and Removing (idle-container). */
export function proxyStateTimeout(env: ContainerProxyEnv) {
  return (state: ContainerProxyState): number | undefined => {
    switch (state.name) {
      case "Ready":
        return env.pauseGraceMs;
      case "Paused":
      case "Removing":
        return env.idleContainerMs;
      default:
        return undefined;
    }
  };
}

function coldStart(
  state: State<"Uninitialized">,
  run: Run,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { action, msg } = run;
  if (action.exec.kind === "sequence") {
    const response = errorResponse(3, "A sequence cannot run in a container.");
    return {
      next: state,
      effects: [
        { type: "abortRuns", runs: [run], response },
        removedEvent(env, false),
        { type: "stop" },
      ],
    };
  }
  return {
    next: {
      name: "Running",
      data: {
        type: "WarmingColdData",
        invocationNamespace: msg.user.namespace.name,
        action,
        revision: msg.revision,
        lastUsed: now,
      },
      resuming: false,
      running: [run],
      buffer: [],
    },
    effects: [{
      type: "createContainer",
      kind: action.exec.kind,
      memoryMb: action.limits.memory,
      prewarm: false,
      concurrency: action.limits.concurrency,
    }],
  };
}

function uninitialized(
  state: State<"Uninitialized">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  switch (msg.type) {
    case "Start":
      return {
        next: {
          name: "Starting",
          data: { type: "MemoryData", memoryMb: msg.memoryMb },
          kind: msg.kind,
        },
        effects: [{
          type: "createContainer",
          kind: msg.kind,
          memoryMb: msg.memoryMb,
          prewarm: true,
          concurrency: 1,
        }],
      };
    case "Run":
      return coldStart(state, msg, env, now);
    case "Remove":
      return { next: state, effects: [removedEvent(env, false), { type: "stop" }] };
    case "HealthPingEnabled":
      return stay(state);
    default:
      return unhandled(state);
  }
}

function starting(
  state: State<"Starting">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
): ProxyStep {
  switch (msg.type) {
    case "PreWarmCompleted": {
      const data = {
        type: "PreWarmedData",
        container: msg.container,
        kind: state.kind,
        memoryMb: state.data.memoryMb,
      } as const;
      const effects: Effect[] = [send(env.parent, { type: "NeedWork", proxy: env.self, data })];
      if (env.healthPing) effects.push(healthTimer(env));
      effects.push({ type: "unstashAll" });
      return { next: { name: "Started", data, healthPing: env.healthPing }, effects };
    }
    case "ContainerStartFailed":
      return { next: state, effects: [removedEvent(env, true), { type: "stop" }] };
    case "Run":
    case "Remove":
    case "HealthPingEnabled":
      return delay(state);
    default:
      return unhandled(state);
  }
}

function healthTimer(env: ContainerProxyEnv): Effect {
  return {
    type: "startTimer",
    key: HEALTH_TIMER,
    msg: { type: "HealthPingTick" },
    ms: env.healthCheckIntervalMs,
    repeat: true,
  };
}

function started(
  state: State<"Started">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "Run":
      return {
        next: {
          name: "Running",
          data: {
            type: "WarmingData",
            container: data.container,
            invocationNamespace: msg.msg.user.namespace.name,
            action: msg.action,
            revision: msg.msg.revision,
            lastUsed: now,
          },
          resuming: false,
          running: [msg],
          buffer: [],
        },
        effects: [
          { type: "cancelTimer", key: HEALTH_TIMER },
          { type: "runJob", run: msg, container: data.container, initialize: true },
        ],
      };
    case "Remove":
      return remove(data, { notices: [removedEvent(env, false)] });
    case "HealthPingEnabled":
      return stay({ ...state, healthPing: msg.enabled }, [
        msg.enabled ? healthTimer(env) : { type: "cancelTimer", key: HEALTH_TIMER },
      ]);
    case "HealthPingTick":
      return state.healthPing
        ? stay(state, [{ type: "checkHealth", container: data.container }])
        : stay(state);
    case "HealthCheckFailed":
      return remove(data, { notices: [removedEvent(env, true)] });
    default:
      return unhandled(state);
  }
}
