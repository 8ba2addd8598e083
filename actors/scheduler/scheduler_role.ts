/**
 * The scheduler role assembled: data services under the scheduler's lease, the
 * QueueManager with its MemoryQueues, the ContainerManager with its
 * CreationJobManager, the ActivationService and the admin routes. Mirrors
 * `core/scheduler/.../Scheduler.scala` (its wiring of the queue manager, the container
 * manager, the Kafka feeds, the gRPC service and the admin API); differences: remote
 * tells between schedulers and the controller's `CreateQueue` ask travel over the bus
 * bridge, and the ActivationService is HTTP (or in-process in standalone).
 *
 * Topics consumed: `scheduler<sid>` (recipient `queue-manager`) and `creationAck<sid>`
 * (recipient `creation-job-manager`).
 *
 * @module
 */
import {
  actionMetaData,
  type ContainerManagerCommand,
  type CreateQueueResponse,
  DEFAULT_INTERNAL_CREDENTIAL,
  type InternalCredential,
  type SchedulerEndpoints,
  schedulerInstance,
  type WireMessage,
} from "../../protocols/mod.ts";
import type { ActivationClient } from "../../protocols/activation_client.ts";
import type { CreationJobResult } from "../../protocols/container_manager.ts";
import type { QueueLookup, QueueManagerCommand } from "../../protocols/queue_manager.ts";
import {
  type AnyRef,
  ask,
  type Ref,
  spawnActor,
  spawnGroup,
  stopActor,
  type System,
  tell,
  type Tracer,
} from "../../runtime/actors/mod.ts";
import type { ActorDirectory, Bridge, Envelope, Subscription } from "../../runtime/bus/mod.ts";
import type { Config } from "../../runtime/config.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import type { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, getWhiskAction, putWhiskActivation } from "../../runtime/store/mod.ts";
import { spawnDataServices } from "../shared/mod.ts";
import { type ErrorCompletion, errorCompletion } from "./_error_completion.ts";
import { NO_QUEUE_ENDPOINT } from "./_queue_manager_model.ts";
import { createActivationServiceHandler, inProcessActivationClient } from "./activation_service.ts";
import { spawnContainerManager } from "./container_manager.ts";
import { spawnCreationJobManager } from "./creation_job_manager.ts";
import { spawnMemoryQueue } from "./memory_queue.ts";
import { spawnQueueManager } from "./queue_manager.ts";
import { startLeaderForwarder } from "./queue_manager_forwarder.ts";
import { createSchedulerServerHandler, queueManagerAdmin } from "./scheduler_server.ts";
import { namespaceLimitsCache } from "./scheduler_role_limits.ts";

/** What the scheduler role stands on. */
export interface SchedulerRoleDeps {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly bridge: Bridge;
  readonly directory: ActorDirectory;
  readonly store: EntityStore;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly tracer?: Tracer;
}

/** Settings of the scheduler role. */
export interface SchedulerRoleOptions {
  readonly schedulerId: number;
  /** Advertised in the leader keys: where containers fetch activations. */
  readonly endpoints: SchedulerEndpoints;
  readonly config: Config;
  readonly credential?: InternalCredential;
}

/** A running scheduler role. */
export interface SchedulerRole {
  readonly queueManager: Ref<QueueManagerCommand>;
  /** ActivationService plus `/state`, `/disable`, `/queue/*`, `/metrics`, `/health`. */
  readonly handler: (request: Request) => Promise<Response>;
  /** An ActivationClient that calls this scheduler in-process (standalone). */
  activationClient(): ActivationClient;
  /** Flow E: hand queues over and stop taking new ones. */
  drain(): void;
  close(): Promise<void>;
}

