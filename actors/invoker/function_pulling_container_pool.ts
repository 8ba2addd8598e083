/**
 * The FunctionPullingContainerPool actor shell: runs the pure transition of
 * `function_pulling_container_pool_fsm.ts`, maps its pool-local proxy ids to the refs
 * the injected `spawnProxy` hands out, and performs its effects through one deps
 * object (creation acks, memory reports, host memory reads, records for lost
 * activations, destroying a crashed proxy's container).
 *
 * Mirrors `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`
 * (`props(childFactory, ...)`); differences: free memory is bounded by the host's
 * usable memory, read every `hostMemoryIntervalMs` (ARCHITECTURE, "Free memory"), and
 * the pool owns one keep-alive policy (`keepAlivePolicy`, default `ttl`: upstream's
 * oldest-first eviction): the shell performs the transition's `KeepAlive` effects on
 * it, and it chooses the victims when a creation does not fit. With `lru` or
 * `greedy-dual`, the proxies must be spawned without their paused idle timer
 * ({@link keepsPausedContainers}), so that paused containers stay while memory allows.
 *
 * Supervision: restart. Before the restart every container the pool knows of is
 * destroyed (its proxies are stopped with it), and the pool boots again empty: timers,
 * initial prewarms and a fresh keep-alive policy (ARCHITECTURE, Supervision). A crashed
 * proxy reports `ContainerRemoved` with `crashedWith`; the pool destroys its container
 * and writes a "whisk internal error" record for every activation it held.
 *
 * @module
 */

import type { AcknowledgementMessage } from "../../protocols/activation.ts";
import type { ContainerCreationAckMessage } from "../../protocols/container.ts";
import type {
  FunctionPullingContainerPoolCommand,
  PrewarmConfig,
  PrewarmCreationConfig,
} from "../../protocols/function_pulling_container_pool.ts";
import type {
  FunctionPullingContainerProxyEvent,
  ProxyRef,
} from "../../protocols/function_pulling_container_proxy.ts";
import type {
  ControllerInstanceId,
  InvokerInstanceId,
  SchedulerInstanceId,
} from "../../protocols/instance_id.ts";
import type { MemoryInfo } from "../../protocols/invoker_health_manager.ts";
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
import { ProxyDirectory } from "./function_pulling_container_pool_directory.ts";
import { type PoolInput, poolTransition } from "./function_pulling_container_pool_fsm.ts";
import { oldestFirst } from "./function_pulling_container_pool_memory.ts";
import {
  createKeepAlivePolicy,
  type KeepAlivePolicy,
  type KeepAlivePolicyName,
} from "./keep_alive/mod.ts";
import {
  type EvictionPolicy,
  initialPoolState,
  type KeepAliveCall,
  type PoolConfig,
  type PoolEffect,
  type PoolState,
} from "./function_pulling_container_pool_state.ts";

