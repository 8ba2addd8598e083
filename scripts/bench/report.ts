/**
 * Output of a benchmark run: one JSON file per benchmark
 * (`<out>/<timestamp>-<name>.json`), a summary with the floor-normalised figures, the
 * SVG plot of the latency distribution and of throughput against concurrency, and the
 * readable table printed at the end. A run on both balancers writes the lean results
 * as `<timestamp>-<name>-lean.json`, keeps the lean figures apart from the gated ones
 * (`leanMetrics`), adds the FPC ÷ lean rows (`balancerComparison`) and plots both paths.
 *
 * @module
 */
import type { MetricSet } from "./baseline.ts";
import type { BenchResult } from "./bench_context.ts";
import { compareBalancers, formatBalancerComparison } from "./balancer_comparison.ts";
import type { Balancer } from "./platform.ts";
import { round } from "./stats.ts";
import { cdfPoints, renderLineChart, sideBySide } from "./svg_chart.ts";

/** A whole run. */
export interface RunReport {
  readonly timestamp: string;
  readonly mode: string;
  /** The balancers the platform benchmarks ran on, FPC first. */
  readonly balancers: readonly Balancer[];
  readonly quick: boolean;
  readonly host: string;
  readonly results: readonly BenchResult[];
}

/**
 * Every benchmark's floor-normalised figures in one set: the floor's and the FPC path's
 * (what the baseline and the CI gate compare); lean results are left out.
 */
export function collectMetrics(results: readonly BenchResult[]): MetricSet {
  return Object.assign({}, ...results.filter((r) => r.balancer !== "lean").map((r) => r.metrics));
}

/** The lean path's floor-normalised figures (same names as the FPC ones). */
export function collectLeanMetrics(results: readonly BenchResult[]): MetricSet {
  return Object.assign({}, ...results.filter((r) => r.balancer === "lean").map((r) => r.metrics));
}

/** The JSON file name suffix of a result: `<name>` or `<name>-lean`. */
export function resultFileName(r: BenchResult): string {
  return r.balancer === "lean" ? `${r.name}-lean` : r.name;
}

