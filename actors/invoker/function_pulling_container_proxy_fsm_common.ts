/**
 * Types and shared pieces of the FunctionPullingContainerProxy's pure transition: the
 * private messages, the state union (each state with exactly its own data), the shell
 * effects, the environment, and the cleanup every removal path runs.
 *
 * Mirrors the internal messages and `cleanUp` of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * etcd writes are effects the shell refuses once cleanup has begun (§9 item 19: no key
 * can be re-put by a resume that races a removal), and the activations still waiting for
 * their action document are handed to the pool in `ContainerRemoved`, and a failure
 * after which the client proxy has stopped itself is cleaned up without it
 * ({@link clientOutlives}; upstream tells the gone client `StopClientProxy`).
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
  ClientFailureReason,
} from "../../protocols/activation_client_proxy.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import { existingContainerKey, warmedContainerKey } from "../../protocols/etcd_keys.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  HealthMessage,
  Initialize,
  InitializedData,
  NonexistentData,
  PreWarmData,
  ProxyData,
  ProxyRef,
  ReschedulingData,
  Start,
  WarmData,
} from "../../protocols/function_pulling_container_proxy.ts";
import type { ContainerUsage } from "../../protocols/function_pulling_container_proxy.ts";
import type { ContainerStartupFailure } from "../../protocols/function_pulling_container_proxy.ts";
import { actionFqn, type WhiskAction } from "../../protocols/whisk_action.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import type { FsmEffect, Ref, StateTimeout, Step } from "../../runtime/actors/mod.ts";
import { send } from "../../runtime/actors/mod.ts";
import type { Container } from "../../runtime/containers/container_factory.ts";
import { ABNORMAL_RUN_MESSAGE } from "./_activation_run.ts";

/** How a run ended, as the proxy must react to it. */
export type RunOutcome =
  /** Success or application error: keep the container. */
  | "ok"
  /** Developer or whisk error during init or run: remove the container. */
  | "ActivationUnsuccessful"
  /** The runtime refused (503): hand the activation back to the queue. */
  | "ContainerHealthErrorWithResumedRun";

/** Private messages: timer ticks and outcomes of the shell's I/O. */
export type ProxyInternal =
  | { readonly type: "ContainerReady"; readonly container: Container }
  | {
    readonly type: "ContainerStartFailed";
    readonly reason: ContainerStartupFailure;
    readonly message: string;
  }
  | { readonly type: "ClientProxySpawned"; readonly clientProxy: Ref<ActivationClientProxyCommand> }
  | {
    readonly type: "RunActivation";
    readonly msg: ActivationMessage;
    readonly action: WhiskAction;
  }
  | { readonly type: "ActionFetchFailed"; readonly msg: ActivationMessage; readonly error: string }
  | { readonly type: "InitCodeCompleted"; readonly activationId: string }
  | {
    readonly type: "RunActivationCompleted";
    readonly msg: ActivationMessage;
    readonly durationMs: number;
    readonly outcome: RunOutcome;
    readonly whiskError: boolean;
    /** This run initialized the action (its time includes the init). */
    readonly initialized?: boolean;
  }
  | { readonly type: "UnusedTimeout" }
  | { readonly type: "ContainerPaused" }
  | { readonly type: "PauseFailed"; readonly error: string }
  | { readonly type: "ContainerResumed" }
  | { readonly type: "ContainerResumeFailed"; readonly error: string }
  | { readonly type: "DetermineKeepContainer"; readonly attempt: number }
  | {
    readonly type: "KeepDecision";
    readonly live: number;
    readonly keepCount: number;
    readonly keepTimeoutMs: number;
  }
  | { readonly type: "KeepLookupFailed"; readonly attempt: number; readonly error: string }
  | { readonly type: "PingCache" }
  /** Periodic liveness check of a waiting prewarm (upstream's TCP health ping). */
  | { readonly type: "HealthPing" }
  | { readonly type: "ContainerHealthFailed"; readonly error: string }
  | StateTimeout;

/** The actor's inbox: public commands, the client's events, private messages. */
export type ProxyMsg =
  | FunctionPullingContainerProxyCommand
  | ActivationClientProxyEvent
  | ProxyInternal;

/** Bookkeeping of the pulling states. */
export interface Pulling {
  /** The unused timer fired since the last activation (upstream `timedOut`). */
  readonly timedOut: boolean;
  /** Activations handed to a run job (the job acks them). */
  readonly running: readonly ActivationMessage[];
  /** Activations waiting for their action document (the pool's if we are removed). */
  readonly pending: readonly ActivationMessage[];
  /** GracefulShutdown seen: the existing key is gone and must not come back. */
  readonly shuttingDown: boolean;
  /** Runs since the start or resume, reported to the pool on pause. */
  readonly usage?: ContainerUsage;
}

