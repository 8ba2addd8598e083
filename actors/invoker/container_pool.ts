/**
 * The classic ContainerPool actor shell (lean mode's push path): runs the pure
 * transition of `container_pool_fsm.ts`, maps its pool-local proxy ids to the refs the
 * injected `spawnProxy` hands out, and performs its effects through one deps object
 * (host memory reads, whisk-error records and acks for the jobs of a crashed proxy,
 * destroying that proxy's container).
 *
 * Mirrors `core/invoker/.../containerpool/ContainerPool.scala` (`props(childFactory,
 * ...)`); differences: free memory is bounded by the host's usable memory, read every
 * `hostMemoryIntervalMs` (ARCHITECTURE, "Free memory"). A balancer pushes work with
 * `Run {action, msg}` in-process; activations end through the proxies' `sendAck` and
 * `storeActivation`, which the composition root gives to the proxy factory.
 *
 * Supervision: restart. Before the restart every container the pool knows of is
 * destroyed (its proxies stop with it), and the pool boots again empty. A crashed proxy
 * reports `ContainerRemoved` with `crashedWith`; the pool destroys its container and
 * writes a "whisk internal error" record (and ack) for every job it held.
 *
 * @module
 */

import type { AcknowledgementMessage } from "../../protocols/activation.ts";
import type {
  ContainerPoolCommand,
  ContainerPoolPrewarmConfig,
} from "../../protocols/container_pool.ts";
import type {
  ContainerProxyCommand,
  ContainerProxyEvent,
} from "../../protocols/container_proxy.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import { type WhiskActivation, whiskErrorActivation } from "../../protocols/whisk_activation.ts";
import {
  type ActorContext,
  type CrashInfo,
  type Parent,
  type Ref,
  spawnFsm,
  type Step,
} from "../../runtime/actors/mod.ts";
import type { HostMemory } from "../../runtime/containers/host_memory.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/log.ts";
import { endActivation } from "./_end_activation.ts";
import {
  type ContainerPoolEffect,
  type ContainerPoolInternal,
  type PoolInput,
  poolTransition,
} from "./container_pool_fsm.ts";
import {
  type ContainerPoolConfig,
  type ContainerPoolState,
  initialPoolState,
} from "./container_pool_state.ts";
import { ProxyDirectory } from "./function_pulling_container_pool_directory.ts";

/** Everything the pool needs from the outside. */
export interface ContainerPoolDeps {
  /** Creates a container proxy under the pool (tests hand out probes). */
  spawnProxy(parent: Ref<ContainerProxyEvent>): Ref<ContainerProxyCommand>;
  /** Publishes an ack to `completed<controller>` (or hands it over in-process). */
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  /** Insert-if-absent by activation id. */
  storeActivation(record: WhiskActivation): Promise<unknown>;
  /** Reads the host's usable memory (`readHostMemory` of `runtime/containers`). */
  readHostMemory(): Promise<HostMemory>;
  readonly logger: Logger;
}

/** Options of {@link spawnContainerPool}; memory in MB, durations in ms. */
export interface ContainerPoolOptions {
  readonly invoker: InvokerInstanceId;
  /** Actor name (default `container-pool`). */
  readonly name?: string;
  /** Default 1024. */
  readonly userMemoryMb?: number;
  /** Default 10 s. */
  readonly hostMemoryIntervalMs?: number;
  /** Default none. */
  readonly prewarm?: readonly ContainerPoolPrewarmConfig[];
  /** Default 5. */
  readonly prewarmMaxRetryLimit?: number;
}

/** Upstream's defaults applied to `options`. */
export function containerPoolConfig(options: ContainerPoolOptions): ContainerPoolConfig {
  return {
    userMemoryMb: options.userMemoryMb ?? 1024,
    hostMemoryIntervalMs: options.hostMemoryIntervalMs ?? 10_000,
    prewarm: options.prewarm ?? [],
    prewarmMaxRetryLimit: options.prewarmMaxRetryLimit ?? 5,
  };
}

const PROXY_EVENTS: ReadonlySet<string> = new Set([
  "NeedWork",
  "ContainerPaused",
  "ContainerRemoved",
  "RescheduleJob",
]);

