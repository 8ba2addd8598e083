/**
 * The cluster-state store every role stands on: keys and values, leases and watches
 * with etcd's semantics. Mirrors upstream's `core/etcd/EtcdClient.scala`
 * (`EtcdKeyValueApi`, `EtcdLeaseApi`, `EtcdWatchApi`); differences: one interface
 * instead of three traits, string keys and values only, one watch per key or prefix
 * (upstream opens one watch over all keys in `WatcherService`), and a watch that
 * resumes by itself after a connection error. Served by `etcd_kv.ts` (real etcd) and
 * `memory_kv.ts` (the in-memory twin).
 *
 * Semantics both implementations keep:
 * - Every change gets the next store revision; a key's `version` counts its puts since
 *   it was (re)created and is 0 while it is absent.
 * - A key put under a lease is deleted when that lease expires or is revoked.
 * - A watcher receives the events of its key or prefix in revision order, each once.
 *
 * @module
 */

/** A lease id: etcd's 64-bit lease id as a decimal string. */
export type LeaseId = string;

/** One key and its value. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** Options of a put. */
export interface PutOptions {
  /** The lease the key is attached to; the key vanishes with the lease. */
  readonly lease?: LeaseId;
}

/** Options of {@link KeyValueStore.watch}. */
export interface WatchOptions {
  /** Watch every key starting with the given string rather than that exact key. */
  readonly prefix: boolean;
}

/** A change seen by a watcher. `prevValue` is the value before the change, if any. */
export type WatchEvent =
  | {
    readonly type: "put";
    readonly key: string;
    readonly value: string;
    readonly prevValue?: string;
  }
  | { readonly type: "delete"; readonly key: string; readonly prevValue?: string };

/** An open watch. */
export interface Watch {
  /** Stops the watch; no event is delivered after it resolves. Idempotent. */
  close(): Promise<void>;
}

/**
 * Keys, leases and watches with etcd semantics. Failures reject with the classes of
 * `kv_errors.ts`: `KvUnavailableError` (retryable), `LeaseLostError`, `KvClosedError`.
 *
 * @example
 * ```ts
 * import { MemoryKv } from "./memory_kv.ts";
 * const kv = new MemoryKv();
 * const lease = await kv.grantLease(10);
 * await kv.put("whisk/scheduler/0", "{}", { lease });
 * console.assert((await kv.countPrefix("whisk/scheduler/")) === 1);
 * await kv.close();
 * ```
 */
export interface KeyValueStore {
  /** The value of `key`, or `undefined` when it is absent. */
  get(key: string): Promise<string | undefined>;
  /** Every key starting with `prefix` and its value, sorted by key. */
  getPrefix(prefix: string): Promise<KeyValue[]>;
  /** How many keys start with `prefix`. */
  countPrefix(prefix: string): Promise<number>;
  /** Creates or replaces `key`. Rejects with `LeaseLostError` for an unknown lease. */
  put(key: string, value: string, options?: PutOptions): Promise<void>;
  /**
   * Puts only when the key's current version equals `version` (0: only when absent),
   * as one transaction. Upstream's `putTxn`, the base of leader election.
   *
   * @returns whether the put happened
   */
  putIfVersion(key: string, value: string, version: number, options?: PutOptions): Promise<boolean>;
  /** Deletes `key`; absent keys are fine. */
  del(key: string): Promise<void>;
  /** Deletes every key starting with `prefix`. */
  delPrefix(prefix: string): Promise<void>;
  /** Grants a lease of `ttlSeconds` (an integer ≥ 1). */
  grantLease(ttlSeconds: number): Promise<LeaseId>;
  /** Renews a lease once. Rejects with `LeaseLostError` when the lease is gone. */
  keepAliveOnce(leaseId: LeaseId): Promise<void>;
  /** Revokes a lease and deletes its keys; an unknown lease is fine. */
  revokeLease(leaseId: LeaseId): Promise<void>;
  /**
   * Watches a key (or a prefix) and calls `onEvent` for every later change, in
   * revision order. Resolves once the watch is established: every change made after
   * that is delivered, across connection errors.
   */
  watch(
    keyOrPrefix: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<Watch>;
  /** Closes every watch and the connection. */
  close(): Promise<void>;
}
