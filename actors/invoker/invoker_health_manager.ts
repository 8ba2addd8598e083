/**
 * The InvokerHealthManager actor shell: runs the pure transition of
 * `invoker_health_manager_fsm.ts`, prepares the test action through the injected
 * `ensureTestAction()`, runs it in a normal container proxy (injected `spawnProxy`)
 * fed by a `HealthActivationClient`, and publishes the invoker's resource value
 * through the injected `publish()` (the composition root writes it to
 * `whisk/invokers/<id>` with UpdateDataOnChange).
 *
 * Mirrors `core/invoker/.../containerpool/v2/InvokerHealthManager.scala` (`props`,
 * `startTestAction`); differences: see the FSM module.
 *
 * Supervision: restart; a health manager that was enabled sends itself `Enable`
 * before it restarts, so it comes back Offline and then enables again (ARCHITECTURE,
 * Supervision). Its old test proxy is stopped with it.
 *
 * @module
 */

import type {
  FunctionPullingContainerProxyEvent,
  ProxyRef,
} from "../../protocols/function_pulling_container_proxy.ts";
import type { InvokerResourceMessage } from "../../protocols/health.ts";
import type {
  HealthTestAction,
  InvokerHealthManagerCommand,
} from "../../protocols/invoker_health_manager.ts";
import {
  type ActorContext,
  type CrashInfo,
  type Parent,
  type Ref,
  spawnFsm,
  type Step,
  tell,
} from "../../runtime/actors/mod.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/log.ts";
import { ProxyDirectory } from "./function_pulling_container_pool_directory.ts";
import { healthActivation, HealthActivationClient } from "./invoker_health_manager_client.ts";
import {
  type HealthEffect,
  type HealthInput,
  type HealthState,
  healthTransition,
  initialHealthState,
} from "./invoker_health_manager_fsm.ts";

/** Everything the health manager needs from the outside. */
export interface InvokerHealthManagerDeps {
  /** Spawns a container proxy whose activation client is `client`. */
  spawnProxy(
    parent: Ref<FunctionPullingContainerProxyEvent>,
    client: HealthActivationClient,
  ): ProxyRef;
  /** Creates or updates `whisk.system/invokerHealthTestAction<id>` and reads it back. */
  ensureTestAction(): Promise<HealthTestAction>;
  /** Writes the resource value (called only when it changed). */
  publish(value: InvokerResourceMessage): void | Promise<void>;
  readonly logger: Logger;
}

/** Options of {@link spawnInvokerHealthManager}. */
export interface InvokerHealthManagerOptions {
  /** Actor name (default `health-manager`). */
  readonly name?: string;
  /** The initial free memory reported (MB, default 1024). */
  readonly userMemoryMb?: number;
  readonly tags?: readonly string[];
  readonly dedicatedNamespaces?: readonly string[];
  /** Ring buffer size (default 10). */
  readonly bufferSize?: number;
  /** Failures that make the invoker unhealthy (default 3). */
  readonly failureTolerance?: number;
  /** Delay before preparing the test action again after a failure (default 1 s). */
  readonly prepareRetryMs?: number;
}

type HealthMsg =
  | InvokerHealthManagerCommand
  | FunctionPullingContainerProxyEvent
  | Exclude<HealthInput, { type: "TestProxyEvent" }>;

interface TestRun {
  readonly run: number;
  readonly client: HealthActivationClient;
}

function isProxyEvent(msg: HealthMsg): msg is FunctionPullingContainerProxyEvent {
  return "proxy" in msg && typeof msg.proxy === "object";
}

/**
 * Spawns the health manager (Offline until `Enable`).
 *
 * @param parent the invoker root (or the system)
 * @param deps test proxy factory, test action preparation, publishing, logger
 * @param options memory, tags, buffer settings
 * @returns its ref
 */
