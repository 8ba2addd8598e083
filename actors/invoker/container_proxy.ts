/**
 * The classic ContainerProxy actor shell: runs the pure transition of
 * `container_proxy_fsm.ts` and performs its effects through one deps object; every
 * container call is piped back as a message, on the same container factory as the
 * FunctionPullingContainerProxy.
 *
 * Mirrors `core/invoker/.../containerpool/ContainerProxy.scala` (constructor, `props`,
 * the futures it pipes to self); differences: see the FSM files.
 *
 * Supervision: stop. Before it stops, a crashed proxy tells its parent
 * `ContainerRemoved` with `crashedWith` (its container) and `heldJobs` (the runs in
 * flight and buffered), so the pool destroys the container, frees its memory and writes
 * a "whisk internal error" record for each (ARCHITECTURE, Supervision).
 *
 * @module
 */

import type { AcknowledgementMessage } from "../../protocols/activation.ts";
import {
  type ContainerProxyCommand,
  type ContainerProxyEvent,
  RESOURCE_PROVISION_ERROR,
} from "../../protocols/container_proxy.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../protocols/whisk_activation.ts";
import {
  type ActorContext,
  type Clock,
  type CrashInfo,
  type Parent,
  type Ref,
  spawnFsm,
  tell,
} from "../../runtime/actors/mod.ts";
import {
  type Container,
  ContainerStartError,
  type CreateContainerOptions,
} from "../../runtime/containers/container_factory.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/log.ts";
import { buildActivationRecord } from "./_activation_run.ts";
import { endActivation } from "./_end_activation.ts";
import {
  containerOf,
  type ContainerProxyEffect,
  type ContainerProxyEnv,
  type ContainerProxyMsg,
  type ContainerProxyState,
  initialProxyState,
  proxyStateTimeout,
  proxyTransition,
} from "./container_proxy_fsm.ts";
import { runContainerJob } from "./container_proxy_job.ts";

