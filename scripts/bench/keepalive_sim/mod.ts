/**
 * The keep-alive simulator behind `deno task bench keepalive-sim`: trace readers (Azure
 * 2019 samples, a seeded synthetic trace), the discrete-event model over the real
 * keep-alive policies, the sweep, and the table and SVG renderers.
 *
 * @module
 */

export {
  type Arrival,
  arrivalsOf,
  invocationsOf,
  MINUTE_MS,
  type Trace,
  type TraceFunction,
} from "./trace.ts";
export {
  AZURE_SAMPLE_DIR,
  type AzureSample,
  type AzureSampleFiles,
  loadAzureSample,
  parseAzureSample,
} from "./azure_trace.ts";
export {
  mulberry32,
  SYNTHETIC_FUNCTIONS,
  syntheticTrace,
  type SyntheticTraceOptions,
} from "./synthetic_trace.ts";
export { type SimResult, simulate, type WhenFull } from "./simulate.ts";
export {
  type Comparison,
  defaultSizes,
  findKnee,
  type Footprint,
  footprintOf,
  type Knee,
  KNEE_MAX_DROP_PCT,
  sweep,
  type TimedResult,
} from "./sweep.ts";
export { formatKnee, formatMemory, formatTable } from "./report.ts";
export { type PlotPanel, renderSvg } from "./svg_plot.ts";
export { parseSimOptions, type SimOptions, USAGE } from "./options.ts";
