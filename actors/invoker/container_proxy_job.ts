/**
 * The classic proxy's run job (lean mode): one activation run and recorded by
 * {@link runAndRecord}, its outcome read as the `RunOutcome` the proxy reacts to.
 * `InitCompleted` is told from inside the job.
 *
 * Mirrors the end of `initializeAndRun` of `core/invoker/.../containerpool/ContainerProxy.scala`;
 * differences: an init failure is reported with its response (so the buffered runs are
 * aborted with it without an exception type), a 503 is reported as "reschedule" before
 * anything is acked, and the run, ack and record are shared with the function-pulling
 * proxy (`_run_and_record.ts`).
 *
 * @module
 */

import type { Run } from "../../protocols/container_proxy.ts";
import type { Container } from "../../runtime/containers/container_factory.ts";
import { keepsContainer } from "./_activation_run.ts";
import { runAndRecord, type RunAndRecordDeps } from "./_run_and_record.ts";
import type { RunOutcome } from "./container_proxy_fsm_common.ts";

/** What a job needs from the proxy's deps. */
export type ContainerJobDeps = RunAndRecordDeps;

/** One job. */
export interface ContainerJob {
  readonly run: Run;
  readonly container: Container;
  readonly initialize: boolean;
  /** Called once `/init` succeeded. */
  readonly onInitialized: () => void;
}

/** Runs one activation end to end and says how the proxy should go on. */
export async function runContainerJob(
  job: ContainerJob,
  deps: ContainerJobDeps,
): Promise<RunOutcome> {
  const { msg, action } = job.run;
  const done = await runAndRecord({ ...job, msg, action }, deps);
  switch (done.type) {
    case "reschedule":
      return { type: "reschedule" };
    case "failed":
      return { type: "failed" };
    case "recorded":
      if (done.initFailed) return { type: "initFailed", response: done.response };
      return keepsContainer(done.response) && !done.logsFailed
        ? { type: "ok" }
        : { type: "failed" };
  }
}
