/**
 * The standalone platform as a function: controller, scheduler and invoker in one
 * process, as one supervised actor tree, on the in-memory bus and key-value twins (or
 * real Kafka and etcd when asked) and the SQLite store, served by one HTTP server.
 * Mirrors the role of upstream's `core/standalone/.../StandaloneOpenWhisk.scala`;
 * differences: it runs the FPC path (controller → queue → pulling container), which
 * upstream's standalone cannot, and container proxies reach their queue in-process.
 *
 * `scripts/standalone.ts` is the command; tests start it in-process through
 * {@link startStandalone}.
 *
 * @module
 */
import { controllerRoleOptions } from "./role_options.ts";
import { closeInReverse, serveStandalone } from "./standalone_server.ts";
import { startControllerRole } from "../actors/controller/controller_role.ts";
import { startInvokerRole } from "../actors/invoker/invoker_role.ts";
import { parseKeepAlivePolicyName } from "../actors/invoker/keep_alive/mod.ts";
import { startSchedulerRole } from "../actors/scheduler/scheduler_role.ts";
import type { Balancing } from "../actors/controller/pool_balancer_wiring.ts";
import type { ClusterViewReport, PoolBalancerCommand } from "../protocols/pool_balancer.ts";
import { ask, createTracer, startSystem, stopSystem, type System } from "../runtime/actors/mod.ts";
import {
  ActorDirectory,
  createWireBridge,
  DEAD_LETTER_TOPIC,
  KafkaBus,
  MemoryBus,
  type MessageBus,
  startInvalidationFanout,
} from "../runtime/bus/mod.ts";
import { type Config, parsePrewarm } from "../runtime/config.ts";
import { createConsoleHandler } from "../runtime/console/mod.ts";
import { createProcessFactory } from "../runtime/containers/mod.ts";
import { EtcdKv, type KeyValueStore, MemoryKv } from "../runtime/kv/mod.ts";
import { jsonLineLogger, type Logger } from "../runtime/log.ts";
import { MetricsRegistry } from "../runtime/metrics.ts";
import { type EntityStore, openSqliteStore, storeFileIn } from "../runtime/store/mod.ts";
import { prefixTopics } from "./cluster/topic_prefix.ts";
import { consoleSources } from "./console_sources.ts";
import { startLeanStandalone } from "./standalone_lean.ts";

/** How to run the standalone platform. */
export interface StandaloneOptions {
  readonly config: Config;
  /** HTTP port (default 3233; 0 picks a free one). */
  readonly port?: number;
  readonly hostname?: string;
  /** Use real etcd at `config.etcd.endpoints` instead of the in-memory twin. */
  readonly realEtcd?: boolean;
  /** Use real Kafka at `config.kafka.brokers` instead of the in-memory twin. */
  readonly realKafka?: boolean;
  readonly logger?: Logger;
  /**
   * With real Kafka: a prefix of every topic and consumer group (default none), so
   * several platforms (or test runs) can share one broker without taking each other's
   * `invoker0` or `completed0` records.
   */
  readonly topicPrefix?: string;
  /**
   * The invoker's id N (default 0): its containers are `wsk<N>_…` processes and
   * cgroups, and every `wsk<N>_` container on this host is removed at start and stop,
   * so platforms sharing a host (parallel tests) need distinct ids.
   */
  readonly invokerId?: number;
  /** How long to wait for a scheduler and a healthy invoker before answering (15 s). */
  readonly readyTimeoutMs?: number;
  /** An open store to use instead of `<dataDir>/whisk.sqlite`. */
  readonly store?: EntityStore;
  /**
   * Which balancer the controller uses (default `fpc`): `lean` pushes each activation
   * straight to an in-process ContainerPool, with no scheduler (`standalone_lean.ts`).
   */
  readonly balancer?: "fpc" | "lean";
}

/** A running standalone platform. */
export interface Standalone {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly system: System;
  readonly store: EntityStore;
  /** Drains activations, removes containers, closes everything. Idempotent. */
  close(): Promise<void>;
}

