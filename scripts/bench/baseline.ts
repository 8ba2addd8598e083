/**
 * The floor-normalised figures the quick CI subset compares against the committed
 * baseline (`scripts/bench/baseline-quick.json`), and their file format.
 *
 * @module
 */

/** One figure that can be compared across runs. */
export interface NormalisedMetric {
  /** The figure, or `null` when the benchmark could not produce it. */
  readonly value: number | null;
  /** Which direction is an improvement. */
  readonly better: "lower" | "higher";
  /** Whether a regression of this figure fails the check (tails are too noisy to gate). */
  readonly gate: boolean;
  /** Absolute allowance added to the relative tolerance (for counts whose baseline is 0). */
  readonly slack?: number;
  /** What the figure is, for the report. */
  readonly description?: string;
}

/** Figures by name, e.g. `warm-latency.p50/floor-http`. */
export type MetricSet = Readonly<Record<string, NormalisedMetric>>;

/** The committed baseline file. */
export interface BaselineFile {
  readonly createdAt: string;
  readonly mode: string;
  readonly host: string;
  readonly metrics: MetricSet;
}

/** Decodes a baseline file; throws TypeError on a wrong shape. */
export function decodeBaseline(json: unknown): BaselineFile {
  if (typeof json !== "object" || json === null) throw new TypeError("baseline must be an object");
  const o = json as Record<string, unknown>;
  if (typeof o.metrics !== "object" || o.metrics === null) {
    throw new TypeError("baseline.metrics must be an object");
  }
  for (const [name, m] of Object.entries(o.metrics as Record<string, unknown>)) {
    const metric = m as Record<string, unknown> | null;
    if (
      typeof metric !== "object" || metric === null ||
      !(metric.value === null || typeof metric.value === "number") ||
      (metric.better !== "lower" && metric.better !== "higher") || typeof metric.gate !== "boolean"
    ) throw new TypeError(`baseline metric "${name}" must be {value, better, gate}`);
  }
  return {
    createdAt: String(o.createdAt ?? ""),
    mode: String(o.mode ?? ""),
    host: String(o.host ?? ""),
    metrics: o.metrics as MetricSet,
  };
}
