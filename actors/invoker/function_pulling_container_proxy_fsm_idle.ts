/**
 * The FunctionPullingContainerProxy's idle phase: Pausing, Paused (warm reuse, or the
 * keep-or-remove decision after the idle timeout) and Removing.
 *
 * Mirrors the `when(Pausing)`, `when(Paused)` and `when(Removing)` blocks of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * the keep decision's lookups come back as one message (`KeepDecision`), and a resume
 * is awaited in Running (see the running phase) instead of racing the key writes.
 *
 * @module
 */

import { send } from "../../runtime/actors/mod.ts";
import {
  cleanUp,
  clientOutlives,
  DETERMINE_KEEP_MAX_ATTEMPTS,
  DETERMINE_KEEP_RETRY_MS,
  endAbnormally,
  existingKeyOf,
  freshPulling,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  type ProxyStep,
  stay,
  TIMER,
  warmedKeyOf,
} from "./function_pulling_container_proxy_fsm_common.ts";

type S<N extends ProxyState["name"]> = Extract<ProxyState, { name: N }>;

/** Pausing: paused → put the warmed key, delete the existing key, `ContainerIsPaused`. */
export function pausing(state: S<"Pausing">, msg: ProxyMsg, env: ProxyEnv): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "ContainerPaused":
      return {
        next: { name: "Paused", data },
        effects: [
          { type: "registerData", key: warmedKeyOf(data, env) },
          { type: "unregisterData", key: existingKeyOf(data, env) },
          send(env.parent, {
            type: "ContainerIsPaused",
            proxy: env.self,
            data,
            ...(state.usage === undefined ? {} : { usage: state.usage }),
          }),
          { type: "unstashAll" },
        ],
      };
    case "PauseFailed":
    case "ClientClosed":
      return cleanUp(data, env, { replacePrewarm: true, withClient: msg.type !== "ClientClosed" });
    case "PingCache":
      return stay(state);
    case "ActivationMessage": // a late poll answer: the container is going to sleep
      return stay(state, endAbnormally(msg, data.action));
    case "RunActivation": // nothing is pending here; a document arriving now is a stray
      return stay(state, endAbnormally(msg.msg, data.action));
    default:
      return stay(state, { type: "stash" });
  }
}

function removePaused(state: S<"Paused">, env: ProxyEnv, withClient = true): ProxyStep {
  const step = cleanUp(state.data, env, { replacePrewarm: false, withClient, paused: true });
  return {
    next: step.next,
    effects: [
      { type: "cancelTimer", key: TIMER.keeping },
      { type: "cancelTimer", key: TIMER.determine },
      { type: "unregisterData", key: warmedKeyOf(state.data, env) },
      ...step.effects,
    ],
  };
}

/** Paused: `Initialize` resumes (warm reuse); the idle timeout decides keep or remove. */
export function paused(state: S<"Paused">, msg: ProxyMsg, env: ProxyEnv): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "Initialize":
      return {
        next: { name: "Running", data, pulling: freshPulling, resuming: msg },
        effects: [
          { type: "cancelTimer", key: TIMER.keeping },
          { type: "cancelTimer", key: TIMER.determine },
          { type: "unregisterData", key: warmedKeyOf(data, env) },
          { type: "resumeContainer", container: data.container },
        ],
      };
    case "StateTimeout":
      return paused(state, { type: "DetermineKeepContainer", attempt: 0 }, env);
    case "DetermineKeepContainer":
      return stay(state, { type: "determineKeep", data, attempt: msg.attempt });
    case "KeepDecision":
      if (msg.live > msg.keepCount) return removePaused(state, env);
      return stay(state, {
        type: "startTimer",
        key: TIMER.keeping,
        msg: { type: "Remove" },
        ms: msg.keepTimeoutMs,
      });
    case "KeepLookupFailed":
      if (msg.attempt + 1 >= DETERMINE_KEEP_MAX_ATTEMPTS) return removePaused(state, env);
      return stay(state, {
        type: "startTimer",
        key: TIMER.determine,
        msg: { type: "DetermineKeepContainer", attempt: msg.attempt + 1 },
        ms: DETERMINE_KEEP_RETRY_MS,
      });
    case "Remove":
    case "GracefulShutdown":
      return removePaused(state, env);
    case "ClientClosed":
      return removePaused(state, env, false);
    case "FailureMessage":
      return removePaused(state, env, clientOutlives(msg));
    case "PingCache":
      return stay(state, { type: "refreshAction", data });
    case "ActivationMessage":
      return stay(state, endAbnormally(msg, data.action));
    case "RunActivation":
      return stay(state, endAbnormally(msg.msg, data.action));
    default:
      return stay(state, { type: "unhandled" });
  }
}

/**
 * Removing: wait for the client to close (or the state timeout), then stop. An
 * activation the client still fetched is ended with a record; late action documents
 * and run results are not: the activations they belong to were handed to the pool in
 * `ContainerRemoved` (`held`) or are recorded by their run job.
 */
export function removing(state: S<"Removing">, msg: ProxyMsg): ProxyStep {
  switch (msg.type) {
    case "ClientClosed":
    case "StateTimeout":
      return stay(state, { type: "stop" });
    case "ActivationMessage": {
      const { data } = state;
      return "action" in data
        ? stay(state, endAbnormally(msg, data.action))
        : stay(state, { type: "unhandled" }); // no client was ever bound: cannot happen
    }
    default:
      // Failures, Remove, GracefulShutdown, DetermineKeepContainer, late run results,
      // late action documents (the pool owns those activations now): stay.
      return stay(state);
  }
}
