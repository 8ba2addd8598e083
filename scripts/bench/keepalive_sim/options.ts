/**
 * Command-line options of `keepalive_sim.ts`.
 *
 * Mirrors no upstream file.
 *
 * @module
 */

import { AZURE_SAMPLE_DIR } from "./azure_trace.ts";

/** Parsed options. */
export interface SimOptions {
  /** Azure sample size: 10, 100 or 400 functions. */
  readonly sample: 10 | 100 | 400;
  /** Memory sizes (MB) for the Azure sample; derived from the trace when absent. */
  readonly sizesMb?: readonly number[];
  /** Fewer sizes (6 instead of 14) for CI. */
  readonly quick: boolean;
  /** Also run the synthetic heavy-tailed trace. */
  readonly synthetic: boolean;
  readonly dataDir: string;
  readonly outDir: string;
}

/** The usage line. */
export const USAGE =
  "usage: keepalive_sim.ts [--sample 10|100|400] [--sizes 1024,2048,...] [--quick] " +
  "[--no-synthetic] [--data DIR] [--out DIR]";

/**
 * Parses the arguments.
 *
 * @throws {TypeError} on an unknown flag or a bad value.
 * @example
 * ```ts
 * import { parseSimOptions } from "./options.ts";
 * console.assert(parseSimOptions(["--sample", "10", "--quick"]).sample === 10);
 * ```
 */
export function parseSimOptions(args: readonly string[]): SimOptions {
  let sample: SimOptions["sample"] = 100;
  let sizesMb: number[] | undefined;
  let quick = false, synthetic = true;
  let dataDir = AZURE_SAMPLE_DIR, outDir = "bench-results";
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new TypeError(`Missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "--sample": {
        const v = Number(value());
        if (v !== 10 && v !== 100 && v !== 400) {
          throw new TypeError(`--sample must be 10, 100 or 400, received ${args[i]}`);
        }
        sample = v;
        break;
      }
      case "--sizes":
        sizesMb = value().split(",").map((s) => {
          const mb = Number(s);
          if (!Number.isFinite(mb) || mb <= 0) {
            throw new TypeError(`--sizes needs positive MB values, received ${s}`);
          }
          return mb;
        });
        break;
      case "--quick":
        quick = true;
        break;
      case "--no-synthetic":
        synthetic = false;
        break;
      case "--data":
        dataDir = value();
        break;
      case "--out":
        outDir = value();
        break;
      default:
        throw new TypeError(`Unknown argument ${flag}`);
    }
  }
  return { sample, quick, synthetic, dataDir, outDir, ...(sizesMb ? { sizesMb } : {}) };
}
