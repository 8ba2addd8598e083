/**
 * Runs a selection of benchmarks in order: the floor first, then the platform
 * benchmarks against one platform process started for the run, once per balancer
 * (`--balancer both`: FPC, then lean, each in its own process).
 *
 * @module
 */
import { ANCHORS } from "./anchors.ts";
import { apiInfo } from "./api_info.ts";
import type { BenchContext, BenchResult } from "./bench_context.ts";
import { coldStart, prewarmStart } from "./cold.ts";
import { controlPlane } from "./control_plane.ts";
import { FLOOR_SIZES, type FloorResult, runFloor } from "./floor.ts";
import { type BalancerChoice, balancersOf } from "./balancer_comparison.ts";
import { type Balancer, benchConfigArgs, launchPlatform, type Mode } from "./platform.ts";
import type { RunReport } from "./report.ts";
import { ratio } from "./stats.ts";
import { asyncConcurrency, manyActions, prepareNoop, warmLatency, warmThroughput } from "./warm.ts";

/** Every benchmark this suite knows, in run order. */
export const ALL_BENCHMARKS = [
  "floor",
  "warm-latency",
  "warm-throughput",
  "control-plane",
  "cold-start",
  "prewarm-start",
  "api-info",
  "async-concurrency",
  "many-actions",
  "keepalive-sim",
] as const;

/** A benchmark name. */
export type BenchmarkName = typeof ALL_BENCHMARKS[number];

/** The full run's default selection (`keepalive-sim` runs only when named). */
export const FULL_SELECTION: readonly BenchmarkName[] = ALL_BENCHMARKS.filter((n) =>
  n !== "keepalive-sim"
);
/** The CI subset (§3.1). */
export const QUICK_SELECTION: readonly BenchmarkName[] = [
  "floor",
  "warm-latency",
  "warm-throughput",
  "control-plane",
  "cold-start",
];

/** What to run. */
export interface SuiteOptions {
  readonly names: readonly BenchmarkName[];
  readonly mode: Mode;
  /** Which path(s) the platform benchmarks run on. */
  readonly balancer: BalancerChoice;
  readonly quick: boolean;
  readonly outDir: string;
  readonly timestamp: string;
  readonly progress: (msg: string) => void;
}

/** The floor as a result, with its ratios to the measured-here anchors. */
export function floorResult(floor: FloorResult): BenchResult {
  const c100 = floor.httpCapacity.find((p) => p.concurrency === 100)?.perSecond;
  return {
    name: "floor",
    status: "ok",
    figures: floor as unknown as Record<string, unknown>,
    vsFloor: {},
    vsAnchor: {
      "PHY-2 http p50 0.31 ms": ratio(floor.httpRtt.p50, ANCHORS.denoHttpRttP50),
      "PHY-1 tcp p50 0.05 ms": ratio(floor.tcpRtt.p50, 0.05),
      "PHY-3 pipe p50 0.34 ms": ratio(floor.pipeRtt.p50, 0.34),
      "PHY-4 serve c=100": ratio(c100, ANCHORS.denoServeC100),
      "COLD-7 deno run 29 ms": ratio(floor.spawnDeno.p50, 29),
      "COLD-8 node 114 ms": ratio(floor.spawnNode.p50, 114),
      "PHY-7 etcd put 1.49 ms": "put" in floor.etcd ? ratio(floor.etcd.put.p50, 1.49) : null,
      "PHY-7 etcd txn 2.26 ms": "txn" in floor.etcd
        ? ratio(floor.etcd.txn.p50, ANCHORS.etcdTxnP50)
        : null,
    },
    metrics: {},
    notes: ["denominators of this run; within 1.5× of the PHY values means a healthy machine"],
  };
}

async function keepaliveSim(quick: boolean, outDir: string): Promise<BenchResult> {
  const started = performance.now();
  const status = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./keepalive_sim.ts", import.meta.url).pathname,
      ...(quick ? ["--quick"] : []),
      "--out",
      outDir,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return {
    name: "keepalive-sim",
    status: status.success ? "ok" : "failed",
    ...(status.success ? {} : { reason: `keepalive_sim.ts exited ${status.code}` }),
    figures: {
      seconds: (performance.now() - started) / 1000,
      output: `${outDir}/keepalive-sim.json`,
    },
    vsFloor: {},
    vsAnchor: {},
    metrics: {},
  };
}

async function guarded(
  name: string,
  run: () => Promise<BenchResult>,
  progress: (m: string) => void,
): Promise<BenchResult> {
  try {
    return await run();
  } catch (error) {
    progress(`${name} failed: ${(error as Error).stack ?? error}`);
    return {
      name,
      status: "failed",
      reason: String((error as Error).message ?? error),
      figures: {},
      vsFloor: {},
      vsAnchor: {},
      metrics: {},
    };
  }
}

