/**
 * A spy and fault injector around a {@link KeyValueStore} for the data-service tests:
 * counts calls, tracks open watches, and makes chosen calls reject (or throw, to crash
 * an actor) a given number of times. A wrapper, not a subclass of a real client
 * (STYLE practice 14).
 */
import type {
  KeyValueStore,
  Watch,
  WatchEvent,
  WatchOptions,
} from "../../../runtime/kv/key_value_store.ts";
import { KvUnavailableError } from "../../../runtime/kv/kv_errors.ts";

type Method = "grantLease" | "keepAliveOnce" | "watch" | "put" | "putIfVersion";

/** The wrapper and its controls. */
export interface FaultyKv extends KeyValueStore {
  /** The next `times` calls of `method` reject with a retryable error. */
  failNext(method: Method, times?: number): void;
  /** The next call of `method` throws synchronously (a bug: the calling actor crashes). */
  throwNext(method: Method): void;
  /** Calls so far, by method. */
  readonly calls: Record<string, number>;
  /** Keys (and prefixes) of the watches open now, e.g. `prefix:whisk/a`. */
  openWatches(): string[];
}

/** Wraps `inner`. */
export function faultyKv(inner: KeyValueStore): FaultyKv {
  const failures = new Map<Method, number>();
  const throwing = new Set<Method>();
  const calls: Record<string, number> = {};
  const open: string[] = [];
  const guard = <T>(method: Method, run: () => Promise<T>): Promise<T> => {
    calls[method] = (calls[method] ?? 0) + 1;
    if (throwing.delete(method)) throw new Error(`injected bug in ${method}`);
    const left = failures.get(method) ?? 0;
    if (left > 0) {
      failures.set(method, left - 1);
      return Promise.reject(new KvUnavailableError(`injected failure of ${method}`));
    }
    return run();
  };
  return {
    calls,
    failNext: (method, times = 1) => void failures.set(method, times),
    throwNext: (method) => void throwing.add(method),
    openWatches: () => [...open].sort(),
    get: (key) => inner.get(key),
    getPrefix: (prefix) => inner.getPrefix(prefix),
    countPrefix: (prefix) => inner.countPrefix(prefix),
    put: (key, value, options) => guard("put", () => inner.put(key, value, options)),
    putIfVersion: (key, value, version, options) =>
      guard("putIfVersion", () => inner.putIfVersion(key, value, version, options)),
    del: (key) => inner.del(key),
    delPrefix: (prefix) => inner.delPrefix(prefix),
    grantLease: (ttl) => guard("grantLease", () => inner.grantLease(ttl)),
    keepAliveOnce: (id) => guard("keepAliveOnce", () => inner.keepAliveOnce(id)),
    revokeLease: (id) => inner.revokeLease(id),
    watch: (key: string, options: WatchOptions, onEvent: (e: WatchEvent) => void) =>
      guard("watch", async (): Promise<Watch> => {
        const watch = await inner.watch(key, options, onEvent);
        const name = `${options.prefix ? "prefix" : "key"}:${key}`;
        open.push(name);
        let closed = false;
        return {
          close: () => {
            if (!closed) open.splice(open.indexOf(name), 1);
            closed = true;
            return watch.close();
          },
        };
      }),
    close: () => inner.close(),
  };
}
