/**
 * The controller role assembled: REST API, pool balancer, completions and entitlement
 * over the adapters a composition root hands in (key-value store, bus bridge, entity
 * store). Mirrors `core/controller/.../Controller.scala` (its wiring of the load
 * balancer, entitlement, cache invalidation and routes); differences: the balancer
 * is FPC unless `deps.startBalancing` picks another (lean mode), and cache invalidation
 * arrives over the wire bridge like every other message.
 *
 * Topics consumed: `completed<cid>` (acks and `CreateQueueResponse`, group
 * `completed<cid>`; any other type goes to `deadLetters`). Cache invalidations reach it through the process's
 * {@link Invalidations} fan-out (one `cacheInvalidation` consumer per process).
 *
 * @module
 */
import type { CacheInvalidationMessage, WhiskAction } from "../../protocols/mod.ts";
import { spawnGroup, type System } from "../../runtime/actors/mod.ts";
import type { ActorDirectory, Bridge, Subscription } from "../../runtime/bus/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";
import type { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, putWhiskActivation } from "../../runtime/store/mod.ts";
import { startAlarmFeeds } from "./alarms/mod.ts";
import { EntityCache } from "./entity_cache.ts";
import {
  type Balancing,
  type BalancingDeps,
  type BalancingOptions,
  startBalancing,
} from "./pool_balancer_wiring.ts";
import { createRestApi, ensureGuestSubject } from "./rest_api/mod.ts";
import type { EntityChange, RestApiOptions } from "./rest_api/rest_api_deps.ts";

/** The directory names this role answers to on the bus. */
export const CONTROLLER_RECIPIENTS = {
  completions: "completions",
  poolBalancer: "pool-balancer",
} as const;

/** The process's cache-invalidation fan-out: subscribe, and publish to every process. */
export interface Invalidations {
  subscribe(listener: (message: CacheInvalidationMessage) => void): () => void;
  publish(message: CacheInvalidationMessage): Promise<void>;
}

/** What the controller role stands on. */
export interface ControllerRoleDeps {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly bridge: Bridge;
  readonly directory: ActorDirectory;
  readonly store: EntityStore;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly invalidations: Invalidations;
  /**
   * Starts the balancer whose `invoke` and `checkThrottle` the REST API uses (default
   * the FPC path's `startBalancing`; lean mode passes `startLeanBalancing`'s).
   */
  readonly startBalancing?: (deps: BalancingDeps, options: BalancingOptions) => Promise<Balancing>;
}

/** Settings of the controller role. */
export interface ControllerRoleOptions {
  readonly controllerId: number;
  readonly cluster: string;
  readonly concurrentInvocations: number;
  readonly invocationsPerMinute: number;
  readonly usePerMinThrottles: boolean;
  readonly timeoutFactor: number;
  /** The forced-completion window's floor (default 60 s, `controller.forcedCompletionFloorMs`). */
  readonly forcedCompletionFloorMs?: number;
  /** The forced-completion window's extra time (default 60 s, `controller.forcedCompletionExtraMs`). */
  readonly forcedCompletionExtraMs?: number;
  /** `queue.maxRetentionMs` (default 60 s): the forced-completion window outlasts it. */
  readonly queueRetentionMs?: number;
  /** `queue.maxBlackboxRetentionMs` (default 300 s). */
  readonly blackboxQueueRetentionMs?: number;
  /** `scheduling.inProgressJobRetentionMs` (default 20 s), a container creation's limit. */
  readonly creationJobTimeoutMs?: number;
  /** `scheduling.blackboxMultiple` (default 15). */
  readonly blackboxMultiple?: number;
  readonly createQueueTimeoutMs: number;
  readonly createQueueAttempts: number;
  readonly rest: RestApiOptions;
}

/** A running controller role. */
export interface ControllerRole {
  /** The REST API (`/`, `/ping`, `/api/v1/...`). */
  readonly handler: (request: Request) => Promise<Response>;
  readonly balancing: Balancing;
  readonly actionCache: EntityCache<WhiskAction>;
  /** Stops consuming and closes the watches; the actors stop with the system. */
  close(): Promise<void>;
}

/**
 * Starts the controller role: seeds the guest and system subjects, starts balancing,
 * consumes `completed<cid>` and `cacheInvalidation`, and builds the REST API.
 */
