/**
 * The one typed configuration of every role, with upstream OpenWhisk's defaults
 * (reference `openwhisk-fpc.md` §7), each overridable by a flag or an environment
 * variable. Mirrors the role of `common/.../reference.conf` plus the scheduler's and
 * invoker's `application.conf`.
 *
 * Every leaf `group.name` is settable as `--group-name VALUE` (or `--group-name=VALUE`)
 * and as `WSK_GROUP_NAME`; flags win over the environment, the environment over the
 * default. Durations are milliseconds, memory is MB.
 *
 * Deliberate choice (reference §7 deployment note): idle-grace and stop-grace keep
 * the code defaults (20 s), not the 10-minute Ansible values, so an unused queue
 * disappears 40 s after its last container is gone.
 *
 * @module
 */
import { isRuntimeKind, resolveKind } from "../protocols/exec.ts";
import type { PrewarmConfig } from "../protocols/function_pulling_container_pool.ts";

/** Every setting, grouped as upstream groups them. */
export const DEFAULTS = {
  cluster: {
    name: "whisk",
    host: "127.0.0.1",
    dataDir: "./.data",
  },
  etcd: {
    endpoints: "127.0.0.1:2379",
    leaseTtlSeconds: 10,
    keepAliveIntervalMs: 500,
    retryIntervalMs: 1000,
  },
  kafka: {
    brokers: "127.0.0.1:9092",
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    lingerMs: 0,
  },
  scheduling: {
    checkIntervalMs: 100,
    staleThresholdMs: 100,
    dropIntervalMs: 10_000,
    allowOverProvisionBeforeThrottle: false,
    namespaceOverProvisionBeforeThrottleRatio: 1.5,
    maxPeek: 128,
    inProgressJobRetentionMs: 20_000,
    blackboxMultiple: 15,
    creationRetryLimit: 5,
    longPollMs: 1_000,
    maxSchedulingTimeMs: 20_000,
    maxRetriesToGetQueue: 13,
    managedFraction: 0.9,
    blackboxFraction: 0.1,
  },
  queue: {
    idleGraceMs: 20_000,
    stopGraceMs: 20_000,
    flushGraceMs: 60_000,
    gracefulShutdownTimeoutMs: 5_000,
    maxRetentionSize: 10_000,
    maxRetentionMs: 60_000,
    maxBlackboxRetentionMs: 300_000,
    throttlingFraction: 0.9,
    durationBufferSize: 10,
    failThrottleAsWhiskError: false,
  },
  containerPool: {
    userMemoryMb: 1024,
    memorySyncIntervalMs: 1_000,
    batchDeletionSize: 10,
    prewarmMaxRetryLimit: 5,
    keepAlivePolicy: "ttl",
    /**
     * Stem cells (upstream `runtimes.json` `stemCells`) as `kind:memoryMb:count,…`,
     * e.g. `nodejs:20:256:2,python:3:256:1`; empty: none. Parsed by {@link parsePrewarm}.
     */
    prewarm: "",
  },
  containerProxy: {
    pauseGraceMs: 10_000,
    idleContainerMs: 600_000,
    keepingDurationMs: 600_000,
  },
  invoker: {
    tags: "",
    dedicatedNamespaces: "",
    healthBufferSize: 10,
    healthFailureTolerance: 3,
  },
  controller: {
    blockingWaitMs: 60_000,
    timeoutFactor: 2,
    /** The least action timeout the forced-completion window counts with (upstream 60 s). */
    forcedCompletionFloorMs: 60_000,
    /** Added to the forced-completion window after the timeout factor (upstream 60 s). */
    forcedCompletionExtraMs: 60_000,
    createQueueAskTimeoutMs: 8_000,
    createQueueRetries: 5,
    usePerMinThrottles: true,
    concurrentInvocations: 30,
    invocationsPerMinute: 120,
    firesPerMinute: 60,
    maxRequestBytes: 50 * 1024 * 1024,
  },
} as const;

type Widen<T> = T extends string ? string
  : T extends number ? number
  : T extends boolean ? boolean
  : { -readonly [K in keyof T]: Widen<T[K]> };

/** The resolved configuration. */
export type Config = Widen<typeof DEFAULTS>;

/** A flag or environment value that does not parse. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag name of a setting: `queue.idleGraceMs` → `--queue-idle-grace-ms`. */
export function flagName(group: string, key: string): string {
  return `--${kebab(group)}-${kebab(key)}`;
}

/** The environment name of a setting: `queue.idleGraceMs` → `WSK_QUEUE_IDLE_GRACE_MS`. */
export function envName(group: string, key: string): string {
  return `WSK_${kebab(group)}_${kebab(key)}`.replaceAll("-", "_").toUpperCase();
}

