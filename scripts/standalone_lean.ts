/**
 * The standalone platform in lean mode (`--balancer lean`): the controller role with a
 * LeanBalancer in the pool balancer's place, pushing each activation straight to an
 * in-process classic ContainerPool on the process container factory. No scheduler, no
 * queues, no pulling proxies; the REST API, completions (blocking waits, forced
 * records), entitlement, console, `/metrics` and `/health` are the FPC standalone's.
 *
 * Mirrors upstream's standalone with `LeanBalancer` (`core/standalone/.../StandaloneOpenWhisk.scala`
 * picks it for its single in-process invoker); differences: no lean message queue
 * between controller and invoker, and the key-value store and bus are always the
 * in-memory twins (lean mode is one process by design).
 *
 * Started through `startStandalone({balancer: "lean"})` of `standalone_platform.ts`.
 *
 * @module
 */
import { controllerRoleOptions } from "./role_options.ts";
import { closeInReverse, serveStandalone } from "./standalone_server.ts";
import { startControllerRole } from "../actors/controller/controller_role.ts";
import {
  type LeanBalancing,
  startLeanBalancing,
} from "../actors/controller/lean_balancer_wiring.ts";
import type { BalancingDeps, BalancingOptions } from "../actors/controller/pool_balancer_wiring.ts";
import { spawnContainerPool } from "../actors/invoker/container_pool.ts";
import { containerProxyFactory } from "../actors/invoker/container_proxy.ts";
import {
  fqnString,
  type FullyQualifiedEntityName,
  invokerInstance,
  type WhiskAction,
} from "../protocols/mod.ts";
import type { ContainerPoolCommand, ContainerPoolSnapshot } from "../protocols/container_pool.ts";
import {
  ask,
  createTracer,
  type Ref,
  spawnGroup,
  startSystem,
  stopSystem,
  type System,
} from "../runtime/actors/mod.ts";
import {
  ActorDirectory,
  createWireBridge,
  MemoryBus,
  startInvalidationFanout,
} from "../runtime/bus/mod.ts";
import { createConsoleHandler, type InvokerView } from "../runtime/console/mod.ts";
import { createProcessFactory, readHostMemory } from "../runtime/containers/mod.ts";
import { parsePrewarm } from "../runtime/config.ts";
import { MemoryKv } from "../runtime/kv/mod.ts";
import { jsonLineLogger } from "../runtime/log.ts";
import { MetricsRegistry } from "../runtime/metrics.ts";
import {
  type EntityStore,
  getWhiskAction,
  openSqliteStore,
  storeFileIn,
} from "../runtime/store/mod.ts";
import { consoleSources } from "./console_sources.ts";
import type { Standalone, StandaloneOptions } from "./standalone_platform.ts";

/** How many action documents (per revision) the in-process invoker keeps read. */
const ACTION_CACHE_SIZE = 512;

