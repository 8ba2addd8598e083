/**
 * The I/O of one activation in a container, run by the proxy shell outside its handler:
 * `/init` (cold only), `/run`, the ack to the controller, log collection, the record.
 * Its outcome comes back to the proxy as `RunActivationCompleted`.
 *
 * Mirrors `initializeAndRunActivation` and `collectLogs`/`storeActivation` in
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * `InitCodeCompleted` is told to the proxy from inside the job (so extra fetches start
 * while the first activation still runs), and a job always acks what it started, even
 * when a dependency throws (then with a whisk internal error).
 *
 * @module
 */

import type { AcknowledgementMessage, ActivationMessage } from "../../protocols/activation.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { WhiskAction } from "../../protocols/whisk_action.ts";
import type { ActivationResponse, WhiskActivation } from "../../protocols/whisk_activation.ts";
import type { Clock } from "../../runtime/actors/mod.ts";
import {
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
import type { ProxyInternal } from "./function_pulling_container_proxy_fsm_common.ts";

/** What a job needs. */
export interface RunJobDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly invoker: InvokerInstanceId;
  sendAck(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
  storeActivation(record: WhiskActivation): Promise<unknown>;
}

/** One job. */
export interface RunJob {
  readonly msg: ActivationMessage;
  readonly action: WhiskAction;
  readonly container: Container;
  readonly initialize: boolean;
  /** Called once `/init` succeeded. */
  readonly onInitialized: () => void;
}

type Completed = Extract<ProxyInternal, { type: "RunActivationCompleted" }>;

const MB = 1024 * 1024;

interface Ran {
  readonly response: ActivationResponse;
  readonly start: number;
  readonly initTimeMs?: number;
  readonly timedOut: boolean;
  readonly reschedule: boolean;
}

async function initAndRun(job: RunJob, clock: Clock): Promise<Ran> {
  const { msg, action, container } = job;
  const timeout = action.limits.timeout;
  const start = clock.now();
  let initTimeMs: number | undefined;
  if (job.initialize) {
    const init = await container.initialize(buildInitBody(action, msg, start + timeout), timeout);
    if (wantsReschedule(init)) {
      return { response: { statusCode: 3 }, start, timedOut: false, reschedule: true };
    }
    initTimeMs = init.durationMs;
    const failed = interpretInit(init);
    if (failed) {
      const timedOut = init.failure?.type === "timeout";
      return { response: failed, start, initTimeMs, timedOut, reschedule: false };
    }
    job.onInitialized();
  }
  const run = await container.run(buildRunBody(msg, action, clock.now() + timeout), timeout);
  const timedOut = run.failure?.type === "timeout";
  const withInit = initTimeMs === undefined ? {} : { initTimeMs };
  return {
    response: interpretRun(run),
    start,
    ...withInit,
    timedOut,
    reschedule: wantsReschedule(run),
  };
}

async function collectLogs(
  job: RunJob,
  mark: ReturnType<Container["logMark"]>,
  response: ActivationResponse,
): Promise<{ logs: string[]; failed: boolean }> {
  const limitMb = job.action.limits.logs;
  if (limitMb <= 0) return { logs: [], failed: false };
  try {
    const waitForSentinels = response.statusCode < 2 && job.action.limits.concurrency <= 1;
    return {
      logs: await job.container.logs(mark, limitMb * MB, { waitForSentinels }),
      failed: false,
    };
  } catch {
    return { logs: [LOG_COLLECTION_ISSUE_MESSAGE], failed: true };
  }
}

/** Runs one activation end to end and says how the proxy should go on. */
export async function runActivationJob(job: RunJob, deps: RunJobDeps): Promise<Completed> {
  const { msg, action } = job;
  const clock = deps.clock;
  let acked = false;
  const began = clock.now();
  try {
    const mark = job.container.logMark();
    const ran = await initAndRun(job, clock);
    const end = clock.now();
    if (ran.reschedule) {
      return {
        type: "RunActivationCompleted",
        msg,
        durationMs: end - ran.start,
        outcome: "ContainerHealthErrorWithResumedRun",
        whiskError: false,
      };
    }
    const record = buildActivationRecord({ msg, action, ...ran, end });
    acked = true;
    await deps.sendAck(msg.rootControllerIndex, buildAck(msg, record, deps.invoker));
    const { logs, failed } = await collectLogs(job, mark, ran.response);
    await deps.storeActivation({ ...record, logs });
    return {
      type: "RunActivationCompleted",
      msg,
      durationMs: end - ran.start,
      outcome: keepsContainer(ran.response) && !failed ? "ok" : "ActivationUnsuccessful",
      whiskError: ran.response.statusCode === 3,
      ...(ran.initTimeMs === undefined ? {} : { initialized: true }),
    };
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
    return {
      type: "RunActivationCompleted",
      msg,
      durationMs: clock.now() - began,
      outcome: "ActivationUnsuccessful",
      whiskError: true,
    };
  }
}