/** Starts the scheduler role. */
export async function startSchedulerRole(
  deps: SchedulerRoleDeps,
  options: SchedulerRoleOptions,
): Promise<SchedulerRole> {
  const { system, kv, bridge, store, logger } = deps;
  const { config } = options;
  const cluster = config.cluster.name;
  const sid = schedulerInstance(options.schedulerId);
  const name = `scheduler${options.schedulerId}`;
  const credential = options.credential ?? DEFAULT_INTERNAL_CREDENTIAL;
  const root = spawnGroup(system, name);
  const data = spawnDataServices(root, { kv }, {
    instance: name,
    cluster,
    ttlSeconds: config.etcd.leaseTtlSeconds,
    keepAliveIntervalMs: config.etcd.keepAliveIntervalMs,
    retryIntervalMs: config.etcd.retryIntervalMs,
  });

  const completeActivation = (completion: ErrorCompletion) => {
    void putWhiskActivation(store, completion.record).catch((error) =>
      logger.error("cannot store the record of an ended activation", { error })
    );
    void bridge.send(
      `completed${completion.activation.rootControllerIndex.asString}`,
      "completions",
      completion.ack,
    ).catch((error) => logger.error("cannot ack an ended activation", { error }));
  };

  // The queue of a creation result is found through the QueueManager's pool.
  // Refs that exist only after the actors that use them are spawned.
  const late: {
    queueManager?: Ref<QueueManagerCommand>;
    containerManager?: Ref<ContainerManagerCommand>;
    ackFeed?: Subscription;
  } = {};
  const sendToQueue = (msg: CreationJobResult) => {
    if (!late.queueManager) return;
    void ask<QueueLookup, QueueManagerCommand>(system, late.queueManager, (replyTo) => ({
      type: "GetQueue",
      invocationNamespace: msg.invocationNamespace,
      action: msg.action,
      revision: msg.revision,
      replyTo,
    }), 5_000).then((found) => {
      if (found.type === "Queue") tell(system, found.ref, msg);
      else logger.info("creation result for a queue that is gone", { creationId: msg.creationId });
    }, (error) => logger.warn("cannot route a creation result", { error }));
  };

  // The two managers are siblings under the root (ARCHITECTURE "Supervision"), so a
  // restart of one never stops the other. They talk both ways: the job manager reads
  // the ContainerManager's ref when it first sends to it, which is after the spawn just
  // below (no message is handled before this function returns to the event loop).
  const jobManager = spawnCreationJobManager(root, {
    dataManagement: data.dataManagement,
    get containerManager(): Ref<ContainerManagerCommand> {
      if (!late.containerManager) throw new Error("the ContainerManager is not spawned yet");
      return late.containerManager;
    },
    sendToQueue,
    stopAckFeed: () => void late.ackFeed?.close(),
  }, {
    cluster,
    sid,
    timeouts: {
      inProgressJobRetentionMs: config.scheduling.inProgressJobRetentionMs,
      blackboxMultiple: config.scheduling.blackboxMultiple,
    },
    retry: { retryLimit: config.scheduling.creationRetryLimit, baseDelayMs: 100 },
  });
  const containerManager = late.containerManager = spawnContainerManager(root, {
    kv,
    sendToInvoker: (invokerId, msg) =>
      void bridge.send(`invoker${invokerId}`, `invoker${invokerId}`, msg).catch((error) =>
        logger.error("cannot send to an invoker", { invokerId, error })
      ),
    sendToQueue,
    jobManager,
  }, {
    cluster,
    sid,
    selection: {
      managedFraction: config.scheduling.managedFraction,
      blackboxFraction: config.scheduling.blackboxFraction,
      minMemoryMb: 128,
      random: Math.random,
    },
    reloadIntervalMs: 1_000,
  });

  const forwarder = startLeaderForwarder({
    kv,
    send: (leaderSid, msg) =>
      bridge.send(`scheduler${leaderSid}`, "queue-manager", msg, { forwardedFrom: sid.asString }),
    fail: (msg) =>
      completeActivation(
        errorCompletion(
          msg,
          { statusCode: 3, message: NO_QUEUE_ENDPOINT },
          system.clock.now(),
          sid,
        ),
      ),
    logger,
  }, { cluster });

  const limits = namespaceLimitsCache(store, system.clock, config.controller.concurrentInvocations);
  const qm = spawnQueueManager(root, {
    logger,
    schedulerId: sid,
    endpoints: options.endpoints,
    maxSchedulingTimeMs: config.scheduling.maxSchedulingTimeMs,
    maxRetriesToGetQueue: config.scheduling.maxRetriesToGetQueue,
    cluster,
    dataManagement: data.dataManagement,
    watcher: data.watcher,
    spawnQueue: (parent, queueOptions) =>
      spawnMemoryQueue(parent, {
        logger,
        schedulerId: sid,
        endpoints: options.endpoints,
        config: {
          ...config.queue,
          checkIntervalMs: config.scheduling.checkIntervalMs,
          dropIntervalMs: config.scheduling.dropIntervalMs,
          longPollMs: config.scheduling.longPollMs,
          scheduling: {
            staleThresholdMs: config.scheduling.staleThresholdMs,
            allowOverProvisionBeforeThrottle: config.scheduling.allowOverProvisionBeforeThrottle,
            namespaceOverProvisionBeforeThrottleRatio:
              config.scheduling.namespaceOverProvisionBeforeThrottleRatio,
          },
        },
        containerManager,
        dataManagement: data.dataManagement,
        watcher: data.watcher,
        completeActivation,
        getNamespaceLimits: (ns) => limits.get(ns),
        cluster,
      }, queueOptions),
    getActionMetadata: async (_ns, action, revision) => {
      const found = await getWhiskAction(store, action, revision ?? undefined);
      if (!found) throw new Error(`The action ${action.path}/${action.name} does not exist.`);
      return { metadata: actionMetaData(found.action), revision: found.revision };
    },
    readLeader: (key) => kv.get(key),
    forwardToLeader: (msg, endpoints) => forwarder.forward(msg, endpoints),
    completeActivation,
  });
  late.queueManager = qm;

  // A receiver returns false for a type its actor does not take: a dead letter.
  const unregister = [
    deps.directory.register(
      "queue-manager",
      (message, envelope) =>
        routeToQueueManager(message, envelope, { system, root, qm, bridge, logger }),
    ),
    deps.directory.register("creation-job-manager", (message) => {
      if (message.type !== "ContainerCreationAckMessage") return false;
      tell(system, jobManager, { type: "FinishCreationJob", ack: message });
      return true;
    }),
  ];
  const subscriptions = [await bridge.listen(name, name)];
  late.ackFeed = await bridge.listen(
    `creationAck${options.schedulerId}`,
    `creationAck${options.schedulerId}`,
  );
  subscriptions.push(late.ackFeed);

  const activationServiceDeps = { system, queueManager: qm, credential, logger };
  const handler = createSchedulerServerHandler({
    credential,
    activationService: createActivationServiceHandler(activationServiceDeps, {
      longPollMs: config.scheduling.longPollMs,
    }),
    disable: () => tell(system, qm, { type: "GracefulShutdown" }),
    state: async () => ({ scheduler: name, ...(await queueManagerAdmin(system, qm).queueTotal()) }),
    ...queueManagerAdmin(system, qm),
    metrics: () => deps.metrics.render(),
    health: () => ({ status: "ok", scheduler: name }),
  });

  return {
    queueManager: qm,
    handler,
    activationClient: () =>
      inProcessActivationClient(activationServiceDeps, options.endpoints, {
        longPollMs: config.scheduling.longPollMs,
      }),
    drain: () => tell(system, qm, { type: "GracefulShutdown" }),
    async close() {
      for (const off of unregister) off();
      for (const sub of subscriptions) await sub.close();
      await forwarder.close();
    },
  };
}

