/**
 * The process tests' stand-in for the controller (and, for scheduler tests, the
 * invokers) on the real etcd and Kafka: a wire bridge on the cluster's topic prefix that
 * consumes `completed<cid>` (acknowledgements and `CreateQueueResponse`s) and, on demand,
 * `creationAck<sid>` and `invoker<N>`; helpers that publish `ActivationMessage`,
 * `CreateQueue` and `ContainerCreationMessage`; a fake invoker (health key `up`, every
 * creation acked); and a seeder of the shared SQLite store. Plays the parts upstream's
 * `FPCPoolBalancer` and `FPCInvokerReactive` play; the containers' side of the
 * ActivationService is in `stub_activation_service.ts`.
 *
 * @module
 */
import {
  type AcknowledgementMessage,
  actionFqn,
  actionMetaData,
  type ActivationMessage,
  type ContainerCreationAckMessage,
  type ContainerCreationMessage,
  controllerInstance,
  type CreateQueueResponse,
  decodeSchedulerEndpoints,
  encodeInvokerResourceMessage,
  encodeWhiskAction,
  existingContainerKey,
  generateTransactionId,
  type Identity,
  invokerInstance,
  invokerKey,
  type JsonObject,
  newActivationId,
  queueLeaderKey,
  type SchedulerEndpoints,
  schedulerInstance,
  startTransaction,
  type WhiskAction,
} from "../../protocols/mod.ts";
import {
  ActorDirectory,
  type Bridge,
  createWireBridge,
  type Envelope,
  KafkaBus,
  type Subscription,
} from "../../runtime/bus/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { jsonLineLogger } from "../../runtime/log.ts";
import { type EntityStore, openSqliteStore, storeFileIn } from "../../runtime/store/mod.ts";
import { prefixTopics } from "../../scripts/cluster/topic_prefix.ts";

/** The caller every harness activation runs as (the guest namespace). */
export const HARNESS_USER: Identity = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502", key: "k".repeat(64) },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** A nodejs action in the guest namespace running `code` (default: echo the params). */
export function nodeAction(
  name: string,
  code = "function main(p) { return p; }",
  limits: Partial<WhiskAction["limits"]> = {},
): WhiskAction {
  return {
    namespace: "guest",
    name,
    exec: { kind: "nodejs:20", code, binary: false },
    parameters: [],
    limits: { timeout: 60_000, memory: 128, logs: 10, concurrency: 1, ...limits },
    version: "0.0.1",
    publish: false,
    annotations: [],
  };
}

const ACK_TYPES = new Set([
  "CombinedCompletionAndResultMessage",
  "CompletionMessage",
  "ResultMessage",
]);

/** Where the harness connects: the cluster's services, names and store. */
export interface RoleHarnessOptions {
  readonly etcd: string;
  readonly kafka: string;
  /** The etcd cluster name (first key segment). */
  readonly cluster: string;
  /** The cluster's Kafka topic prefix. */
  readonly topicPrefix: string;
  /** The processes' `--cluster-data-dir` (the shared SQLite file lives there). */
  readonly dataDir: string;
  /** The controller id the harness plays (`completed<cid>`, default 0). */
  readonly controllerId?: number;
}

