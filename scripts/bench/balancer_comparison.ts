/**
 * FPC against lean, side by side (`deno task bench … --balancer both`): picks the same
 * figures out of each path's results and divides them. Pure; the suite runs both
 * paths and the report prints and stores the rows.
 *
 * @module
 */
import type { BenchResult } from "./bench_context.ts";
import type { Balancer } from "./platform.ts";
import { ratio } from "./stats.ts";

/** What `--balancer` asks for: one path or both in the same run. */
export type BalancerChoice = Balancer | "both";

/** The paths a choice runs, FPC first. */
export function balancersOf(choice: BalancerChoice): readonly Balancer[] {
  return choice === "both" ? ["fpc", "lean"] : [choice];
}

/** One compared figure. */
export interface ComparisonRow {
  /** The benchmark it comes from, e.g. `warm-latency`. */
  readonly benchmark: string;
  /** The figure, e.g. `p50`, `c=32`. */
  readonly figure: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly fpc: number | null;
  readonly lean: number | null;
  /** `fpc ÷ lean`, or null when either is missing (or lean is 0). */
  readonly fpcOverLean: number | null;
}

type Read = (r: BenchResult) => unknown;

interface FigureSpec {
  readonly benchmark: string;
  readonly figure: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly read: Read;
}

const latency = (key: "p50" | "p99"): Read => (r) =>
  (r.figures.latencyMs as Record<string, unknown> | undefined)?.[key];
const platformCpu: Read = (r) => r.cpuUsPerInvocation?.platform;

const FIXED_BEFORE_SWEEP: readonly FigureSpec[] = [
  { benchmark: "warm-latency", figure: "p50", unit: "ms", better: "lower", read: latency("p50") },
  { benchmark: "warm-latency", figure: "p99", unit: "ms", better: "lower", read: latency("p99") },
  {
    benchmark: "warm-latency",
    figure: "platform CPU",
    unit: "µs/inv",
    better: "lower",
    read: platformCpu,
  },
];

const FIXED_AFTER_SWEEP: readonly FigureSpec[] = [
  {
    benchmark: "warm-throughput",
    figure: "peak",
    unit: "inv/s",
    better: "higher",
    read: (r) => (r.figures.peak as { perSecond?: unknown } | undefined)?.perSecond,
  },
  {
    benchmark: "many-actions",
    figure: "throughput",
    unit: "inv/s",
    better: "higher",
    read: (r) => r.figures.perSecond,
  },
  { benchmark: "many-actions", figure: "p50", unit: "ms", better: "lower", read: latency("p50") },
  { benchmark: "cold-start", figure: "p50", unit: "ms", better: "lower", read: latency("p50") },
  { benchmark: "cold-start", figure: "p99", unit: "ms", better: "lower", read: latency("p99") },
  {
    benchmark: "cold-start",
    figure: "waitTime median",
    unit: "ms",
    better: "lower",
    read: (r) => (r.figures.breakdownMsMedian as { waitTime?: unknown } | undefined)?.waitTime,
  },
];

function sweepSpecs(results: readonly BenchResult[]): FigureSpec[] {
  const levels = new Set<number>();
  for (const r of results) {
    if (r.name === "warm-throughput") { for (const p of r.sweep ?? []) levels.add(p.concurrency); }
  }
  return [...levels].sort((a, b) => a - b).map((c) => ({
    benchmark: "warm-throughput",
    figure: `c=${c}`,
    unit: "inv/s",
    better: "higher" as const,
    read: (r: BenchResult) => r.sweep?.find((p) => p.concurrency === c)?.perSecond,
  }));
}

function finite(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The rows comparing the FPC and lean results of one run: warm-latency p50/p99 and
 * platform CPU per invocation, warm-throughput at every swept concurrency and its peak,
 * many-actions throughput and p50, cold-start p50/p99 and median waitTime. A row is
 * kept when either path has the figure; results that failed count as missing.
 *
 * @example
 * ```ts
 * import { compareBalancers } from "./balancer_comparison.ts";
 * const r = (balancer: "fpc" | "lean", p50: number) => ({
 *   name: "cold-start", balancer, status: "ok" as const, figures: { latencyMs: { p50 } },
 *   vsFloor: {}, vsAnchor: {}, metrics: {},
 * });
 * const row = compareBalancers([r("fpc", 300), r("lean", 150)])[0]!;
 * console.assert(row.figure === "p50" && row.fpcOverLean === 2);
 * ```
 */
export function compareBalancers(results: readonly BenchResult[]): ComparisonRow[] {
  const ok = results.filter((r) => r.status === "ok");
  const of = (balancer: Balancer, benchmark: string) =>
    ok.find((r) => r.name === benchmark && r.balancer === balancer);
  const specs = [...FIXED_BEFORE_SWEEP, ...sweepSpecs(ok), ...FIXED_AFTER_SWEEP];
  const rows: ComparisonRow[] = [];
  for (const spec of specs) {
    const fpcResult = of("fpc", spec.benchmark);
    const leanResult = of("lean", spec.benchmark);
    const fpc = fpcResult ? finite(spec.read(fpcResult)) : null;
    const lean = leanResult ? finite(spec.read(leanResult)) : null;
    if (fpc === null && lean === null) continue;
    rows.push({
      benchmark: spec.benchmark,
      figure: spec.figure,
      unit: spec.unit,
      better: spec.better,
      fpc,
      lean,
      fpcOverLean: ratio(fpc, lean),
    });
  }
  return rows;
}

function cell(v: number | null): string {
  if (v === null) return "—";
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
}

/** The rows as a readable table: figure, FPC, lean, FPC ÷ lean. */
export function formatBalancerComparison(rows: readonly ComparisonRow[]): string {
  if (!rows.length) return "FPC vs lean: no figure measured on both paths";
  const label = (r: ComparisonRow) => `${r.benchmark} ${r.figure} (${r.unit})`;
  const width = Math.max(...rows.map((r) => label(r).length), 6);
  const lines = [
    "FPC vs lean (FPC ÷ lean; lower is better for ms and µs/inv, higher for inv/s):",
    `  ${"figure".padEnd(width)} ${"FPC".padStart(9)} ${"lean".padStart(9)} ${
      "FPC÷lean".padStart(9)
    }`,
  ];
  for (const r of rows) {
    lines.push(
      `  ${label(r).padEnd(width)} ${cell(r.fpc).padStart(9)} ${cell(r.lean).padStart(9)} ${
        (r.fpcOverLean === null ? "—" : `${cell(r.fpcOverLean)}×`).padStart(9)
      }`,
    );
  }
  return lines.join("\n");
}
