/**
 * The pure transition of the FunctionPullingContainerProxy: dispatches to the state
 * functions of the startup, pulling and idle phases and says how long each state may
 * last. No I/O, no clock reads besides `now`, no dispatch.
 *
 * Mirrors `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * (the FSM); see the phase files for the differences.
 *
 * @module
 */

import { assertNever } from "../../protocols/_assert_never.ts";
import type {
  ProxyEnv,
  ProxyMsg,
  ProxyState,
  ProxyStep,
} from "./function_pulling_container_proxy_fsm_common.ts";
import { startup } from "./function_pulling_container_proxy_fsm_startup.ts";
import { pulling, rescheduling } from "./function_pulling_container_proxy_fsm_running.ts";
import { paused, pausing, removing } from "./function_pulling_container_proxy_fsm_idle.ts";

export * from "./function_pulling_container_proxy_fsm_common.ts";

/** The initial state. */
export const initialProxyState: ProxyState = {
  name: "Uninitialized",
  data: { type: "NonexistentData" },
};

/** Upstream's hard-coded Rescheduling state timeout. */
export const RESCHEDULING_TIMEOUT_MS = 10_000;

/**
 * The transition for `env`.
 *
 * @example
 * ```ts
 * // Uninitialized + Start(nodejs:20, 256) → CreatingContainer, effect createContainer.
 * ```
 */
export function proxyTransition(env: ProxyEnv) {
  return (state: ProxyState, msg: ProxyMsg, now: number): ProxyStep => {
    // Only a pulling proxy can pause early; elsewhere the pool's request is moot.
    if (
      msg.type === "PauseWhenIdle" && state.name !== "ClientCreated" && state.name !== "Running"
    ) {
      return { next: state, effects: [] };
    }
    switch (state.name) {
      case "Uninitialized":
      case "CreatingContainer":
      case "ContainerCreated":
      case "CreatingClient":
        return startup(state, msg, env, now);
      case "ClientCreated":
      case "Running":
        return pulling(state, msg, env, now);
      case "Rescheduling":
        return rescheduling(state, msg, env);
      case "Pausing":
        return pausing(state, msg, env);
      case "Paused":
        return paused(state, msg, env);
      case "Removing":
        return removing(state, msg);
      default:
        return assertNever(state);
    }
  };
}

/**
 * State timeouts: Paused (idle-container; none when it is not finite, for pools whose
 * keep-alive policy keeps paused containers while memory allows), Rescheduling (10 s),
 * Removing (pause-grace).
 */
export function proxyStateTimeout(env: ProxyEnv) {
  return (state: ProxyState): number | undefined => {
    switch (state.name) {
      case "Paused":
        return Number.isFinite(env.idleContainerMs) ? env.idleContainerMs : undefined;
      case "Rescheduling":
        return RESCHEDULING_TIMEOUT_MS;
      case "Removing":
        return env.pauseGraceMs;
      default:
        return undefined;
    }
  };
}
