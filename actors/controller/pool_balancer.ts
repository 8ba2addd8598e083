/**
 * The controller's pool balancer: the thin shell over `pool_balancer_fsm.ts`. It opens
 * the prefix watches that feed the cluster view (directly on the `KeyValueStore`, one
 * watch per family, not through the Watcher actor: the balancer is the only reader of
 * these prefixes in a controller, and a direct watch keeps its start-up independent),
 * and publishes activations and `CreateQueue` asks through the injected `publish`
 * (the composition root wires it to the bridge).
 *
 * Mirrors `core/controller/.../loadBalancer/FPCPoolBalancer.scala`.
 *
 * Supervision: `restart`. The new incarnation starts in `Starting`, stashes what arrives
 * and is told `Start` by the policy, so it re-opens its watches and reloads the view.
 * Activations published by the old incarnation are no longer counted for leader
 * recreation; their completions and forced-completion records are the completions
 * actor's business and are unaffected.
 *
 * @module
 */
import {
  invokersPrefix,
  queuePrefix,
  schedulerPrefix,
  sid_loadbalancer,
  type WireMessage,
} from "../../protocols/mod.ts";
import {
  completedTopic,
  type PoolBalancerCommand,
  QUEUE_MANAGER_ACTOR,
  schedulerTopic,
} from "../../protocols/pool_balancer.ts";
import {
  type ActorContext,
  type Parent,
  type Ref,
  spawnFsm,
  tell,
} from "../../runtime/actors/mod.ts";
import type { KeyValueStore, Watch } from "../../runtime/kv/key_value_store.ts";
import type { ClusterFamily } from "./pool_balancer_view.ts";
import {
  initialPoolBalancerState,
  type PoolBalancerEffect,
  type PoolBalancerMsg,
  type PoolBalancerSettings,
  type PoolBalancerState,
  poolBalancerTransition,
} from "./pool_balancer_fsm.ts";

/** Envelope fields of an outgoing message, besides its topic and recipient. */
export interface PublishEnvelope {
  readonly tid?: string;
  readonly replyTo?: string;
  readonly correlationId?: string;
}

/** Sends `message` to actor `to` of the process consuming `topic` (the bridge's `send`). */
export type PublishFn = (
  topic: string,
  to: string,
  message: WireMessage,
  envelope: PublishEnvelope,
) => Promise<void>;

/** What the pool balancer needs from outside. */
export interface PoolBalancerDeps {
  readonly kv: KeyValueStore;
  readonly publish: PublishFn;
}

/** Options of {@link spawnPoolBalancer}; every setting but `controllerId` has upstream's default. */
export interface PoolBalancerOptions extends Partial<PoolBalancerSettings> {
  readonly controllerId: string;
  /** Actor name (default `pool-balancer`). */
  readonly name?: string;
}

/** The spawned pool balancer. */
export interface PoolBalancerHandle {
  readonly ref: Ref<PoolBalancerCommand>;
  /** Closes the watches (the actor itself stops with its parent). */
  close(): Promise<void>;
}

/** Applies the defaults: cluster `whisk`, 8 s ask, 6 attempts, 1 s reload interval. */
export function poolBalancerSettings(options: PoolBalancerOptions): PoolBalancerSettings {
  return {
    cluster: options.cluster ?? "whisk",
    controllerId: options.controllerId,
    createQueueTimeoutMs: options.createQueueTimeoutMs ?? 8_000,
    createQueueAttempts: options.createQueueAttempts ?? 6,
    reloadIntervalMs: options.reloadIntervalMs ?? 1_000,
  };
}

function prefixOf(family: ClusterFamily, cluster: string): string {
  switch (family) {
    case "schedulers":
      return schedulerPrefix(cluster);
    case "leaders":
      return queuePrefix(cluster);
    case "invokers":
      return invokersPrefix(cluster);
  }
}

