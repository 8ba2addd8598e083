/**
 * Process metrics in the Prometheus text format, served at `/metrics` by every role:
 * counters, gauges and histograms with labels. Mirrors the role of OpenWhisk's
 * `common/.../MetricEmitter` (Kamon) without its dependency.
 *
 * @module
 */

type Labels = Readonly<Record<string, string>>;

/** The series key of `labels` (sorted names; counters are bumped on every invocation). */
function labelKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  if (names.length === 1) {
    const k = names[0]!;
    return `${k}="${escapeLabel(labels[k]!)}"`;
  }
  return names.sort().map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",");
}

/** Characters a label value must escape. */
const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

/** A monotonically increasing count. */
export class Counter {
  readonly #values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}

  /** Adds `by` (default 1) under `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  /** The current value under `labels`. */
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    return [...this.#values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ""} ${v}`);
  }
}

/** A value that goes up and down. */
export class Gauge {
  readonly #values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}

  /** Sets the value under `labels`. */
  set(value: number, labels: Labels = {}): void {
    this.#values.set(labelKey(labels), value);
  }

  /** The current value under `labels`. */
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    return [...this.#values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ""} ${v}`);
  }
}

/** Observations counted into cumulative buckets. */
export class Histogram {
  readonly #series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000],
  ) {}

  /** Records one observation under `labels`. */
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.bounds.forEach((bound, i) => {
      if (value <= bound) series.buckets[i]!++;
    });
    series.sum += value;
    series.count++;
  }

  /** Number of observations under `labels`. */
  count(labels: Labels = {}): number {
    return this.#series.get(labelKey(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines: string[] = [];
    for (const [key, s] of this.#series) {
      const prefix = key ? `${key},` : "";
      this.bounds.forEach((bound, i) => {
        lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${s.buckets[i]}`);
      });
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ""} ${s.sum}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ""} ${s.count}`);
    }
    return lines;
  }
}

type Metric = Counter | Gauge | Histogram;

/**
 * A registry of named metrics, rendered together.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const metrics = new MetricsRegistry();
 * metrics.counter("whisk_activations_total", "Activations started").inc({ kind: "nodejs:20" });
 * console.assert(metrics.render().includes('whisk_activations_total{kind="nodejs:20"} 1'));
 * ```
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  /** The counter named `name`, created on first use. */
  counter(name: string, help: string): Counter {
    return this.#get(name, () => new Counter(name, help), Counter);
  }

  /** The gauge named `name`, created on first use. */
  gauge(name: string, help: string): Gauge {
    return this.#get(name, () => new Gauge(name, help), Gauge);
  }

  /** The histogram named `name`, created on first use. */
  histogram(name: string, help: string, bounds?: readonly number[]): Histogram {
    return this.#get(name, () => new Histogram(name, help, bounds), Histogram);
  }

  #get<T extends Metric>(name: string, make: () => T, type: abstract new (...a: never[]) => T): T {
    const existing = this.#metrics.get(name);
    if (existing) {
      if (!(existing instanceof type)) {
        throw new TypeError(`Metric "${name}" is already registered as another type`);
      }
      return existing;
    }
    const created = make();
    this.#metrics.set(name, created);
    return created;
  }

  /** The whole registry in the Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) {
      const type = metric instanceof Counter
        ? "counter"
        : metric instanceof Gauge
        ? "gauge"
        : "histogram";
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${type}`);
      lines.push(...metric.render());
    }
    return lines.join("\n") + "\n";
  }
}
