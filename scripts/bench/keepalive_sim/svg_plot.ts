/**
 * A hand-written SVG line plot of cold-start overhead against memory, one panel per
 * trace and one line per policy (log-scale overhead axis, linear memory axis; an
 * overhead of 0 is drawn at half the smallest positive value). No dependency.
 *
 * Mirrors FaasCache's Fig. 5 layout (`reference/performance.md` KA-2…KA-4).
 *
 * @module
 */

import type { SimResult } from "./simulate.ts";
import { formatMemory } from "./report.ts";

/** One panel: a title and its results. */
export interface PlotPanel {
  readonly title: string;
  readonly results: readonly SimResult[];
}

const WIDTH = 520, HEIGHT = 360;
const MARGIN = { left: 64, right: 32, top: 36, bottom: 52 };
const COLORS: Readonly<Record<string, string>> = {
  ttl: "#d62728",
  lru: "#1f77b4",
  "greedy-dual": "#2ca02c",
};

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fmt = (x: number) => x.toFixed(1);

function panel(p: PlotPanel, offsetX: number): string {
  const sizes = p.results.map((r) => r.capacityMb);
  const xMin = Math.min(...sizes), xMax = Math.max(...sizes);
  const positive = p.results.map((r) => r.overheadPct).filter((v) => v > 0);
  const floor = positive.length === 0 ? 0.01 : Math.min(...positive) / 2;
  const yLo = Math.floor(Math.log10(floor));
  const yHi = Math.max(yLo + 1, Math.ceil(Math.log10(Math.max(floor, ...positive))));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (mb: number) =>
    offsetX + MARGIN.left + (xMax === xMin ? plotW / 2 : (mb - xMin) / (xMax - xMin) * plotW);
  const y = (pct: number) => MARGIN.top + (yHi - Math.log10(pct)) / (yHi - yLo) * plotH;
  const out: string[] = [];
  out.push(
    `<text x="${fmt(offsetX + WIDTH / 2)}" y="20" text-anchor="middle" font-weight="bold">${
      escapeXml(p.title)
    }</text>`,
    `<rect x="${
      fmt(offsetX + MARGIN.left)
    }" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
  );
  for (let d = yLo; d <= yHi; d++) {
    const yy = fmt(y(10 ** d));
    out.push(
      `<line x1="${fmt(offsetX + MARGIN.left)}" x2="${
        fmt(offsetX + MARGIN.left + plotW)
      }" y1="${yy}" y2="${yy}" stroke="#ddd"/>`,
      `<text x="${fmt(offsetX + MARGIN.left - 6)}" y="${yy}" text-anchor="end" dy="4">${
        10 ** d >= 1 ? (10 ** d).toFixed(0) : (10 ** d).toPrecision(1)
      }%</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const mb = xMin + (xMax - xMin) * i / 4;
    out.push(
      `<text x="${fmt(x(mb))}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${
        escapeXml(formatMemory(mb))
      }</text>`,
    );
  }
  out.push(
    `<text x="${fmt(offsetX + MARGIN.left + plotW / 2)}" y="${
      HEIGHT - 10
    }" text-anchor="middle">memory</text>`,
    `<text transform="translate(${fmt(offsetX + 14)} ${
      fmt(MARGIN.top + plotH / 2)
    }) rotate(-90)" text-anchor="middle">% increase in execution time (log)</text>`,
  );
  const policies = [...new Set(p.results.map((r) => r.policy))];
  policies.forEach((policy, i) => {
    const color = COLORS[policy] ?? "#000";
    const points = p.results.filter((r) => r.policy === policy)
      .sort((a, b) => a.capacityMb - b.capacityMb)
      .map((r) => `${fmt(x(r.capacityMb))},${fmt(y(Math.max(r.overheadPct, floor)))}`);
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"/>`,
      ...points.map((pt) => {
        const [cx, cy] = pt.split(",");
        return `<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`;
      }),
      `<text x="${fmt(offsetX + WIDTH - MARGIN.right - 8)}" y="${
        MARGIN.top + 16 + 16 * i
      }" text-anchor="end" fill="${color}">${escapeXml(policy)}</text>`,
    );
  });
  return out.join("\n");
}

/**
 * The SVG document, panels side by side.
 *
 * @example
 * ```ts
 * import { renderSvg } from "./svg_plot.ts";
 * console.assert(renderSvg([]).startsWith("<svg"));
 * ```
 */
export function renderSvg(panels: readonly PlotPanel[]): string {
  const width = WIDTH * Math.max(1, panels.length);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${HEIGHT}" fill="#fff"/>`,
    ...panels.filter((p) => p.results.length > 0).map((p, i) => panel(p, i * WIDTH)),
    "</svg>",
    "",
  ].join("\n");
}
