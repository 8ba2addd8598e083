/**
 * Process plumbing shared by the per-role commands (`deno task controller|scheduler|
 * invoker --id N`): flags, the JSON-line logger (stderr or `--log-file`), the actor
 * system and tracer, the real adapters (etcd, Kafka behind the wire bridge, the entity
 * store: SQLite in the data directory or PostgreSQL), the HTTP server and the SIGTERM
 * drain. Mirrors the role of upstream's per-role `main` objects (`Controller.main`,
 * `Scheduler.main`, `Invoker.main`) that build the actor system, the messaging provider
 * and the stores before the role starts.
 *
 * Flags besides the settings of `runtime/config.ts`: `--id N`, `--port P` (default by
 * role), `--hostname H` (default `cluster.host`), `--store sqlite|postgres` (or
 * `WSK_STORE`), `--postgres-url URL` (or `WSK_POSTGRES`), `--postgres-schema S`,
 * `--log-file PATH`, `--log-level L` (or `WSK_LOG_LEVEL`), `--kafka-topic-prefix P`
 * (or `WSK_KAFKA_TOPIC_PREFIX`: every topic and group of this cluster under a prefix).
 *
 * @module
 */
import { createTracer, startSystem, stopSystem, type System } from "../runtime/actors/mod.ts";
import type { Tracer } from "../runtime/actors/mod.ts";
import { ActorDirectory, type Bridge, createWireBridge, KafkaBus } from "../runtime/bus/mod.ts";
import { type Config, loadConfig } from "../runtime/config.ts";
import { EtcdKv, type KeyValueStore } from "../runtime/kv/mod.ts";
import { jsonLineLogger, type Logger, type LogLevel, withMeta } from "../runtime/log.ts";
import { MetricsRegistry } from "../runtime/metrics.ts";
import {
  type EntityStore,
  openPostgresStore,
  openSqliteStore,
  storeFileIn,
} from "../runtime/store/mod.ts";
import { prefixTopics } from "./cluster/topic_prefix.ts";
import { wireTracing } from "./cluster/wire_tracing.ts";
import { advertiseProcess } from "./trace_discovery.ts";

/** The three roles a process can play. */
export type RoleName = "controller" | "scheduler" | "invoker";

/** The first port of each role: instance N listens on base + N. */
export const ROLE_BASE_PORTS: Readonly<Record<RoleName, number>> = {
  controller: 3233,
  scheduler: 13001,
  invoker: 12001,
};

/** Upstream's default PostgreSQL URL of the services command. */
export const DEFAULT_POSTGRES_URL = "postgres://whisk:whisk@127.0.0.1:5432/whisk";

/** A flag that does not parse. */
export class RoleArgsError extends Error {
  override name = "RoleArgsError";
}

/** Everything a role process reads from its command line and environment. */
export interface RoleArgs {
  readonly role: RoleName;
  readonly id: number;
  readonly port: number;
  readonly hostname: string;
  readonly store: "sqlite" | "postgres";
  readonly postgresUrl: string;
  readonly postgresSchema?: string;
  readonly logFile?: string;
  readonly logLevel: LogLevel;
  readonly topicPrefix: string;
  readonly config: Config;
}

/** The value of `--name V` or `--name=V`, if given. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

function integer(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new RoleArgsError(`${flag} must be a non-negative integer, got "${raw}"`);
  }
  return n;
}

/**
 * Reads a role process's flags.
 *
 * @throws {RoleArgsError} or `ConfigError` when a value does not parse
 *
 * @example
 * ```ts
 * import { parseRoleArgs } from "./role_process.ts";
 * const args = parseRoleArgs("scheduler", ["--id", "1"], () => undefined);
 * console.assert(args.port === 13002 && args.store === "sqlite");
 * ```
 */
export function parseRoleArgs(
  role: RoleName,
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): RoleArgs {
  const config = loadConfig(args, env);
  const id = integer(flagValue(args, "--id") ?? "0", "--id");
  const portFlag = flagValue(args, "--port");
  const store = flagValue(args, "--store") ?? env("WSK_STORE") ?? "sqlite";
  if (store !== "sqlite" && store !== "postgres") {
    throw new RoleArgsError(`--store must be sqlite or postgres, got "${store}"`);
  }
  const level = flagValue(args, "--log-level") ?? env("WSK_LOG_LEVEL") ?? "info";
  if (!["trace", "debug", "info", "warn", "error"].includes(level)) {
    throw new RoleArgsError(`--log-level must be trace, debug, info, warn or error`);
  }
  const logFile = flagValue(args, "--log-file");
  const schema = flagValue(args, "--postgres-schema");
  return {
    role,
    id,
    port: portFlag === undefined ? ROLE_BASE_PORTS[role] + id : integer(portFlag, "--port"),
    hostname: flagValue(args, "--hostname") ?? config.cluster.host,
    store,
    postgresUrl: flagValue(args, "--postgres-url") ?? env("WSK_POSTGRES") ?? DEFAULT_POSTGRES_URL,
    ...(schema === undefined ? {} : { postgresSchema: schema }),
    ...(logFile === undefined ? {} : { logFile }),
    logLevel: level as LogLevel,
    topicPrefix: flagValue(args, "--kafka-topic-prefix") ?? env("WSK_KAFKA_TOPIC_PREFIX") ?? "",
    config,
  };
}

