/**
 * Cluster state: the {@link KeyValueStore} interface with etcd semantics, its etcd
 * adapter and its in-memory twin. Mirrors upstream's `core/etcd/` package.
 *
 * @module
 */
export type {
  KeyValue,
  KeyValueStore,
  LeaseId,
  PutOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from "./key_value_store.ts";
export {
  KvClosedError,
  KvError,
  type KvErrorOptions,
  KvUnavailableError,
  LeaseLostError,
} from "./kv_errors.ts";
export { type LeaseInfo, MemoryKv, type MemoryKvOptions } from "./memory_kv.ts";
export { EtcdKv, type EtcdKvOptions } from "./etcd_kv.ts";
