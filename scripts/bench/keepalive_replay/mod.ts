/**
 * The live keep-alive replay behind `scripts/bench/keepalive_replay.ts`: the workload
 * drawn from an Azure 2019 sample, one live run per policy on the standalone platform,
 * and the summaries.
 *
 * @module
 */

export { parseReplayOptions, type ReplayOptions, type ReplayPolicy, USAGE } from "./options.ts";
export {
  buildWorkload,
  defaultMemoryMb,
  logCompressed,
  MAX_BUSY_MS,
  MAX_INIT_MS,
  MAX_MEMORY_MB,
  MIN_BUSY_MS,
  MIN_MEMORY_MB,
  perMinuteCap,
  REPLAY_KINDS,
  type ReplayFunction,
  type ReplayKind,
  type ReplayRequest,
  stratified,
  type Workload,
  type WorkloadOptions,
} from "./workload.ts";
export {
  actionCode,
  classify,
  type LiveRunOptions,
  type OutcomeKind,
  type PolicyRun,
  type RequestOutcome,
  runPolicy,
} from "./live_run.ts";
export {
  bestRow,
  formatPrediction,
  KIND_START_MS,
  predict,
  PREDICT_FRACTIONS,
  predictBudgets,
  type PredictionRow,
  workloadTrace,
} from "./predict.ts";
export {
  formatSummaries,
  type Latency,
  type PolicySummary,
  quantile,
  summarise,
  type Verdict,
  verdict,
} from "./summary.ts";
