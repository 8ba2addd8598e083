/**
 * The invoker role assembled: data services under the invoker's lease, the
 * InvokerHealthManager, the FunctionPullingContainerPool with its proxies, the
 * `invoker<N>` consumer and the admin routes. Mirrors
 * `core/invoker/.../invoker/FPCInvokerReactive.scala` (its wiring of the pool, the
 * health manager, the container-message consumer and the acks); differences: the
 * consumer loads the action through the typed store reader, and an action that cannot
 * be loaded is acked as `DBFetchError` at once instead of timing out.
 *
 * Topic consumed: `invoker<N>` (group `invoker<N>`), delivered to the recipient
 * `invoker<N>`. Acks go to `creationAck<sid>` (recipient `creation-job-manager`) and
 * completions to `completed<cid>` (recipient `completions`).
 *
 * @module
 */
import {
  ALL_RIGHTS,
  type ContainerCreationAckMessage,
  DEFAULT_INTERNAL_CREDENTIAL,
  encodeInvokerResourceMessage,
  fqnString,
  type Identity,
  invokerInstance,
  type InvokerInstanceId,
  invokerKey,
  type SchedulerEndpoints,
  type WireMessage,
} from "../../protocols/mod.ts";
import type { ActivationClient } from "../../protocols/activation_client.ts";
import type {
  CreationContainer,
  DeletionContainer,
  PrewarmConfig,
} from "../../protocols/function_pulling_container_pool.ts";
import { type Ref, spawnGroup, type System, tell, type Tracer } from "../../runtime/actors/mod.ts";
import type { ActorDirectory, Bridge, Subscription } from "../../runtime/bus/mod.ts";
import { type ContainerFactory, readHostMemory } from "../../runtime/containers/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import type { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, getWhiskAction, putWhiskActivation } from "../../runtime/store/mod.ts";
import { spawnDataServices } from "../shared/mod.ts";
import {
  keepsPausedContainers,
  spawnFunctionPullingContainerPool,
} from "./function_pulling_container_pool.ts";
import type { KeepAlivePolicyName } from "./keep_alive/mod.ts";
import { spawnInvokerHealthManager } from "./invoker_health_manager.ts";
import {
  HEALTH_ACTION_NAMESPACE,
  healthTestActionDocument,
} from "./invoker_health_manager_client.ts";
import { actorInvokerControl, invokerHandler } from "./invoker_server.ts";
import { makeProxySpawner } from "./invoker_role_proxies.ts";

/** The built-in action schedulers send to warm up a new invoker (upstream `WarmUp`). */
const WARM_UP_ACTION = "whisk.system/warmUp";

/** What the invoker role stands on. */
export interface InvokerRoleDeps {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly bridge: Bridge;
  readonly directory: ActorDirectory;
  readonly store: EntityStore;
  readonly containers: ContainerFactory;
  /** Connects a container's activation client to a scheduler (in-process or HTTP). */
  createActivationClient(endpoint: SchedulerEndpoints): Promise<ActivationClient>;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly tracer?: Tracer;
}

/** Settings of the invoker role. */
export interface InvokerRoleOptions {
  readonly invokerId: number;
  readonly cluster: string;
  readonly userMemoryMb: number;
  readonly tags: readonly string[];
  readonly dedicatedNamespaces: readonly string[];
  readonly prewarm: readonly PrewarmConfig[];
  readonly leaseTtlSeconds: number;
  readonly pauseGraceMs: number;
  readonly idleContainerMs: number;
  readonly memorySyncIntervalMs: number;
  /** The pool's keep-alive policy (`containerPool.keepAlivePolicy`); default `ttl`. */
  readonly keepAlivePolicy?: KeepAlivePolicyName;
}

/** A running invoker role. */
export interface InvokerRole {
  readonly instance: InvokerInstanceId;
  /** `/enable`, `/disable`, `/isEnabled`, `/metrics`, `/health`, `/trace`. */
  readonly handler: (request: Request) => Promise<Response>;
  /** Takes no new work, lets in-flight activations finish and removes containers. */
  drain(): void;
  close(): Promise<void>;
}

/** The identity health activations run as (upstream: the `whisk.system` subject). */
function systemIdentity(): Identity {
  const { uuid, key } = DEFAULT_INTERNAL_CREDENTIAL;
  return {
    subject: HEALTH_ACTION_NAMESPACE,
    namespace: { name: HEALTH_ACTION_NAMESPACE, uuid },
    authkey: { uuid, key },
    rights: ALL_RIGHTS,
    limits: {},
  };
}