interface RouteDeps {
  readonly system: System;
  /** Where the `CreateQueue` reply actors are spawned (the role's root). */
  readonly root: AnyRef;
  readonly qm: Ref<QueueManagerCommand>;
  readonly bridge: Bridge;
  readonly logger: Logger;
}

/** How long a `CreateQueue` reply actor waits for the QueueManager's answer. */
export const CREATE_QUEUE_REPLY_TIMEOUT_MS = 10_000;

/**
 * Bus messages for the QueueManager: activations (forwarded ones marked), and
 * `CreateQueue` whose answer goes back to the asker's `reply-to` topic.
 *
 * @returns false for a message type the QueueManager does not take (a dead letter)
 */
function routeToQueueManager(message: WireMessage, envelope: Envelope, deps: RouteDeps): boolean {
  const { system, qm } = deps;
  switch (message.type) {
    case "ActivationMessage":
      if (envelope.forwardedFrom !== undefined) {
        tell(system, qm, {
          type: "ForwardedActivation",
          activation: message,
          forwardedFrom: envelope.forwardedFrom,
        });
      } else tell(system, qm, message);
      return true;
    case "CreateQueue": {
      const replyTopic = envelope.replyTo;
      if (replyTopic === undefined) tell(system, qm, message);
      else {tell(system, qm, {
          ...message,
          replyTo: spawnCreateQueueReplier(envelope, replyTopic, deps),
        });}
      return true;
    }
    default:
      return false;
  }
}

type ReplierMessage = CreateQueueResponse | { readonly type: "ReplyTimedOut" };

/**
 * A one-shot actor that sends the QueueManager's `CreateQueueResponse` to `replyTopic`
 * with the ask's correlation id, then stops; it stops anyway (and logs) when no answer
 * came within {@link CREATE_QUEUE_REPLY_TIMEOUT_MS} (the asker has given up by then).
 */
function spawnCreateQueueReplier(
  envelope: Envelope,
  replyTopic: string,
  deps: RouteDeps,
): Ref<CreateQueueResponse> {
  const { bridge, logger } = deps;
  return spawnActor<undefined, ReplierMessage>(deps.root, {
    name: `create-queue-reply-${crypto.randomUUID().slice(0, 8)}`,
    initialState: undefined,
    supervision: "stop",
    onStart: (_state, ctx) =>
      ctx.timers.startSingleTimer(
        "timeout",
        { type: "ReplyTimedOut" },
        CREATE_QUEUE_REPLY_TIMEOUT_MS,
      ),
    handle: (_state, msg, ctx) => {
      if (msg.type === "ReplyTimedOut") {
        logger.warn("CreateQueue got no answer in time; stopped waiting", {
          replyTopic,
          ...(envelope.correlationId ? { correlationId: envelope.correlationId } : {}),
        });
      } else {
        void bridge.send(replyTopic, "pool-balancer", msg, {
          ...(envelope.correlationId ? { correlationId: envelope.correlationId } : {}),
        }).catch((error) => logger.error("cannot answer CreateQueue", { error }));
      }
      stopActor(ctx.self);
      return undefined;
    },
  });
}