/** Reads actions with their code, keeping recent revisions (a revision never changes). */
function actionReader(store: EntityStore) {
  const cache = new Map<string, Promise<WhiskAction | undefined>>();
  return (fqn: FullyQualifiedEntityName, revision: string) => {
    const read = () => getWhiskAction(store, fqn, revision).then((found) => found?.action);
    if (revision === "") return read();
    const key = `${fqnString(fqn)}@${revision}`;
    let found = cache.get(key);
    if (!found) {
      found = read();
      found.then((a) => a ?? cache.delete(key), () => cache.delete(key));
      cache.set(key, found);
      if (cache.size > ACTION_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return found;
  };
}

/** Starts the lean platform in this process. */
export async function startLeanStandalone(options: StandaloneOptions): Promise<Standalone> {
  const { config } = options;
  const logger = options.logger ?? jsonLineLogger("info");
  if (options.realEtcd || options.realKafka) {
    logger.warn("lean mode runs on the in-memory twins; real etcd and Kafka are not used");
  }
  const tracer = createTracer();
  const system = startSystem({
    name: `standalone-lean-${crypto.randomUUID().slice(0, 8)}`,
    logger,
    tracer,
  });
  const metrics = new MetricsRegistry();
  const closers: (() => Promise<void> | void)[] = [];

  await Deno.mkdir(config.cluster.dataDir, { recursive: true });
  const store = options.store ??
    openSqliteStore({ path: storeFileIn(config.cluster.dataDir), logger });
  if (!options.store) closers.push(() => store.close());
  const kv = new MemoryKv({ logger });
  closers.push(() => kv.close());
  const bus = new MemoryBus({ logger });
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

  const userMemoryMb = config.containerPool.userMemoryMb;
  const invoker = invokerInstance(invokerId, userMemoryMb);
  const invokerGroup = spawnGroup(system, `invoker${invokerId}`);
  const started: { lean?: LeanBalancing } = {};
  const startLean = async (base: BalancingDeps, settings: BalancingOptions) =>
    started.lean = await startLeanBalancing({
      ...base,
      loadAction: actionReader(store),
      spawnPool: (sink) =>
        spawnContainerPool(invokerGroup, {
          spawnProxy: containerProxyFactory({
            createContainer: (create) => containers.create(create),
            storeActivation: sink.storeActivation,
            sendAck: sink.sendAck,
            invoker,
            clock: system.clock,
            logger,
          }, {
            pauseGraceMs: config.containerProxy.pauseGraceMs,
            idleContainerMs: config.containerProxy.idleContainerMs,
          }),
          sendAck: sink.sendAck,
          storeActivation: sink.storeActivation,
          readHostMemory,
          logger,
        }, {
          invoker,
          userMemoryMb,
          hostMemoryIntervalMs: config.containerPool.memorySyncIntervalMs,
          prewarm: parsePrewarm(config.containerPool.prewarm),
        }),
    }, { ...settings, invokerId });

  const roleDeps = { system, kv, bridge, directory, store, logger, metrics, tracer };
  const controller = await startControllerRole(
    { ...roleDeps, invalidations, startBalancing: startLean },
    controllerRoleOptions(config, 0),
  );
  const lean = started.lean!;

  const sources = consoleSources({
    system,
    kv,
    store,
    queueManagers: [],
    cluster: config.cluster.name,
  });
  const console = createConsoleHandler({
    tracer,
    system,
    sources: { ...sources, invokers: () => invokerViews(system, lean.pool, invokerId) },
  });
  const server = serveStandalone({
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    port: options.port ?? 3233,
    console,
    metrics,
    health: () => ({
      status: "ok",
      balancer: "lean",
      roles: ["controller0", `invoker${invokerId}`],
      sandbox: containers.capabilities(),
      deadLetters: system.deadLetters,
    }),
    api: (request) => controller.handler(request),
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      lean.drain();
      await drained(lean, Math.min(config.queue.gracefulShutdownTimeoutMs, 2_000));
      await server.shutdown();
      await controller.close();
      await stopSystem(system);
      await containers.cleanupLeftovers(containerPrefix);
      await closeInReverse(closers, logger);
    })();
    return closing;
  };
  return { url: server.url, system, store, close };
}

/** Waits until no pushed activation is in flight, or `timeoutMs` passes. */
async function drained(lean: LeanBalancing, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await lean.status(1_000).catch(() => undefined);
    if (status === undefined || status.inFlight === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The one in-process invoker as the console shows it, from the pool's snapshot. */
async function invokerViews(
  system: System,
  pool: Ref<ContainerPoolCommand>,
  invokerId: number,
): Promise<InvokerView[]> {
  const id = `invoker${invokerId}`;
  const snapshot = await ask<ContainerPoolSnapshot, ContainerPoolCommand>(
    system,
    pool,
    (replyTo) => ({ type: "GetContainerPoolState", replyTo }),
    1_000,
  ).catch(() => undefined);
  if (!snapshot) {
    return [{
      id,
      status: "unresponsive",
      freeMemoryMb: 0,
      busyMemoryMb: 0,
      inProgressMemoryMb: 0,
    }];
  }
  return [{
    id,
    status: "up",
    freeMemoryMb: snapshot.freeMemoryMb,
    busyMemoryMb: snapshot.warm.memoryMb,
    inProgressMemoryMb: 0,
  }];
}
