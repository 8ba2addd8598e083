/**
 * The CreationJobManager's shell: runs {@link creationJobManagerTransition} under
 * `spawnFsm` and performs its effects: in-progress keys through the
 * DataManagementService (`RegisterData` without failover, `UnregisterData`), outcomes to
 * the leader queue and the ContainerManager, and stopping the `creationAck<sid>` feed.
 * Mirrors `core/scheduler/.../container/CreationJobManager.scala`; differences are
 * listed in `creation_job_manager_fsm.ts`.
 *
 * The ack feed (a bus subscription on `creationAck<sid>`) is wired by the composition
 * root: it decodes each record with `decodeContainerCreationAckMessage` and tells this
 * actor `FinishCreationJob`; {@link finishCreationJob} builds that message.
 *
 * Supervision: restart (ARCHITECTURE). A restart forgets the jobs; their keys expire
 * with the scheduler's lease, and the queues' own watches see them go.
 *
 * @module
 */

import {
  type Parent,
  type Ref,
  spawnFsm,
  type SupervisionPolicy,
} from "../../runtime/actors/mod.ts";
import {
  type ContainerCreationAckMessage,
  decodeContainerCreationAckMessage,
} from "../../protocols/container.ts";
import type {
  ContainerManagerCommand,
  CreationJobResult,
} from "../../protocols/container_manager.ts";
import type {
  CreationJobManagerCommand,
  CreationJobManagerMessage,
  FinishCreationJob,
} from "../../protocols/creation_job_manager.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import {
  type CreationJobManagerConfig,
  type CreationJobManagerEffect,
  type CreationJobManagerState,
  creationJobManagerTransition,
  INITIAL_CREATION_JOB_MANAGER_STATE,
} from "./creation_job_manager_fsm.ts";

/** What the CreationJobManager needs from the world. */
export interface CreationJobManagerDeps {
  /** Where in-progress keys are written (the scheduler's DataManagementService). */
  readonly dataManagement: Ref<DataManagementCommand>;
  /** The ContainerManager: outcomes and `ReschedulingCreationJob`. */
  readonly containerManager: Ref<ContainerManagerCommand>;
  /** Tells the leader queue of the job's action (through the QueueManager's pool). */
  sendToQueue(msg: CreationJobResult): void;
  /** Stops consuming `creationAck<sid>` (on graceful shutdown). */
  stopAckFeed(): void;
}

/** Options of {@link spawnCreationJobManager}. */
export interface CreationJobManagerOptions extends CreationJobManagerConfig {
  /** The actor name (`creation-job-manager`). */
  readonly name?: string;
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns the CreationJobManager.
 *
 * @returns its ref, typed to its public commands
 */
export function spawnCreationJobManager(
  parent: Parent,
  deps: CreationJobManagerDeps,
  options: CreationJobManagerOptions,
): Ref<CreationJobManagerCommand> {
  return spawnFsm<CreationJobManagerState, CreationJobManagerMessage, CreationJobManagerEffect>(
    parent,
    {
      name: options.name ?? "creation-job-manager",
      initialState: INITIAL_CREATION_JOB_MANAGER_STATE,
      transition: creationJobManagerTransition(options),
      supervision: options.supervision ?? "restart",
      perform: (effect, ctx) => {
        switch (effect.type) {
          case "registerInProgress":
            return ctx.tell(deps.dataManagement, {
              type: "RegisterData",
              key: effect.key,
              value: "",
              failoverEnabled: false,
            });
          case "unregisterInProgress":
            return ctx.tell(deps.dataManagement, { type: "UnregisterData", key: effect.key });
          case "toQueue":
            return deps.sendToQueue(effect.msg);
          case "toContainerManager":
            return ctx.tell(deps.containerManager, effect.msg);
          case "stopAckFeed":
            return deps.stopAckFeed();
        }
      },
    },
  );
}

/**
 * The message for one `creationAck<sid>` record value.
 *
 * @throws {SyntaxError} when the value is not JSON
 * @throws {TypeError} when it is not an ack (the feed sends it to `deadLetters`)
 */
export function finishCreationJob(value: unknown): FinishCreationJob {
  const ack: ContainerCreationAckMessage = decodeContainerCreationAckMessage(value);
  return { type: "FinishCreationJob", ack };
}