/** Everything the pool needs from the outside. */
export interface FunctionPullingContainerPoolDeps {
  /** Creates a container proxy under the pool (tests hand out probes). */
  spawnProxy(parent: Ref<FunctionPullingContainerProxyEvent>): ProxyRef;
  /** Publishes a creation ack to `creationAck<schedulerIndex>`. */
  sendAck(
    schedulerIndex: SchedulerInstanceId,
    ack: ContainerCreationAckMessage,
  ): void | Promise<void>;
  /** Insert-if-absent by activation id (records of activations a lost container held). */
  storeActivation(record: WhiskActivation): Promise<unknown>;
  /** Publishes the matching completion to `completed<controller>`, when given. */
  completeActivation?(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  /** Reads the host's usable memory (`readHostMemory` of `runtime/containers`). */
  readHostMemory(): Promise<HostMemory>;
  /** Receives a `MemoryInfo` every memory-sync interval. */
  readonly healthManager: Ref<MemoryInfo>;
  readonly logger: Logger;
}

/** Options of {@link spawnFunctionPullingContainerPool}; memory in MB, durations in ms. */
export interface FunctionPullingContainerPoolOptions {
  readonly invoker: InvokerInstanceId;
  /** Actor name (default `container-pool`). */
  readonly name?: string;
  /** Default 1024. */
  readonly userMemoryMb?: number;
  /** Default 1 s. */
  readonly memorySyncIntervalMs?: number;
  /** Default 10 s. */
  readonly hostMemoryIntervalMs?: number;
  /** Default 10. */
  readonly batchDeletionSize?: number;
  /** Default 5 s. */
  readonly drainIntervalMs?: number;
  /** Default none. */
  readonly prewarm?: readonly PrewarmConfig[];
  /** Default false. */
  readonly prewarmPromotion?: boolean;
  /** Default 5. */
  readonly prewarmMaxRetryLimit?: number;
  /** Defaults 10 min, 10 min, 10 s, 100. */
  readonly prewarmExpirationCheckInitDelayMs?: number;
  readonly prewarmExpirationCheckIntervalMs?: number;
  readonly prewarmExpirationCheckVarianceMs?: number;
  readonly prewarmExpirationLimit?: number;
  /** Pacing of prewarm starts; default: start at once. */
  readonly prewarmCreation?: PrewarmCreationConfig;
  /**
   * The keep-alive policy (`containerPool.keepAlivePolicy`): a name (a fresh instance
   * per pool, and per restart) or an instance (tests); default `ttl`.
   */
  readonly keepAlivePolicy?: KeepAlivePolicyName | KeepAlivePolicy;
  /** Overrides the policy's victim choice (the pure FSM's default is {@link oldestFirst}). */
  readonly chooseVictims?: EvictionPolicy;
  /** Default `Math.random`. */
  readonly random?: () => number;
}

/** Upstream's defaults applied to `options`. */
export function poolConfig(options: FunctionPullingContainerPoolOptions): PoolConfig {
  return {
    invoker: options.invoker,
    userMemoryMb: options.userMemoryMb ?? 1024,
    memorySyncIntervalMs: options.memorySyncIntervalMs ?? 1_000,
    hostMemoryIntervalMs: options.hostMemoryIntervalMs ?? 10_000,
    batchDeletionSize: options.batchDeletionSize ?? 10,
    drainIntervalMs: options.drainIntervalMs ?? 5_000,
    prewarm: options.prewarm ?? [],
    prewarmPromotion: options.prewarmPromotion ?? false,
    prewarmMaxRetryLimit: options.prewarmMaxRetryLimit ?? 5,
    prewarmExpirationCheckInitDelayMs: options.prewarmExpirationCheckInitDelayMs ?? 600_000,
    prewarmExpirationCheckIntervalMs: options.prewarmExpirationCheckIntervalMs ?? 600_000,
    prewarmExpirationCheckVarianceMs: options.prewarmExpirationCheckVarianceMs ?? 10_000,
    prewarmExpirationLimit: options.prewarmExpirationLimit ?? 100,
    ...(options.prewarmCreation ? { prewarmCreation: options.prewarmCreation } : {}),
    chooseVictims: options.chooseVictims ?? oldestFirst,
    random: options.random ?? Math.random,
  };
}

/**
 * Whether proxies under a pool with `policy` keep a paused container until the pool
 * evicts it (no idle timer): true for `lru` and `greedy-dual`, false for `ttl`
 * (upstream's idle-container timer stays).
 */
export function keepsPausedContainers(policy: KeepAlivePolicyName): boolean {
  return policy !== "ttl";
}

/** Performs one `KeepAlive` effect on `policy`. */
export function applyKeepAlive(policy: KeepAlivePolicy, call: KeepAliveCall, now: number): void {
  switch (call.type) {
    case "onMiss":
      return policy.onMiss(call.stats, now);
    case "onHit":
      for (let i = 0; i < call.count; i++) policy.onHit(call.container, now);
      return;
    case "onRemoved":
      return policy.onRemoved(call.container, now);
  }
}

const PROXY_EVENTS: ReadonlySet<string> = new Set([
  "ReadyToWork",
  "Initialized",
  "Resumed",
  "ResumeFailed",
  "ContainerCreationFailed",
  "ContainerIsPaused",
  "ContainerRemoved",
]);

type PoolMsg = FunctionPullingContainerPoolCommand | Exclude<PoolInput, { type: "ProxyEvent" }>;
type Ctx = ActorContext<PoolMsg>;

function isProxyEvent(msg: PoolMsg): msg is FunctionPullingContainerProxyEvent {
  return PROXY_EVENTS.has(msg.type) && "proxy" in msg;
}

/**
 * Spawns the pool.
 *
 * @param parent the invoker root (or the system)
 * @param deps proxy factory, acks, store, host memory, health manager, logger
 * @param options invoker id, memory, prewarm and drain settings
 * @returns the pool's ref (public commands; proxies send their events to it)
 */
export function spawnFunctionPullingContainerPool(
  parent: Parent,
  deps: FunctionPullingContainerPoolDeps,
  options: FunctionPullingContainerPoolOptions,
): Ref<FunctionPullingContainerPoolCommand> {
  const chosen = options.keepAlivePolicy ?? "ttl";
  const newPolicy = () => typeof chosen === "string" ? createKeepAlivePolicy(chosen) : chosen;
  let policy = newPolicy();
  const config = poolConfig({
    ...options,
    chooseVictims: options.chooseVictims ??
      ((paused, neededMb, now) => policy.chooseVictims(paused, neededMb, now)),
  });
  const transition = poolTransition(config);
  const directory = new ProxyDirectory<string, ProxyRef>();

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

  const storeRecords = (e: Extract<PoolEffect, { type: "StoreRecords" }>, ctx: Ctx) => {
    const end = {
      clock: ctx.system.clock,
      logger: deps.logger,
      invoker: config.invoker,
      storeActivation: (record: WhiskActivation) => deps.storeActivation(record),
      ...(deps.completeActivation ? { sendAck: deps.completeActivation } : {}),
    };
    const now = end.clock.now();
    for (const msg of e.activations) {
      void endActivation(end, msg, whiskErrorActivation(msg, e.reason, now));
    }
  };

  const perform = (effect: PoolEffect, ctx: Ctx): void => {
    switch (effect.type) {
      case "SpawnProxy": {
        const ref = deps.spawnProxy(ctx.self as Ref<FunctionPullingContainerProxyEvent>);
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
      case "SendAck":
        return void Promise.resolve(deps.sendAck(effect.schedulerIndex, effect.ack)).catch((
          error,
        ) =>
          ctx.logger.error("failed to send a creation ack", {
            creationId: effect.ack.creationId,
            error,
          })
        );
      case "ReportMemory":
        return ctx.tell(deps.healthManager, effect.info);
      case "ReadHostMemory":
        return ctx.pipeToSelf(
          deps.readHostMemory(),
          (memory) => ({ type: "HostMemoryRead", usableMb: memory.usableMb }),
          (error) => ({ type: "HostMemoryReadFailed", error: errorMessage(error) }),
        );
      case "StoreRecords":
        return storeRecords(effect, ctx);
      case "DestroyContainer":
        directory.remove(effect.id);
        return void effect.container.destroy().catch((error) =>
          ctx.logger.error("failed to destroy a crashed proxy's container", {
            container: effect.container.id,
            error,
          })
        );
      case "KeepAlive":
        return applyKeepAlive(policy, effect.call, effect.now);
    }
  };

  const onCrash = (crash: CrashInfo) => {
    const containers = directory.clear();
    policy = newPolicy();
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

  const ref = spawnFsm<PoolState, PoolMsg, PoolEffect>(parent, {
    name: options.name ?? "container-pool",
    initialState: initialPoolState,
    transition: (state, msg, now) => {
      const input = toInput(msg);
      const step = transition(state, input, now);
      if (input.type === "ProxyEvent" && input.event.type === "ContainerRemoved") {
        directory.remove(input.id);
      }
      // Timer messages are never proxy events, so the step's messages are pool messages.
      return step as Step<PoolState, PoolMsg, PoolEffect>;
    },
    perform,
    stateTimeout: (state) => (state.name === "Booting" ? 0 : undefined),
    supervision: onCrash,
  });
  return ref;
}