/** The proxy's states, each with its own data. */
export type ProxyState =
  | { readonly name: "Uninitialized"; readonly data: NonexistentData }
  | { readonly name: "CreatingContainer"; readonly data: NonexistentData; readonly start: Start }
  | { readonly name: "ContainerCreated"; readonly data: PreWarmData }
  | {
    readonly name: "CreatingClient";
    /** Nonexistent while a cold container starts; PreWarm until the client exists. */
    readonly data: NonexistentData | PreWarmData | InitializedData;
    readonly init: Initialize;
  }
  | {
    readonly name: "ClientCreated";
    readonly data: InitializedData;
    readonly init: Initialize;
    readonly pulling: Pulling;
  }
  | {
    readonly name: "Running";
    readonly data: WarmData;
    readonly pulling: Pulling;
    /** Set while a paused container resumes for this `Initialize`. */
    readonly resuming?: Initialize;
  }
  | {
    readonly name: "Rescheduling";
    readonly data: ReschedulingData;
    /** Activations still waiting for their action document (the pool's if we are removed). */
    readonly pending: readonly ActivationMessage[];
  }
  | { readonly name: "Pausing"; readonly data: WarmData; readonly usage?: ContainerUsage }
  | { readonly name: "Paused"; readonly data: WarmData }
  | { readonly name: "Removing"; readonly data: ProxyData };

/** Effects the shell performs with its deps. */
export type ProxyEffect =
  | {
    readonly type: "createContainer";
    readonly kind: string;
    readonly memoryMb: number;
    readonly prewarm: boolean;
  }
  | { readonly type: "spawnClient"; readonly init: Initialize; readonly containerId: string }
  | { readonly type: "registerData"; readonly key: string }
  | { readonly type: "unregisterData"; readonly key: string }
  /** From here on the shell refuses `registerData` (cleanup began). */
  | { readonly type: "retireKeys" }
  | {
    readonly type: "fetchAction";
    readonly msg: ActivationMessage;
    readonly action: WhiskActionMetaData | WhiskAction;
    readonly revision: DocRevision;
  }
  | {
    readonly type: "runActivation";
    readonly msg: ActivationMessage;
    readonly action: WhiskAction;
    readonly container: Container;
    readonly initialize: boolean;
  }
  | { readonly type: "pauseContainer"; readonly container: Container }
  /** Tell self `ContainerHealthFailed` when the container is no longer alive. */
  | { readonly type: "pingContainer"; readonly container: Container }
  | { readonly type: "resumeContainer"; readonly container: Container }
  | {
    readonly type: "destroyContainer";
    readonly container: Container;
    readonly resumeFirst: boolean;
  }
  | {
    readonly type: "determineKeep";
    readonly data: WarmData;
    readonly attempt: number;
  }
  | { readonly type: "refreshAction"; readonly data: WarmData }
  /** Acknowledge and store a whisk-error record for an activation that was not run. */
  | {
    readonly type: "failActivation";
    readonly msg: ActivationMessage;
    readonly action: WhiskActionMetaData | WhiskAction;
    readonly message: string;
    readonly statusCode: 1 | 3;
  };

/** What the transition knows besides state and message. */
export interface ProxyEnv {
  readonly self: ProxyRef;
  readonly parent: Ref<FunctionPullingContainerProxyEvent>;
  readonly healthManager: Ref<HealthMessage>;
  readonly invokerId: number;
  /** Idle time before pausing (upstream pause-grace, 10 s). */
  readonly pauseGraceMs: number;
  /** Paused time before the keep-or-remove decision (idle-container, 10 min). */
  readonly idleContainerMs: number;
  /** Keep-alive ping of the action cache (1 min). */
  readonly pingCacheMs: number;
  /** Retry of `ClientClosed` while activations still run (10 s). */
  readonly clientClosedRetryMs: number;
  /** Health ping period of a waiting prewarm; no ping when absent. */
  readonly healthCheckIntervalMs?: number;
  /** Activations of blocked namespaces are refused with an ack. */
  readonly isNamespaceBlocked: (namespace: string) => boolean;
  /** The etcd key prefix (`whisk` unless the cluster is named otherwise). */
  readonly cluster?: string;
}

/** One transition result. */
export type ProxyStep = Step<ProxyState, ProxyMsg, ProxyEffect>;
/** One effect. */
export type Effect = FsmEffect<ProxyMsg> | ProxyEffect;

/** Timer keys. */
export const TIMER = {
  unused: "unused",
  pingCache: "ping-cache",
  keeping: "keeping",
  determine: "determine-keep",
  clientClosed: "client-closed-retry",
  healthPing: "health-ping",
} as const;

/** `DetermineKeepContainer` retries at most this many times, 500 ms apart. */
export const DETERMINE_KEEP_MAX_ATTEMPTS = 5;
/** Delay between `DetermineKeepContainer` attempts. */
export const DETERMINE_KEEP_RETRY_MS = 500;

