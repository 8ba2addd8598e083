/**
 * `deno task bench [name…] [--mode standalone|cluster] [--balancer fpc|lean|both] [--quick]
 * [--out bench-results]`:
 * the benchmark suite of `reference/performance.md` §3. The floor runs first in every
 * run; the platform runs in a child process started for the run (`cluster` mode: the
 * same composition on the real etcd and Kafka, since separate role processes are not
 * composed yet). Writes `<out>/<timestamp>-<name>.json`, a summary and an SVG plot, and
 * prints a table.
 *
 * `--quick` runs the CI subset and exits 1 only when a floor-normalised figure regressed
 * by more than `--tolerance` (0.25) against `--baseline`
 * (`scripts/bench/baseline-quick.json`). `--write-baseline` stores this run's figures
 * as that baseline.
 *
 * `--balancer` picks the controller's path for the platform benchmarks: `fpc` (default,
 * also under `--quick`), `lean`, or `both` (after the floor, each named benchmark on FPC,
 * then on lean, and a table of FPC, lean and FPC ÷ lean per figure). The gate and the
 * baseline always hold the FPC figures: `--quick --balancer lean` has nothing to gate.
 *
 * @module
 */
import type { BalancerChoice } from "./balancer_comparison.ts";
import type { BaselineFile } from "./baseline.ts";
import { compareToBaseline, formatComparison, readBaseline } from "./quick_check.ts";
import { collectMetrics, fileTimestamp, formatRun, writeRun } from "./report.ts";
import {
  ALL_BENCHMARKS,
  type BenchmarkName,
  FULL_SELECTION,
  QUICK_SELECTION,
  runSuite,
} from "./suite.ts";

/** The committed baseline of the quick gate. */
export const DEFAULT_BASELINE = "scripts/bench/baseline-quick.json";

const USAGE = `usage: deno task bench [${ALL_BENCHMARKS.join("|")} …] [--mode standalone|cluster]
       [--balancer fpc|lean|both] [--quick] [--out DIR] [--baseline FILE] [--tolerance 0.25]
       [--write-baseline]`;

const BALANCER_CHOICES: readonly BalancerChoice[] = ["fpc", "lean", "both"];

/** Parsed command line. */
export interface BenchArgs {
  readonly names: BenchmarkName[];
  readonly mode: "standalone" | "cluster";
  /** The path(s) of the platform benchmarks (default `fpc`). */
  readonly balancer: BalancerChoice;
  readonly quick: boolean;
  readonly outDir: string;
  readonly baseline: string;
  readonly tolerance: number;
  readonly writeBaseline: boolean;
}

/** Parses the command line; throws TypeError with the usage on a bad argument. */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const names: BenchmarkName[] = [];
  let mode: "standalone" | "cluster" = "standalone";
  let balancer: BalancerChoice = "fpc";
  let quick = false;
  let outDir = "bench-results";
  let baseline = "";
  let tolerance = 0.25;
  let writeBaseline = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new TypeError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--mode") {
      const m = value();
      if (m !== "standalone" && m !== "cluster") {
        throw new TypeError(`unknown mode "${m}"\n${USAGE}`);
      }
      mode = m;
    } else if (a === "--balancer") {
      const b = value();
      if (!(BALANCER_CHOICES as readonly string[]).includes(b)) {
        throw new TypeError(`unknown balancer "${b}"\n${USAGE}`);
      }
      balancer = b as BalancerChoice;
    } else if (a === "--quick") quick = true;
    else if (a === "--out") outDir = value();
    else if (a === "--baseline") baseline = value();
    else if (a === "--tolerance") tolerance = Number(value());
    else if (a === "--write-baseline") writeBaseline = true;
    else if ((ALL_BENCHMARKS as readonly string[]).includes(a)) names.push(a as BenchmarkName);
    else throw new TypeError(`unknown argument "${a}"\n${USAGE}`);
  }
  if (!(tolerance >= 0)) throw new TypeError(`--tolerance must be a number ≥ 0\n${USAGE}`);
  if (mode === "cluster" && balancer !== "fpc") {
    throw new TypeError(
      `--balancer ${balancer} needs --mode standalone: lean mode is one process on the ` +
        `in-memory twins\n${USAGE}`,
    );
  }
  if (writeBaseline && balancer === "lean") {
    throw new TypeError(
      `--write-baseline stores the FPC figures; run it with --balancer fpc or both\n${USAGE}`,
    );
  }
  return {
    names: names.length ? names : [...(quick ? QUICK_SELECTION : FULL_SELECTION)],
    mode,
    balancer,
    quick,
    outDir,
    baseline: baseline || DEFAULT_BASELINE,
    tolerance,
    writeBaseline,
  };
}

/** Runs the suite; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const started = performance.now();
  const progress = (msg: string) =>
    console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  await Deno.mkdir(args.outDir, { recursive: true });
  const report = await runSuite({
    names: args.names,
    mode: args.mode,
    balancer: args.balancer,
    quick: args.quick,
    outDir: args.outDir,
    timestamp: fileTimestamp(new Date()),
    progress,
  });
  const files = await writeRun(report, args.outDir);
  console.log(formatRun(report));
  console.log(`\nwrote ${files.join(", ")}`);
  console.log(`took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const metrics = collectMetrics(report.results);
  if (args.writeBaseline) {
    const file: BaselineFile = {
      createdAt: new Date().toISOString(),
      mode: args.mode,
      host: report.host,
      metrics,
    };
    await Deno.writeTextFile(args.baseline, JSON.stringify(file, null, 2) + "\n");
    console.log(`baseline written to ${args.baseline}`);
    return 0;
  }
  if (!args.quick) return 0;
  if (args.balancer === "lean") {
    console.log("baseline gate skipped: it gates the FPC figures and this run measured lean only");
    return 0;
  }
  const baseline = await readBaseline(args.baseline);
  if (!baseline) {
    console.log(
      `no baseline at ${args.baseline}: nothing to compare (write one with --write-baseline)`,
    );
    return 0;
  }
  const comparison = compareToBaseline(metrics, baseline.metrics, args.tolerance);
  console.log(formatComparison(comparison, args.tolerance));
  return comparison.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
