/**
 * Types and shared pieces of the classic ContainerProxy's pure transition: the private
 * messages, the state union (each state with exactly its own data), the shell effects,
 * the environment, and the removal every destroy path runs.
 *
 * Mirrors the internal messages, `destroyContainer`, `abortBuffered` and
 * `processBuffer` of `core/invoker/.../containerpool/ContainerProxy.scala`; differences:
 * the in-flight runs are a list (not only a counter) so that a crash can hand them to
 * the pool, the parent is told once at removal start and the actor stops only after the
 * container is destroyed and every in-flight run has ended.
 *
 * @module
 */

import type {
  ContainerData,
  ContainerProxyCommand,
  ContainerProxyEvent,
  MemoryData,
  NoData,
  PreWarmedData,
  Run,
  WarmedData,
  WarmingColdData,
  WarmingData,
} from "../../protocols/container_proxy.ts";
import type { Container } from "../../protocols/container_runtime.ts";
import { type ActivationResponse, errorResponse } from "../../protocols/whisk_activation.ts";
import type { FsmEffect, Ref, StateTimeout, Step } from "../../runtime/actors/mod.ts";
import { send } from "../../runtime/actors/mod.ts";
import { ABNORMAL_RUN_MESSAGE } from "./_activation_run.ts";

/** How a run job ended, as the proxy must react to it. */
export type RunOutcome =
  /** Success or application error: the container stays. */
  | { readonly type: "ok" }
  /** `/init` failed: the job recorded its activation; buffered runs get `response`. */
  | { readonly type: "initFailed"; readonly response: ActivationResponse }
  /** A developer or whisk error in `/run` (recorded by the job): the container goes. */
  | { readonly type: "failed" }
  /** The runtime refused (503, upstream `ContainerHealthError`): hand the run back. */
  | { readonly type: "reschedule" };

/** Private messages: outcomes of the shell's I/O and timer ticks. */
export type ContainerProxyInternal =
  | { readonly type: "PreWarmCompleted"; readonly container: Container }
  | {
    readonly type: "ContainerStartFailed";
    /** 2 for a blackbox image that would not start, else 3. */
    readonly statusCode: 2 | 3;
    readonly message: string;
  }
  | { readonly type: "InitCompleted"; readonly activationId: string }
  | { readonly type: "RunCompleted"; readonly run: Run; readonly outcome: RunOutcome }
  | { readonly type: "SuspendCompleted" }
  | { readonly type: "SuspendFailed"; readonly error: string }
  | { readonly type: "ResumeCompleted" }
  | { readonly type: "ResumeFailed"; readonly error: string }
  | { readonly type: "DestroyCompleted" }
  | { readonly type: "HealthPingTick" }
  | { readonly type: "HealthCheckFailed"; readonly error: string }
  | StateTimeout;

/** The actor's inbox: public commands and private messages. */
export type ContainerProxyMsg = ContainerProxyCommand | ContainerProxyInternal;

/** The in-flight bookkeeping of Running (upstream `activeCount` and `runBuffer`). */
export interface Jobs {
  /** Runs handed to a job (or waiting for the container that will run them). */
  readonly running: readonly Run[];
  /** Runs beyond the action's concurrency, or arriving before init completed. */
  readonly buffer: readonly Run[];
}

/** The proxy's states, each with its own data. */
export type ContainerProxyState =
  | { readonly name: "Uninitialized"; readonly data: NoData }
  | { readonly name: "Starting"; readonly data: MemoryData; readonly kind: string }
  | { readonly name: "Started"; readonly data: PreWarmedData; readonly healthPing: boolean }
  | (
    & {
      readonly name: "Running";
      readonly data: WarmingColdData | WarmingData | WarmedData;
      /** Set while a paused container resumes for `data.resumeRun`. */
      readonly resuming: boolean;
    }
    & Jobs
  )
  | { readonly name: "Ready"; readonly data: WarmedData }
  | { readonly name: "Pausing"; readonly data: WarmedData }
  | { readonly name: "Paused"; readonly data: WarmedData }
  | {
    readonly name: "Removing";
    readonly data: ContainerData;
    /** Runs still in flight: the container is destroyed once they ended. */
    readonly running: readonly Run[];
    readonly destroying: boolean;
  };

/** The Running state. */
export type RunningState = Extract<ContainerProxyState, { name: "Running" }>;

