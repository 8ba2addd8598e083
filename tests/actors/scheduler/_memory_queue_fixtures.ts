/**
 * Fixtures shared by the MemoryQueue and QueueManager tests: activations, action
 * metadata, a queue config with short timers, a queue context, and a jump into any
 * state of the queue FSM.
 *
 * @module
 */

import type { ActivationMessage } from "../../../protocols/activation.ts";
import type { Identity } from "../../../protocols/identity.ts";
import { controllerInstance } from "../../../protocols/instance_id.ts";
import type { QueueToManager } from "../../../protocols/memory_queue.ts";
import { transactionId } from "../../../protocols/transaction_id.ts";
import type { WhiskActionMetaData } from "../../../protocols/whisk_action.ts";
import type { Ref } from "../../../runtime/actors/ref.ts";
import { DEFAULTS } from "../../../runtime/config.ts";
import {
  type MemoryQueueConfig,
  type MemoryQueueState,
  queueContext,
  type QueueData,
} from "../../../actors/scheduler/memory_queue_fsm.ts";
import { initialData } from "../../../actors/scheduler/_memory_queue_model.ts";
import { emptyFifo, push } from "../../../actors/scheduler/memory_queue_fifo.ts";

/** The caller. */
export const USER: Identity = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502", key: "k".repeat(64) },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** The action, at revision {@link REV}. */
export const ACTION = { path: "guest", name: "hello", version: "0.0.1" } as const;
/** Its current revision. */
export const REV = "1-aaa";
/** A newer revision. */
export const NEW_REV = "2-bbb";

/** The action's metadata. */
export const META: WhiskActionMetaData = {
  namespace: "guest",
  name: "hello",
  exec: { kind: "nodejs:20", binary: false },
  parameters: [],
  limits: { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 },
  version: "0.0.1",
  publish: false,
  annotations: [],
};

/** Blackbox metadata. */
export const BLACKBOX_META: WhiskActionMetaData = {
  ...META,
  exec: { kind: "blackbox", image: "user/image", binary: false },
};

/** Activation `n` (id `n` padded to 32 hex) started at `start`. */
export function activation(
  n: number,
  o: { revision?: string; start?: number; blocking?: boolean } = {},
): ActivationMessage {
  return {
    type: "ActivationMessage",
    transid: { id: transactionId(`tid${n}`), start: o.start ?? 1_000, extraLogging: false },
    action: ACTION,
    revision: o.revision ?? REV,
    user: USER,
    activationId: n.toString(16).padStart(32, "0"),
    rootControllerIndex: controllerInstance(0),
    blocking: o.blocking ?? true,
    initArgs: [],
    lockedArgs: {},
  };
}

/** Upstream's defaults with short grace times (ms). */
export const CONFIG: MemoryQueueConfig = {
  ...DEFAULTS.queue,
  idleGraceMs: 1_000,
  stopGraceMs: 1_000,
  flushGraceMs: 3_000,
  gracefulShutdownTimeoutMs: 500,
  maxRetentionMs: 5_000,
  maxBlackboxRetentionMs: 20_000,
  maxRetentionSize: 10,
  checkIntervalMs: DEFAULTS.scheduling.checkIntervalMs,
  dropIntervalMs: 1_000,
  longPollMs: DEFAULTS.scheduling.longPollMs,
  scheduling: {
    staleThresholdMs: 100,
    allowOverProvisionBeforeThrottle: false,
    namespaceOverProvisionBeforeThrottleRatio: 1.5,
  },
};

/** A stand-in ref for pure tests (never delivered to). */
export function fakeRef<M>(path: string): Ref<M> {
  return { path } as unknown as Ref<M>;
}

/** The parent of FSM-level queues. */
export const PARENT = fakeRef<QueueToManager>("parent");

/** A queue context for guest/hello@1-aaa. */
export function context(
  o: { meta?: WhiskActionMetaData; config?: Partial<MemoryQueueConfig> } = {},
) {
  return queueContext({
    queueId: "q1",
    invocationNamespace: "guest",
    action: ACTION,
    revision: REV,
    metadata: o.meta ?? META,
    parent: PARENT,
    endpointsValue: `{"host":"127.0.0.1","rpcPort":13001}`,
    config: { ...CONFIG, ...o.config },
  });
}

/** Jumps into any state with some data replaced and `queued` activations (enqueued at `at`). */
export function inState(
  name: MemoryQueueState["name"],
  o: {
    data?: Partial<QueueData>;
    queued?: readonly ActivationMessage[];
    at?: number;
    config?: Partial<MemoryQueueConfig>;
    meta?: WhiskActionMetaData;
  } = {},
): MemoryQueueState {
  let queue = emptyFifo<{ at: number; msg: ActivationMessage }>();
  for (const msg of o.queued ?? []) queue = push(queue, { at: o.at ?? 1_000, msg });
  const data: QueueData = { ...initialData(context(o)), queue, ...o.data };
  switch (name) {
    case "Flushing":
      return {
        name,
        data,
        error: "NoAvailableInvokersError",
        reason: "no invokers",
        activeDuringFlush: false,
      };
    case "Removing":
      return { name, data, outdated: false };
    case "Removed":
      return { name, data, outdated: false };
    default:
      return { name, data };
  }
}

/** Every queue state name. */
export const ALL_STATES: readonly MemoryQueueState["name"][] = [
  "Uninitialized",
  "Running",
  "Idle",
  "Flushing",
  "Removing",
  "Removed",
  "ActionThrottled",
  "NamespaceThrottled",
];
