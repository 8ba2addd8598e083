/**
 * The I/O of one activation in a classic proxy's container, run by the shell outside its
 * handler: `/init` (first run only), `/run`, the ack to the controller, log collection
 * and the record. `InitCompleted` is told from inside the job; the outcome comes back
 * as `RunCompleted`.
 *
 * Mirrors `initializeAndRun` of `core/invoker/.../containerpool/ContainerProxy.scala`;
 * differences: an init failure is reported with its response (so the buffered runs are
 * aborted with it without an exception type), a 503 is reported as "reschedule" before
 * anything is acked, and a job always acks what it started, even when a dependency
 * throws (then with a whisk internal error).
 *
 * @module
 */

import type { AcknowledgementMessage } from "../../protocols/activation.ts";
import type { Run } from "../../protocols/container_proxy.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { ActivationResponse, WhiskActivation } from "../../protocols/whisk_activation.ts";
import type { Clock } from "../../runtime/actors/mod.ts";
import {
  type CallResult,
  type Container,
  LOG_COLLECTION_ISSUE_MESSAGE,
} from "../../runtime/containers/container_factory.ts";
import type { Logger } from "../../runtime/log.ts";
import {
  buildAck,
  buildActivationRecord,
  buildInitBody,
  buildRunBody,
  interpretInit,
  interpretRun,
  keepsContainer,
  wantsReschedule,
  whiskErrorRecord,
} from "./_activation_run.ts";
import type { RunOutcome } from "./container_proxy_fsm_common.ts";

/** What a job needs from the proxy's deps. */
export interface ContainerJobDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly invoker: InvokerInstanceId;
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  storeActivation(record: WhiskActivation): Promise<unknown>;
}

/** One job. */
export interface ContainerJob {
  readonly run: Run;
  readonly container: Container;
  readonly initialize: boolean;
  /** Called once `/init` succeeded. */
  readonly onInitialized: () => void;
}

const MB = 1024 * 1024;

interface Ran {
  readonly response: ActivationResponse;
  readonly start: number;
  readonly initTimeMs?: number;
  readonly timedOut: boolean;
  /** Set when `/init` failed. */
  readonly initFailed: boolean;
}

type Attempt = Ran | "reschedule";

const timedOut = (r: CallResult) => r.failure?.type === "timeout";

async function initAndRun(job: ContainerJob, clock: Clock): Promise<Attempt> {
  const { run: { msg, action }, container } = job;
  const timeout = action.limits.timeout;
  const start = clock.now();
  let initTimeMs: number | undefined;
  if (job.initialize) {
    const init = await container.initialize(buildInitBody(action, msg, start + timeout), timeout);
    if (wantsReschedule(init)) return "reschedule";
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
  job: ContainerJob,
  mark: ReturnType<Container["logMark"]>,
  response: ActivationResponse,
): Promise<{ logs: string[]; failed: boolean }> {
  const limitMb = job.run.action.limits.logs;
  if (limitMb <= 0) return { logs: [], failed: false };
  try {
    const waitForSentinels = response.statusCode < 2 && job.run.action.limits.concurrency <= 1;
    const logs = await job.container.logs(mark, limitMb * MB, { waitForSentinels });
    return { logs, failed: false };
  } catch {
    return { logs: [LOG_COLLECTION_ISSUE_MESSAGE], failed: true };
  }
}

function outcomeOf(ran: Ran, logsFailed: boolean): RunOutcome {
  if (ran.initFailed) return { type: "initFailed", response: ran.response };
  return keepsContainer(ran.response) && !logsFailed ? { type: "ok" } : { type: "failed" };
}

/** Runs one activation end to end and says how the proxy should go on. */
export async function runContainerJob(
  job: ContainerJob,
  deps: ContainerJobDeps,
): Promise<RunOutcome> {
  const { msg, action } = job.run;
  const { clock } = deps;
  let acked = false;
  try {
    const mark = job.container.logMark();
    const ran = await initAndRun(job, clock);
    if (ran === "reschedule") return { type: "reschedule" };
    const record = buildActivationRecord({ msg, action, ...ran, end: clock.now() });
    acked = true;
    await deps.sendAck(msg.rootControllerIndex, buildAck(msg, record, deps.invoker));
    const { logs, failed } = await collectLogs(job, mark, ran.response);
    await deps.storeActivation({ ...record, logs });
    return outcomeOf(ran, failed);
  } catch (error) {
    deps.logger.error("activation run failed", { activationId: msg.activationId, error });
    if (!acked) {
      const record = whiskErrorRecord(
        msg,
        action,
        "Failed to run container with action.",
        clock.now(),
      );
      await deps.sendAck(msg.rootControllerIndex, buildAck(msg, record, deps.invoker)).catch(
        () => {},
      );
      await deps.storeActivation(record).catch(() => {});
    }
    return { type: "failed" };
  }
}
