/**
 * `deno task bench keepalive-sim`: FaasCache's keep-alive comparison reproduced on our
 * own policy module. Replays an Azure Functions 2019 sample (and a heavy-tailed
 * synthetic trace) through a discrete-event model of one invoker pool for each policy
 * (`ttl`, `lru`, `greedy-dual`) and memory size, prints a table, and writes
 * `bench-results/keepalive-sim.json` and `bench-results/keepalive-sim.svg`.
 *
 * Run directly: `deno run -A scripts/bench/keepalive_sim.ts [--sample 10|100|400]
 * [--sizes 1024,2048,...] [--quick] [--no-synthetic] [--data DIR] [--out DIR]`.
 * `--sizes` applies to the Azure sample; the synthetic trace always uses sizes derived
 * from its own footprint.
 *
 * Mirrors FaasCache's simulation study (`reference/performance.md` §3.2 `keepalive-sim`
 * and appendix B); the model and assumptions are in `keepalive_sim/simulate.ts`,
 * `keepalive_sim/azure_trace.ts` and `keepalive_sim/synthetic_trace.ts`.
 *
 * @module
 */

import {
  KEEP_ALIVE_POLICY_NAMES,
  UPSTREAM_KEEP_ALIVE_MS,
} from "../../actors/invoker/keep_alive/mod.ts";
import {
  defaultSizes,
  findKnee,
  type Footprint,
  footprintOf,
  formatKnee,
  formatMemory,
  formatTable,
  invocationsOf,
  type Knee,
  loadAzureSample,
  parseSimOptions,
  renderSvg,
  sweep,
  SYNTHETIC_FUNCTIONS,
  syntheticTrace,
  type TimedResult,
  type Trace,
  USAGE,
} from "./keepalive_sim/mod.ts";

/** The results for one trace. */
export interface TraceReport {
  readonly trace: string;
  readonly functions: number;
  readonly invocations: number;
  /** Functions left out of the sample (fewer than 2 invocations, or unmatched rows). */
  readonly leftOut: number;
  readonly footprint: Footprint;
  readonly sizesMb: readonly number[];
  readonly knee: Knee | undefined;
  readonly results: readonly TimedResult[];
}

/** What the benchmark writes as JSON. */
export interface KeepAliveSimReport {
  readonly benchmark: "keepalive-sim";
  readonly ttlMs: number;
  readonly policies: readonly string[];
  readonly traces: readonly TraceReport[];
}

function runTrace(
  trace: Trace,
  leftOut: number,
  sizesMb: readonly number[] | undefined,
  quick: boolean,
): TraceReport {
  const footprint = footprintOf(trace);
  const sizes = sizesMb ?? defaultSizes(footprint, quick ? 6 : 14);
  const results = sweep(trace, KEEP_ALIVE_POLICY_NAMES, sizes);
  return {
    trace: trace.name,
    functions: trace.functions.length,
    invocations: trace.functions.reduce((sum, f) => sum + invocationsOf(f), 0),
    leftOut,
    footprint,
    sizesMb: sizes,
    knee: findKnee(results),
    results,
  };
}

function print(report: TraceReport): void {
  const { footprint: fp } = report;
  console.log(
    `\n== ${report.trace}: ${report.functions} functions (${report.leftOut} left out), ` +
      `${report.invocations} invocations; peak busy ${formatMemory(fp.peakBusyMb)}, ` +
      `unbounded ${formatMemory(fp.unboundedMb)}`,
  );
  console.log(formatTable(report.results));
  console.log(formatKnee(report.knee));
}

/** Runs the benchmark with command-line `args`; returns what it wrote. */
export async function main(args: readonly string[]): Promise<KeepAliveSimReport> {
  const options = parseSimOptions(args);
  const azure = await loadAzureSample(options.sample, options.dataDir);
  const traces = [
    runTrace(azure.trace, azure.rare + azure.unmatched, options.sizesMb, options.quick),
  ];
  print(traces[0]!);
  if (options.synthetic) {
    const synthetic = syntheticTrace();
    traces.push(
      runTrace(
        synthetic,
        SYNTHETIC_FUNCTIONS - synthetic.functions.length,
        undefined,
        options.quick,
      ),
    );
    print(traces[1]!);
  }
  const report: KeepAliveSimReport = {
    benchmark: "keepalive-sim",
    ttlMs: UPSTREAM_KEEP_ALIVE_MS,
    policies: KEEP_ALIVE_POLICY_NAMES,
    traces,
  };
  await Deno.mkdir(options.outDir, { recursive: true });
  const json = `${options.outDir}/keepalive-sim.json`;
  const svg = `${options.outDir}/keepalive-sim.svg`;
  await Deno.writeTextFile(json, JSON.stringify(report, infinityAsString, 2) + "\n");
  await Deno.writeTextFile(
    svg,
    renderSvg(traces.map((t) => ({ title: t.trace, results: t.results }))),
  );
  console.log(`\nwrote ${json} and ${svg}`);
  return report;
}

/** JSON has no ∞: write it as the string "Infinity". */
function infinityAsString(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    Deno.exit(2);
  }
}
