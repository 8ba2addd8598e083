/**
 * A hand-written SVG writer for the benchmark plots: the latency distribution (a
 * cumulative curve on a logarithmic millisecond axis) and throughput against
 * concurrency, one series per mode. No dependency; the output is a plain string.
 *
 * @module
 */

/** One named line of points. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A line chart. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Logarithmic x axis (all x must be > 0). */
  readonly logX?: boolean;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const MARGIN = { left: 64, right: 16, top: 32, bottom: 48 };

/** Escapes text for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Formats an axis tick: integers plain, small values with up to 3 decimals. */
export function formatTick(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

/** Evenly spaced ticks over [lo, hi] (linear), or the powers of ten inside it (log). */
export function ticks(lo: number, hi: number, log: boolean, count = 5): number[] {
  if (log) {
    // A log axis needs a positive, finite range (a run with only failed points has none).
    if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) return [];
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out;
  }
  if (hi === lo) return [lo];
  const step = (hi - lo) / (count - 1);
  return Array.from({ length: count }, (_, i) => lo + i * step);
}

/**
 * Renders a line chart as a standalone SVG document.
 *
 * @example
 * ```ts
 * import { renderLineChart } from "./svg_chart.ts";
 * const svg = renderLineChart({ title: "t", xLabel: "x", yLabel: "y",
 *   series: [{ name: "a", points: [[1, 1], [2, 4]] }] });
 * console.assert(svg.startsWith("<svg") && svg.includes("<polyline"));
 * ```
 */
export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 640;
  const height = chart.height ?? 360;
  const log = chart.logX ?? false;
  const all = chart.series.flatMap((s) => s.points);
  const fx = (x: number) => (log ? Math.log10(x) : x);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  let xLo = xs.length ? Math.min(...xs) : 0;
  let xHi = xs.length ? Math.max(...xs) : 1;
  if (log) {
    xLo = 10 ** Math.floor(Math.log10(xLo));
    xHi = 10 ** Math.ceil(Math.log10(xHi));
  }
  if (xHi === xLo) xHi = xLo + 1;
  const yLo = 0;
  const yHi = ys.length && Math.max(...ys) > 0 ? Math.max(...ys) * 1.05 : 1;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((fx(x) - fx(xLo)) / (fx(xHi) - fx(xLo))) * plotW;
  const py = (y: number) => MARGIN.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  const n = (v: number) => v.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${
      escapeXml(chart.title)
    }</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" ` +
    `y2="${MARGIN.top + plotH}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${
      MARGIN.top + plotH
    }" stroke="black"/>`,
  ];
  for (const t of ticks(xLo, xHi, log)) {
    parts.push(
      `<text x="${n(px(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${
        formatTick(t)
      }</text>`,
    );
  }
  for (const t of ticks(yLo, yHi, false)) {
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${n(py(t) + 4)}" text-anchor="end">${
        formatTick(Math.round(t * 100) / 100)
      }</text>`,
      `<line x1="${MARGIN.left}" y1="${n(py(t))}" x2="${MARGIN.left + plotW}" y2="${
        n(py(t))
      }" stroke="#eee"/>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${
      escapeXml(chart.xLabel)
    }</text>`,
    `<text x="14" y="${MARGIN.top + plotH / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.map(([x, y]) => `${n(px(x))},${n(py(y))}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>`);
    const ly = MARGIN.top + 4 + i * 14;
    parts.push(
      `<rect x="${MARGIN.left + plotW - 150}" y="${ly}" width="10" height="10" fill="${color}"/>`,
      `<text x="${MARGIN.left + plotW - 136}" y="${ly + 9}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * The cumulative distribution of latency samples as points (ms, fraction ≤ ms), thinned
 * to at most `maxPoints` while keeping the first and last.
 *
 * @example
 * ```ts
 * import { cdfPoints } from "./svg_chart.ts";
 * console.assert(JSON.stringify(cdfPoints([2, 1])) === "[[1,0.5],[2,1]]");
 * ```
 */
export function cdfPoints(samples: readonly number[], maxPoints = 200): [number, number][] {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const step = Math.max(1, Math.floor(n / maxPoints));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += step) out.push([sorted[i]!, (i + 1) / n]);
  if (out[out.length - 1]![1] !== 1) out.push([sorted[n - 1]!, 1]);
  return out;
}

/** Two charts side by side in one SVG document (nested `<svg>` elements). */
export function sideBySide(left: string, right: string, width = 640, height = 360): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width * 2}" height="${height}">`,
    `<g>${left}</g>`,
    `<g transform="translate(${width} 0)">${right}</g>`,
    "</svg>",
  ].join("\n");
}
