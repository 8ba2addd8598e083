/**
 * The FunctionPullingContainerProxy's effects, performed: what the pure transition asks
 * for (create or ping a container, spawn the client, write etcd keys, fetch the action,
 * run an activation, pause, resume, destroy, the keep decision) turned into calls on the
 * injected deps, every outcome piped back to the proxy as a message.
 *
 * Mirrors the `Future`s `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * pipes to self (and its constructor's injected functions); differences: etcd writes go
 * as `RegisterData`/`UnregisterData` to the DataManagementService and are refused once
 * cleanup began (§9 item 19); destroying a paused container resumes it first but
 * destroys it even when the resume fails; the prewarm health ping reads the process's
 * liveness instead of opening a TCP connection (our runtimes serve a Unix socket).
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
import type { HealthMessage } from "../../protocols/function_pulling_container_proxy.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import { actionFqn, type WhiskAction } from "../../protocols/whisk_action.ts";
import {
  errorResponse,
  type WhiskActivation,
  whiskErrorActivation,
} from "../../protocols/whisk_activation.ts";
import { type ActorContext, type Clock, type Ref, tell } from "../../runtime/actors/mod.ts";
import {
  type Container,
  ContainerStartError,
  type CreateContainerOptions,
} from "../../runtime/containers/container_factory.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/log.ts";
import { buildActivationRecord } from "./_activation_run.ts";
import { endActivation } from "./_end_activation.ts";
import type { ActivationClientProxyOptions } from "./activation_client_proxy.ts";
import type { ProxyEffect, ProxyMsg } from "./function_pulling_container_proxy_fsm.ts";
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
  /** The etcd key prefix of the container keys (default `whisk`). */
  readonly cluster?: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Ctx = ActorContext<ProxyMsg>;
type Of<T extends ProxyEffect["type"]> = Extract<ProxyEffect, { type: T }>;
type Deps = FunctionPullingContainerProxyDeps;

let containerSeq = 0;

