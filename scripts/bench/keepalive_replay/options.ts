/**
 * Command-line options of `keepalive_replay.ts`.
 *
 * Mirrors no upstream file.
 *
 * @module
 */

import { AZURE_SAMPLE_DIR } from "../keepalive_sim/mod.ts";

/** The policies a replay compares. */
export type ReplayPolicy = "ttl" | "lru" | "greedy-dual";

/** Parsed options. */
export interface ReplayOptions {
  /** Functions replayed (20–50), drawn from the 100-function sample. */
  readonly functions: number;
  /** Wall-clock minutes of arrivals per policy. */
  readonly minutes: number;
  readonly policies: readonly ReplayPolicy[];
  /** Trace time ÷ wall time (durations, pause grace and TTL are scaled the same). */
  readonly timeScale: number;
  /** The trace minute the window starts at (540 = 09:00, as InVitro). */
  readonly startMinute: number;
  /** At most this many requests per policy (per-minute counts are capped to fit). */
  readonly maxRequests: number;
  /** The invoker's user memory (MB); derived from the functions when absent. */
  readonly memoryMb?: number;
  /** The invoker's user memory as a share of what keeps every function (0–1]. */
  readonly memoryShare?: number;
  /** Only simulate the workload at a sweep of budgets; run nothing live. */
  readonly predictOnly: boolean;
  /** Fraction of an action's memory limit its code allocates and keeps. */
  readonly allocFraction: number;
  readonly dataDir: string;
  readonly outDir: string;
  /** Writes the platform's info-and-above log entries as JSON lines here (per policy). */
  readonly logFile?: string;
}

/** The usage line. */
export const USAGE = "usage: keepalive_replay.ts [--functions 30] [--minutes 3.5] " +
  "[--policy ttl|lru|greedy-dual|both|all] [--time-scale 20] [--start-minute 540] " +
  "[--max-requests 2400] [--memory-mb MB | --memory-share 0.4] [--alloc-fraction 0.25] " +
  "[--predict] [--data DIR] [--out DIR] [--log FILE]";

function positive(flag: string, raw: string, integer = false): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new TypeError(
      `${flag} needs a positive ${integer ? "integer" : "number"}, received ${raw}`,
    );
  }
  return v;
}

function policiesOf(raw: string): ReplayPolicy[] {
  if (raw === "both") return ["ttl", "greedy-dual"];
  if (raw === "all") return ["ttl", "lru", "greedy-dual"];
  if (raw === "ttl" || raw === "lru" || raw === "greedy-dual") return [raw];
  throw new TypeError(`--policy must be ttl, lru, greedy-dual, both or all, received ${raw}`);
}

/**
 * Parses the arguments.
 *
 * @throws {TypeError} on an unknown flag or a bad value.
 * @example
 * ```ts
 * import { parseReplayOptions } from "./options.ts";
 * console.assert(parseReplayOptions(["--policy", "both"]).policies.length === 2);
 * ```
 */
export function parseReplayOptions(args: readonly string[]): ReplayOptions {
  let functions = 30, minutes = 3.5, timeScale = 20, startMinute = 540, maxRequests = 2400;
  let allocFraction = 0.25, memoryMb: number | undefined, memoryShare: number | undefined;
  let predictOnly = false;
  let policies: ReplayPolicy[] = ["ttl", "lru", "greedy-dual"];
  let dataDir = AZURE_SAMPLE_DIR, outDir = "bench-results";
  let logFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new TypeError(`Missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "--functions":
        functions = positive(flag, value(), true);
        if (functions < 4 || functions > 100) {
          throw new TypeError(`--functions must be 4…100, received ${functions}`);
        }
        break;
      case "--minutes":
        minutes = positive(flag, value());
        break;
      case "--policy":
        policies = policiesOf(value());
        break;
      case "--time-scale":
        timeScale = positive(flag, value());
        break;
      case "--start-minute":
        startMinute = Math.floor(positive(flag, value()));
        break;
      case "--max-requests":
        maxRequests = positive(flag, value(), true);
        break;
      case "--memory-mb":
        memoryMb = positive(flag, value(), true);
        break;
      case "--memory-share":
        memoryShare = positive(flag, value());
        if (memoryShare > 1) throw new TypeError("--memory-share must be at most 1");
        break;
      case "--predict":
        predictOnly = true;
        break;
      case "--alloc-fraction":
        allocFraction = positive(flag, value());
        if (allocFraction >= 1) throw new TypeError("--alloc-fraction must be below 1");
        break;
      case "--data":
        dataDir = value();
        break;
      case "--out":
        outDir = value();
        break;
      case "--log":
        logFile = value();
        break;
      default:
        throw new TypeError(`Unknown flag ${flag}`);
    }
  }
  if (memoryMb !== undefined && memoryShare !== undefined) {
    throw new TypeError("--memory-mb and --memory-share exclude each other");
  }
  return {
    functions,
    minutes,
    policies,
    timeScale,
    startMinute,
    maxRequests,
    ...(memoryMb === undefined ? {} : { memoryMb }),
    ...(memoryShare === undefined ? {} : { memoryShare }),
    predictOnly,
    allocFraction,
    dataDir,
    outDir,
    ...(logFile === undefined ? {} : { logFile }),
  };
}
