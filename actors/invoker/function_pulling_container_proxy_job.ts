/**
 * The function-pulling proxy's run job: one activation run and recorded by
 * {@link runAndRecord}, its outcome read as the `RunActivationCompleted` the proxy
 * reacts to (keep the container, remove it, or hand the activation back).
 *
 * Mirrors the end of `initializeAndRunActivation` in
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * `InitCodeCompleted` is told to the proxy from inside the job (so extra fetches start
 * while the first activation still runs), and the run, ack and record are shared with
 * the classic proxy (`_run_and_record.ts`).
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { WhiskAction } from "../../protocols/whisk_action.ts";
import type { Container } from "../../runtime/containers/container_factory.ts";
import { keepsContainer } from "./_activation_run.ts";
import { runAndRecord, type RunAndRecordDeps } from "./_run_and_record.ts";
import type { ProxyInternal } from "./function_pulling_container_proxy_fsm_common.ts";

/** What a job needs. */
export type RunJobDeps = RunAndRecordDeps;

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

/** Runs one activation end to end and says how the proxy should go on. */
export async function runActivationJob(job: RunJob, deps: RunJobDeps): Promise<Completed> {
  const done = await runAndRecord(job, deps);
  const base = {
    type: "RunActivationCompleted",
    msg: job.msg,
    durationMs: done.durationMs,
  } as const;
  switch (done.type) {
    case "reschedule":
      return { ...base, outcome: "ContainerHealthErrorWithResumedRun", whiskError: false };
    case "failed":
      return { ...base, outcome: "ActivationUnsuccessful", whiskError: true };
    case "recorded":
      return {
        ...base,
        outcome: keepsContainer(done.response) && !done.logsFailed
          ? "ok"
          : "ActivationUnsuccessful",
        whiskError: done.response.statusCode === 3,
        ...(done.initialized ? { initialized: true } : {}),
      };
  }
}