/** A file-name-safe timestamp, e.g. `2026-11-22T16-40-05Z`. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? round(value) : null;
  return value;
}

/** Writes the per-benchmark JSON files, the summary and the plot; returns their paths. */
export async function writeRun(report: RunReport, outDir: string): Promise<string[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const base = `${outDir}/${report.timestamp}`;
  for (const r of report.results) {
    const { samplesMs: _samples, ...rest } = r;
    const path = `${base}-${resultFileName(r)}.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify(
        { mode: report.mode, quick: report.quick, host: report.host, ...rest },
        jsonReplacer,
        2,
      ),
    );
    written.push(path);
  }
  const summary = `${base}-summary.json`;
  const withLean = report.balancers.includes("lean");
  await Deno.writeTextFile(
    summary,
    JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        mode: report.mode,
        balancers: report.balancers,
        host: report.host,
        quick: report.quick,
        metrics: collectMetrics(report.results),
        ...(withLean
          ? {
            leanMetrics: collectLeanMetrics(report.results),
            balancerComparison: compareBalancers(report.results),
          }
          : {}),
      },
      jsonReplacer,
      2,
    ),
  );
  written.push(summary);
  const svg = `${base}-${report.mode}-plot.svg`;
  await Deno.writeTextFile(svg, plotRun(report));
  written.push(svg);
  return written;
}

/**
 * The plot of a run: warm-latency CDF (log ms) and throughput against concurrency, one
 * series per balancer.
 */
export function plotRun(report: RunReport): string {
  const balancers: readonly Balancer[] = report.balancers.length ? report.balancers : ["fpc"];
  const single = balancers.length === 1 && balancers[0] === "fpc";
  const label = (b: Balancer) => (single ? report.mode : `${report.mode} ${b}`);
  const of = (name: string, b: Balancer) =>
    report.results.find((r) => r.name === name && (r.balancer ?? "fpc") === b);
  const floor = report.results.find((r) => r.name === "floor");
  const capacity = (floor?.figures.httpCapacity ?? []) as {
    concurrency: number;
    perSecond: number;
  }[];
  const latency = renderLineChart({
    title: `warm-latency distribution (${report.mode})`,
    xLabel: "latency, ms (log)",
    yLabel: "fraction of calls ≤ x",
    logX: true,
    series: balancers.flatMap((b) => {
      const samples = of("warm-latency", b)?.samplesMs ?? [];
      return samples.length ? [{ name: label(b), points: cdfPoints(samples) }] : [];
    }),
  });
  const throughput = renderLineChart({
    title: `warm-throughput (${report.mode})`,
    xLabel: "concurrency (log)",
    yLabel: "requests/s",
    logX: true,
    series: [
      ...balancers.flatMap((b) => {
        const sweep = of("warm-throughput", b)?.sweep ?? [];
        return sweep.length
          ? [{
            name: `${label(b)} noop invokes`,
            points: sweep.map((p) => [p.concurrency, p.perSecond] as [number, number]),
          }]
          : [];
      }),
      ...(capacity.length
        ? [{
          name: "floor Deno.serve",
          points: capacity.map((p) => [p.concurrency, p.perSecond] as [number, number]),
        }]
        : []),
    ],
  });
  return sideBySide(latency, throughput);
}

function fmt(v: unknown): string {
  if (typeof v !== "number") return v === null || v === undefined ? "—" : String(v);
  if (!Number.isFinite(v)) return "—";
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function latencyLine(label: string, s: unknown): string | undefined {
  const l = s as {
    p50?: number;
    p90?: number;
    p99?: number;
    p999?: number;
    count?: number;
    errors?: number;
  } | undefined;
  if (!l || l.p50 === undefined) return undefined;
  return `  ${label.padEnd(34)} p50 ${fmt(l.p50)}  p90 ${fmt(l.p90)}  p99 ${fmt(l.p99)}  p99.9 ${
    fmt(l.p999)
  } ms  (n=${l.count}, errors ${l.errors})`;
}

/** The readable table of a run. */
export function formatRun(report: RunReport): string {
  const withLean = report.balancers.includes("lean");
  const lines = [
    `benchmark run ${report.timestamp} mode=${report.mode}${
      withLean ? ` balancer=${report.balancers.join("+")}` : ""
    }${report.quick ? " (quick)" : ""}`,
  ];
  for (const r of report.results) {
    const tag = withLean && r.balancer ? ` [${r.balancer}]` : "";
    lines.push(`${r.name}${tag}: ${r.status}${r.reason ? ` — ${r.reason}` : ""}`);
    for (const [k, v] of Object.entries(r.figures)) {
      const line = latencyLine(k, v);
      if (line) lines.push(line);
      else if (typeof v === "number") lines.push(`  ${k.padEnd(34)} ${fmt(v)}`);
      else if (k === "points" && Array.isArray(v)) {
        for (const p of v as { concurrency: number; perSecond: number; latencyMs?: unknown }[]) {
          lines.push(
            latencyLine(`c=${p.concurrency} ${fmt(p.perSecond)}/s`, p.latencyMs) ??
              `  c=${p.concurrency} ${fmt(p.perSecond)}/s`,
          );
        }
      } else if (k === "breakdownMsMedian" || k === "etcd") {
        lines.push(`  ${k.padEnd(34)} ${JSON.stringify(v, jsonReplacer)}`);
      }
    }
    const ratios = [...Object.entries(r.vsFloor).map(([k, v]) => `${k} ${fmt(v)}×`)];
    if (ratios.length) lines.push(`  vs floor:  ${ratios.join(", ")}`);
    const anchors = Object.entries(r.vsAnchor).map(([k, v]) => `${k} ${fmt(v)}×`);
    if (anchors.length) lines.push(`  vs anchor: ${anchors.join(", ")}`);
    if (r.cpuUsPerInvocation) {
      lines.push(
        `  CPU-µs/inv: ${
          Object.entries(r.cpuUsPerInvocation).map(([k, v]) => `${k} ${v}`).join(", ")
        }`,
      );
    }
    for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  }
  if (report.balancers.length > 1) {
    lines.push("", formatBalancerComparison(compareBalancers(report.results)));
  }
  return lines.join("\n");
}
