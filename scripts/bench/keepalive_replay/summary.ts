/**
 * Summaries of live replay runs: warm, cold and dropped counts, latency percentiles,
 * and the verdict of greedy-dual against ttl.
 *
 * @module
 */

import type { OutcomeKind, PolicyRun, RequestOutcome } from "./live_run.ts";

/** Latency percentiles (ms). */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
}

/** One policy's numbers. */
export interface PolicySummary {
  readonly policy: string;
  readonly requests: number;
  readonly warm: number;
  readonly cold: number;
  readonly dropped: number;
  /** Cold starts per answered request (%). */
  readonly coldPct: number;
  readonly latencyMs: { readonly all: Latency; readonly warm: Latency; readonly cold: Latency };
  /** Drop reasons and their counts. */
  readonly dropReasons: Readonly<Record<string, number>>;
  /** Warm, cold and dropped answers per function index. */
  readonly perFunction: readonly (readonly [warm: number, cold: number, dropped: number])[];
  /** The first dropped requests (function, send time, reason, activation id). */
  readonly drops: readonly RequestOutcome[];
  readonly wallMs: number;
}

/** Greedy-dual against ttl. */
export interface Verdict {
  /** greedy-dual warm starts ÷ ttl warm starts. */
  readonly warmRatio: number;
  /** ttl cold starts ÷ greedy-dual cold starts. */
  readonly coldReduction: number;
  /** greedy-dual drops minus ttl drops. */
  readonly extraDrops: number;
  /** ≥ 1.5× ttl's warm starts and no more drops. */
  readonly switchDefault: boolean;
}

/** The `q`-quantile (nearest rank) of `values`; 0 when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function latency(outcomes: readonly RequestOutcome[]): Latency {
  const ms = outcomes.map((o) => o.latencyMs);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    p50: round(quantile(ms, 0.5)),
    p95: round(quantile(ms, 0.95)),
    p99: round(quantile(ms, 0.99)),
    mean: round(ms.length === 0 ? 0 : ms.reduce((a, b) => a + b, 0) / ms.length),
  };
}

/** Summarises one run. */
export function summarise(run: PolicyRun): PolicySummary {
  const of = (kind: OutcomeKind) => run.outcomes.filter((o) => o.kind === kind);
  const warm = of("warm"), cold = of("cold"), dropped = of("dropped");
  const dropReasons: Record<string, number> = {};
  for (const d of dropped) {
    const reason = d.reason ?? "unknown";
    dropReasons[reason] = (dropReasons[reason] ?? 0) + 1;
  }
  const answered = warm.length + cold.length;
  const perFunction: [number, number, number][] = [];
  for (const o of run.outcomes) {
    const row = perFunction[o.fn] ??= [0, 0, 0];
    row[o.kind === "warm" ? 0 : o.kind === "cold" ? 1 : 2]++;
  }
  for (let i = 0; i < perFunction.length; i++) perFunction[i] ??= [0, 0, 0];
  return {
    policy: run.policy,
    requests: run.outcomes.length,
    warm: warm.length,
    cold: cold.length,
    dropped: dropped.length,
    coldPct: answered === 0 ? 0 : Math.round(1000 * cold.length / answered) / 10,
    latencyMs: {
      all: latency([...warm, ...cold]),
      warm: latency(warm),
      cold: latency(cold),
    },
    dropReasons,
    perFunction,
    drops: dropped.slice(0, 20),
    wallMs: Math.round(run.wallMs),
  };
}

/** The verdict when both ttl and greedy-dual ran. */
export function verdict(summaries: readonly PolicySummary[]): Verdict | undefined {
  const ttl = summaries.find((s) => s.policy === "ttl");
  const gd = summaries.find((s) => s.policy === "greedy-dual");
  if (!ttl || !gd) return undefined;
  const warmRatio = ttl.warm === 0 ? Number.POSITIVE_INFINITY : gd.warm / ttl.warm;
  const coldReduction = gd.cold === 0 ? Number.POSITIVE_INFINITY : ttl.cold / gd.cold;
  const extraDrops = gd.dropped - ttl.dropped;
  return {
    warmRatio: Math.round(warmRatio * 100) / 100,
    coldReduction: Math.round(coldReduction * 100) / 100,
    extraDrops,
    switchDefault: warmRatio >= 1.5 && extraDrops <= 0,
  };
}

/** A plain-text table of the summaries. */
export function formatSummaries(summaries: readonly PolicySummary[]): string {
  const header = "policy        requests   warm   cold  dropped  cold%   p50 ms  p99 ms  cold p50";
  const rows = summaries.map((s) =>
    [
      s.policy.padEnd(12),
      String(s.requests).padStart(9),
      String(s.warm).padStart(6),
      String(s.cold).padStart(6),
      String(s.dropped).padStart(8),
      s.coldPct.toFixed(1).padStart(6),
      s.latencyMs.all.p50.toFixed(0).padStart(8),
      s.latencyMs.all.p99.toFixed(0).padStart(7),
      s.latencyMs.cold.p50.toFixed(0).padStart(9),
    ].join(" ")
  );
  return [header, ...rows].join("\n");
}
