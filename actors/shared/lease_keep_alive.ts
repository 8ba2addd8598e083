/**
 * LeaseKeepAlive: owns the process's etcd lease. The thin shell over
 * `lease_keep_alive_fsm.ts`; mirrors upstream's
 * `common/.../core/service/LeaseKeepAliveService.scala`. Every store call is started
 * here and its outcome comes back as a message (STYLE practice 10).
 *
 * Supervision: `restart`. A restarted incarnation closes the marker watches of the old
 * one, forgets the old lease (it expires after its TTL, taking its keys with it, which
 * DataManagementService's failover re-puts) and grants a new lease. Subscribers are
 * forgotten too; they recover through "lease not found" and `GetLease`.
 *
 * @module
 */
import {
  type ActorContext,
  type Parent,
  type Ref,
  spawnFsm,
  type SupervisionPolicy,
  tell,
} from "../../runtime/actors/mod.ts";
import type { KeyValueStore, Watch } from "../../runtime/kv/key_value_store.ts";
import type { LeaseKeepAliveCommand } from "../../protocols/lease_keep_alive.ts";
import { type InstanceId, instanceLeaseKey } from "../../protocols/mod.ts";
import {
  initialLeaseState,
  type LeaseKeepAliveEffect,
  type LeaseKeepAliveMsg,
  type LeaseKeepAliveState,
  leaseKeepAliveTransition,
  leaseStateTimeout,
} from "./lease_keep_alive_fsm.ts";
import { createIncarnation } from "./incarnation.ts";

/** What LeaseKeepAlive needs from outside. */
export interface LeaseKeepAliveDeps {
  readonly kv: KeyValueStore;
}

/** Options of {@link spawnLeaseKeepAlive}. */
export interface LeaseKeepAliveOptions {
  /** The process whose lease this is; names the marker key `<cluster>/instance/<id>/lease`. */
  readonly instance: InstanceId | string;
  /** Cluster prefix of the marker key (default `whisk`). */
  readonly cluster?: string;
  /** Lease TTL in seconds (default 10). */
  readonly ttlSeconds?: number;
  /** Milliseconds between keep-alives (default 500). */
  readonly keepAliveIntervalMs?: number;
  /** Milliseconds before a failed grant is retried (default 1000). */
  readonly retryIntervalMs?: number;
  /** Actor name (default `lease-keep-alive`). */
  readonly name?: string;
  /** Supervision policy (default `restart`). */
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns LeaseKeepAlive under `parent`; it grants its first lease at once.
 *
 * @returns its ref, typed to the public protocol
 * @example
 * ```ts
 * import { ask, startSystem, stopSystem } from "../../runtime/actors/mod.ts";
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import type { Lease, LeaseKeepAliveCommand } from "../../protocols/lease_keep_alive.ts";
 * import { spawnLeaseKeepAlive } from "./lease_keep_alive.ts";
 * const kv = new MemoryKv();
 * const system = startSystem({ logger: silentLogger });
 * const leases = spawnLeaseKeepAlive(system, { kv }, { instance: "scheduler0" });
 * const lease = await ask<Lease, LeaseKeepAliveCommand>(system, leases, (replyTo) => ({ type: "GetLease", replyTo }), 1000);
 * console.assert(await kv.get("whisk/instance/scheduler0/lease") === lease.leaseId);
 * await stopSystem(system);
 * await kv.close();
 * ```
 */
export function spawnLeaseKeepAlive(
  parent: Parent,
  deps: LeaseKeepAliveDeps,
  options: LeaseKeepAliveOptions,
): Ref<LeaseKeepAliveCommand> {
  const config = {
    ttlSeconds: options.ttlSeconds ?? 10,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 500,
    retryIntervalMs: options.retryIntervalMs ?? 1_000,
    markerKey: instanceLeaseKey(options.instance, options.cluster),
  };
  const ref = spawnFsm<LeaseKeepAliveState, LeaseKeepAliveMsg, LeaseKeepAliveEffect>(parent, {
    name: options.name ?? "lease-keep-alive",
    initialState: initialLeaseState(),
    transition: leaseKeepAliveTransition(config),
    perform: leaseEffects(deps.kv),
    stateTimeout: leaseStateTimeout,
    supervision: options.supervision ?? "restart",
  });
  tell(ref, ref, { type: "GrantLease" });
  return ref;
}

/** The interpreter of the store effects, with the marker watches it keeps open. */
function leaseEffects(kv: KeyValueStore) {
  const incarnation = createIncarnation();
  const watches = new Map<string, Promise<Watch | undefined>>();
  const unwatch = (leaseId: string) => {
    const watch = watches.get(leaseId);
    watches.delete(leaseId);
    void watch?.then((w) => w?.close()).catch(() => {});
  };

  return (effect: LeaseKeepAliveEffect, ctx: ActorContext<LeaseKeepAliveMsg>) => {
    const pipe = incarnation.piper(ctx);
    const warn = (what: string, leaseId?: string) => (error: unknown) => {
      ctx.logger.warn(what, { leaseId, error });
    };
    switch (effect.type) {
      case "reset":
        incarnation.bump();
        for (const leaseId of [...watches.keys()]) unwatch(leaseId);
        return;
      case "grant":
        return pipe(kv.grantLease(effect.ttlSeconds), (leaseId) => {
          ctx.logger.info("lease granted", { leaseId });
          return { type: "LeaseGranted", leaseId };
        }, (error) => {
          warn("lease grant failed")(error);
          return { type: "LeaseGrantFailed", error };
        });
      case "registerMarker": {
        const { leaseId, key } = effect;
        const onDelete = incarnation.guard(() =>
          ctx.tell(ctx.self, { type: "MarkerDeleted", leaseId })
        );
        const watching = kv.watch(key, { prefix: false }, (e) => e.type === "delete" && onDelete());
        watches.set(leaseId, watching.catch(() => undefined));
        const registered = watching.then(() => kv.put(key, leaseId, { lease: leaseId }));
        return pipe(
          registered,
          () => ({ type: "MarkerRegistered", leaseId }),
          (error) => {
            warn("lease marker registration failed", leaseId)(error);
            return { type: "MarkerRegistrationFailed", leaseId, error };
          },
        );
      }
      case "unwatchMarker":
        return unwatch(effect.leaseId);
      case "keepAlive": {
        const { leaseId } = effect;
        return pipe(
          kv.keepAliveOnce(leaseId),
          () => ({ type: "KeepAliveDone", leaseId }),
          (error) => {
            warn("lease keep-alive failed; granting a new lease", leaseId)(error);
            return { type: "KeepAliveFailed", leaseId, error };
          },
        );
      }
      case "revoke":
        return void kv.revokeLease(effect.leaseId).catch(
          warn("lease revoke failed", effect.leaseId),
        );
    }
  };
}
