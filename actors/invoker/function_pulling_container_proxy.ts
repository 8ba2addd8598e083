/**
 * The FunctionPullingContainerProxy actor shell: per message it runs the pure
 * transition of `function_pulling_container_proxy_fsm.ts`, commits the state, traces the
 * transition (the FSM kit does both) and performs the effects through
 * `function_pulling_container_proxy_effects.ts`; every container, store and etcd call
 * comes back as a message.
 *
 * Mirrors `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * (constructor and companion `props`); see the effects and FSM phase files for the
 * differences.
 *
 * Supervision: stop. Before it stops, a crashed proxy tells the DataManagementService
 * to delete the etcd keys it had put (they are failover-enabled: the DMS would re-put
 * them forever) and reports `ContainerRemoved` with `crashedWith` (its container) and
 * the activations it held, so that the pool can destroy the container and write their
 * records (ARCHITECTURE, Supervision).
 *
 * @module
 */

import { errorMessage } from "../../runtime/log.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
} from "../../protocols/function_pulling_container_proxy.ts";
import { type CrashInfo, type Ref, spawnFsm, tell } from "../../runtime/actors/mod.ts";
import {
  type FunctionPullingContainerProxyDeps,
  proxyPerformer,
} from "./function_pulling_container_proxy_effects.ts";
import {
  existingKeyOf,
  initialProxyState,
  type ProxyEffect,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  proxyStateTimeout,
  proxyTransition,
  warmedKeyOf,
} from "./function_pulling_container_proxy_fsm.ts";

export type {
  FunctionPullingContainerProxyDeps,
  WarmedContainerLimit,
} from "./function_pulling_container_proxy_effects.ts";

/** Options of {@link spawnFunctionPullingContainerProxy}. */
export interface FunctionPullingContainerProxyOptions {
  /** Actor name, unique in the pool. */
  readonly name: string;
  /** Default 10 s. */
  readonly pauseGraceMs?: number;
  /** Default 10 min; `Infinity`: no idle timer (the pool evicts paused containers). */
  readonly idleContainerMs?: number;
  /** Default 1 min. */
  readonly pingCacheMs?: number;
  /** Default 10 s. */
  readonly clientClosedRetryMs?: number;
  /** Liveness check of a waiting prewarm; default 1 s, 0 turns it off. */
  readonly healthCheckIntervalMs?: number;
}

/** The crash report: `ContainerRemoved` with the container and the activations held. */
function crashReport(
  self: Ref<FunctionPullingContainerProxyCommand>,
  state: ProxyState,
  crash: CrashInfo,
): FunctionPullingContainerProxyEvent {
  const data = state.data;
  const held = "pulling" in state ? [...state.pulling.running, ...state.pulling.pending] : [];
  return {
    type: "ContainerRemoved",
    proxy: self,
    replacePrewarm: true,
    heldActivations: held,
    crashedWith: {
      ...(data.type === "NonexistentData" ? {} : { container: data.container }),
      error: errorMessage(crash.error),
    },
  };
}

/**
 * The etcd keys a proxy in `state` may have put with failover (so the DMS re-puts them
 * until told otherwise): the existing-container key once bound, the warmed key from
 * Pausing on. A crashed proxy has them deleted, or they would outlive its container.
 */
export function registeredKeys(state: ProxyState, env: ProxyEnv): string[] {
  const data = state.data;
  if (
    data.type !== "InitializedData" && data.type !== "WarmData" && data.type !== "ReschedulingData"
  ) {
    return [];
  }
  const warmed = data.type === "WarmData" && state.name !== "Running";
  return [existingKeyOf(data, env), ...(warmed ? [warmedKeyOf(data, env)] : [])];
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
  // The transition needs the proxy's own ref, which exists only once it is spawned.
  const holder: { self?: Ref<FunctionPullingContainerProxyCommand>; last: ProxyState } = {
    last: initialProxyState,
  };
  const healthCheck = options.healthCheckIntervalMs ?? 1_000;
  const env = (): ProxyEnv => ({
    self: holder.self as Ref<FunctionPullingContainerProxyCommand>,
    parent,
    healthManager: deps.healthManager,
    invokerId: deps.invoker.instance,
    pauseGraceMs: options.pauseGraceMs ?? 10_000,
    idleContainerMs: options.idleContainerMs ?? 600_000,
    pingCacheMs: options.pingCacheMs ?? 60_000,
    clientClosedRetryMs: options.clientClosedRetryMs ?? 10_000,
    ...(healthCheck > 0 ? { healthCheckIntervalMs: healthCheck } : {}),
    isNamespaceBlocked: (ns) => deps.isNamespaceBlocked?.(ns) ?? false,
    ...(deps.cluster === undefined ? {} : { cluster: deps.cluster }),
  });
  let transition: ReturnType<typeof proxyTransition> | undefined;
  const onCrash = (crash: CrashInfo) => {
    const self = holder.self;
    if (!self) return "stop" as const;
    // The keys go first: the pool may start a replacement as soon as it reads the report.
    for (const key of registeredKeys(holder.last, env())) {
      tell(self, deps.dataManagement, { type: "UnregisterData", key });
    }
    tell(self, parent, crashReport(self, holder.last, crash));
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
    perform: proxyPerformer(deps),
    stateTimeout: proxyStateTimeout(env()),
    supervision: onCrash,
  });
  holder.self = self as Ref<FunctionPullingContainerProxyCommand>;
  return holder.self;
}
