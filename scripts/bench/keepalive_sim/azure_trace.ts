/**
 * Reads a sample of the Azure Functions 2019 trace (`N_inv.csv`, `N_run.csv`,
 * `N_mem.csv`, the schema of `reference/performance.md` appendix C) into a {@link Trace}.
 *
 * Mirrors FaasCache's trace preparation (appendix B). Assumptions, stated once:
 * - Join keys: a function is (HashOwner, HashApp, HashFunction) in the invocation and
 *   duration files; memory is per app, keyed by (HashOwner, HashApp). A function absent
 *   from the duration or memory file is skipped (and counted).
 * - warm time = the day's `Average` duration; cold time = the day's `Maximum` (at least
 *   the average). The cold-start overhead is therefore Maximum − Average, the
 *   simulator's reading of FaasCache's artifact.
 * - memory = ceil(app `AverageAllocatedMb` ÷ the app's function count in the
 *   invocation file), at least 1 MB. (In the InVitro samples every app has one function.)
 * - Functions invoked fewer than twice in the day are dropped, as FaasCache does.
 *
 * @module
 */

import type { Trace, TraceFunction } from "./trace.ts";

/** The three CSV texts of one sample. */
export interface AzureSampleFiles {
  readonly inv: string;
  readonly run: string;
  readonly mem: string;
}

/** A parsed sample and what was left out. */
export interface AzureSample {
  readonly trace: Trace;
  /** Functions with no duration or memory row. */
  readonly unmatched: number;
  /** Functions invoked fewer than twice. */
  readonly rare: number;
}

type Row = Readonly<Record<string, string>>;

function parseCsv(text: string, file: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0]?.split(",");
  if (header === undefined) throw new SyntaxError(`Cannot parse ${file}: empty file`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    if (cells.length !== header.length) {
      throw new SyntaxError(
        `Cannot parse ${file} line ${
          i + 2
        }: expected ${header.length} cells, found ${cells.length}`,
      );
    }
    return Object.fromEntries(header.map((h, j) => [h, cells[j]!]));
  });
}

function numberOf(row: Row, column: string, file: string): number {
  const value = Number(row[column]);
  if (row[column] === undefined || !Number.isFinite(value)) {
    throw new TypeError(`Cannot read ${file} column ${column}: got ${row[column]}`);
  }
  return value;
}

const appKey = (r: Row) => `${r.HashOwner}/${r.HashApp}`;
const functionKey = (r: Row) => `${appKey(r)}/${r.HashFunction}`;

/**
 * Joins the three files of a sample.
 *
 * @throws {SyntaxError} on a malformed CSV; {TypeError} on a non-numeric cell.
 */
export function parseAzureSample(files: AzureSampleFiles, name: string): AzureSample {
  const inv = parseCsv(files.inv, "inv");
  const runs = new Map(parseCsv(files.run, "run").map((r) => [functionKey(r), r]));
  const mems = new Map(parseCsv(files.mem, "mem").map((r) => [appKey(r), r]));
  const functionsPerApp = new Map<string, number>();
  for (const r of inv) functionsPerApp.set(appKey(r), (functionsPerApp.get(appKey(r)) ?? 0) + 1);
  const minuteColumns = Object.keys(inv[0] ?? {}).filter((c) => c.startsWith("minute_"));
  const functions: TraceFunction[] = [];
  let unmatched = 0, rare = 0;
  for (const r of inv) {
    const run = runs.get(functionKey(r));
    const mem = mems.get(appKey(r));
    if (run === undefined || mem === undefined) {
      unmatched++;
      continue;
    }
    const perMinute = minuteColumns.map((c) => numberOf(r, c, "inv"));
    if (perMinute.reduce((a, b) => a + b, 0) < 2) {
      rare++;
      continue;
    }
    const warmMs = numberOf(run, "Average", "run");
    const appMb = numberOf(mem, "AverageAllocatedMb", "mem");
    functions.push({
      name: `f${functions.length}-${r.HashFunction!.slice(0, 8)}`,
      warmMs,
      coldMs: Math.max(warmMs, numberOf(run, "Maximum", "run")),
      memoryMb: Math.max(1, Math.ceil(appMb / functionsPerApp.get(appKey(r))!)),
      perMinute,
    });
  }
  return { trace: { name, functions }, unmatched, rare };
}

/** The default folder of the samples. */
export const AZURE_SAMPLE_DIR = "/work/shared/data/azure-functions-2019";

/** Reads sample `size` (10, 100 or 400) from `dir`. */
export async function loadAzureSample(
  size: number,
  dir: string = AZURE_SAMPLE_DIR,
): Promise<AzureSample> {
  const read = (kind: string) => Deno.readTextFile(`${dir}/${size}_${kind}.csv`);
  const [inv, run, mem] = await Promise.all([read("inv"), read("run"), read("mem")]);
  return parseAzureSample({ inv, run, mem }, `azure-${size}`);
}
