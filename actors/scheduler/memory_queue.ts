/**
 * The MemoryQueue actor shell: runs {@link memoryQueueTransition} in the FSM kit and
 * performs its effects through `deps` (DataManagementService and Watcher messages,
 * ContainerManager requests, error completions, the cached namespace-limits read).
 * Mirrors `core/scheduler/.../queue/MemoryQueue.scala` (its `props` and side effects);
 * differences are listed in `memory_queue_fsm.ts`.
 *
 * Supervision: a crash is a bug; the queue stops, and the activations it held (as of the
 * last state it committed) are handed to `onCrashed`, so the QueueManager can give them
 * to a new queue or end them with records (ARCHITECTURE "Supervision").
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { ContainerCreationMessage } from "../../protocols/container.ts";
import type { ContainerCreation, ContainerDeletion } from "../../protocols/container_manager.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import { encodeSchedulerEndpoints } from "../../protocols/health.ts";
import type { SchedulerInstanceId } from "../../protocols/instance_id.ts";
import type { MemoryQueueCommand, QueueToManager } from "../../protocols/memory_queue.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import { sid_containerCreation } from "../../protocols/transaction_id.ts";
import type { WatcherCommand } from "../../protocols/watcher.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import type { ActorContext, Parent } from "../../runtime/actors/spawn_actor.ts";
import { spawnFsm } from "../../runtime/actors/fsm.ts";
import type { Ref } from "../../runtime/actors/ref.ts";

import type { Logger } from "../../runtime/log.ts";
import { type ErrorCompletion, errorCompletion } from "./_error_completion.ts";
import type { MemoryQueueEffect, NamespaceLimits, QueueContext } from "./_memory_queue_model.ts";
import { items } from "./memory_queue_fifo.ts";
import {
  initialQueueState,
  type MemoryQueueConfig,
  type MemoryQueueMessage,
  type MemoryQueueState,
  memoryQueueTransition,
  queueContext,
  queueStateTimeout,
} from "./memory_queue_fsm.ts";

export type { NamespaceLimits } from "./_memory_queue_model.ts";

/** What a MemoryQueue stands on. */
export interface MemoryQueueDeps {
  readonly logger: Logger;
  readonly schedulerId: SchedulerInstanceId;
  readonly endpoints: SchedulerEndpoints;
  readonly config: MemoryQueueConfig;
  readonly containerManager: Ref<ContainerCreation | ContainerDeletion>;
  readonly dataManagement: Ref<DataManagementCommand>;
  readonly watcher: Ref<WatcherCommand>;
  /** Acks the controller (`completed<cid>`) and stores the record (insert-if-absent). */
  readonly completeActivation: (completion: ErrorCompletion) => void;
  /**
   * The namespace's limits, from a cache (reference §9.17: never a database read per
   * tick). Rejects with an error named `NotFoundError` when the namespace is gone.
   */
  readonly getNamespaceLimits: (
    invocationNamespace: string,
  ) => NamespaceLimits | Promise<NamespaceLimits>;
  /**
   * The prefix of a new queue's creation ids (24 hex, random by default); the queue
   * appends an 8-hex counter, so its ids are 32 hex.
   */
  readonly newCreationIdPrefix?: () => string;
  /** etcd cluster prefix (default `whisk`). */
  readonly cluster?: string;
}

/** Identifies the queue to spawn. */
export interface MemoryQueueOptions {
  readonly queueId: string;
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly metadata: WhiskActionMetaData;
  /** The QueueManager (also the nact parent). */
  readonly parent: Ref<QueueToManager>;
  /** Told the activations the queue held when it crashed (then the queue stops). */
  readonly onCrashed?: (activations: readonly ActivationMessage[]) => void;
}

let spawnCount = 0;

const randomPrefix = () => crypto.randomUUID().replaceAll("-", "").slice(0, 24);

function creationMessages(
  ctx: QueueContext,
  deps: MemoryQueueDeps,
  creationIds: readonly string[],
  now: number,
): ContainerCreationMessage[] {
  return creationIds.map((creationId) => ({
    type: "ContainerCreationMessage" as const,
    transid: { id: sid_containerCreation, start: now, extraLogging: false },
    invocationNamespace: ctx.invocationNamespace,
    action: ctx.action,
    revision: ctx.revision,
    whiskActionMetaData: ctx.metadata,
    rootSchedulerIndex: deps.schedulerId,
    schedulerHost: deps.endpoints.host,
    rpcPort: deps.endpoints.rpcPort,
    retryCount: 0,
    creationId,
  }));
}

