/**
 * The EtcdWorker: performs one DataManagementService write on the key-value store and
 * turns the result into an {@link EtcdOutcome} value. Mirrors upstream's
 * `common/.../core/etcd/EtcdWorker.scala`; differences: a function the service runs as
 * an effect (its outcome is piped back as `WorkDone`, upstream's `FinishWork`) rather
 * than a pool of child actors, and the retry and lease bookkeeping live in the service's
 * pure transition instead of the worker. The returned promise never rejects.
 *
 * @module
 */
import type { EtcdOperation, EtcdOutcome } from "../../protocols/data_management_service.ts";
import type { KeyValueStore, LeaseId } from "../../runtime/kv/key_value_store.ts";
import { LeaseLostError } from "../../runtime/kv/kv_errors.ts";

/** Runs one write; `lease` is the process lease (absent only for deletes). */
export type EtcdWorker = (op: EtcdOperation, lease: LeaseId | undefined) => Promise<EtcdOutcome>;

/**
 * The worker over `kv`: elections and initial data are create-only puts (version 0),
 * registrations plain puts, all under the lease; deletions are plain deletes.
 *
 * @example
 * ```ts
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { etcdWorker } from "./etcd_worker.ts";
 * const kv = new MemoryKv();
 * const lease = await kv.grantLease(10);
 * const work = etcdWorker(kv);
 * const first = await work({ kind: "putInitial", key: "k", value: "a" }, lease);
 * const second = await work({ kind: "putInitial", key: "k", value: "b" }, lease);
 * console.assert(first.type === "done" && first.created && second.type === "done" && !second.created);
 * await kv.close();
 * ```
 */
export function etcdWorker(kv: KeyValueStore): EtcdWorker {
  return async (op, lease) => {
    const options = lease === undefined ? {} : { lease };
    try {
      switch (op.kind) {
        case "elect":
        case "putInitial":
          return { type: "done", created: await kv.putIfVersion(op.key, op.value, 0, options) };
        case "put":
          await kv.put(op.key, op.value, options);
          return { type: "done", created: true };
        case "delete":
          await kv.del(op.key);
          return { type: "done", created: false };
      }
    } catch (error) {
      if (error instanceof LeaseLostError) return { type: "leaseLost", leaseId: error.leaseId };
      return { type: "failed", error };
    }
  };
}
