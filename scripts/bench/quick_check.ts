/**
 * The CI gate of the benchmark suite: runs the `--quick` subset and fails only when a
 * floor-normalised figure regressed by more than the tolerance (25% by default) against
 * `scripts/bench/baseline-quick.json`. `reference/performance.md` §3.1 ("CI subset under
 * 3 minutes").
 *
 * Run: `deno run -A scripts/bench/quick_check.ts [--baseline FILE] [--tolerance 0.25]
 * [--out DIR]` (the same as `deno task bench --quick`). The comparison itself is the pure
 * {@link compareToBaseline}.
 *
 * @module
 */
import type { BaselineFile, MetricSet } from "./baseline.ts";

const EPSILON = 1e-9;

/** The verdict on one figure. */
export interface MetricFinding {
  readonly name: string;
  readonly baseline: number | null;
  readonly current: number | null;
  /** Relative change, positive = worse (null when it cannot be computed). */
  readonly worseBy: number | null;
  readonly gate: boolean;
  readonly regressed: boolean;
  readonly reason?: "missing" | "regression";
}

/** The outcome of a comparison. */
export interface Comparison {
  /** False when any gated figure regressed or went missing. */
  readonly ok: boolean;
  readonly findings: readonly MetricFinding[];
  readonly regressions: readonly MetricFinding[];
  /** Figures of this run that the baseline does not have (never a failure). */
  readonly unknown: readonly string[];
}

/**
 * Compares this run's figures with the baseline's. A lower-is-better figure regresses
 * when `current > baseline × (1 + tolerance) + slack`; a higher-is-better one when
 * `current < baseline × (1 − tolerance) − slack`. A gated figure the baseline has but
 * this run lacks (absent or `null`) counts as a regression: a benchmark that stopped
 * running must not pass silently. Ungated figures are reported, never failing.
 *
 * @param results this run's figures
 * @param baseline the committed figures
 * @param tolerance relative tolerance, e.g. 0.25
 * @example
 * ```ts
 * import { compareToBaseline } from "./quick_check.ts";
 * const base = { "x": { value: 1, better: "lower" as const, gate: true } };
 * console.assert(compareToBaseline({ x: { ...base.x, value: 1.2 } }, base, 0.25).ok);
 * console.assert(!compareToBaseline({ x: { ...base.x, value: 1.3 } }, base, 0.25).ok);
 * ```
 */
export function compareToBaseline(
  results: MetricSet,
  baseline: MetricSet,
  tolerance: number,
): Comparison {
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);
  const findings: MetricFinding[] = [];
  for (const [name, base] of Object.entries(baseline)) {
    const current = results[name]?.value ?? null;
    if (base.value === null) continue;
    if (current === null || !Number.isFinite(current)) {
      findings.push({
        name,
        baseline: base.value,
        current: null,
        worseBy: null,
        gate: base.gate,
        regressed: base.gate,
        ...(base.gate ? { reason: "missing" as const } : {}),
      });
      continue;
    }
    const slack = base.slack ?? 0;
    // EPSILON keeps a figure exactly at the limit (float noise aside) from failing.
    const regressed = base.better === "lower"
      ? current > base.value * (1 + tolerance) + slack + EPSILON
      : current < base.value * (1 - tolerance) - slack - EPSILON;
    const worseBy = base.value === 0
      ? null
      : (base.better === "lower" ? current - base.value : base.value - current) / base.value;
    findings.push({
      name,
      baseline: base.value,
      current,
      worseBy,
      gate: base.gate,
      regressed: regressed && base.gate,
      ...(regressed && base.gate ? { reason: "regression" as const } : {}),
    });
  }
  const regressions = findings.filter((f) => f.regressed);
  const unknown = Object.keys(results).filter((name) => !(name in baseline));
  return { ok: regressions.length === 0, findings, regressions, unknown };
}

/** A readable table of a comparison. */
export function formatComparison(c: Comparison, tolerance: number): string {
  const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
  const num = (v: number | null) => (v === null ? "—" : String(Math.round(v * 1000) / 1000));
  const lines = [
    `baseline comparison (tolerance ${pct(tolerance)}; + = worse):`,
    ...c.findings.map((f) =>
      `  ${f.regressed ? "FAIL" : f.gate ? "ok  " : "info"} ${f.name.padEnd(44)} ` +
      `${num(f.baseline).padStart(9)} → ${num(f.current).padStart(9)}  ${pct(f.worseBy)}` +
      (f.reason === "missing" ? "  (missing)" : "")
    ),
  ];
  if (c.unknown.length) lines.push(`  not in baseline: ${c.unknown.join(", ")}`);
  lines.push(c.ok ? "quick check: OK" : `quick check: ${c.regressions.length} regression(s)`);
  return lines.join("\n");
}

/** Reads and decodes a baseline file, or `undefined` when it does not exist. */
export async function readBaseline(path: string): Promise<BaselineFile | undefined> {
  const { decodeBaseline } = await import("./baseline.ts");
  try {
    return decodeBaseline(JSON.parse(await Deno.readTextFile(path)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

if (import.meta.main) {
  const { main } = await import("./main.ts");
  Deno.exit(await main(["--quick", ...Deno.args]));
}