function limitsFailure(error: unknown): MemoryQueueMessage {
  return {
    type: "NamespaceLimitsFailed",
    noDocument: error instanceof Error && error.name === "NotFoundError",
    reason: error instanceof Error ? error.message : String(error),
  };
}

/** Performs one queue effect. */
function perform(
  effect: MemoryQueueEffect,
  ctx: ActorContext<MemoryQueueMessage>,
  queue: QueueContext,
  deps: MemoryQueueDeps,
): void {
  const now = ctx.system.clock.now();
  const watchName = `memory-queue-${queue.queueId}`;
  switch (effect.type) {
    case "createContainers":
      return ctx.tell(deps.containerManager, {
        type: "ContainerCreation",
        msgs: creationMessages(queue, deps, effect.creationIds, now),
        actionMemoryMb: queue.metadata.limits.memory,
        invocationNamespace: queue.invocationNamespace,
      });
    case "deleteContainers":
      return ctx.tell(deps.containerManager, {
        type: "ContainerDeletion",
        invocationNamespace: queue.invocationNamespace,
        action: queue.action,
        revision: queue.revision,
        whiskActionMetaData: queue.metadata,
      });
    case "complete":
      if (effect.ending.tooManyRequests) {
        ctx.logger.info("activation refused: too many requests", {
          activationId: effect.msg.activationId,
        });
      }
      return deps.completeActivation(
        errorCompletion(effect.msg, effect.ending, now, deps.schedulerId, queue.metadata),
      );
    case "registerInitialData":
      return ctx.tell(deps.dataManagement, {
        type: "RegisterInitialData",
        key: effect.key,
        value: effect.value,
        failoverEnabled: false,
        replyTo: ctx.self,
      });
    case "registerData":
      return ctx.tell(deps.dataManagement, {
        type: "RegisterData",
        key: effect.key,
        value: effect.value,
        failoverEnabled: false,
      });
    case "unregisterData":
      return ctx.tell(deps.dataManagement, { type: "UnregisterData", key: effect.key });
    case "watch":
      return ctx.tell(deps.watcher, {
        type: "WatchEndpoint",
        key: effect.key,
        isPrefix: effect.isPrefix,
        name: watchName,
        put: effect.put,
        del: effect.del,
        replyTo: ctx.self,
      });
    case "unwatch":
      return ctx.tell(deps.watcher, {
        type: "UnwatchEndpoint",
        key: effect.key,
        isPrefix: effect.isPrefix,
        name: watchName,
        needFeedback: false,
      });
    case "readNamespaceLimits": {
      let read: Promise<NamespaceLimits>;
      try {
        read = Promise.resolve(deps.getNamespaceLimits(queue.invocationNamespace));
      } catch (error) {
        read = Promise.reject(error);
      }
      return ctx.pipeToSelf(
        read,
        (limits) => ({ type: "NamespaceLimitsRead", limits }),
        limitsFailure,
      );
    }
    case "log":
      return ctx.logger[effect.level](effect.msg, effect.meta);
    default:
      return effect satisfies never;
  }
}

/**
 * Spawns a MemoryQueue under `parent` (its QueueManager) in state Uninitialized; it
 * stashes everything until `Start` or `VersionUpdated`.
 *
 * @returns the queue's ref, typed to its public commands
 */
export function spawnMemoryQueue(
  parent: Parent,
  deps: MemoryQueueDeps,
  options: MemoryQueueOptions,
): Ref<MemoryQueueCommand> {
  const queue = queueContext({
    ...options,
    endpointsValue: encodeSchedulerEndpoints(deps.endpoints),
    config: deps.config,
    creationIdPrefix: (deps.newCreationIdPrefix ?? randomPrefix)(),
    ...(deps.cluster === undefined ? {} : { cluster: deps.cluster }),
  });
  let committed: MemoryQueueState = initialQueueState(queue);
  return spawnFsm<MemoryQueueState, MemoryQueueMessage, MemoryQueueEffect>(parent, {
    name: `queue-${options.queueId}-${++spawnCount}`,
    initialState: committed,
    transition: (state, msg, now) => {
      const step = memoryQueueTransition(state, msg, now);
      committed = step.next; // what a crash hands back to the manager
      return step;
    },
    perform: (effect, ctx) => perform(effect, ctx, queue, deps),
    stateTimeout: queueStateTimeout,
    supervision: () => {
      const held = [...items(committed.data.queue)].map((e) => e.msg);
      try {
        options.onCrashed?.(held);
      } catch (error) {
        deps.logger.error("handing over a crashed queue's activations failed", { error });
      }
      return "stop";
    },
  });
}