export function spawnInvokerHealthManager(
  parent: Parent,
  deps: InvokerHealthManagerDeps,
  options: InvokerHealthManagerOptions = {},
): Ref<InvokerHealthManagerCommand> {
  const transition = healthTransition({
    bufferSize: options.bufferSize ?? 10,
    failureTolerance: options.failureTolerance ?? 3,
    tags: options.tags ?? [],
    dedicatedNamespaces: options.dedicatedNamespaces ?? [],
    prepareRetryMs: options.prepareRetryMs ?? 1_000,
  });
  const proxies = new ProxyDirectory<number, ProxyRef>();
  const runs = new Map<number, TestRun>();
  const holder: { self?: Ref<HealthMsg>; last: HealthState | undefined } = { last: undefined };

  const toInput = (msg: HealthMsg): HealthInput => {
    if (!isProxyEvent(msg)) return msg;
    return { type: "TestProxyEvent", run: proxies.idOf(msg.proxy) ?? -1, event: msg };
  };

  const startTest = (run: number, testAction: HealthTestAction, ctx: ActorContext<HealthMsg>) => {
    const clock = ctx.system.clock;
    const client = new HealthActivationClient(() => healthActivation(testAction, clock.now()));
    const proxy = deps.spawnProxy(ctx.self as Ref<FunctionPullingContainerProxyEvent>, client);
    proxies.add(run, proxy);
    runs.set(run, { run, client });
    ctx.tell(proxy, {
      type: "Initialize",
      invocationNamespace: testAction.identity.namespace.name,
      action: testAction.action,
      revision: testAction.revision,
      schedulerHost: client.endpoint.host,
      rpcPort: client.endpoint.rpcPort,
      tid: healthActivation(testAction, clock.now()).transid,
    });
  };

  const perform = (effect: HealthEffect, ctx: ActorContext<HealthMsg>): void => {
    switch (effect.type) {
      case "PrepareTestAction":
        return ctx.pipeToSelf(
          Promise.resolve().then(() => deps.ensureTestAction()),
          (testAction) => ({ type: "TestActionPrepared", testAction }),
          (error) => ({ type: "TestActionPreparationFailed", error: errorMessage(error) }),
        );
      case "StartTestAction":
        return startTest(effect.run, effect.testAction, ctx);
      case "StopTestAction": {
        runs.get(effect.run)?.client.gracefulShutdown();
        runs.delete(effect.run);
        const proxy = proxies.refOf(effect.run);
        return proxy ? ctx.tell(proxy, { type: "GracefulShutdown" }) : undefined;
      }
      case "Publish":
        return void Promise.resolve().then(() => deps.publish(effect.value)).catch((error) =>
          ctx.logger.error("failed to publish the invoker's health", { error })
        );
    }
  };

  const onCrash = (crash: CrashInfo) => {
    const wasEnabled = holder.last !== undefined && holder.last.name !== "Offline";
    deps.logger.error("invoker health manager crashed; restarting", {
      error: crash.error,
      wasEnabled,
    });
    for (const run of runs.values()) run.client.gracefulShutdown();
    runs.clear();
    proxies.clear();
    holder.last = undefined;
    if (wasEnabled && holder.self) tell(holder.self, holder.self, { type: "Enable" });
    return "restart" as const;
  };

  const self = spawnFsm<HealthState, HealthMsg, HealthEffect>(parent, {
    name: options.name ?? "health-manager",
    initialState: initialHealthState(options.userMemoryMb ?? 1024),
    transition: (state, msg, now) => {
      const input = toInput(msg);
      const step = transition(state, input, now);
      if (input.type === "TestProxyEvent" && input.event.type === "ContainerRemoved") {
        proxies.remove(input.run);
        runs.delete(input.run);
      }
      holder.last = step.next;
      // Timer messages are never proxy events, so the step's messages are our messages.
      return step as Step<HealthState, HealthMsg, HealthEffect>;
    },
    perform,
    supervision: onCrash,
  });
  holder.self = self;
  return self;
}