type PoolMsg = ContainerPoolCommand | ContainerPoolInternal;

function isProxyEvent(msg: PoolMsg): msg is ContainerProxyEvent {
  return PROXY_EVENTS.has(msg.type) && "proxy" in msg;
}

/**
 * Spawns the pool.
 *
 * @param parent the invoker root (or the system)
 * @param deps proxy factory, acks, store, host memory, logger
 * @param options invoker id, memory and prewarm settings
 * @returns the pool's ref (public commands; proxies send their events to it)
 */
export function spawnContainerPool(
  parent: Parent,
  deps: ContainerPoolDeps,
  options: ContainerPoolOptions,
): Ref<ContainerPoolCommand> {
  const config = containerPoolConfig(options);
  const transition = poolTransition(config);
  const directory = new ProxyDirectory<string, Ref<ContainerProxyCommand>>();

  const toInput = (msg: PoolMsg): PoolInput => {
    if (!isProxyEvent(msg)) return msg;
    if ("data" in msg && "container" in msg.data) {
      directory.noteContainer(msg.proxy, msg.data.container);
    }
    return {
      type: "ProxyEvent",
      id: directory.idOf(msg.proxy) ?? `unknown:${msg.proxy.path}`,
      event: msg,
    };
  };

  const endJobs = (
    e: Extract<ContainerPoolEffect, { type: "EndJobs" }>,
    ctx: ActorContext<PoolMsg>,
  ) => {
    const end = {
      clock: ctx.system.clock,
      logger: deps.logger,
      invoker: options.invoker,
      storeActivation: (record: WhiskActivation) => deps.storeActivation(record),
      sendAck: (c: ControllerInstanceId, ack: AcknowledgementMessage) => deps.sendAck(c, ack),
    };
    const now = end.clock.now();
    for (const { msg, action } of e.jobs) {
      void endActivation(end, msg, whiskErrorActivation(msg, e.message, now, action));
    }
  };

  const perform = (effect: ContainerPoolEffect, ctx: ActorContext<PoolMsg>): void => {
    switch (effect.type) {
      case "SpawnProxy": {
        const ref = deps.spawnProxy(ctx.self as Ref<ContainerProxyEvent>);
        directory.add(effect.id, ref);
        return ctx.tell(ref, effect.command);
      }
      case "TellProxy": {
        const ref = directory.refOf(effect.id);
        if (!ref) {
          return ctx.logger.warn("no proxy for id", {
            id: effect.id,
            command: effect.command.type,
          });
        }
        return ctx.tell(ref, effect.command);
      }
      case "EndJobs":
        return endJobs(effect, ctx);
      case "DestroyContainer":
        return void effect.container.destroy().catch((error) =>
          ctx.logger.error("failed to destroy a crashed proxy's container", {
            container: effect.container.id,
            error,
          })
        );
      case "ReadHostMemory":
        return ctx.pipeToSelf(
          deps.readHostMemory(),
          (memory) => ({ type: "HostMemoryRead", usableMb: memory.usableMb }),
          (error) => ({ type: "HostMemoryReadFailed", error: errorMessage(error) }),
        );
      case "ForgetProxy":
        return directory.remove(effect.id);
    }
  };

  const onCrash = (crash: CrashInfo) => {
    const containers = directory.clear();
    deps.logger.error("container pool crashed; restarting empty", {
      error: crash.error,
      containers: containers.length,
    });
    for (const c of containers) {
      c.destroy().catch((error) =>
        deps.logger.error("failed to destroy a container", { container: c.id, error })
      );
    }
    return "restart" as const;
  };

  return spawnFsm<ContainerPoolState, PoolMsg, ContainerPoolEffect>(parent, {
    name: options.name ?? "container-pool",
    initialState: initialPoolState,
    // Timer and self messages are internal pool messages, so the step's are pool messages.
    transition: (state, msg, now) =>
      transition(state, toInput(msg), now) as Step<
        ContainerPoolState,
        PoolMsg,
        ContainerPoolEffect
      >,
    perform,
    stateTimeout: (state) => (state.name === "Booting" ? 0 : undefined),
    supervision: onCrash,
  }) as Ref<ContainerPoolCommand>;
}