/** Effects the shell performs with its deps. */
export type ContainerProxyEffect =
  | {
    readonly type: "createContainer";
    readonly kind: string;
    readonly memoryMb: number;
    readonly prewarm: boolean;
    /** The action's concurrency limit (1 for a prewarm). */
    readonly concurrency: number;
  }
  /** `/init` (when `initialize`) and `/run`, the ack, the logs and the record. */
  | {
    readonly type: "runJob";
    readonly run: Run;
    readonly container: Container;
    readonly initialize: boolean;
  }
  /** Ack and record each run with `response` (nothing was run). */
  | {
    readonly type: "abortRuns";
    readonly runs: readonly Run[];
    readonly response: ActivationResponse;
  }
  | { readonly type: "suspendContainer"; readonly container: Container }
  | { readonly type: "resumeContainer"; readonly container: Container }
  | {
    readonly type: "destroyContainer";
    readonly container: Container;
    readonly resumeFirst: boolean;
  }
  | { readonly type: "checkHealth"; readonly container: Container };

/** Any effect of a step. */
export type Effect = FsmEffect<ContainerProxyMsg> | ContainerProxyEffect;

/** What a transition returns. */
export type ProxyStep = Step<ContainerProxyState, ContainerProxyMsg, ContainerProxyEffect>;

/** What the pure transition needs besides its state. */
export interface ContainerProxyEnv {
  readonly self: Ref<ContainerProxyCommand>;
  readonly parent: Ref<ContainerProxyEvent>;
  /** Ready → Pausing after this long without work (upstream `pause-grace`, 10 s). */
  readonly pauseGraceMs: number;
  /** Paused → removed after this long (upstream `idle-container`, 10 min). */
  readonly idleContainerMs: number;
  /** Period of the prewarm liveness check. */
  readonly healthCheckIntervalMs: number;
  /** Whether the liveness check runs from the start (else on `HealthPingEnabled`). */
  readonly healthPing: boolean;
}

/** The health-ping timer key. */
export const HEALTH_TIMER = "health-ping";

/** Stays with no effects (or the given ones). */
export function stay(state: ContainerProxyState, effects: readonly Effect[] = []): ProxyStep {
  return { next: state, effects };
}

/** Logs the message as unexpected in this state. */
export function unhandled(state: ContainerProxyState): ProxyStep {
  return stay(state, [{ type: "unhandled" }]);
}

/** Keeps the message until the state changes (upstream `delay`). */
export function delay(state: ContainerProxyState): ProxyStep {
  return stay(state, [{ type: "stash" }]);
}

/** Whether two runs are the same activation. */
export function sameRun(a: Run, b: Run): boolean {
  return a.msg.activationId === b.msg.activationId;
}

/** The action's concurrency limit (upstream `maxConcurrent`). */
export function maxConcurrent(data: { readonly action: Run["action"] }): number {
  return Math.max(1, data.action.limits.concurrency);
}

/** The container of `data`, when there is one. */
export function containerOf(data: ContainerData): Container | undefined {
  return "container" in data ? data.container : undefined;
}

/** `ContainerRemoved` for the parent. */
export function removedEvent(env: ContainerProxyEnv, replacePrewarm: boolean): Effect {
  return send(env.parent, { type: "ContainerRemoved", proxy: env.self, replacePrewarm });
}

/** `RescheduleJob` for the parent. */
export function rescheduleEvent(env: ContainerProxyEnv, jobs: readonly Run[]): Effect {
  return send(env.parent, { type: "RescheduleJob", proxy: env.self, jobs });
}

/** Options of {@link remove}. */
export interface RemoveOptions {
  /** What the parent is told first. */
  readonly notices: readonly Effect[];
  /** Runs still in flight; the destroy waits for them. */
  readonly running?: readonly Run[];
  /** Thaw the container before destroying it (it is, or may be, paused). */
  readonly resumeFirst?: boolean;
  readonly extra?: readonly Effect[];
}

/**
 * Upstream `destroyContainer`: tell the parent, then destroy the container (once no run
 * is in flight) and go to Removing; with no container and nothing in flight, stop.
 */
export function remove(data: ContainerData, o: RemoveOptions): ProxyStep {
  const running = o.running ?? [];
  const effects: Effect[] = [
    { type: "cancelTimer", key: HEALTH_TIMER },
    ...o.notices,
    ...(o.extra ?? []),
    { type: "unstashAll" },
  ];
  const container = containerOf(data);
  if (running.length > 0 || container === undefined) {
    const next: ContainerProxyState = { name: "Removing", data, running, destroying: false };
    return { next, effects: running.length > 0 ? effects : [...effects, { type: "stop" }] };
  }
  effects.push({ type: "destroyContainer", container, resumeFirst: o.resumeFirst ?? false });
  return { next: { name: "Removing", data, running, destroying: true }, effects };
}

/** Upstream `Messages.abnormalRun` as a whisk error: for buffered runs that never ran. */
export function abnormalRun(): ActivationResponse {
  return errorResponse(3, ABNORMAL_RUN_MESSAGE);
}
