/**
 * What every platform benchmark receives and returns: the running platform, this run's
 * floor, the sizes (full or `--quick`), and a result with raw figures, ratios to the
 * floor and to the published anchors, CPU per invocation, and the floor-normalised
 * figures the CI gate compares.
 *
 * @module
 */
import type { MetricSet } from "./baseline.ts";
import type { FloorResult } from "./floor.ts";
import type { PlatformHandle } from "./platform.ts";
import { type CpuGroups, cpuPerOp, cpuSnapshot, findPids } from "./proc_cpu.ts";

/** Inputs of a platform benchmark. */
export interface BenchContext {
  readonly platform: PlatformHandle;
  readonly floor: FloorResult;
  readonly quick: boolean;
  /** A short tag unique to this run, for action names. */
  readonly runTag: string;
  readonly progress: (msg: string) => void;
}

/** The outcome of one benchmark. */
export interface BenchResult {
  readonly name: string;
  /** The path a platform benchmark ran on; absent for the floor and other non-platform results. */
  readonly balancer?: "fpc" | "lean";
  readonly status: "ok" | "not-applicable" | "failed";
  readonly reason?: string;
  /** Raw figures (ms, req/s, counts). */
  readonly figures: Readonly<Record<string, unknown>>;
  /** Figure ÷ this run's floor. */
  readonly vsFloor: Readonly<Record<string, number | null>>;
  /** Figure ÷ a published anchor (`reference/performance.md` §1), named by anchor id. */
  readonly vsAnchor: Readonly<Record<string, number | null>>;
  /** CPU-µs per invocation per process group. */
  readonly cpuUsPerInvocation?: Readonly<Record<string, number>>;
  /** Floor-normalised figures for the baseline comparison. */
  readonly metrics: MetricSet;
  /** What limited the figures, in words. */
  readonly notes?: readonly string[];
  /** Raw latency samples (ms) for the distribution plot. */
  readonly samplesMs?: readonly number[];
  /** Throughput against concurrency for the plot. */
  readonly sweep?: readonly { readonly concurrency: number; readonly perSecond: number }[];
}

/** Process groups to account CPU for: the platform, its containers, and in cluster mode etcd and Kafka. */
export function cpuGroupsOf(ctx: BenchContext): CpuGroups {
  const services: Record<string, number[]> = {};
  if (ctx.platform.mode === "cluster") {
    services.etcd = findPids("/usr/bin/etcd");
    services.kafka = findPids("kafka.Kafka");
  }
  return { platform: [ctx.platform.pid], containersOf: ctx.platform.pid, services };
}

/** Measures CPU-µs per operation of `work` (which returns how many operations it did). */
export async function withCpu<T extends { ops: number }>(
  ctx: BenchContext,
  work: () => Promise<T>,
): Promise<T & { cpu: Record<string, number> }> {
  const groups = cpuGroupsOf(ctx);
  const before = cpuSnapshot(groups);
  const result = await work();
  const after = cpuSnapshot(groups);
  return { ...result, cpu: cpuPerOp(before, after, result.ops) };
}

/** A benchmark that cannot run here, with the reason. */
export function notApplicable(name: string, reason: string): BenchResult {
  return {
    name,
    status: "not-applicable",
    reason,
    figures: {},
    vsFloor: {},
    vsAnchor: {},
    metrics: {},
  };
}
