/**
 * Runs the data-services contract against the in-memory twin (`runtime/kv/memory_kv.ts`)
 * on the system clock. Two simulated processes share one twin, as two processes share
 * one etcd; each gets a view whose `close()` leaves the shared store open until the
 * last view closes.
 *
 * @module
 */
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
import { silentLogger } from "../../runtime/log.ts";
import { runDataServicesContract } from "./data_services_contract.ts";

let shared: MemoryKv | undefined;
let views = 0;

function view(store: MemoryKv): KeyValueStore {
  views++;
  return {
    get: (key) => store.get(key),
    getPrefix: (prefix) => store.getPrefix(prefix),
    countPrefix: (prefix) => store.countPrefix(prefix),
    put: (key, value, options) => store.put(key, value, options),
    putIfVersion: (key, value, version, options) =>
      store.putIfVersion(key, value, version, options),
    del: (key) => store.del(key),
    delPrefix: (prefix) => store.delPrefix(prefix),
    grantLease: (ttl) => store.grantLease(ttl),
    keepAliveOnce: (id) => store.keepAliveOnce(id),
    revokeLease: (id) => store.revokeLease(id),
    watch: (key, options, onEvent) => store.watch(key, options, onEvent),
    close: () => {
      if (--views > 0) return Promise.resolve();
      shared = undefined;
      return store.close();
    },
  };
}

runDataServicesContract("MemoryKv", () => {
  shared ??= new MemoryKv({ logger: silentLogger });
  return Promise.resolve(view(shared));
});
