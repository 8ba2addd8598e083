/**
 * The CreationJobManager's pure transition: it tracks each container creation sent to
 * an invoker until its ack, writes and deletes the job's in-progress key, times jobs
 * out, retries whisk errors with backoff through the ContainerManager, and reports the
 * outcome to the leader queue and the ContainerManager. Mirrors
 * `core/scheduler/.../container/CreationJobManager.scala` (reference `openwhisk-fpc.md`
 * §2.3 steps 7 and 12, §4.8).
 *
 * Differences from upstream:
 * - The job timer and the retry backoff are keyed timers on the injected clock
 *   (`timeout:<creationId>`, `retry:<creationId>`), so tests drive them with a manual
 *   clock; a retry whose job timed out meanwhile is dropped instead of creating a
 *   container nobody waits for.
 * - Every ack's error name parses (reference §9.1), so `ShuttingDownError` is retried
 *   and `NonExecutableActionError` fails at once.
 * - A `FailedCreationJob` from the ContainerManager (a retry found no invoker) ends the
 *   job at once, key included.
 * - The timer is not restarted by retries: every retry shares the job's budget, as
 *   upstream (reference §9.22).
 *
 * @module
 */

import type { FsmEffect, FsmState, Step } from "../../runtime/actors/mod.ts";
import type {
  ContainerCreationAckMessage,
  ContainerCreationMessage,
} from "../../protocols/container.ts";
import type {
  ContainerManagerCommand,
  CreationJobResult,
  FailedCreationJob,
} from "../../protocols/container_manager.ts";
import type { CreationJobManagerMessage } from "../../protocols/creation_job_manager.ts";
import { withoutVersion } from "../../protocols/entity_name.ts";
import { inProgressContainerKey } from "../../protocols/etcd_keys.ts";
import type { SchedulerInstanceId } from "../../protocols/instance_id.ts";
import {
  creationJobTimeoutMs,
  creationRetry,
  type CreationRetryPolicy,
  type CreationTimeoutConfig,
  creationTimeoutReason,
} from "./creation_retry.ts";

/** The CreationJobManager's settings. */
export interface CreationJobManagerConfig {
  /** The etcd key prefix (`whisk`). */
  readonly cluster: string;
  /** This scheduler: the in-progress keys name it, acks come on `creationAck<sid>`. */
  readonly sid: SchedulerInstanceId;
  readonly timeouts: CreationTimeoutConfig;
  readonly retry: CreationRetryPolicy;
}

/** One creation waiting for its ack. */
export interface CreationJob {
  /** The latest attempt (its `retryCount` grows with each retry). */
  readonly msg: ContainerCreationMessage;
  readonly key: string;
  readonly timeoutMs: number;
}

/** The CreationJobManager's state. */
export interface CreationJobManagerState extends FsmState {
  readonly name: "Running" | "ShuttingDown";
  readonly jobs: ReadonlyMap<string, CreationJob>;
}

/** The CreationJobManager's own effects, performed by its shell. */
export type CreationJobManagerEffect =
  /** Put the in-progress key under the lease, without failover (the DataManagementService). */
  | { readonly type: "registerInProgress"; readonly key: string }
  | { readonly type: "unregisterInProgress"; readonly key: string }
  /** Tell the leader queue of the job's action. */
  | { readonly type: "toQueue"; readonly msg: CreationJobResult }
  | { readonly type: "toContainerManager"; readonly msg: ContainerManagerCommand }
  /** Stop consuming `creationAck<sid>`. */
  | { readonly type: "stopAckFeed" };

type Msg = CreationJobManagerMessage;
type Effect = FsmEffect<Msg> | CreationJobManagerEffect;
type JobStep = Step<CreationJobManagerState, Msg, CreationJobManagerEffect>;

/** No jobs. */
export const INITIAL_CREATION_JOB_MANAGER_STATE: CreationJobManagerState = {
  name: "Running",
  jobs: new Map(),
};

const timeoutKey = (creationId: string) => `timeout:${creationId}`;
const retryKey = (creationId: string) => `retry:${creationId}`;

/** The in-progress key of a creation (reference §3, key 5). */
export function inProgressKeyOf(
  m: Pick<ContainerCreationMessage, "invocationNamespace" | "action" | "revision" | "creationId">,
  config: Pick<CreationJobManagerConfig, "cluster" | "sid">,
): string {
  return inProgressContainerKey({
    invocationNamespace: m.invocationNamespace,
    action: withoutVersion(m.action),
    revision: m.revision,
    sid: config.sid,
    creationId: m.creationId,
  }, config.cluster);
}