/** Runs the selection; the floor always runs first. */
export async function runSuite(options: SuiteOptions): Promise<RunReport> {
  const { progress, quick } = options;
  const wanted = new Set(options.names);
  const results: BenchResult[] = [];
  progress(`floor (${quick ? "quick" : "full"} sizes)`);
  const floor = await runFloor(FLOOR_SIZES[quick ? "quick" : "full"], progress);
  results.push(floorResult(floor));

  const platformNames = options.names.filter((n) =>
    n !== "floor" && n !== "keepalive-sim" && n !== "prewarm-start"
  );
  for (const balancer of platformNames.length ? balancersOf(options.balancer) : []) {
    try {
      results.push(...await runPlatformBenchmarks(options, floor, wanted, balancer));
    } catch (error) {
      // The platform did not start or serve: every platform benchmark fails, and the
      // quick gate sees their figures missing.
      progress(`platform (${balancer}) unusable: ${(error as Error).message}`);
      for (const name of platformNames) {
        results.push({
          name,
          balancer,
          status: "failed",
          reason: `platform unusable: ${(error as Error).message}`,
          figures: {},
          vsFloor: {},
          vsAnchor: {},
          metrics: {},
        });
      }
    }
  }
  if (wanted.has("prewarm-start")) {
    results.push(await runPrewarmPlatform(options, floor));
  }
  if (wanted.has("keepalive-sim")) results.push(await keepaliveSim(quick, options.outDir));
  return {
    timestamp: options.timestamp,
    mode: options.mode,
    balancers: balancersOf(options.balancer),
    quick,
    host: Deno.hostname(),
    results,
  };
}

/**
 * `prewarm-start` on a platform of its own that keeps one nodejs:20 128 MB prewarm. Its
 * user memory holds every sample's container beside the prewarm: each new action stays
 * warm (unpaused) for the pause grace, and with the default 1 GB the ninth sample found
 * memory full and waited 10 s for a pause (upstream's path under memory pressure, not
 * a prewarm start).
 */
async function runPrewarmPlatform(options: SuiteOptions, floor: FloorResult): Promise<BenchResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "wsk-bench-prewarm-" });
  const progress = options.progress;
  progress(`starting the platform (${options.mode}, one nodejs:20 prewarm)`);
  try {
    const platform = await launchPlatform(
      options.mode,
      benchConfigArgs(dataDir, [
        "--container-pool-prewarm",
        "nodejs:20:128:1",
        "--container-pool-user-memory-mb",
        "2048",
      ]),
      `${options.outDir}/${options.timestamp}-platform-${options.mode}-prewarm.log`,
    );
    try {
      const ctx: BenchContext = {
        platform,
        floor,
        quick: options.quick,
        runTag: options.timestamp.replace(/\W/g, "").slice(-8).toLowerCase(),
        progress,
      };
      return await guarded("prewarm-start", () => prewarmStart(ctx), progress);
    } finally {
      await platform.close();
    }
  } catch (error) {
    return {
      name: "prewarm-start",
      status: "failed",
      reason: `platform unusable: ${(error as Error).message}`,
      figures: {},
      vsFloor: {},
      vsAnchor: {},
      metrics: {},
    };
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function runPlatformBenchmarks(
  options: SuiteOptions,
  floor: FloorResult,
  wanted: ReadonlySet<BenchmarkName>,
  balancer: Balancer,
): Promise<BenchResult[]> {
  const { quick } = options;
  const progress = balancer === "fpc"
    ? options.progress
    : (msg: string) => options.progress(`[${balancer}] ${msg}`);
  const results: BenchResult[] = [];
  {
    const dataDir = await Deno.makeTempDir({ prefix: "wsk-bench-" });
    progress(`starting the platform (${options.mode}, balancer ${balancer})`);
    const platform = await launchPlatform(
      options.mode,
      benchConfigArgs(dataDir, ["--container-pool-user-memory-mb", quick ? "8192" : "16384"]),
      `${options.outDir}/${options.timestamp}-platform-${options.mode}${
        balancer === "fpc" ? "" : `-${balancer}`
      }.log`,
      [],
      balancer,
    );
    const ctx: BenchContext = {
      platform,
      floor,
      quick,
      runTag: options.timestamp.replace(/\W/g, "").slice(-8).toLowerCase(),
      progress,
    };
    try {
      const noop = await prepareNoop(ctx);
      let sweep: BenchResult | undefined;
      const g = (name: string, run: () => Promise<BenchResult>) => guarded(name, run, progress);
      if (wanted.has("warm-latency")) {
        results.push(await g("warm-latency", () => warmLatency(ctx, noop)));
      }
      if (wanted.has("warm-throughput")) {
        sweep = await g("warm-throughput", () => warmThroughput(ctx, noop));
        results.push(sweep);
      }
      if (wanted.has("control-plane")) {
        results.push(await g("control-plane", () => controlPlane(ctx, noop)));
      }
      if (wanted.has("cold-start")) results.push(await g("cold-start", () => coldStart(ctx)));
      if (wanted.has("api-info")) results.push(await g("api-info", () => apiInfo(ctx)));
      if (wanted.has("async-concurrency")) {
        results.push(await g("async-concurrency", () => asyncConcurrency(ctx)));
      }
      if (wanted.has("many-actions")) {
        const near = (sweep?.sweep ?? []).filter((p) => p.concurrency >= 16 && p.concurrency <= 32);
        const single = near.length ? near.reduce((a, p) => a + p.perSecond, 0) / near.length : null;
        results.push(await g("many-actions", () => manyActions(ctx, single)));
      }
    } finally {
      progress("stopping the platform");
      await platform.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  }
  return results.map((r) => ({ ...r, balancer }));
}
