/**
 * Renders keep-alive simulation results as a readable text table.
 *
 * Mirrors no upstream file.
 *
 * @module
 */

import type { SimResult } from "./simulate.ts";
import type { Comparison, Knee } from "./sweep.ts";

/** A memory size in MB as GB (or TB) text. */
export function formatMemory(mb: number): string {
  const gb = mb / 1024;
  if (gb >= 1024) return `${(gb / 1024).toFixed(2)} TB`;
  return gb >= 100 ? `${gb.toFixed(0)} GB` : `${gb.toFixed(1)} GB`;
}

const pct = (x: number) => x < 0.01 && x > 0 ? x.toExponential(1) : x.toFixed(2);
const pad = (s: string, n: number) => s.padStart(n);

/**
 * One row per memory size: cold-start %, overhead % and drops for each policy.
 *
 * @example
 * ```ts
 * import { formatTable } from "./report.ts";
 * console.assert(formatTable([]).includes("memory"));
 * ```
 */
export function formatTable(results: readonly SimResult[]): string {
  const policies = [...new Set(results.map((r) => r.policy))];
  const sizes = [...new Set(results.map((r) => r.capacityMb))].sort((a, b) => a - b);
  const head = ["memory".padStart(10), ...policies.map((p) => pad(p, 26))].join(" |");
  const sub = [
    "".padStart(10),
    ...policies.map(() => `${pad("cold%", 7)}${pad("overhead%", 10)}${pad("drops", 9)}`),
  ].join(" |");
  const rows = sizes.map((size) =>
    [
      pad(formatMemory(size), 10),
      ...policies.map((p) => {
        const r = results.find((x) => x.policy === p && x.capacityMb === size);
        return r === undefined
          ? "".padStart(26)
          : `${pad(pct(r.coldStartPct), 7)}${pad(pct(r.overheadPct), 10)}${
            pad(String(r.drops), 9)
          }`;
      }),
    ].join(" |")
  );
  return [head, sub, "-".repeat(head.length), ...rows].join("\n");
}

function describe(label: string, c: Comparison): string {
  const lru = c.lruOverheadPct === undefined ? "" : `, lru ${pct(c.lruOverheadPct)}%`;
  const ratio = Number.isFinite(c.ttlOverGreedyDual) ? c.ttlOverGreedyDual.toFixed(2) : "∞";
  return `${label} at ${formatMemory(c.capacityMb)}: greedy-dual ${
    pct(c.greedyDualOverheadPct)
  }% vs ttl ${pct(c.ttlOverheadPct)}%${lru} (ttl ÷ greedy-dual = ${ratio}×)`;
}

/** The knee lines under a table. */
export function formatKnee(knee: Knee | undefined): string {
  if (knee === undefined) return "no ttl/greedy-dual pair to compare";
  return [
    describe("largest gap", knee.largestGap),
    describe("largest ratio", knee.largestRatio),
  ].join("\n");
}
