/**
 * The invoker role's container-proxy factory: every FunctionPullingContainerProxy the
 * pool or the health manager spawns gets its deps here (container factory, typed
 * store reads with a bounded per-revision cache, acks over the bridge, the DMS, the activation
 * client). Mirrors the `childFactory` that `FPCInvokerReactive.scala` hands to
 * `FunctionPullingContainerPool` and `InvokerHealthManager`.
 *
 * @module
 */
import {
  decodeSchedulerEndpoints,
  decodeUserLimitsAt,
  existingContainerRevisionPrefix,
  fqnString,
  inProgressRevisionPrefix,
  type InvokerInstanceId,
  queueLeaderKey,
  type SchedulerEndpoints,
  warmedContainerRevisionPrefix,
  type WhiskAction,
} from "../../protocols/mod.ts";
import type { ActivationClient } from "../../protocols/activation_client.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  HealthMessage,
} from "../../protocols/function_pulling_container_proxy.ts";
import type { Ref, System } from "../../runtime/actors/mod.ts";
import type { Bridge } from "../../runtime/bus/mod.ts";
import type { ContainerFactory } from "../../runtime/containers/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import { type EntityStore, getWhiskAction, putWhiskActivation } from "../../runtime/store/mod.ts";
import { createActionCache } from "./_action_cache.ts";
import { spawnActivationClientProxy } from "./activation_client_proxy.ts";
import {
  type FunctionPullingContainerProxyDeps,
  spawnFunctionPullingContainerProxy,
} from "./function_pulling_container_proxy.ts";

/** What the factory needs. */
export interface ProxySpawnerDeps {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly bridge: Bridge;
  readonly store: EntityStore;
  readonly containers: ContainerFactory;
  readonly dataManagement: Ref<DataManagementCommand>;
  readonly instance: InvokerInstanceId;
  createActivationClient(endpoint: SchedulerEndpoints): Promise<ActivationClient>;
  readonly logger: Logger;
}

/** Settings every proxy shares. */
export interface ProxySpawnerOptions {
  readonly cluster: string;
  readonly pauseGraceMs: number;
  readonly idleContainerMs: number;
  /**
   * Pool proxies keep a paused container until the pool evicts it (no idle timer), for
   * the `lru` and `greedy-dual` keep-alive policies; the health test proxy keeps its timer.
   */
  readonly keepPausedContainers?: boolean;
  /** Upstream's `keeping-duration`: how long a kept paused container stays (10 min). */
  readonly keepingDurationMs?: number;
  /** `__OW_API_HOST` of every container, when known. */
  readonly apiHost?: string;
  /** Action documents kept by (action, revision), least recently used dropped first (500). */
  readonly actionCacheSize?: number;
}

/** The two ways a proxy is spawned. */
export interface ProxySpawner {
  /** A pool proxy pulling from its scheduler's ActivationService. */
  pulling(
    parent: Ref<FunctionPullingContainerProxyEvent>,
  ): Ref<FunctionPullingContainerProxyCommand>;
  /** The health test proxy, whose activations come from `client`. */
  withClient(
    parent: Ref<FunctionPullingContainerProxyEvent>,
    client: ActivationClient,
  ): Ref<FunctionPullingContainerProxyCommand>;
  /** Where proxies report `HealthMessage`s (set once the health manager exists). */
  setHealthManager(ref: Ref<HealthMessage>): void;
}

/** The health test's controller index: its acks are only logged, as upstream. */
const HEALTH_CONTROLLER = "health";

/** Builds the proxy factory of one invoker. */
export function makeProxySpawner(
  deps: ProxySpawnerDeps,
  options: ProxySpawnerOptions,
): ProxySpawner {
  const { kv, store, bridge, logger, instance } = deps;
  const actions = createActionCache<WhiskAction>(options.actionCacheSize);
  let healthManager: Ref<HealthMessage> | undefined;
  let sequence = 0;

  const getAction: FunctionPullingContainerProxyDeps["getAction"] = (fqn, revision) => {
    const key = `${fqnString(fqn)}@${revision ?? ""}`;
    return actions.get(key, async () => {
      const stored = await getWhiskAction(store, fqn, revision ?? undefined);
      if (!stored) throw new Error(`The action ${fqnString(fqn)} does not exist.`);
      return stored.action;
    });
  };

  const base = (
    createClient: (endpoint: SchedulerEndpoints) => Promise<ActivationClient>,
  ): FunctionPullingContainerProxyDeps => {
    if (!healthManager) throw new Error("Cannot spawn a proxy before the health manager exists");
    return {
      createContainer: (create) =>
        deps.containers.create({
          ...create,
          env: options.apiHost ? { __OW_API_HOST: options.apiHost } : {},
        }),
      getAction,
      storeActivation: (record) => putWhiskActivation(store, record),
      sendAck: async (controller, ack) => {
        if (controller.asString === HEALTH_CONTROLLER) {
          logger.debug("health activation finished", { type: ack.type });
          return;
        }
        await bridge.send(`completed${controller.asString}`, "completions", ack);
      },
      spawnActivationClientProxy: (parent, clientOptions) =>
        spawnActivationClientProxy(parent, {
          createClient,
          lookupQueueLeader: async (invocationNamespace, fqn) => {
            const value = await kv.get(queueLeaderKey(invocationNamespace, fqn, options.cluster));
            return value === undefined ? undefined : decodeSchedulerEndpoints(value);
          },
        }, clientOptions),
      countLiveContainers: async (invocationNamespace, fqn, revision) => {
        const prefixes = [
          existingContainerRevisionPrefix(invocationNamespace, fqn, revision, options.cluster),
          inProgressRevisionPrefix(invocationNamespace, fqn, revision, options.cluster),
          warmedContainerRevisionPrefix(invocationNamespace, fqn, revision, options.cluster),
        ];
        const counts = await Promise.all(prefixes.map((p) => kv.countPrefix(p)));
        return counts.reduce((a, b) => a + b, 0);
      },
      getWarmedContainerLimit: async (invocationNamespace) => {
        const raw = await store.getNamespaceLimits(invocationNamespace);
        const limits = raw === undefined || raw === null
          ? {}
          : decodeUserLimitsAt(raw, { what: "UserLimits", path: "" });
        return {
          count: limits.warmedContainerKeepingCount ?? 0,
          timeoutMs: options.keepingDurationMs ?? 600_000,
        };
      },
      dataManagement: deps.dataManagement,
      healthManager,
      invoker: instance,
      cluster: options.cluster,
      clock: deps.system.clock,
      logger,
    };
  };

  const spawn = (
    parent: Ref<FunctionPullingContainerProxyEvent>,
    createClient: (endpoint: SchedulerEndpoints) => Promise<ActivationClient>,
    idleContainerMs = options.idleContainerMs,
  ) =>
    spawnFunctionPullingContainerProxy(parent, base(createClient), {
      name: `proxy-${++sequence}`,
      pauseGraceMs: options.pauseGraceMs,
      idleContainerMs,
    });
  const pullingIdleMs = options.keepPausedContainers
    ? Number.POSITIVE_INFINITY
    : options.idleContainerMs;

  return {
    pulling: (parent) =>
      spawn(parent, (endpoint) => deps.createActivationClient(endpoint), pullingIdleMs),
    withClient: (parent, client) => spawn(parent, () => Promise.resolve(client)),
    setHealthManager: (ref) => {
      healthManager = ref;
    },
  };
}
