/**
 * The FunctionPullingContainerProxy's startup phase: Uninitialized, CreatingContainer,
 * ContainerCreated (a ready prewarm) and CreatingClient, up to `Initialized`.
 *
 * Mirrors the `when(Uninitialized)` ... `when(CreatingClient)` blocks of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * the client's ref comes back as a message (`ClientProxySpawned`) so the transition
 * stays pure; the health ping of a prewarm (upstream: a TCP connect, off by default)
 * checks that the container is alive, only while it waits in ContainerCreated.
 *
 * @module
 */

import { send } from "../../runtime/actors/mod.ts";
import type { Initialize } from "../../protocols/function_pulling_container_proxy.ts";
import { assertNever } from "../../protocols/_assert_never.ts";
import {
  cleanUp,
  clientOutlives,
  existingKeyOf,
  freshPulling,
  health,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  type ProxyStep,
  stay,
  TIMER,
} from "./function_pulling_container_proxy_fsm_common.ts";

type S<N extends ProxyState["name"]> = Extract<ProxyState, { name: N }>;

function kindOf(init: Initialize): string {
  return init.action.exec.kind;
}

/** Uninitialized: `Start` makes a prewarm, `Initialize` a cold start; the rest waits. */
export function uninitialized(state: S<"Uninitialized">, msg: ProxyMsg): ProxyStep {
  switch (msg.type) {
    case "Start":
      return {
        next: { name: "CreatingContainer", data: state.data, start: msg },
        effects: [{
          type: "createContainer",
          kind: msg.kind,
          memoryMb: msg.memoryMb,
          prewarm: true,
        }],
      };
    case "Initialize":
      return {
        next: { name: "CreatingClient", data: state.data, init: msg },
        effects: [{
          type: "createContainer",
          kind: kindOf(msg),
          memoryMb: msg.action.limits.memory,
          prewarm: false,
        }],
      };
    default:
      return stay(state, { type: "stash" });
  }
}

/** CreatingContainer (prewarm): ready → `ReadyToWork`; failure → `ContainerRemoved(true)`, stop. */
export function creatingContainer(
  state: S<"CreatingContainer">,
  msg: ProxyMsg,
  env: ProxyEnv,
  now: number,
): ProxyStep {
  switch (msg.type) {
    case "ContainerReady": {
      const { start } = state;
      const data = {
        type: "PreWarmData",
        container: msg.container,
        kind: start.kind,
        memoryMb: start.memoryMb,
        ...(start.ttlMs === undefined ? {} : { expiresAt: now + start.ttlMs }),
      } as const;
      const ping = env.healthCheckIntervalMs;
      return {
        next: { name: "ContainerCreated", data },
        effects: [
          send(env.parent, { type: "ReadyToWork", proxy: env.self, data }),
          ...(ping === undefined ? [] : [
            {
              type: "startTimer",
              key: TIMER.healthPing,
              msg: { type: "HealthPing" },
              ms: ping,
              repeat: true,
            } as const,
          ]),
          { type: "unstashAll" },
        ],
      };
    }
    case "ContainerStartFailed":
      return cleanUp(state.data, env, { replacePrewarm: true, withClient: false });
    default:
      return stay(state, { type: "stash" });
  }
}

/**
 * ContainerCreated (a ready prewarm): `Initialize` binds it; `Remove` destroys it; the
 * health ping checks it until then, and a dead one is removed and replaced.
 */
export function containerCreated(
  state: S<"ContainerCreated">,
  msg: ProxyMsg,
  env: ProxyEnv,
): ProxyStep {
  const stopPing = { type: "cancelTimer", key: TIMER.healthPing } as const;
  const removed = (replacePrewarm: boolean): ProxyStep => {
    const step = cleanUp(state.data, env, { replacePrewarm, withClient: false });
    return { next: step.next, effects: [stopPing, ...step.effects] };
  };
  switch (msg.type) {
    case "Initialize":
      return {
        next: { name: "CreatingClient", data: state.data, init: msg },
        effects: [stopPing, {
          type: "spawnClient",
          init: msg,
          containerId: state.data.container.id,
        }],
      };
    case "Remove":
    case "GracefulShutdown":
      return removed(false);
    case "HealthPing":
      return stay(state, { type: "pingContainer", container: state.data.container });
    case "ContainerHealthFailed":
      return removed(true);
    default:
      return stay(state, { type: "unhandled" });
  }
}

