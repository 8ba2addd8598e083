/**
 * The FunctionPullingContainerProxy actor shell: runs the pure transition of
 * `function_pulling_container_proxy_fsm.ts` and performs its effects through one deps
 * object; every container, store and etcd lookup is piped back as a message.
 *
 * Mirrors `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * (constructor, `props`, the `Future`s it pipes to self); differences: etcd writes go as
 * `RegisterData`/`UnregisterData` to the DataManagementService and are refused once
 * cleanup began (§9 item 19); destroying a paused container resumes it first but
 * destroys it even when the resume fails.
 *
 * Supervision: stop. Before it stops, a crashed proxy reports `ContainerRemoved` with
 * `crashedWith` (its container) and the activations it held, so that the pool can
 * destroy the container and write their records (ARCHITECTURE, Supervision).
 *
 * @module
 */

import type { AcknowledgementMessage } from "../../protocols/activation.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
} from "../../protocols/activation_client_proxy.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  HealthMessage,
} from "../../protocols/function_pulling_container_proxy.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import { actionFqn, type WhiskAction } from "../../protocols/whisk_action.ts";
import { errorResponse, type WhiskActivation } from "../../protocols/whisk_activation.ts";
import {
  type ActorContext,
  type Clock,
  type CrashInfo,
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
import { buildAck, buildActivationRecord } from "./_activation_run.ts";
import type { ActivationClientProxyOptions } from "./activation_client_proxy.ts";
import {
  initialProxyState,
  type ProxyEffect,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  proxyStateTimeout,
  proxyTransition,
} from "./function_pulling_container_proxy_fsm.ts";
import { runActivationJob } from "./function_pulling_container_proxy_job.ts";

/** A namespace's warm-keeping settings (`UserLimits.warmedContainerKeeping*`). */
export interface WarmedContainerLimit {
  readonly count: number;
  readonly timeoutMs: number;
}

/** Everything the proxy needs from the outside. */
export interface FunctionPullingContainerProxyDeps {
  createContainer(options: CreateContainerOptions): Promise<Container>;
  /** The action document at `revision` (cached; a mismatch falls back to the latest). */
  getAction(fqn: FullyQualifiedEntityName, revision: DocRevision): Promise<WhiskAction>;
  /** Insert-if-absent by activation id. */
  storeActivation(record: WhiskActivation): Promise<unknown>;
  /** Publishes to `completed<controller>`. */
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  spawnActivationClientProxy(
    parent: Ref<ActivationClientProxyEvent>,
    options: ActivationClientProxyOptions,
  ): Ref<ActivationClientProxyCommand>;
  /** Existing + in-progress + warmed containers of (invNs, action, revision). */
  countLiveContainers(
    invocationNamespace: string,
    fqn: FullyQualifiedEntityName,
    revision: DocRevision,
  ): Promise<number>;
  /** The namespace's keep count (default 0) and keep time (default keeping-duration). */
  getWarmedContainerLimit(invocationNamespace: string): Promise<WarmedContainerLimit>;
  /** Blocked namespaces get an application-error ack; default: none blocked. */
  isNamespaceBlocked?(namespace: string): boolean;
  readonly dataManagement: Ref<DataManagementCommand>;
  readonly healthManager: Ref<HealthMessage>;
  readonly invoker: InvokerInstanceId;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Options of {@link spawnFunctionPullingContainerProxy}. */
export interface FunctionPullingContainerProxyOptions {
  /** Actor name, unique in the pool. */
  readonly name: string;
  /** Default 10 s. */
  readonly pauseGraceMs?: number;
  /** Default 10 min. */
  readonly idleContainerMs?: number;
  /** Default 1 min. */
  readonly pingCacheMs?: number;
  /** Default 10 s. */
  readonly clientClosedRetryMs?: number;
}

let containerSeq = 0;

function containerName(kind: string, prewarm: boolean): string {
  const safeKind = kind.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${++containerSeq}_${prewarm ? "prewarm_" : ""}${safeKind}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Ctx = ActorContext<ProxyMsg>;

/** The effects, performed. `keys.retired` blocks key puts after cleanup began. */
function performer(deps: FunctionPullingContainerProxyDeps) {
  const keys = { retired: false };
  const ignore = () => {};
  const failActivation = (e: Extract<ProxyEffect, { type: "failActivation" }>) => {
    const now = deps.clock.now();
    const response = errorResponse(e.statusCode, e.message);
    const record = buildActivationRecord({
      msg: e.msg,
      action: e.action,
      response,
      start: now,
      end: now,
    });
    const ack = buildAck(e.msg, record, deps.invoker);
    return Promise.all([deps.sendAck(e.msg.rootControllerIndex, ack), deps.storeActivation(record)])
      .catch((error) => deps.logger.error("failed to end activation", { error }));
  };
  const perform = (effect: ProxyEffect, ctx: Ctx): void => {
    switch (effect.type) {
      case "createContainer": {
        const options = {
          name: containerName(effect.kind, effect.prewarm),
          kind: effect.kind,
          memoryMb: effect.memoryMb,
        };
        return ctx.pipeToSelf(
          deps.createContainer(options),
          (container) => ({ type: "ContainerReady", container }),
          (error) => ({
            type: "ContainerStartFailed",
            reason: effect.kind === "blackbox"
              ? "BlackboxStartupError"
              : error instanceof ContainerStartError
              ? "WhiskContainerStartupError"
              : "Unknown",
            message: message(error),
          }),
        );
      }
      case "spawnClient": {
        const { init } = effect;
        try {
          const clientProxy = deps.spawnActivationClientProxy(
            ctx.self as Ref<ActivationClientProxyEvent>,
            {
              invocationNamespace: init.invocationNamespace,
              fqn: actionFqn(init.action),
              revision: init.revision,
              containerId: effect.containerId,
              schedulerHost: init.schedulerHost,
              rpcPort: init.rpcPort,
            },
          );
          return ctx.tell(ctx.self, { type: "ClientProxySpawned", clientProxy });
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          return ctx.tell(ctx.self, {
            type: "FailureMessage",
            reason: "ClientCreationFailed",
            error: failure,
          });
        }
      }
      case "registerData":
        if (keys.retired) {
          return ctx.logger.warn("key write refused after cleanup", { key: effect.key });
        }
        return tell(ctx.self, deps.dataManagement, {
          type: "RegisterData",
          key: effect.key,
          value: "",
          failoverEnabled: true,
        });
      case "unregisterData":
        return tell(ctx.self, deps.dataManagement, { type: "UnregisterData", key: effect.key });
      case "retireKeys":
        keys.retired = true;
        return;
      case "fetchAction": {
        const fqn = actionFqn(effect.action);
        const { version: _v, ...unversioned } = fqn;
        return ctx.pipeToSelf(
          deps.getAction(unversioned, effect.revision).then((action) => {
            if (action.exec.kind === "sequence") throw new Error("the action is not executable");
            return action;
          }),
          (action) => ({ type: "RunActivation", msg: effect.msg, action }),
          (error) => ({
            type: "ActionFetchFailed",
            msg: effect.msg,
            error: `Failed to fetch the action: ${message(error)}`,
          }),
        );
      }
      case "runActivation": {
        const self = ctx.self;
        const job = runActivationJob({
          msg: effect.msg,
          action: effect.action,
          container: effect.container,
          initialize: effect.initialize,
          onInitialized: () =>
            tell(self, self, { type: "InitCodeCompleted", activationId: effect.msg.activationId }),
        }, deps);
        return ctx.pipeToSelf(job, (done) => done, () => ({
          type: "RunActivationCompleted",
          msg: effect.msg,
          durationMs: 0,
          outcome: "ActivationUnsuccessful",
          whiskError: true,
        }));
      }
      case "pauseContainer":
        return ctx.pipeToSelf(
          effect.container.pause(),
          () => ({ type: "ContainerPaused" }),
          (error) => ({ type: "PauseFailed", error: message(error) }),
        );
      case "resumeContainer":
        return ctx.pipeToSelf(
          effect.container.resume(),
          () => ({ type: "ContainerResumed" }),
          (error) => ({ type: "ContainerResumeFailed", error: message(error) }),
        );
      case "destroyContainer": {
        const c = effect.container;
        const resumed = effect.resumeFirst ? c.resume().catch(ignore) : Promise.resolve();
        return void resumed.then(() => c.destroy()).catch((error) =>
          ctx.logger.error("container destroy failed", { container: c.id, error })
        );
      }
      case "determineKeep": {
        const { data } = effect;
        const fqn = actionFqn(data.action);
        const lookup = Promise.all([
          deps.countLiveContainers(data.invocationNamespace, fqn, data.revision),
          deps.getWarmedContainerLimit(data.invocationNamespace),
        ]);
        return ctx.pipeToSelf(
          lookup,
          ([live, limit]) => ({
            type: "KeepDecision",
            live,
            keepCount: limit.count,
            keepTimeoutMs: limit.timeoutMs,
          }),
          (error) => ({ type: "KeepLookupFailed", attempt: effect.attempt, error: message(error) }),
        );
      }
      case "refreshAction": {
        const { version: _v, ...fqn } = actionFqn(effect.data.action);
        return void deps.getAction(fqn, effect.data.revision).catch(ignore);
      }
      case "failActivation":
        return void failActivation(effect);
    }
  };
  return perform;
}

/**
 * Spawns a container proxy under `parent`, which receives every event.
 *
 * @param parent the pool (or the health manager for its test action)
 * @param deps container factory, store, acks, DMS, client factory, clock, logger
 * @param options name and timer durations
 * @returns the proxy's ref (public commands only)
 */
export function spawnFunctionPullingContainerProxy(
  parent: Ref<FunctionPullingContainerProxyEvent>,
  deps: FunctionPullingContainerProxyDeps,
  options: FunctionPullingContainerProxyOptions,
): Ref<FunctionPullingContainerProxyCommand> {
  const holder: { self?: Ref<ProxyMsg>; last: ProxyState } = { last: initialProxyState };
  const env = (): ProxyEnv => ({
    self: holder.self as Ref<FunctionPullingContainerProxyCommand>,
    parent,
    healthManager: deps.healthManager,
    invokerId: deps.invoker.instance,
    pauseGraceMs: options.pauseGraceMs ?? 10_000,
    idleContainerMs: options.idleContainerMs ?? 600_000,
    pingCacheMs: options.pingCacheMs ?? 60_000,
    clientClosedRetryMs: options.clientClosedRetryMs ?? 10_000,
    isNamespaceBlocked: (ns) => deps.isNamespaceBlocked?.(ns) ?? false,
  });
  let transition: ReturnType<typeof proxyTransition> | undefined;
  const perform = performer(deps);
  const onCrash = (crash: CrashInfo) => {
    const state = holder.last;
    const data = state.data;
    const held = "pulling" in state ? [...state.pulling.running, ...state.pulling.pending] : [];
    if (holder.self) {
      tell(holder.self, parent, {
        type: "ContainerRemoved",
        proxy: holder.self as Ref<FunctionPullingContainerProxyCommand>,
        replacePrewarm: true,
        heldActivations: held,
        crashedWith: {
          ...(data.type === "NonexistentData" ? {} : { container: data.container }),
          error: message(crash.error),
        },
      });
    }
    return "stop" as const;
  };
  const self = spawnFsm<ProxyState, ProxyMsg, ProxyEffect>(parent, {
    name: options.name,
    initialState: initialProxyState,
    transition: (state, msg, now) => {
      transition ??= proxyTransition(env());
      const step = transition(state, msg, now);
      holder.last = step.next;
      return step;
    },
    perform,
    stateTimeout: proxyStateTimeout(env()),
    supervision: onCrash,
  });
  holder.self = self;
  return self as Ref<FunctionPullingContainerProxyCommand>;
}
