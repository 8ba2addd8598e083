/**
 * One activation in a container, end to end, shared by both container proxies (the
 * function-pulling one and the classic one of lean mode): `/init` (cold only), `/run`,
 * then the end through {@link endActivation}: the ack, the logs, the record.
 *
 * Mirrors `initializeAndRunActivation` and `collectLogs`/`storeActivation` of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala` and
 * `initializeAndRun` of `ContainerProxy.scala`; differences: a 503 from the runtime
 * comes back as "reschedule" before anything is acked; a dependency that throws before
 * the end still ends the activation, with a whisk internal error (stored, then acked);
 * the store is always attempted, whatever the ack did.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { WhiskAction } from "../../protocols/whisk_action.ts";
import { type ActivationResponse, whiskErrorActivation } from "../../protocols/whisk_activation.ts";
import type { Clock } from "../../runtime/actors/mod.ts";
import {
  type CallResult,
  type Container,
  LOG_COLLECTION_ISSUE_MESSAGE,
} from "../../runtime/containers/container_factory.ts";
import {
  buildActivationRecord,
  buildInitBody,
  buildRunBody,
  interpretInit,
  interpretRun,
  wantsReschedule,
} from "./_activation_run.ts";
import { endActivation, type EndActivationDeps } from "./_end_activation.ts";

/** Upstream's message when running the container failed unexpectedly. */
export const RUN_FAILED_MESSAGE = "Failed to run container with action.";

/** What a run needs: the end's deps, with an ack sender. */
export type RunAndRecordDeps = EndActivationDeps & Required<Pick<EndActivationDeps, "sendAck">>;

/** One activation to run. */
export interface RunAndRecordJob {
  readonly msg: ActivationMessage;
  readonly action: WhiskAction;
  readonly container: Container;
  /** Send `/init` first (the container's first activation). */
  readonly initialize: boolean;
  /** Called once `/init` succeeded (the proxy may poll for more then). */
  readonly onInitialized: () => void;
}

/** How the run ended. */
export type RunAndRecordOutcome =
  /** The runtime refused (503): nothing acked, hand the activation back. */
  | { readonly type: "reschedule"; readonly durationMs: number }
  /** Ran (or failed to init): acked and recorded. */
  | {
    readonly type: "recorded";
    readonly response: ActivationResponse;
    readonly initFailed: boolean;
    /** This run sent `/init` (its duration includes it). */
    readonly initialized: boolean;
    /** The logs could not be read (the record says so). */
    readonly logsFailed: boolean;
    readonly durationMs: number;
  }
  /** A dependency threw: ended with a whisk internal error. */
  | { readonly type: "failed"; readonly durationMs: number };

const MB = 1024 * 1024;

interface Ran {
  readonly response: ActivationResponse;
  readonly start: number;
  readonly initTimeMs?: number;
  readonly timedOut: boolean;
  readonly initFailed: boolean;
}

const timedOut = (r: CallResult) => r.failure?.type === "timeout";

async function initAndRun(job: RunAndRecordJob, clock: Clock): Promise<Ran | "reschedule"> {
  const { msg, action, container } = job;
  const timeout = action.limits.timeout;
  const start = clock.now();
  let initTimeMs: number | undefined;
  if (job.initialize) {
    const init = await container.initialize(buildInitBody(action, msg, start + timeout), timeout);
    // A fresh container already gone is a start failure, not a retry: rescheduling it
    // would loop through new containers of a runtime that keeps dying.
    if (wantsReschedule(init) && init.failure === undefined) return "reschedule";
    initTimeMs = init.durationMs;
    const failed = interpretInit(init);
    if (failed) {
      return { response: failed, start, initTimeMs, timedOut: timedOut(init), initFailed: true };
    }
    job.onInitialized();
  }
  const result = await container.run(buildRunBody(msg, action, clock.now() + timeout), timeout);
  if (wantsReschedule(result)) return "reschedule";
  return {
    response: interpretRun(result),
    start,
    ...(initTimeMs === undefined ? {} : { initTimeMs }),
    timedOut: timedOut(result),
    initFailed: false,
  };
}

async function collectLogs(
  job: RunAndRecordJob,
  mark: ReturnType<Container["logMark"]>,
  response: ActivationResponse,
): Promise<{ logs: string[]; failed: boolean }> {
  const limitMb = job.action.limits.logs;
  if (limitMb <= 0) return { logs: [], failed: false };
  try {
    const waitForSentinels = response.statusCode < 2 && job.action.limits.concurrency <= 1;
    const logs = await job.container.logs(mark, limitMb * MB, { waitForSentinels });
    return { logs, failed: false };
  } catch {
    return { logs: [LOG_COLLECTION_ISSUE_MESSAGE], failed: true };
  }
}

/**
 * Runs `job` and ends its activation: acked first (the blocking caller waits), the logs
 * read, the record stored. Never throws.
 */
export async function runAndRecord(
  job: RunAndRecordJob,
  deps: RunAndRecordDeps,
): Promise<RunAndRecordOutcome> {
  const { msg, action } = job;
  const { clock } = deps;
  const began = clock.now();
  try {
    const mark = job.container.logMark();
    const ran = await initAndRun(job, clock);
    if (ran === "reschedule") return { type: "reschedule", durationMs: clock.now() - began };
    const end = clock.now();
    let logsFailed = false;
    await endActivation(deps, msg, buildActivationRecord({ msg, action, ...ran, end }), {
      order: "ackFirst",
      complete: async (record) => {
        const { logs, failed } = await collectLogs(job, mark, ran.response);
        logsFailed = failed;
        return { ...record, logs };
      },
    });
    return {
      type: "recorded",
      response: ran.response,
      initFailed: ran.initFailed,
      initialized: ran.initTimeMs !== undefined,
      logsFailed,
      durationMs: end - ran.start,
    };
  } catch (error) {
    deps.logger.error("activation run failed", { activationId: msg.activationId, error });
    const record = whiskErrorActivation(msg, RUN_FAILED_MESSAGE, clock.now(), action);
    await endActivation(deps, msg, record);
    return { type: "failed", durationMs: clock.now() - began };
  }
}