function containerName(kind: string, prewarm: boolean): string {
  const safeKind = kind.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${++containerSeq}_${prewarm ? "prewarm_" : ""}${safeKind}`;
}

const ignore = () => {};

function createContainer(e: Of<"createContainer">, ctx: Ctx, deps: Deps): void {
  const options = { name: containerName(e.kind, e.prewarm), kind: e.kind, memoryMb: e.memoryMb };
  ctx.pipeToSelf(
    deps.createContainer(options),
    (container) => ({ type: "ContainerReady", container }),
    (error) => ({
      type: "ContainerStartFailed",
      reason: e.kind === "blackbox"
        ? "BlackboxStartupError"
        : error instanceof ContainerStartError
        ? "WhiskContainerStartupError"
        : "Unknown",
      message: errorMessage(error),
    }),
  );
}

function spawnClient(e: Of<"spawnClient">, ctx: Ctx, deps: Deps): void {
  const { init } = e;
  try {
    const clientProxy = deps.spawnActivationClientProxy(
      ctx.self as Ref<ActivationClientProxyEvent>,
      {
        invocationNamespace: init.invocationNamespace,
        fqn: actionFqn(init.action),
        revision: init.revision,
        containerId: e.containerId,
        schedulerHost: init.schedulerHost,
        rpcPort: init.rpcPort,
      },
    );
    ctx.tell(ctx.self, { type: "ClientProxySpawned", clientProxy });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    ctx.tell(ctx.self, { type: "FailureMessage", reason: "ClientCreationFailed", error: failure });
  }
}

function fetchAction(e: Of<"fetchAction">, ctx: Ctx, deps: Deps): void {
  const { version: _v, ...unversioned } = actionFqn(e.action);
  ctx.pipeToSelf(
    deps.getAction(unversioned, e.revision).then((action) => {
      if (action.exec.kind === "sequence") throw new Error("the action is not executable");
      return action;
    }),
    (action) => ({ type: "RunActivation", msg: e.msg, action }),
    (error) => ({
      type: "ActionFetchFailed",
      msg: e.msg,
      error: `Failed to fetch the action: ${errorMessage(error)}`,
    }),
  );
}

function runActivation(e: Of<"runActivation">, ctx: Ctx, deps: Deps): void {
  const self = ctx.self;
  const job = runActivationJob({
    msg: e.msg,
    action: e.action,
    container: e.container,
    initialize: e.initialize,
    onInitialized: () =>
      tell(self, self, { type: "InitCodeCompleted", activationId: e.msg.activationId }),
  }, deps);
  ctx.pipeToSelf(job, (done) => done, () => ({
    type: "RunActivationCompleted",
    msg: e.msg,
    durationMs: 0,
    outcome: "ActivationUnsuccessful",
    whiskError: true,
  }));
}

function destroyContainer(e: Of<"destroyContainer">, ctx: Ctx): void {
  const c = e.container;
  const resumed = e.resumeFirst ? c.resume().catch(ignore) : Promise.resolve();
  resumed.then(() => c.destroy()).catch((error) =>
    ctx.logger.error("container destroy failed", { container: c.id, error })
  );
}

function determineKeep(e: Of<"determineKeep">, ctx: Ctx, deps: Deps): void {
  const { data } = e;
  const lookup = Promise.all([
    deps.countLiveContainers(data.invocationNamespace, actionFqn(data.action), data.revision),
    deps.getWarmedContainerLimit(data.invocationNamespace),
  ]);
  ctx.pipeToSelf(
    lookup,
    ([live, limit]) => ({
      type: "KeepDecision",
      live,
      keepCount: limit.count,
      keepTimeoutMs: limit.timeoutMs,
    }),
    (error) => ({ type: "KeepLookupFailed", attempt: e.attempt, error: errorMessage(error) }),
  );
}

/** Stores and acks a whisk-error (or blocked-namespace) record for an activation not run. */
function failActivation(e: Of<"failActivation">, deps: Deps): void {
  const now = deps.clock.now();
  const record = e.statusCode === 3
    ? whiskErrorActivation(e.msg, e.message, now, e.action)
    : buildActivationRecord({
      msg: e.msg,
      action: e.action,
      response: errorResponse(e.statusCode, e.message),
      start: now,
      end: now,
    });
  void endActivation(deps, e.msg, record);
}

/**
 * The performer of one proxy: `perform(effect, ctx)`. It keeps one flag, `retired`:
 * once cleanup began, key puts are refused so a late resume cannot re-put a key.
 */
export function proxyPerformer(deps: Deps): (effect: ProxyEffect, ctx: Ctx) => void {
  let retired = false;
  return (effect, ctx) => {
    switch (effect.type) {
      case "createContainer":
        return createContainer(effect, ctx, deps);
      case "spawnClient":
        return spawnClient(effect, ctx, deps);
      case "registerData":
        if (retired) return ctx.logger.warn("key write refused after cleanup", { key: effect.key });
        return tell(ctx.self, deps.dataManagement, {
          type: "RegisterData",
          key: effect.key,
          value: "",
          failoverEnabled: true,
        });
      case "unregisterData":
        return tell(ctx.self, deps.dataManagement, { type: "UnregisterData", key: effect.key });
      case "retireKeys":
        retired = true;
        return;
      case "fetchAction":
        return fetchAction(effect, ctx, deps);
      case "runActivation":
        return runActivation(effect, ctx, deps);
      case "pauseContainer":
        return ctx.pipeToSelf(
          effect.container.pause(),
          () => ({ type: "ContainerPaused" }),
          (error) => ({ type: "PauseFailed", error: errorMessage(error) }),
        );
      case "resumeContainer":
        return ctx.pipeToSelf(
          effect.container.resume(),
          () => ({ type: "ContainerResumed" }),
          (error) => ({ type: "ContainerResumeFailed", error: errorMessage(error) }),
        );
      case "destroyContainer":
        return destroyContainer(effect, ctx);
      case "pingContainer":
        if (!effect.container.exited) return;
        return ctx.tell(ctx.self, {
          type: "ContainerHealthFailed",
          error: `container ${effect.container.id} has exited`,
        });
      case "determineKeep":
        return determineKeep(effect, ctx, deps);
      case "refreshAction": {
        const { version: _v, ...fqn } = actionFqn(effect.data.action);
        return void deps.getAction(fqn, effect.data.revision).catch(ignore);
      }
      case "failActivation":
        return failActivation(effect, deps);
    }
  };
}