/** Everything the proxy needs from the outside. */
export interface ContainerProxyDeps {
  createContainer(options: CreateContainerOptions): Promise<Container>;
  /** Insert-if-absent by activation id. */
  storeActivation(record: WhiskActivation): Promise<unknown>;
  /** Publishes to `completed<controller>` (or hands the ack over in-process). */
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  readonly invoker: InvokerInstanceId;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Options of {@link spawnContainerProxy}; durations in ms. */
export interface ContainerProxyOptions {
  /** Actor name, unique in the pool. */
  readonly name: string;
  /** Default 10 s. */
  readonly pauseGraceMs?: number;
  /** Default 10 min. */
  readonly idleContainerMs?: number;
  /** Liveness check of idle prewarms: default off, every 3 s once enabled. */
  readonly healthCheck?: { readonly enabled?: boolean; readonly intervalMs?: number };
}

let containerSeq = 0;

function containerName(kind: string, prewarm: boolean): string {
  const safeKind = kind.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `c${++containerSeq}_${prewarm ? "prewarm_" : ""}${safeKind}`;
}

type Ctx = ActorContext<ContainerProxyMsg>;
type Create = Extract<ContainerProxyEffect, { type: "createContainer" }>;

/** The effects, performed. */
function performer(deps: ContainerProxyDeps) {
  const ignore = () => {};
  const create = (effect: Create, ctx: Ctx) => {
    const options: CreateContainerOptions = {
      name: containerName(effect.kind, effect.prewarm),
      kind: effect.kind,
      memoryMb: effect.memoryMb,
      ...(effect.concurrency > 1 ? { env: { __OW_ALLOW_CONCURRENT: "true" } } : {}),
    };
    ctx.pipeToSelf(
      deps.createContainer(options),
      (container) => ({ type: "PreWarmCompleted", container }),
      (error) => ({
        type: "ContainerStartFailed",
        statusCode: effect.kind === "blackbox" ? 2 : 3,
        message: error instanceof ContainerStartError || effect.kind === "blackbox"
          ? errorMessage(error)
          : RESOURCE_PROVISION_ERROR,
      }),
    );
  };
  const abort = (effect: Extract<ContainerProxyEffect, { type: "abortRuns" }>) => {
    const now = deps.clock.now();
    for (const { msg, action } of effect.runs) {
      const record = buildActivationRecord({
        msg,
        action,
        response: effect.response,
        start: now,
        end: now,
      });
      void endActivation(deps, msg, record);
    }
  };
  return (effect: ContainerProxyEffect, ctx: Ctx): void => {
    switch (effect.type) {
      case "createContainer":
        return create(effect, ctx);
      case "runJob": {
        const self = ctx.self;
        const { run } = effect;
        const job = runContainerJob({
          run,
          container: effect.container,
          initialize: effect.initialize,
          onInitialized: () =>
            tell(self, self, { type: "InitCompleted", activationId: run.msg.activationId }),
        }, deps);
        return ctx.pipeToSelf(
          job,
          (outcome) => ({ type: "RunCompleted", run, outcome }),
          () => ({ type: "RunCompleted", run, outcome: { type: "failed" } }),
        );
      }
      case "abortRuns":
        return abort(effect);
      case "suspendContainer":
        return ctx.pipeToSelf(
          effect.container.pause(),
          () => ({ type: "SuspendCompleted" }),
          (error) => ({ type: "SuspendFailed", error: errorMessage(error) }),
        );
      case "resumeContainer":
        return ctx.pipeToSelf(
          effect.container.resume(),
          () => ({ type: "ResumeCompleted" }),
          (error) => ({ type: "ResumeFailed", error: errorMessage(error) }),
        );
      case "destroyContainer": {
        const c = effect.container;
        const thawed = effect.resumeFirst ? c.resume().catch(ignore) : Promise.resolve();
        const destroyed = thawed.then(() => c.destroy()).catch((error) =>
          ctx.logger.error("container destroy failed", { container: c.id, error })
        );
        return ctx.pipeToSelf(destroyed, () => ({ type: "DestroyCompleted" }), () => ({
          type: "DestroyCompleted",
        }));
      }
      case "checkHealth":
        if (!effect.container.exited) return;
        return ctx.tell(ctx.self, {
          type: "HealthCheckFailed",
          error: "the runtime process exited",
        });
    }
  };
}

/** The runs a state holds: in flight and buffered. */
function heldJobs(state: ContainerProxyState) {
  if (state.name === "Running") return [...state.running, ...state.buffer];
  if (state.name === "Removing") return [...state.running];
  return [];
}

/**
 * Spawns a classic container proxy under `parent`, which receives every event.
 *
 * @param parent the pool
 * @param deps container factory, store, acks, invoker id, clock, logger
 * @param options name and timer durations
 * @returns the proxy's ref (public commands only)
 */
export function spawnContainerProxy(
  parent: Ref<ContainerProxyEvent>,
  deps: ContainerProxyDeps,
  options: ContainerProxyOptions,
): Ref<ContainerProxyCommand> {
  const holder: { self?: Ref<ContainerProxyCommand>; last: ContainerProxyState } = {
    last: initialProxyState,
  };
  const env = (): ContainerProxyEnv => ({
    self: holder.self as Ref<ContainerProxyCommand>,
    parent,
    pauseGraceMs: options.pauseGraceMs ?? 10_000,
    idleContainerMs: options.idleContainerMs ?? 600_000,
    healthCheckIntervalMs: options.healthCheck?.intervalMs ?? 3_000,
    healthPing: options.healthCheck?.enabled ?? false,
  });
  let transition: ReturnType<typeof proxyTransition> | undefined;
  const onCrash = (crash: CrashInfo) => {
    const state = holder.last;
    const container = containerOf(state.data);
    if (holder.self) {
      tell(holder.self, parent, {
        type: "ContainerRemoved",
        proxy: holder.self,
        replacePrewarm: true,
        heldJobs: heldJobs(state),
        crashedWith: { ...(container ? { container } : {}), error: errorMessage(crash.error) },
      });
    }
    return "stop" as const;
  };
  const self = spawnFsm<ContainerProxyState, ContainerProxyMsg, ContainerProxyEffect>(
    parent as Parent,
    {
      name: options.name,
      initialState: initialProxyState,
      transition: (state, msg, now) => {
        transition ??= proxyTransition(env());
        const step = transition(state, msg, now);
        holder.last = step.next;
        return step;
      },
      perform: performer(deps),
      stateTimeout: proxyStateTimeout(env()),
      supervision: onCrash,
    },
  );
  holder.self = self as Ref<ContainerProxyCommand>;
  return holder.self;
}

/**
 * The pool's child factory over {@link spawnContainerProxy}: names the proxies
 * `container-proxy-<n>` and shares `deps` and `options`.
 */
export function containerProxyFactory(
  deps: ContainerProxyDeps,
  options: Omit<ContainerProxyOptions, "name"> = {},
): (parent: Ref<ContainerProxyEvent>) => Ref<ContainerProxyCommand> {
  let n = 0;
  return (parent) =>
    spawnContainerProxy(parent, deps, { ...options, name: `container-proxy-${++n}` });
}