/** What every role stands on, opened by {@link openRoleProcess}. */
export interface RoleProcess {
  readonly args: RoleArgs;
  /** `controller0`, `scheduler1`, ... */
  readonly name: string;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly system: System;
  readonly metrics: MetricsRegistry;
  readonly store: EntityStore;
  readonly kv: KeyValueStore;
  readonly bridge: Bridge;
  readonly directory: ActorDirectory;
  /** Runs `closer` (in reverse order of registration) when the process closes. */
  onClose(closer: () => Promise<void> | void): void;
  /** Stops the actors and closes every adapter; idempotent. */
  close(): Promise<void>;
}

function fileWriter(path: string): (line: string) => void {
  const file = Deno.openSync(path, { append: true, create: true });
  const encoder = new TextEncoder();
  return (line) => void file.writeSync(encoder.encode(line + "\n"));
}

/** Opens the logger, actor system, store, etcd, Kafka and the wire bridge of a role. */
export async function openRoleProcess(args: RoleArgs): Promise<RoleProcess> {
  const { config } = args;
  const name = `${args.role}${args.id}`;
  const write = args.logFile ? fileWriter(args.logFile) : undefined;
  const logger = withMeta(jsonLineLogger(args.logLevel, write), { process: name });
  const tracer = createTracer();
  const system = startSystem({ name, logger, tracer });
  const closers: (() => Promise<void> | void)[] = [];
  const onClose = (closer: () => Promise<void> | void) => void closers.push(closer);

  const store = await openStore(args, logger);
  onClose(() => store.close());
  const kv = new EtcdKv({ endpoint: config.etcd.endpoints, logger });
  onClose(() => kv.close());
  // `whisk/processes/<name>`: where `deno task trace --etcd` and the merged console find us.
  const advertised = await advertiseProcess(kv, {
    name,
    role: args.role,
    url: `http://${args.hostname}:${args.port}`,
  }, { cluster: config.cluster.name, ttlSeconds: config.etcd.leaseTtlSeconds, logger });
  onClose(() => advertised.close());
  const bus = prefixTopics(
    new KafkaBus({
      brokers: config.kafka.brokers.split(","),
      clientId: name,
      logger,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      lingerMs: config.kafka.lingerMs,
      deadLetterTopic: `${args.topicPrefix}deadLetters`,
    }),
    args.topicPrefix,
  );
  onClose(() => bus.close());
  const directory = new ActorDirectory();
  const tracing = wireTracing(tracer, name);
  const bridge = createWireBridge({
    bus,
    directory,
    logger,
    replyTopic: `replies-${name}`,
    outbound: [tracing.outbound],
    inbound: [tracing.inbound],
  });
  onClose(() => bridge.close());

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await stopSystem(system);
      for (const closer of closers.reverse()) {
        try {
          await closer();
        } catch (error) {
          logger.warn("error while closing", { error });
        }
      }
    })();
  return {
    args,
    name,
    logger,
    tracer,
    system,
    metrics: new MetricsRegistry(),
    store,
    kv,
    bridge,
    directory,
    onClose,
    close,
  };
}

async function openStore(args: RoleArgs, logger: Logger): Promise<EntityStore> {
  if (args.store === "postgres") {
    return await openPostgresStore({
      url: args.postgresUrl,
      logger,
      ...(args.postgresSchema === undefined ? {} : { schema: args.postgresSchema }),
    });
  }
  await Deno.mkdir(args.config.cluster.dataDir, { recursive: true });
  return openSqliteStore({ path: storeFileIn(args.config.cluster.dataDir), logger });
}

/** A request handler that may decline (`undefined`) so the next one answers. */
export type PartialHandler = (request: Request) => Promise<Response> | Response | undefined;

/** Tries each handler in order; the last one always answers. */
export function chainHandlers(
  handlers: readonly PartialHandler[],
  last: (request: Request) => Promise<Response> | Response,
): (request: Request) => Promise<Response> | Response {
  return (request) => {
    for (const handler of handlers) {
      const response = handler(request);
      if (response !== undefined) return response;
    }
    return last(request);
  };
}

/** Serves `handler` on the role's port; logs where it listens. */
export function serveRole(
  role: RoleProcess,
  handler: (request: Request) => Promise<Response> | Response,
): Deno.HttpServer<Deno.NetAddr> {
  const { hostname, port } = role.args;
  return Deno.serve({
    hostname,
    port,
    onListen: () => role.logger.info("listening", { url: `http://${hostname}:${port}` }),
  }, async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      role.logger.error("request failed", { path: new URL(request.url).pathname, error });
      return Response.json({ error: "internal error", code: "internal" }, { status: 500 });
    }
  });
}

/**
 * On SIGTERM or SIGINT: runs `stop` once (drain, then close) and exits 0; a second
 * signal, or a stop longer than `hardLimitMs`, exits 1 at once.
 */
export function exitOnSignals(
  logger: Logger,
  stop: (signal: string) => Promise<void>,
  hardLimitMs = 30_000,
): void {
  let stopping = false;
  const onSignal = (signal: Deno.Signal) => {
    if (stopping) {
      logger.warn("second signal: exiting now", { signal });
      Deno.exit(1);
    }
    stopping = true;
    logger.info("stopping", { signal });
    const hard = setTimeout(() => {
      logger.error("stop took too long: exiting", { hardLimitMs });
      Deno.exit(1);
    }, hardLimitMs);
    stop(signal).then(
      () => {
        clearTimeout(hard);
        logger.info("stopped", { signal });
        Deno.exit(0);
      },
      (error) => {
        logger.error("stop failed", { error });
        Deno.exit(1);
      },
    );
  };
  Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
