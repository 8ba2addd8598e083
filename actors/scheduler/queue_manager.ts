/**
 * The QueueManager actor shell: runs {@link queueManagerTransition} in the FSM kit,
 * keeps the refs of its MemoryQueue children (the transition names them by id), and
 * performs the effects through `deps` (DataManagementService and Watcher messages, the
 * child factory, metadata and leader-key reads, forwarding over the bus, error
 * completions). Mirrors `core/scheduler/.../queue/QueueManager.scala`; differences are
 * listed in `queue_manager_fsm.ts`.
 *
 * Supervision: restart (ARCHITECTURE: "state is rebuilt"). The MemoryQueues are not the
 * manager's nact children (nact stops an actor's children when it restarts): they live
 * under the sibling group `<name>-queues`, and the shell's {@link QueueRegistry} keeps
 * their refs across restarts. A restarted manager asks each of them for its status and
 * rebuilds its pool and leader revisions from the answers (`Adopting`); the leader
 * endpoints of other schedulers are re-read from etcd on demand and refreshed by the
 * re-opened `queue/` watch; activations the crashed incarnation held while waiting for a
 * leader read or a metadata fetch are routed again (ended with records if they were
 * already held at the previous crash). Lost with the crash: pending leader elections
 * (the controller's `CreateQueue` ask times out and is retried).
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import { schedulerKey } from "../../protocols/etcd_keys.ts";
import {
  decodeSchedulerEndpoints,
  encodeSchedulerEndpoints,
  encodeSchedulerStates,
  type SchedulerEndpoints,
} from "../../protocols/health.ts";
import type { SchedulerInstanceId } from "../../protocols/instance_id.ts";
import type { MemoryQueueCommand, QueueStatus } from "../../protocols/memory_queue.ts";
import type { QueueManagerCommand, QueueManagerMessage } from "../../protocols/queue_manager.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { WatcherCommand } from "../../protocols/watcher.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import { ask } from "../../runtime/actors/ask.ts";
import { spawnFsm } from "../../runtime/actors/fsm.ts";
import { spawnGroup } from "../../runtime/actors/group.ts";
import type { Ref } from "../../runtime/actors/ref.ts";
import type { ActorContext, Parent } from "../../runtime/actors/spawn_actor.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/log.ts";
import { type ErrorCompletion, errorCompletion } from "./_error_completion.ts";
import type { MemoryQueueOptions } from "./memory_queue.ts";
import { QueueRegistry } from "./_queue_manager_registry.ts";
import {
  initialManagerState,
  type ManagerMessage,
  managerStateTimeout,
  type QueueManagerEffect,
  type QueueManagerState,
  queueManagerTransition,
  watchedQueuePrefix,
} from "./queue_manager_fsm.ts";

/** What a QueueManager stands on. */
export interface QueueManagerDeps {
  readonly logger: Logger;
  readonly schedulerId: SchedulerInstanceId;
  readonly endpoints: SchedulerEndpoints;
  readonly maxSchedulingTimeMs: number;
  readonly maxRetriesToGetQueue: number;
  /** Default 1000 ms. */
  readonly publishIntervalMs?: number;
  /** How long each queue may take to answer `GetState` (default 5000 ms). */
  readonly stateAskTimeoutMs?: number;
  /** How long each queue may take to answer a restarted manager (default 1000 ms). */
  readonly adoptAskTimeoutMs?: number;
  readonly cluster?: string;
  readonly dataManagement: Ref<DataManagementCommand>;
  readonly watcher: Ref<WatcherCommand>;
  /**
   * Creates a MemoryQueue (tests hand out probes) under `parent`, the manager's sibling
   * group; `options.parent` is the manager, which the queue reports to.
   */
  readonly spawnQueue: (parent: Parent, options: MemoryQueueOptions) => Ref<MemoryQueueCommand>;
  /**
   * The action's metadata at `revision`, or at the latest revision when that one is gone
   * (upstream retries with an empty revision on a mismatch); resolves with the revision
   * actually read.
   */
  readonly getActionMetadata: (
    invocationNamespace: string,
    action: FullyQualifiedEntityName,
    revision: DocRevision,
  ) => Promise<{ metadata: WhiskActionMetaData; revision: DocRevision }>;
  /** One read of a leader key: its raw value, or undefined when absent. */
  readonly readLeader: (key: string) => Promise<string | undefined>;
  /** Publishes `msg` on the leader's `scheduler<sid>` topic with `forwarded-from`. */
  readonly forwardToLeader: (msg: ActivationMessage, endpoints: SchedulerEndpoints) => void;
  /** Acks the controller and stores the record (insert-if-absent). */
  readonly completeActivation: (completion: ErrorCompletion) => void;
}

function leaderRead(key: string, attempt: number, value: string | undefined): QueueManagerMessage {
  if (value === undefined) return { type: "LeaderRead", leaderKey: key, attempt };
  try {
    return {
      type: "LeaderRead",
      leaderKey: key,
      attempt,
      endpoints: decodeSchedulerEndpoints(value),
    };
  } catch {
    return { type: "LeaderRead", leaderKey: key, attempt, unparseable: true };
  }
}

function collectStates(
  ctx: ActorContext<ManagerMessage>,
  registry: QueueRegistry,
  effect: Extract<QueueManagerEffect, { type: "collectStates" }>,
  timeoutMs: number,
): void {
  const asks = effect.queueIds.flatMap((id) => {
    const ref = registry.refOf(id);
    return ref === undefined ? [] : [
      ask<QueueStatus, MemoryQueueCommand>(
        ctx.system,
        ref,
        (replyTo) => ({ type: "GetState", replyTo }),
        timeoutMs,
      ),
    ];
  });
  void Promise.allSettled(asks).then((results) => {
    const queues = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
    ctx.tell(effect.replyTo, { type: "QueueStates", queues });
  });
}