/** Starts the invoker role and enables it (Offline → Unhealthy → Healthy). */
export async function startInvokerRole(
  deps: InvokerRoleDeps,
  options: InvokerRoleOptions,
): Promise<InvokerRole> {
  const { system, bridge, store, logger } = deps;
  const name = `invoker${options.invokerId}`;
  const instance: InvokerInstanceId = {
    ...invokerInstance(options.invokerId, options.userMemoryMb),
    tags: options.tags,
    dedicatedNamespaces: options.dedicatedNamespaces,
  };
  const root = spawnGroup(system, name);
  const data = spawnDataServices(root, { kv: deps.kv }, {
    instance: name,
    cluster: options.cluster,
    ttlSeconds: options.leaseTtlSeconds,
  });
  const spawnProxy = makeProxySpawner({ ...deps, dataManagement: data.dataManagement, instance }, {
    cluster: options.cluster,
    pauseGraceMs: options.pauseGraceMs,
    idleContainerMs: options.idleContainerMs,
    keepPausedContainers: keepsPausedContainers(options.keepAlivePolicy ?? "ttl"),
  });

  const healthManager = spawnInvokerHealthManager(root, {
    spawnProxy: (parent, client) => spawnProxy.withClient(parent, client),
    ensureTestAction: async () => {
      const document = healthTestActionDocument(options.invokerId);
      const revision = await store.putEntity(
        "actions",
        HEALTH_ACTION_NAMESPACE,
        document.name,
        document,
        { overwrite: true },
      );
      return { action: document, revision, identity: systemIdentity() };
    },
    publish: (value) =>
      tell(system, data.dataManagement, {
        type: "UpdateDataOnChange",
        key: invokerKey(options.invokerId, options.cluster),
        value: encodeInvokerResourceMessage(value),
      }),
    logger,
  }, {
    userMemoryMb: options.userMemoryMb,
    tags: options.tags,
    dedicatedNamespaces: options.dedicatedNamespaces,
  });

  spawnProxy.setHealthManager(healthManager);

  const pool = spawnFunctionPullingContainerPool(root, {
    spawnProxy: (parent) => spawnProxy.pulling(parent),
    sendAck: (scheduler, ack) =>
      bridge.send(`creationAck${scheduler.asString}`, "creation-job-manager", ack),
    storeActivation: (record) => putWhiskActivation(store, record),
    completeActivation: (controller, ack) =>
      bridge.send(`completed${controller.asString}`, "completions", ack),
    readHostMemory: () => readHostMemory(),
    healthManager,
    logger,
  }, {
    invoker: instance,
    userMemoryMb: options.userMemoryMb,
    memorySyncIntervalMs: options.memorySyncIntervalMs,
    prewarm: options.prewarm,
    keepAlivePolicy: options.keepAlivePolicy ?? "ttl",
  });

  const unregister = deps.directory.register(name, (message) => {
    // Never rejects (failures are logged inside); the catch guards against a bug there,
    // since an unhandled rejection would end the process.
    routeContainerMessage(message, { store, pool, system, bridge, instance, logger }).catch(
      (error) => logger.error("container message routing failed", { type: message.type, error }),
    );
  });
  const subscription: Subscription = await bridge.listen(name, name);
  const control = actorInvokerControl(system, pool, healthManager);
  control.enable();

  return {
    instance,
    handler: invokerHandler({
      instanceName: name,
      control,
      internalAuthKey: `${DEFAULT_INTERNAL_CREDENTIAL.uuid}:${DEFAULT_INTERNAL_CREDENTIAL.key}`,
      metrics: () => deps.metrics.render(),
      health: () => ({ status: "ok", invoker: name, sandbox: deps.containers.capabilities() }),
      ...(deps.tracer ? { tracer: deps.tracer } : {}),
    }),
    drain: () => control.disable(),
    async close() {
      unregister();
      await subscription.close();
    },
  };
}

/** What {@link routeContainerMessage} needs. */
export interface RouteDeps {
  readonly store: EntityStore;
  readonly pool: Ref<CreationContainer | DeletionContainer>;
  readonly system: System;
  readonly bridge: Bridge;
  readonly instance: InvokerInstanceId;
  readonly logger: Logger;
}

/**
 * Upstream's container-message consumer: a creation loads its action and goes to the
 * pool; an action that cannot be loaded is acked `DBFetchError` (not retryable). Never
 * rejects: an ack that cannot be sent is logged (the scheduler's creation job times out).
 */
export async function routeContainerMessage(
  message: WireMessage,
  deps: RouteDeps,
): Promise<void> {
  const { system, pool, logger } = deps;
  if (message.type === "ContainerDeletionMessage") {
    tell(system, pool, { type: "DeletionContainer", msg: message });
    return;
  }
  if (message.type !== "ContainerCreationMessage") {
    logger.warn("invoker ignores an unexpected message", { type: message.type });
    return;
  }
  if (fqnString(message.action) === WARM_UP_ACTION) {
    // Upstream's warm-up creation only opens the path to a new invoker: nothing to run.
    logger.debug("warm-up creation message received", { creationId: message.creationId });
    return;
  }
  try {
    const found = await getWhiskAction(deps.store, message.action, message.revision ?? undefined);
    if (!found) throw new Error(`action ${message.action.path}/${message.action.name} not found`);
    tell(system, pool, { type: "CreationContainer", msg: message, action: found.action });
  } catch (error) {
    logger.warn("cannot load the action of a creation message", {
      creationId: message.creationId,
      error,
    });
    const ack: ContainerCreationAckMessage = {
      type: "ContainerCreationAckMessage",
      transid: message.transid,
      creationId: message.creationId,
      invocationNamespace: message.invocationNamespace,
      action: message.action,
      revision: message.revision,
      actionMetaData: message.whiskActionMetaData,
      rootInvokerIndex: deps.instance,
      schedulerHost: message.schedulerHost,
      rpcPort: message.rpcPort,
      retryCount: message.retryCount,
      success: false,
      error: "DBFetchError",
      reason: error instanceof Error ? error.message : String(error),
    };
    try {
      await deps.bridge.send(
        `creationAck${message.rootSchedulerIndex.asString}`,
        "creation-job-manager",
        ack,
      );
    } catch (sendError) {
      logger.error("failed to send a DBFetchError creation ack", {
        creationId: message.creationId,
        error: sendError,
      });
    }
  }
}
