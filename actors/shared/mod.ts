/**
 * The data services every role runs: LeaseKeepAlive (the process lease), the Watcher
 * (key-value watch fan-out) and DataManagementService (eventually successful etcd
 * writes, with its EtcdWorker). Mirrors upstream's `common/.../core/service/` and
 * `core/etcd/EtcdWorker.scala`.
 *
 * @module
 */
import type { Parent, Ref } from "../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import type { DataManagementCommand } from "../../protocols/data_management_service.ts";
import type { LeaseKeepAliveCommand } from "../../protocols/lease_keep_alive.ts";
import type { WatcherCommand } from "../../protocols/watcher.ts";
import { type LeaseKeepAliveOptions, spawnLeaseKeepAlive } from "./lease_keep_alive.ts";
import { spawnWatcher } from "./watcher.ts";
import { spawnDataManagementService } from "./data_management_service.ts";

export {
  type LeaseKeepAliveDeps,
  type LeaseKeepAliveOptions,
  spawnLeaseKeepAlive,
} from "./lease_keep_alive.ts";
export { spawnWatcher, type WatcherDeps, type WatcherOptions } from "./watcher.ts";
export {
  type DataManagementDeps,
  type DataManagementOptions,
  spawnDataManagementService,
} from "./data_management_service.ts";
export { type EtcdWorker, etcdWorker } from "./etcd_worker.ts";

/** The three data services of one process. */
export interface DataServices {
  readonly leaseKeepAlive: Ref<LeaseKeepAliveCommand>;
  readonly watcher: Ref<WatcherCommand>;
  readonly dataManagement: Ref<DataManagementCommand>;
}

/** Options of {@link spawnDataServices}: the lease settings plus the retry interval. */
export interface DataServicesOptions extends LeaseKeepAliveOptions {
  /** Milliseconds between retries of writes and watches (default 1000). */
  readonly retryIntervalMs?: number;
}

/**
 * Spawns LeaseKeepAlive, the Watcher and DataManagementService under `parent`, each with
 * the `restart` policy (ARCHITECTURE.md, Supervision).
 *
 * @example
 * ```ts
 * import { startSystem, stopSystem } from "../../runtime/actors/mod.ts";
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { spawnDataServices } from "./mod.ts";
 * const kv = new MemoryKv();
 * const system = startSystem({ logger: silentLogger });
 * const services = spawnDataServices(system, { kv }, { instance: "scheduler0", ttlSeconds: 2 });
 * console.assert(services.dataManagement.path.endsWith("data-management-service"));
 * await stopSystem(system);
 * await kv.close();
 * ```
 */
export function spawnDataServices(
  parent: Parent,
  deps: { readonly kv: KeyValueStore },
  options: DataServicesOptions,
): DataServices {
  const retry = options.retryIntervalMs === undefined
    ? {}
    : { retryIntervalMs: options.retryIntervalMs };
  const leaseKeepAlive = spawnLeaseKeepAlive(parent, deps, options);
  const watcher = spawnWatcher(parent, deps, retry);
  const dataManagement = spawnDataManagementService(
    parent,
    { kv: deps.kv, leaseKeepAlive, watcher },
    retry,
  );
  return { leaseKeepAlive, watcher, dataManagement };
}