/** Starts the whole platform in this process. */
export async function startStandalone(options: StandaloneOptions): Promise<Standalone> {
  if (options.balancer === "lean") return startLeanStandalone(options);
  const { config } = options;
  const logger = options.logger ?? jsonLineLogger("info");
  const tracer = createTracer();
  const system = startSystem({
    name: `standalone-${crypto.randomUUID().slice(0, 8)}`,
    logger,
    tracer,
  });
  const metrics = new MetricsRegistry();
  const closers: (() => Promise<void> | void)[] = [];

  await Deno.mkdir(config.cluster.dataDir, { recursive: true });
  const store = options.store ??
    openSqliteStore({ path: storeFileIn(config.cluster.dataDir), logger });
  if (!options.store) closers.push(() => store.close());

  const kv: KeyValueStore = options.realEtcd
    ? new EtcdKv({ endpoint: config.etcd.endpoints, logger })
    : new MemoryKv({ logger });
  closers.push(() => kv.close());

  const bus: MessageBus = options.realKafka
    ? prefixTopics(
      new KafkaBus({
        brokers: config.kafka.brokers.split(","),
        logger,
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
        lingerMs: config.kafka.lingerMs,
        deadLetterTopic: `${options.topicPrefix ?? ""}${DEAD_LETTER_TOPIC}`,
      }),
      options.topicPrefix ?? "",
    )
    : new MemoryBus({ logger });
  closers.push(() => bus.close());

  const directory = new ActorDirectory();
  const bridge = createWireBridge({ bus, directory, logger, replyTopic: "replies-standalone" });
  closers.push(() => bridge.close());
  const invalidations = await startInvalidationFanout(bridge, directory, "standalone", logger);
  closers.push(() => invalidations.close());

  const invokerId = options.invokerId ?? 0;
  const containerPrefix = `wsk${invokerId}_`;
  const containers = await createProcessFactory({ invokerId });
  const leftovers = await containers.cleanupLeftovers(containerPrefix);
  if (leftovers > 0) logger.info("removed containers of an earlier run", { count: leftovers });

  const roleDeps = { system, kv, bridge, directory, store, logger, metrics, tracer };
  const scheduler = await startSchedulerRole(roleDeps, {
    schedulerId: 0,
    endpoints: { host: config.cluster.host, rpcPort: 13001 },
    config,
  });
  const invoker = await startInvokerRole({
    ...roleDeps,
    containers,
    createActivationClient: () => Promise.resolve(scheduler.activationClient()),
  }, {
    invokerId,
    cluster: config.cluster.name,
    userMemoryMb: config.containerPool.userMemoryMb,
    tags: config.invoker.tags ? config.invoker.tags.split(",") : [],
    dedicatedNamespaces: config.invoker.dedicatedNamespaces
      ? config.invoker.dedicatedNamespaces.split(",")
      : [],
    prewarm: parsePrewarm(config.containerPool.prewarm),
    leaseTtlSeconds: config.etcd.leaseTtlSeconds,
    pauseGraceMs: config.containerProxy.pauseGraceMs,
    idleContainerMs: config.containerProxy.idleContainerMs,
    memorySyncIntervalMs: config.containerPool.memorySyncIntervalMs,
    keepAlivePolicy: parseKeepAlivePolicyName(config.containerPool.keepAlivePolicy),
  });
  const controller = await startControllerRole(
    { ...roleDeps, invalidations },
    controllerRoleOptions(config, 0),
  );

  const console = createConsoleHandler({
    tracer,
    system,
    sources: consoleSources({
      system,
      kv,
      store,
      queueManagers: [scheduler.queueManager],
      cluster: config.cluster.name,
    }),
  });
  const server = serveStandalone({
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    port: options.port ?? 3233,
    console,
    metrics,
    health: () => ({
      status: "ok",
      roles: ["controller0", "scheduler0", `invoker${invokerId}`],
      sandbox: containers.capabilities(),
      deadLetters: system.deadLetters,
    }),
    api: (request) => controller.handler(request),
  });
  await awaitReady(system, controller.balancing, options.readyTimeoutMs ?? 15_000, logger);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      invoker.drain();
      scheduler.drain();
      await drainPause(system, controller.balancing, config.queue.gracefulShutdownTimeoutMs);
      await server.shutdown();
      await controller.close();
      await invoker.close();
      await scheduler.close();
      await stopSystem(system);
      await containers.cleanupLeftovers(containerPrefix);
      await closeInReverse(closers, logger);
    })();
    return closing;
  };
  return { url: server.url, system, store, close };
}

/**
 * Waits until the controller can place an activation: it sees a scheduler's endpoints
 * and its invoker reports Healthy (both arrive through watches a moment after the
 * roles start). Without this, requests in the first moments answered 503 "No
 * scheduler endpoint available". Gives up after `timeoutMs` with a warning: the
 * platform still serves, and the controller answers 503 until both are seen.
 */
async function awaitReady(
  system: System,
  balancing: Balancing,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // An ask that times out (the balancer stashes asks while it loads) is one more try.
    const [view, invokers] = await Promise.all([
      ask<ClusterViewReport, PoolBalancerCommand>(
        system,
        balancing.poolBalancer,
        (replyTo) => ({ type: "GetClusterView", replyTo }),
        1_000,
      ).catch(() => undefined),
      balancing.invokerHealth(1_000).catch(() => undefined),
    ]);
    if (view && view.schedulers.length > 0 && invokers?.some((i) => i.status === "Healthy")) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  logger.warn("not ready in time: no scheduler or no healthy invoker seen yet", { timeoutMs });
}

/**
 * After the drain starts: waits until the controller has no activation in flight (so
 * blocking callers get their answers), at most `graceMs` (upstream's
 * graceful-shutdown timeout). An idle platform stops at once.
 */
async function drainPause(system: System, balancing: Balancing, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const view = await ask<ClusterViewReport, PoolBalancerCommand>(
      system,
      balancing.poolBalancer,
      (replyTo) => ({ type: "GetClusterView", replyTo }),
      1_000,
    ).catch(() => undefined);
    if (view && Object.values(view.inFlight).every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