/** The transition function for `spawnFsm`. */
export function creationJobManagerTransition(config: CreationJobManagerConfig) {
  return (state: CreationJobManagerState, msg: Msg): JobStep => {
    switch (msg.type) {
      case "RegisterCreationJob":
        return register(state, msg.msg, config);
      case "FinishCreationJob":
        return finish(state, msg.ack, config);
      case "FailedCreationJob":
        return end(state, msg.creationId, inProgressKeyOf(msg, config), msg, false);
      case "CreationRetryDue": {
        const job = state.jobs.get(msg.msg.creationId);
        if (job === undefined) return { next: state, effects: [] }; // ended meanwhile
        return {
          next: withJob(state, msg.msg.creationId, { ...job, msg: msg.msg }),
          effects: [{
            type: "toContainerManager",
            msg: { type: "ReschedulingCreationJob", msg: msg.msg },
          }],
        };
      }
      case "CreationJobTimedOut": {
        const job = state.jobs.get(msg.creationId);
        if (job === undefined) return { next: state, effects: [] };
        return end(state, msg.creationId, job.key, {
          ...failure(job.msg, "TimeoutError"),
          reason: creationTimeoutReason(
            `${job.msg.action.path}/${job.msg.action.name}`,
            msg.creationId,
            job.timeoutMs,
          ),
        });
      }
      case "GracefulShutdown":
        return { next: { ...state, name: "ShuttingDown" }, effects: [{ type: "stopAckFeed" }] };
    }
  };
}

function withJob(state: CreationJobManagerState, id: string, job: CreationJob) {
  return { ...state, jobs: new Map(state.jobs).set(id, job) };
}

/** A new job writes its key and starts its timer; a known one (a retry) keeps both. */
function register(
  state: CreationJobManagerState,
  msg: ContainerCreationMessage,
  config: CreationJobManagerConfig,
): JobStep {
  const known = state.jobs.get(msg.creationId);
  if (known !== undefined) {
    return { next: withJob(state, msg.creationId, { ...known, msg }), effects: [] };
  }
  const key = inProgressKeyOf(msg, config);
  const timeoutMs = creationJobTimeoutMs(
    msg.whiskActionMetaData.exec.kind === "blackbox",
    config.timeouts,
  );
  return {
    next: withJob(state, msg.creationId, { msg, key, timeoutMs }),
    effects: [
      { type: "registerInProgress", key },
      {
        type: "startTimer",
        key: timeoutKey(msg.creationId),
        msg: { type: "CreationJobTimedOut", creationId: msg.creationId },
        ms: timeoutMs,
      },
    ],
  };
}

function finish(
  state: CreationJobManagerState,
  ack: ContainerCreationAckMessage,
  config: CreationJobManagerConfig,
): JobStep {
  const job = state.jobs.get(ack.creationId);
  const key = job?.key ?? inProgressKeyOf(ack, config);
  if (ack.success) {
    return end(state, ack.creationId, key, {
      type: "SuccessfulCreationJob",
      creationId: ack.creationId,
      invocationNamespace: ack.invocationNamespace,
      action: ack.action,
      revision: ack.revision,
    });
  }
  const failed: FailedCreationJob = { ...failure(ack, ack.error), reason: ack.reason };
  // An unknown job (timed out already) only gets its state reported (reference §4.8).
  if (job === undefined) return end(state, ack.creationId, key, failed);
  const decision = creationRetry(ack.retryCount, ack.error, config.retry);
  if (decision.type === "fail") return end(state, ack.creationId, key, failed);
  const retry: ContainerCreationMessage = {
    ...job.msg,
    transid: ack.transid,
    retryCount: decision.retryCount,
  };
  return {
    next: state,
    effects: [{
      type: "startTimer",
      key: retryKey(ack.creationId),
      msg: { type: "CreationRetryDue", msg: retry },
      ms: decision.delayMs,
    }],
  };
}

/**
 * Ends a job: cancels its timers, forgets it, deletes its key, and reports `result` to
 * the queue (and, unless it came from there, to the ContainerManager).
 */
function end(
  state: CreationJobManagerState,
  creationId: string,
  key: string,
  result: CreationJobResult,
  tellContainerManager = true,
): JobStep {
  const jobs = new Map(state.jobs);
  jobs.delete(creationId);
  const effects: Effect[] = [
    { type: "cancelTimer", key: timeoutKey(creationId) },
    { type: "cancelTimer", key: retryKey(creationId) },
    { type: "toQueue", msg: result },
  ];
  if (tellContainerManager) effects.push({ type: "toContainerManager", msg: result });
  effects.push({ type: "unregisterInProgress", key });
  return { next: { ...state, jobs }, effects };
}

function failure(
  m: Pick<ContainerCreationMessage, "creationId" | "invocationNamespace" | "action" | "revision">,
  error: FailedCreationJob["error"],
): FailedCreationJob {
  return {
    type: "FailedCreationJob",
    creationId: m.creationId,
    invocationNamespace: m.invocationNamespace,
    action: m.action,
    revision: m.revision,
    error,
    reason: "",
  };
}