/**
 * Spawns the QueueManager.
 *
 * @returns its ref, typed to its public commands
 */
export function spawnQueueManager(
  parent: Parent,
  deps: QueueManagerDeps,
  name = "queue-manager",
): Ref<QueueManagerCommand> {
  const registry = new QueueRegistry();
  const queuesGroup = spawnGroup(parent, `${name}-queues`);
  const config = {
    schedulerId: deps.schedulerId.asString,
    endpoints: deps.endpoints,
    endpointsValue: encodeSchedulerEndpoints(deps.endpoints),
    maxSchedulingTimeMs: deps.maxSchedulingTimeMs,
    maxRetriesToGetQueue: deps.maxRetriesToGetQueue,
    publishIntervalMs: deps.publishIntervalMs ?? 1000,
    ...(deps.cluster === undefined ? {} : { cluster: deps.cluster }),
  };

  const perform = (effect: QueueManagerEffect, ctx: ActorContext<ManagerMessage>) => {
    switch (effect.type) {
      case "adoptQueues":
        return ctx.pipeToSelf(
          registry.adopt(ctx.system, deps.adoptAskTimeoutMs ?? 1000),
          (adopted) => adopted,
          (error) => {
            ctx.logger.error("adopting the queues failed; starting without them", { error });
            return {
              type: "QueuesAdopted",
              queues: [],
              reroute: [],
              abandon: [],
              shuttingDown: false,
            };
          },
        );
      case "electLeader":
        return ctx.tell(deps.dataManagement, {
          type: "ElectLeader",
          key: effect.key,
          value: effect.value,
          replyTo: ctx.self,
        });
      case "spawnQueue": {
        const { entry } = effect;
        const ref = deps.spawnQueue(queuesGroup, {
          queueId: entry.id,
          ...entry.key,
          metadata: entry.metadata,
          parent: ctx.self,
          onCrashed: (activations) =>
            ctx.tell(ctx.self, { type: "QueueCrashed", queueId: entry.id, activations }),
        });
        registry.add(entry, ref);
        ctx.tell(ref, { type: effect.start });
        if (effect.shutdown) ctx.tell(ref, { type: "GracefulShutdown" });
        return;
      }
      case "toQueue": {
        const ref = registry.refOf(effect.queueId);
        if (ref !== undefined) return ctx.tell(ref, effect.msg);
        return ctx.logger.warn("no ref for queue", { queueId: effect.queueId });
      }
      case "forgetQueue":
        return registry.remove(effect.queueId);
      case "replyQueue": {
        const ref = registry.refOf(effect.queueId);
        return ctx.tell(
          effect.replyTo,
          ref === undefined ? { type: "NoMemoryQueue" } : { type: "Queue", ref },
        );
      }
      case "forwardToLeader":
        return deps.forwardToLeader(effect.msg, effect.endpoints);
      case "readLeader":
        return ctx.pipeToSelf(
          deps.readLeader(effect.leaderKey),
          (value) => leaderRead(effect.leaderKey, effect.attempt, value),
          () => ({ type: "LeaderRead", leaderKey: effect.leaderKey, attempt: effect.attempt }),
        );
      case "fetchMetadata": {
        const { activation, purpose } = effect;
        return ctx.pipeToSelf(
          deps.getActionMetadata(
            activation.user.namespace.name,
            activation.action,
            activation.revision,
          ),
          ({ metadata, revision }) => ({
            type: "ActionMetadataFetched",
            purpose,
            activation,
            revision,
            metadata,
          }),
          (error) => ({
            type: "ActionMetadataFailed",
            purpose,
            activation,
            reason: errorMessage(error),
          }),
        );
      }
      case "complete":
        return deps.completeActivation(
          errorCompletion(
            effect.msg,
            effect.outcome,
            ctx.system.clock.now(),
            deps.schedulerId,
            effect.metadata,
          ),
        );
      case "watchQueues":
        return ctx.tell(deps.watcher, {
          type: "WatchEndpoint",
          key: watchedQueuePrefix(config),
          isPrefix: true,
          name: "queue-manager",
          put: true,
          del: true,
          replyTo: ctx.self,
        });
      case "unregisterScheduler":
        return ctx.tell(deps.dataManagement, {
          type: "UnregisterData",
          key: schedulerKey(deps.schedulerId, deps.cluster),
        });
      case "publishStates":
        return ctx.tell(deps.dataManagement, {
          type: "UpdateDataOnChange",
          key: schedulerKey(deps.schedulerId, deps.cluster),
          value: encodeSchedulerStates({
            sid: deps.schedulerId,
            queueSize: effect.leaderCount,
            endpoints: deps.endpoints,
          }),
        });
      case "collectStates":
        return collectStates(ctx, registry, effect, deps.stateAskTimeoutMs ?? 5000);
      case "log":
        return ctx.logger[effect.level](effect.msg, effect.meta);
      default:
        return effect satisfies never;
    }
  };

  let committed = initialManagerState(config); // what a crash salvages
  return spawnFsm<QueueManagerState, ManagerMessage, QueueManagerEffect>(parent, {
    name,
    initialState: committed,
    transition: (state, msg, now) => {
      const step = queueManagerTransition(state, msg, now);
      committed = step.next;
      return step;
    },
    perform,
    stateTimeout: managerStateTimeout,
    supervision: () => {
      registry.salvage(committed.data);
      committed = initialManagerState(config);
      return "restart";
    },
  });
}