/** A running harness; {@link RoleHarness.close} releases everything. */
export interface RoleHarness {
  readonly cluster: string;
  readonly controllerId: number;
  readonly store: EntityStore;
  readonly kv: EtcdKv;
  readonly bridge: Bridge;
  /** Acknowledgements that arrived on `completed<cid>`, in order. */
  readonly acks: AcknowledgementMessage[];
  /** Creation acks that arrived on the `creationAck<sid>` topics listened to. */
  readonly creationAcks: ContainerCreationAckMessage[];
  /** Stores `action` (overwriting); resolves with the store's revision. */
  seedAction(action: WhiskAction): Promise<string>;
  /** A fresh activation of `action` at `revision`, as the controller would publish it. */
  activation(action: WhiskAction, revision: string, content?: JsonObject): ActivationMessage;
  /** Publishes `msg` to `scheduler<sid>` for the QueueManager. */
  publishActivation(sid: number, msg: ActivationMessage): Promise<void>;
  /** Sends `CreateQueue` to `scheduler<sid>` and waits for its answer on `completed<cid>`. */
  createQueue(
    sid: number,
    action: WhiskAction,
    revision: string,
    timeoutMs?: number,
  ): Promise<CreateQueueResponse>;
  /** The endpoints in the queue's leader key, if any. */
  leaderOf(action: WhiskAction): Promise<SchedulerEndpoints | undefined>;
  /** Consumes `creationAck<sid>` into {@link RoleHarness.creationAcks}. */
  listenCreationAcks(sid: number): Promise<void>;
  /** Sends a creation message to `invoker<N>`. */
  sendCreation(invokerId: number, msg: ContainerCreationMessage): Promise<void>;
  /**
   * Publishes `invokers/<id>` as `up`; for every creation sent to `invoker<id>`, writes
   * the container's existing-container key (a container that never fetches: the
   * pullers do the fetching) and acks success.
   */
  fakeInvoker(id: number, freeMemoryMb?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens the harness: the store, etcd, Kafka, and a consumer of `completed<cid>`. */
export async function openRoleHarness(options: RoleHarnessOptions): Promise<RoleHarness> {
  const controllerId = options.controllerId ?? 0;
  const logger = jsonLineLogger("error");
  const store = openSqliteStore({ path: storeFileIn(options.dataDir), logger });
  const kv = new EtcdKv({ endpoint: options.etcd, logger });
  const bus = prefixTopics(
    new KafkaBus({
      brokers: [options.kafka],
      clientId: `harness-${options.cluster}`,
      logger,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    }),
    options.topicPrefix,
  );
  const directory = new ActorDirectory();
  const bridge = createWireBridge({ bus, directory, logger });
  const subscriptions: Subscription[] = [];
  const acks: AcknowledgementMessage[] = [];
  const creationAcks: ContainerCreationAckMessage[] = [];
  const answers = new Map<string, (response: CreateQueueResponse) => void>();
  /** etcd keys the fake invokers wrote, deleted on close. */
  const ownKeys: string[] = [];
  const completedTopic = `completed${controllerId}`;

  directory.register("completions", (message) => {
    if (ACK_TYPES.has(message.type)) acks.push(message as AcknowledgementMessage);
  });
  directory.register("pool-balancer", (message, envelope: Envelope) => {
    if (message.type !== "CreateQueueResponse" || !envelope.correlationId) return;
    answers.get(envelope.correlationId)?.(message);
  });
  directory.register("creation-job-manager", (message) => {
    if (message.type === "ContainerCreationAckMessage") creationAcks.push(message);
  });
  subscriptions.push(await bridge.listen(completedTopic, completedTopic));

  const harness: RoleHarness = {
    cluster: options.cluster,
    controllerId,
    store,
    kv,
    bridge,
    acks,
    creationAcks,
    seedAction: (action) =>
      store.putEntity("actions", action.namespace, action.name, encodeWhiskAction(action), {
        overwrite: true,
      }),
    activation: (action, revision, content) => ({
      type: "ActivationMessage",
      transid: startTransaction(generateTransactionId(), Date.now()),
      action: actionFqn(action),
      revision,
      user: HARNESS_USER,
      activationId: newActivationId(),
      rootControllerIndex: controllerInstance(controllerId),
      blocking: false,
      ...(content === undefined ? {} : { content }),
      initArgs: [],
      lockedArgs: {},
    }),
    publishActivation: (sid, msg) =>
      bridge.send(`scheduler${sid}`, "queue-manager", msg, { tid: msg.transid.id }),
    async createQueue(sid, action, revision, timeoutMs = 10_000) {
      const correlationId = crypto.randomUUID();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = new Promise<CreateQueueResponse>((resolve, reject) => {
        answers.set(correlationId, resolve);
        timer = setTimeout(
          () => reject(new Error(`no CreateQueueResponse from scheduler${sid} in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await bridge.send(`scheduler${sid}`, "queue-manager", {
          type: "CreateQueue",
          invocationNamespace: HARNESS_USER.namespace.name,
          fqn: actionFqn(action),
          revision,
          whiskActionMetaData: actionMetaData(action),
        }, { replyTo: completedTopic, correlationId });
        return await answer;
      } finally {
        clearTimeout(timer);
        answers.delete(correlationId);
      }
    },
    async leaderOf(action) {
      const key = queueLeaderKey(HARNESS_USER.namespace.name, actionFqn(action), options.cluster);
      const value = await kv.get(key);
      return value === undefined ? undefined : decodeSchedulerEndpoints(value);
    },
    async listenCreationAcks(sid) {
      const topic = `creationAck${sid}`;
      subscriptions.push(await bridge.listen(topic, topic));
    },
    sendCreation: (invokerId, msg) =>
      bridge.send(`invoker${invokerId}`, `invoker${invokerId}`, msg, { tid: msg.transid.id }),
    async fakeInvoker(id, freeMemoryMb = 256 * 1024) {
      const self = invokerInstance(id, freeMemoryMb);
      directory.register(`invoker${id}`, (message) => {
        if (message.type !== "ContainerCreationMessage") return;
        if (message.action.path === "whisk.system") return; // warm-up: nothing to ack
        // As a real invoker: the container's key exists before the ack is sent, so the
        // queue never sees a created container vanish (it would drop its queue then).
        const key = existingContainerKey({
          invocationNamespace: message.invocationNamespace,
          action: message.action,
          revision: message.revision,
          invoker: id,
          containerId: `fake-${message.creationId.slice(0, 12)}`,
        }, options.cluster);
        ownKeys.push(key);
        void kv.put(key, "").then(() =>
          bridge.send(
            `creationAck${message.rootSchedulerIndex.asString}`,
            "creation-job-manager",
            creationAck(message, self),
          )
        ).catch(() => {});
      });
      subscriptions.push(await bridge.listen(`invoker${id}`, `invoker${id}`));
      const key = invokerKey(id, options.cluster);
      ownKeys.push(key);
      await kv.put(
        key,
        encodeInvokerResourceMessage({
          status: "up",
          freeMemory: freeMemoryMb,
          busyMemory: 0,
          inProgressMemory: 0,
          tags: [],
          dedicatedNamespaces: [],
        }),
      );
    },
    async close() {
      await Promise.all(subscriptions.map((s) => s.close().catch(() => {})));
      await bridge.close().catch(() => {});
      await bus.close().catch(() => {});
      for (const key of ownKeys) await kv.del(key).catch(() => {});
      await kv.close().catch(() => {});
      await store.close();
    },
  };
  return harness;
}

/** The success ack an invoker sends for `msg`. */
function creationAck(
  msg: ContainerCreationMessage,
  invoker: ReturnType<typeof invokerInstance>,
): ContainerCreationAckMessage {
  return {
    type: "ContainerCreationAckMessage",
    transid: msg.transid,
    creationId: msg.creationId,
    invocationNamespace: msg.invocationNamespace,
    action: msg.action,
    revision: msg.revision,
    actionMetaData: msg.whiskActionMetaData,
    rootInvokerIndex: invoker,
    schedulerHost: msg.schedulerHost,
    rpcPort: msg.rpcPort,
    retryCount: msg.retryCount,
    success: true,
  };
}

/** A creation message for `action` at `revision`, fetching from `endpoints`. */
export function creationMessage(
  action: WhiskAction,
  revision: string,
  sid: number,
  endpoints: SchedulerEndpoints,
): ContainerCreationMessage {
  return {
    type: "ContainerCreationMessage",
    transid: startTransaction(generateTransactionId(), Date.now()),
    invocationNamespace: HARNESS_USER.namespace.name,
    action: actionFqn(action),
    revision,
    whiskActionMetaData: actionMetaData(action),
    rootSchedulerIndex: schedulerInstance(sid),
    schedulerHost: endpoints.host,
    rpcPort: endpoints.rpcPort,
    retryCount: 0,
    creationId: newActivationId(),
  };
}