export async function startControllerRole(
  deps: ControllerRoleDeps,
  options: ControllerRoleOptions,
): Promise<ControllerRole> {
  const { system, bridge, directory, store, logger } = deps;
  const instanceId = `controller${options.controllerId}`;
  const completedTopic = `completed${options.controllerId}`;
  await ensureGuestSubject(store);

  const balancing = await (deps.startBalancing ?? startBalancing)({
    system,
    parent: spawnGroup(system, instanceId),
    kv: deps.kv,
    logger,
    publish: (topic, to, message, envelope) => bridge.send(topic, to, message, envelope),
    storeActivation: (record) => putWhiskActivation(store, record),
  }, {
    controllerId: String(options.controllerId),
    cluster: options.cluster,
    concurrentInvocations: options.concurrentInvocations,
    invocationsPerMinute: options.invocationsPerMinute,
    usePerMinThrottles: options.usePerMinThrottles,
    timeoutFactor: options.timeoutFactor,
    ...(options.forcedCompletionFloorMs === undefined
      ? {}
      : { forcedCompletionFloorMs: options.forcedCompletionFloorMs }),
    ...(options.forcedCompletionExtraMs === undefined
      ? {}
      : { forcedCompletionExtraMs: options.forcedCompletionExtraMs }),
    ...(options.queueRetentionMs === undefined
      ? {}
      : { queueRetentionMs: options.queueRetentionMs }),
    ...(options.blackboxQueueRetentionMs === undefined
      ? {}
      : { blackboxQueueRetentionMs: options.blackboxQueueRetentionMs }),
    ...(options.creationJobTimeoutMs === undefined
      ? {}
      : { creationJobTimeoutMs: options.creationJobTimeoutMs }),
    ...(options.blackboxMultiple === undefined
      ? {}
      : { blackboxMultiple: options.blackboxMultiple }),
    createQueueTimeoutMs: options.createQueueTimeoutMs,
    createQueueAttempts: options.createQueueAttempts,
  });

  const actionCache = new EntityCache<WhiskAction>({ clock: system.clock, entityType: "action" });
  // `deliver` refuses (false) what neither actor takes: the bridge dead-letters it.
  const unregister = [
    directory.register(
      CONTROLLER_RECIPIENTS.completions,
      (m) => balancing.deliver(CONTROLLER_RECIPIENTS.completions, m),
    ),
    directory.register(
      CONTROLLER_RECIPIENTS.poolBalancer,
      (m) => balancing.deliver(CONTROLLER_RECIPIENTS.poolBalancer, m),
    ),
    deps.invalidations.subscribe((m) => {
      if (m.instanceId !== instanceId) actionCache.applyInvalidation(m);
    }),
  ];
  const subscriptions: Subscription[] = [await bridge.listen(completedTopic, completedTopic)];

  const announceChange = (change: EntityChange) => {
    const message: CacheInvalidationMessage = {
      type: "CacheInvalidationMessage",
      mainId: change.mainId,
      ...(change.secondaryId === undefined ? {} : { secondaryId: change.secondaryId }),
      instanceId,
      entityType: change.entityType,
    };
    return deps.invalidations.publish(message);
  };

  // The built-in alarms feed fires through the REST handler below (once it has loaded).
  const alarms = startAlarmFeeds({
    parent: spawnGroup(system, `${instanceId}-alarms`),
    kv: deps.kv,
    store,
    clock: system.clock,
    logger,
    announceChange,
    rest: (request) => handler(request),
  }, { owner: instanceId, cluster: options.cluster });
  unregister.push(deps.invalidations.subscribe(alarms.onInvalidation));

  const handler = createRestApi({
    store,
    announceChange,
    invoke: (identity, action, params, invokeOptions) =>
      balancing.invoke(identity, action, params, invokeOptions),
    checkThrottle: (identity, action) => balancing.checkThrottle(identity, action),
    clock: system.clock,
    logger,
    metrics: deps.metrics,
    actionCache,
    feeds: alarms.feeds,
  }, options.rest);

  return {
    handler,
    balancing,
    actionCache,
    async close() {
      for (const off of unregister) off();
      for (const sub of subscriptions) await sub.close();
      await balancing.close();
    },
  };
}
