/**
 * The namespace limits every MemoryQueue reads on each decision tick, served from a
 * cache that refreshes in the background (reference §9.17: upstream reads the
 * identity every 100 ms per queue). Mirrors the role of upstream's `getUserLimit`
 * with the Identity cache.
 *
 * @module
 */
import { decodeUserLimitsAt } from "../../protocols/identity.ts";
import type { Clock } from "../../runtime/actors/clock.ts";
import type { EntityStore } from "../../runtime/store/mod.ts";
import type { NamespaceLimits } from "./_memory_queue_model.ts";

/** How long a cached entry is served before a refresh is started. */
const FRESH_MS = 10_000;

interface Entry {
  limits: NamespaceLimits;
  readAt: number;
  refreshing?: Promise<NamespaceLimits>;
}

/** A cache of namespace limits over the store's namespace-limits documents. */
export interface NamespaceLimitsCache {
  /** Cached limits at once when known; the first read of a namespace waits for the store. */
  get(namespace: string): NamespaceLimits | Promise<NamespaceLimits>;
}

/**
 * Builds the cache. A namespace without a limits document gets `defaultConcurrency`
 * (the system's `limits.actions.invokes.concurrent`).
 */
export function namespaceLimitsCache(
  store: EntityStore,
  clock: Clock,
  defaultConcurrency: number,
): NamespaceLimitsCache {
  const entries = new Map<string, Entry>();

  const read = async (namespace: string): Promise<NamespaceLimits> => {
    const raw = await store.getNamespaceLimits(namespace);
    const limits = raw === undefined || raw === null
      ? {}
      : decodeUserLimitsAt(raw, { what: "UserLimits", path: "" });
    const value: NamespaceLimits = {
      namespaceLimit: limits.concurrentInvocations ?? defaultConcurrency,
      ...(limits.maxActionInstances === undefined
        ? {}
        : { maxActionInstances: limits.maxActionInstances }),
    };
    entries.set(namespace, { limits: value, readAt: clock.now() });
    return value;
  };

  return {
    get(namespace) {
      const entry = entries.get(namespace);
      if (!entry) return read(namespace);
      if (clock.now() - entry.readAt > FRESH_MS && !entry.refreshing) {
        entry.refreshing = read(namespace).catch(() => entry.limits).finally(() => {
          delete entry.refreshing;
        });
      }
      return entry.limits;
    },
  };
}
