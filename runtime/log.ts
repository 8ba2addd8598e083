/**
 * Structured logging: one JSON object per line in production, an in-memory sink in
 * tests, with metadata composed per actor and per message (`withMeta`), in the way
 * of Temporal's `LoggerWithComposedMetadata` and Pekko's `withMdc`. Mirrors the role
 * of OpenWhisk's `common/Logging.scala`.
 *
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** Metadata attached to a log line (`tid`, `actor`, `component`, ...). */
export type LogMeta = Readonly<Record<string, unknown>>;

/** One log line. */
export interface LogEntry {
  readonly ts: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly meta: LogMeta;
}

/** The logger every component receives through its deps. */
export interface Logger {
  log(level: LogLevel, msg: string, meta?: LogMeta): void;
  trace(msg: string, meta?: LogMeta): void;
  debug(msg: string, meta?: LogMeta): void;
  info(msg: string, meta?: LogMeta): void;
  warn(msg: string, meta?: LogMeta): void;
  error(msg: string, meta?: LogMeta): void;
}

/** Builds a {@link Logger} from a single sink function. */
export function loggerFrom(sink: (entry: LogEntry) => void, minLevel: LogLevel = "info"): Logger {
  const log = (level: LogLevel, msg: string, meta: LogMeta = {}) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
    sink({ ts: Date.now(), level, msg, meta });
  };
  return {
    log,
    trace: (m, meta) => log("trace", m, meta),
    debug: (m, meta) => log("debug", m, meta),
    info: (m, meta) => log("info", m, meta),
    warn: (m, meta) => log("warn", m, meta),
    error: (m, meta) => log("error", m, meta),
  };
}

/** Renders values a JSON line cannot hold as is (errors, bigints). */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * A logger writing one JSON object per line to stderr (or the given writer).
 *
 * @example
 * ```ts
 * import { jsonLineLogger } from "./log.ts";
 * const lines: string[] = [];
 * const logger = jsonLineLogger("info", (line) => lines.push(line));
 * logger.info("started", { tid: "sid_invokerHealth" });
 * console.assert(JSON.parse(lines[0]!).tid === "sid_invokerHealth");
 * ```
 */
export function jsonLineLogger(
  minLevel: LogLevel = "info",
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  return loggerFrom((e) => {
    const line = { ts: new Date(e.ts).toISOString(), level: e.level, msg: e.msg, ...e.meta };
    write(JSON.stringify(line, jsonSafe));
  }, minLevel);
}

/** A logger that keeps every entry in memory: for tests. */
export interface CapturingLogger extends Logger {
  readonly entries: LogEntry[];
}

/** Builds a {@link CapturingLogger} that records every level. */
export function capturingLogger(): CapturingLogger {
  const entries: LogEntry[] = [];
  return Object.assign(loggerFrom((e) => entries.push(e), "trace"), { entries });
}

/** A logger that discards everything. */
export const silentLogger: Logger = loggerFrom(() => {}, "error");

/**
 * Returns a logger that adds `meta` (or what `meta()` returns at call time) to every
 * line; per-call metadata wins on conflicts.
 */
export function withMeta(logger: Logger, meta: LogMeta | (() => LogMeta)): Logger {
  const base = () => (typeof meta === "function" ? meta() : meta);
  return loggerFrom(
    (e) => logger.log(e.level, e.msg, { ...base(), ...e.meta }),
    "trace",
  );
}

/**
 * The message of a thrown value, for logs and error records: `error.message` for an
 * `Error`, `String(value)` otherwise.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./log.ts";
 * console.assert(errorMessage(new Error("boom")) === "boom");
 * console.assert(errorMessage(42) === "42");
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
