/**
 * DataManagementService: the single entry point for etcd writes that must eventually
 * succeed. The thin shell over `data_management_service_fsm.ts`; mirrors upstream's
 * `common/.../core/service/DataManagementService.scala`. The EtcdWorker is an effect
 * (`etcd_worker.ts`), not a child actor: each write runs as a promise whose outcome is
 * piped back as `WorkDone`, so a slow etcd never blocks the mailbox, and per-key
 * serialisation and retries stay in the pure transition.
 *
 * Supervision: `restart`. A restarted service keeps nothing: queued writes, the cached
 * lease and the `UpdateDataOnChange` cache are lost, and outcomes of writes still in
 * flight are dropped. Callers that must be sure re-send (the health reporters send
 * `UpdateDataOnChange` every second; the first one after a restart writes again). Keys
 * already written stay in etcd under the lease, and their failover keeps working:
 * the failover watches live in the Watcher, which delivers to this actor's path.
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
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type { LeaseKeepAliveCommand } from "../../protocols/lease_keep_alive.ts";
import type { WatcherCommand } from "../../protocols/watcher.ts";
import {
  type DataManagementEffect,
  type DataManagementMsg,
  type DataManagementState,
  dataManagementStateTimeout,
  dataManagementTransition,
  initialDataManagementState,
} from "./data_management_service_fsm.ts";
import { type EtcdWorker, etcdWorker } from "./etcd_worker.ts";
import { createIncarnation } from "./incarnation.ts";

/** What DataManagementService needs from outside. */
export interface DataManagementDeps {
  readonly kv: KeyValueStore;
  /** The process's LeaseKeepAlive. */
  readonly leaseKeepAlive: Ref<LeaseKeepAliveCommand>;
  /** The process's Watcher (failover watches). */
  readonly watcher: Ref<WatcherCommand>;
  /** Performs the writes (default: {@link etcdWorker} over `kv`); a seam for tests. */
  readonly worker?: EtcdWorker;
}

/** Options of {@link spawnDataManagementService}. */
export interface DataManagementOptions {
  /** Actor name (default `data-management-service`); also the failover watcher name. */
  readonly name?: string;
  /** Milliseconds between retries (upstream `data-management-service.retry-interval`, 1 s). */
  readonly retryIntervalMs?: number;
  /** Supervision policy (default `restart`). */
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns DataManagementService under `parent`.
 *
 * @returns its ref, typed to the public protocol
 * @example
 * ```ts
 * import { startSystem, stopSystem, tell } from "../../runtime/actors/mod.ts";
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { spawnDataServices } from "./mod.ts";
 * const kv = new MemoryKv();
 * const system = startSystem({ logger: silentLogger });
 * const { dataManagement } = spawnDataServices(system, { kv }, { instance: "invoker0" });
 * tell(system, dataManagement, { type: "RegisterData", key: "whisk/x", value: "1" });
 * await stopSystem(system);
 * await kv.close();
 * ```
 */
export function spawnDataManagementService(
  parent: Parent,
  deps: DataManagementDeps,
  options: DataManagementOptions = {},
): Ref<DataManagementCommand> {
  const name = options.name ?? "data-management-service";
  const ref = spawnFsm<DataManagementState, DataManagementMsg, DataManagementEffect>(parent, {
    name,
    initialState: initialDataManagementState,
    transition: dataManagementTransition(options.retryIntervalMs ?? 1_000),
    perform: dataManagementEffects(deps, name),
    stateTimeout: dataManagementStateTimeout,
    supervision: options.supervision ?? "restart",
  });
  tell(ref, ref, { type: "Start" });
  return ref;
}

/** The interpreter of the effects. */
function dataManagementEffects(deps: DataManagementDeps, watcherName: string) {
  const incarnation = createIncarnation();
  const worker = deps.worker ?? etcdWorker(deps.kv);
  return (effect: DataManagementEffect, ctx: ActorContext<DataManagementMsg>) => {
    switch (effect.type) {
      case "reset":
        return incarnation.bump();
      case "subscribeLease":
        return ctx.tell(deps.leaseKeepAlive, { type: "SubscribeLease", subscriber: ctx.self });
      case "requestLease":
        return ctx.tell(deps.leaseKeepAlive, { type: "GetLease", replyTo: ctx.self });
      case "watchKey":
        return ctx.tell(deps.watcher, {
          type: "WatchEndpoint",
          key: effect.key,
          isPrefix: false,
          name: watcherName,
          put: false,
          del: true,
          replyTo: ctx.self,
        });
      case "unwatchKey":
        return ctx.tell(deps.watcher, {
          type: "UnwatchEndpoint",
          key: effect.key,
          isPrefix: false,
          name: watcherName,
          needFeedback: true,
          replyTo: ctx.self,
        });
      case "runWork": {
        const { op, attempt } = effect;
        return incarnation.piper(ctx)(
          worker(op, effect.lease),
          (outcome) => {
            if (outcome.type !== "done") {
              const error = outcome.type === "failed" ? outcome.error : undefined;
              ctx.logger.warn("etcd write failed; retrying", {
                key: op.key,
                op: op.kind,
                outcome: outcome.type,
                error,
              });
            }
            return { type: "WorkDone", key: op.key, attempt, outcome };
          },
          (error) => ({
            type: "WorkDone",
            key: op.key,
            attempt,
            outcome: { type: "failed", error },
          }),
        );
      }
    }
  };
}