/**
 * Spawns the pool balancer under `parent`.
 *
 * @example
 * ```ts
 * import { startSystem, stopSystem } from "../../runtime/actors/mod.ts";
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { spawnPoolBalancer } from "./pool_balancer.ts";
 * const kv = new MemoryKv();
 * const system = startSystem({ logger: silentLogger });
 * const balancer = spawnPoolBalancer(system, { kv, publish: () => Promise.resolve() }, {
 *   controllerId: "0",
 * });
 * await balancer.close();
 * await stopSystem(system);
 * await kv.close();
 * ```
 */
export function spawnPoolBalancer(
  parent: Parent,
  deps: PoolBalancerDeps,
  options: PoolBalancerOptions,
): PoolBalancerHandle {
  const settings = poolBalancerSettings(options);
  const watches = new Map<ClusterFamily, Promise<Watch | undefined>>();
  let closed = false;
  let lastWatchId = 0;

  const closeWatch = (family: ClusterFamily) => {
    const old = watches.get(family);
    watches.delete(family);
    return old?.then((w) => w?.close()).catch(() => {}) ?? Promise.resolve();
  };

  const watchFamily = (
    family: ClusterFamily,
    watchId: number,
    ctx: ActorContext<PoolBalancerMsg>,
  ) => {
    lastWatchId = Math.max(lastWatchId, watchId);
    void closeWatch(family);
    const prefix = prefixOf(family, settings.cluster);
    const self = ctx.self;
    const opened = deps.kv.watch(prefix, { prefix: true }, (event) => {
      tell(self, self, { type: "FamilyEvent", family, watchId, event });
    }).then(async (w) => (closed ? (await w.close(), undefined) : w));
    watches.set(family, opened.catch(() => undefined));
    ctx.pipeToSelf(
      opened.then(() => deps.kv.getPrefix(prefix)),
      (entries) => ({ type: "FamilyLoaded", family, watchId, entries }),
      (error) => ({ type: "FamilyLoadFailed", family, watchId, error }),
    );
  };

  const perform = (effect: PoolBalancerEffect, ctx: ActorContext<PoolBalancerMsg>) => {
    switch (effect.type) {
      case "WatchFamily":
        return watchFamily(effect.family, effect.watchId, ctx);
      case "SendActivation": {
        const { activation, sid } = effect;
        const { activationId } = activation;
        return ctx.pipeToSelf(
          deps.publish(schedulerTopic(sid), QUEUE_MANAGER_ACTOR, activation, {
            tid: activation.transid.id,
          }),
          () => ({ type: "ActivationSent", activationId }),
          (error) => ({ type: "ActivationSendFailed", activationId, error }),
        );
      }
      case "SendCreateQueue": {
        const { leaderKey, attempt } = effect;
        const sent = deps.publish(schedulerTopic(effect.sid), QUEUE_MANAGER_ACTOR, effect.request, {
          tid: sid_loadbalancer,
          replyTo: completedTopic(settings.controllerId),
          correlationId: effect.correlationId,
        });
        // Success needs no message: the answer (or the ask timeout) ends the attempt.
        return void sent.catch((error) =>
          tell(ctx.self, ctx.self, { type: "CreateQueueSendFailed", leaderKey, attempt, error })
        );
      }
      case "Log":
        return ctx.logger[effect.level](effect.msg, effect.meta);
    }
  };

  const transition = poolBalancerTransition(settings);
  const ref: Ref<PoolBalancerMsg> = spawnFsm<
    PoolBalancerState,
    PoolBalancerMsg,
    PoolBalancerEffect
  >(parent, {
    name: options.name ?? "pool-balancer",
    initialState: initialPoolBalancerState(),
    transition: (state, msg) => {
      if (msg.type === "Start") state = { ...state, nextWatchId: lastWatchId + 1 };
      return transition(state, msg);
    },
    perform,
    supervision: () => {
      tell(ref, ref, { type: "Start" });
      return "restart";
    },
  });
  tell(ref, ref, { type: "Start" });
  return {
    ref: ref as Ref<PoolBalancerCommand>,
    close: async () => {
      closed = true;
      await Promise.all([...watches.keys()].map(closeWatch));
    },
  };
}