/**
 * CreatingClient: the cold container starts (Nonexistent), the client is spawned
 * (PreWarm), then started (Initialized) until `ClientCreationCompleted`, which puts the
 * existing-container key, tells the parent `Initialized` and starts pulling.
 */
export function creatingClient(
  state: S<"CreatingClient">,
  msg: ProxyMsg,
  env: ProxyEnv,
): ProxyStep {
  const { data, init } = state;
  switch (msg.type) {
    case "ContainerReady": {
      if (data.type !== "NonexistentData") return stay(state, { type: "unhandled" });
      const prewarm = {
        type: "PreWarmData",
        container: msg.container,
        kind: kindOf(init),
        memoryMb: init.action.limits.memory,
      } as const;
      return {
        next: { ...state, data: prewarm },
        effects: [{ type: "spawnClient", init, containerId: msg.container.id }],
      };
    }
    case "ContainerStartFailed":
      return {
        next: { name: "Removing", data },
        effects: [
          send(env.parent, {
            type: "ContainerCreationFailed",
            proxy: env.self,
            reason: msg.reason,
            message: msg.message,
            ...(init.creationId === undefined ? {} : { creationId: init.creationId }),
          }),
          ...cleanUp(data, env, { replacePrewarm: true, withClient: false }).effects,
        ],
      };
    case "ClientProxySpawned": {
      if (data.type !== "PreWarmData") return stay(state, { type: "unhandled" });
      const initialized = {
        type: "InitializedData",
        container: data.container,
        invocationNamespace: init.invocationNamespace,
        action: init.action,
        revision: init.revision,
        clientProxy: msg.clientProxy,
      } as const;
      return {
        next: { ...state, data: initialized },
        effects: [send(msg.clientProxy, { type: "StartClient" })],
      };
    }
    case "ClientCreationCompleted":
      if (data.type !== "InitializedData") return stay(state, { type: "unhandled" });
      return {
        next: { name: "ClientCreated", data, init, pulling: freshPulling },
        effects: [
          { type: "registerData", key: existingKeyOf(data, env) },
          send(env.parent, {
            type: "Initialized",
            proxy: env.self,
            data,
            ...(init.creationId === undefined ? {} : { creationId: init.creationId }),
          }),
          send(data.clientProxy, { type: "RequestActivation" }),
          {
            type: "startTimer",
            key: TIMER.pingCache,
            msg: { type: "PingCache" },
            ms: env.pingCacheMs,
            repeat: true,
          },
          {
            type: "startTimer",
            key: TIMER.unused,
            msg: { type: "UnusedTimeout" },
            ms: env.pauseGraceMs,
          },
          { type: "unstashAll" },
        ],
      };
    case "FailureMessage":
    case "ClientClosed": {
      const open = msg.type === "FailureMessage" && clientOutlives(msg);
      const step = cleanUp(data, env, { replacePrewarm: true, withClient: open });
      return { next: step.next, effects: [health(env, false), ...step.effects] };
    }
    default:
      return stay(state, { type: "stash" });
  }
}

/** The startup states' dispatcher. */
export function startup(
  state: S<"Uninitialized" | "CreatingContainer" | "ContainerCreated" | "CreatingClient">,
  msg: ProxyMsg,
  env: ProxyEnv,
  now: number,
): ProxyStep {
  switch (state.name) {
    case "Uninitialized":
      return uninitialized(state, msg);
    case "CreatingContainer":
      return creatingContainer(state, msg, env, now);
    case "ContainerCreated":
      return containerCreated(state, msg, env);
    case "CreatingClient":
      return creatingClient(state, msg, env);
    default:
      return assertNever(state);
  }
}