function parseValue(template: unknown, raw: string, where: string): string | number | boolean {
  if (typeof template === "number") {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) {
      throw new ConfigError(`${where} must be a number, got "${raw}"`);
    }
    return n;
  }
  if (typeof template === "boolean") {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new ConfigError(`${where} must be true or false, got "${raw}"`);
  }
  return raw;
}

function flagValues(args: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) values.set(arg.slice(0, eq), arg.slice(eq + 1));
    else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) values.set(arg, args[++i]!);
    else values.set(arg, "true");
  }
  return values;
}

/**
 * Resolves the configuration from flags and environment variables.
 *
 * @param args command-line arguments (unknown flags are left for the caller)
 * @param env environment lookup
 * @returns the configuration
 * @throws {ConfigError} when a value does not parse
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const config = loadConfig(["--queue-idle-grace-ms", "500"], () => undefined);
 * console.assert(config.queue.idleGraceMs === 500);
 * console.assert(config.scheduling.checkIntervalMs === 100);
 * ```
 */
export function loadConfig(
  args: readonly string[] = [],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Config {
  const flags = flagValues(args);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [group, settings] of Object.entries(DEFAULTS)) {
    const resolved: Record<string, unknown> = {};
    for (const [key, template] of Object.entries(settings)) {
      const flag = flagName(group, key);
      const envKey = envName(group, key);
      const fromFlag = flags.get(flag);
      const fromEnv = env(envKey);
      resolved[key] = fromFlag !== undefined
        ? parseValue(template, fromFlag, flag)
        : fromEnv !== undefined
        ? parseValue(template, fromEnv, envKey)
        : template;
    }
    out[group] = resolved;
  }
  const config = out as unknown as Config;
  parsePrewarm(config.containerPool.prewarm, prewarmSource(flags, env));
  return config;
}

function prewarmSource(
  flags: ReadonlyMap<string, string>,
  env: (name: string) => string | undefined,
): string {
  const flag = flagName("containerPool", "prewarm");
  return flags.has(flag) || env(envName("containerPool", "prewarm")) === undefined
    ? flag
    : envName("containerPool", "prewarm");
}

const WHOLE = /^[0-9]+$/;

function prewarmEntry(entry: string, where: string): PrewarmConfig {
  const bad = (why: string) =>
    new ConfigError(`${where}: prewarm entry "${entry}" ${why} (want kind:memoryMb:count)`);
  const parts = entry.split(":");
  if (parts.length < 3) throw bad("has too few parts");
  const count = parts.pop()!.trim();
  const memory = parts.pop()!.trim();
  const requested = parts.join(":").trim();
  const kind = resolveKind(requested);
  if (kind === undefined || !isRuntimeKind(kind)) throw bad(`names no runtime kind`);
  if (!WHOLE.test(memory) || Number(memory) <= 0) throw bad("needs a positive memoryMb");
  if (!WHOLE.test(count) || Number(count) <= 0) throw bad("needs a positive count");
  return { kind, memoryMb: Number(memory), initialCount: Number(count) };
}

/**
 * Parses the `containerPool.prewarm` setting into the pool's stem-cell list. A
 * `<family>:default` kind resolves to its concrete kind.
 *
 * @param text `kind:memoryMb:count` entries separated by commas; blank: none
 * @param where the flag or variable the text came from, for the error message
 * @returns one {@link PrewarmConfig} per entry, in order
 * @throws {ConfigError} naming the entry when one does not parse or repeats a kind and memory
 *
 * @example
 * ```ts
 * import { parsePrewarm } from "./config.ts";
 * const cells = parsePrewarm("nodejs:20:256:2,python:3:128:1");
 * console.assert(cells[0]?.initialCount === 2 && cells[1]?.memoryMb === 128);
 * ```
 */
export function parsePrewarm(
  text: string,
  where: string = flagName("containerPool", "prewarm"),
): PrewarmConfig[] {
  if (text.trim() === "") return [];
  const cells = text.split(",").map((entry) => prewarmEntry(entry.trim(), where));
  const seen = new Set<string>();
  for (const cell of cells) {
    const key = `${cell.kind}:${cell.memoryMb}`;
    if (seen.has(key)) throw new ConfigError(`${where}: prewarm entry for ${key} repeats`);
    seen.add(key);
  }
  return cells;
}

/** Every setting with its flag, environment name and default: for `--help` and the README. */
export function describeConfig(): { flag: string; env: string; default: unknown }[] {
  return Object.entries(DEFAULTS).flatMap(([group, settings]) =>
    Object.entries(settings).map(([key, value]) => ({
      flag: flagName(group, key),
      env: envName(group, key),
      default: value,
    }))
  );
}