/** Stay in `state` with `effects`. */
export function stay(state: ProxyState, ...effects: Effect[]): ProxyStep {
  return { next: state, effects };
}

/** A fresh pulling bookkeeping. */
export const freshPulling: Pulling = {
  timedOut: false,
  running: [],
  pending: [],
  shuttingDown: false,
};

/** `usage` after one more run of `durationMs` (the initializing run when `initialized`). */
export function tallyRun(
  usage: ContainerUsage | undefined,
  durationMs: number,
  initialized: boolean,
): ContainerUsage {
  const runs = (usage?.runs ?? 0) + 1;
  if (initialized) return { ...usage, runs, coldRunMs: durationMs };
  const warmBefore = (usage?.runs ?? 0) - (usage?.coldRunMs === undefined ? 0 : 1);
  const warmRunMs = ((usage?.warmRunMs ?? 0) * warmBefore + durationMs) / (warmBefore + 1);
  return { ...usage, runs, warmRunMs };
}

/** Data bound to an action. */
export type BoundData = InitializedData | WarmData | ReschedulingData;

function keyParts(data: BoundData, invokerId: number) {
  return {
    invocationNamespace: data.invocationNamespace,
    action: actionFqn(data.action),
    revision: data.revision,
    invoker: invokerId,
    containerId: data.container.id,
  };
}

/** Key 6 of this container. */
export function existingKeyOf(data: BoundData, env: ProxyEnv): string {
  return existingContainerKey(keyParts(data, env.invokerId), env.cluster);
}

/** Key 7 of this container. */
export function warmedKeyOf(data: BoundData, env: ProxyEnv): string {
  return warmedContainerKey(keyParts(data, env.invokerId), env.cluster);
}

/** Sends a health sample. */
export function health(env: ProxyEnv, ok: boolean): Effect {
  return send(env.healthManager, { type: "HealthMessage", ok });
}

/**
 * Whether the client proxy is still there after it reported `failure`, so the cleanup
 * may tell it `StopClientProxy`. A client that was closed under it or could not be
 * created has stopped itself (its `ClientClosed` follows the failure); addressing it
 * again was a dead letter. After an action mismatch or an unknown failure it is closing
 * safely and still alive.
 */
export function clientOutlives(failure: { readonly reason: ClientFailureReason }): boolean {
  return failure.reason !== "ClientClosed" && failure.reason !== "ClientCreationFailed";
}

/**
 * Ends an activation the proxy can no longer run (it arrived while the container is
 * pausing, paused, being handed back or removed) with upstream's abnormal-run whisk
 * error: stored, then acked, so that it never goes unrecorded.
 */
export function endAbnormally(
  msg: ActivationMessage,
  action: WhiskActionMetaData | WhiskAction,
): Effect {
  return { type: "failActivation", msg, action, message: ABNORMAL_RUN_MESSAGE, statusCode: 3 };
}

/** Options of {@link cleanUp}. */
export interface CleanUpOptions {
  readonly replacePrewarm: boolean;
  /** False when the client is already closed (then the proxy stops at once). */
  readonly withClient: boolean;
  /** Resume before destroying (a paused container). */
  readonly paused?: boolean;
  /** Activations the pool must end with records. */
  readonly held?: readonly ActivationMessage[];
}

/**
 * Upstream's cleanup, in order: cancel PingCache, delete the existing-container key,
 * `ContainerRemoved` to the parent, destroy the container, stop the client (or stop
 * at once when there is none), → Removing.
 */
export function cleanUp(data: ProxyData, env: ProxyEnv, o: CleanUpOptions): ProxyStep {
  const bound = data.type === "InitializedData" || data.type === "WarmData" ||
    data.type === "ReschedulingData";
  const effects: Effect[] = [
    { type: "cancelTimer", key: TIMER.pingCache },
    { type: "cancelTimer", key: TIMER.unused },
    { type: "retireKeys" },
  ];
  if (bound) effects.push({ type: "unregisterData", key: existingKeyOf(data, env) });
  effects.push(send(env.parent, {
    type: "ContainerRemoved",
    proxy: env.self,
    replacePrewarm: o.replacePrewarm,
    heldActivations: o.held ?? [],
  }));
  if (data.type !== "NonexistentData") {
    effects.push({ type: "destroyContainer", container: data.container, resumeFirst: !!o.paused });
  }
  if (bound && o.withClient) {
    effects.push(send(data.clientProxy, { type: "StopClientProxy" }));
  } else {
    effects.push({ type: "stop" });
  }
  return { next: { name: "Removing", data }, effects };
}

/** Turns initialized data into warm data. */
export function warmDataOf(data: InitializedData, now: number): WarmData {
  return {
    type: "WarmData",
    container: data.container,
    invocationNamespace: data.invocationNamespace,
    action: data.action,
    revision: data.revision,
    lastUsed: now,
    clientProxy: data.clientProxy,
  };
}
