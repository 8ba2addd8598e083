/**
 * The invoker's cache of action documents by (action, revision): one load per key in
 * flight, failures forgotten at once, and at most `capacity` documents kept, the least
 * recently used dropped first, so that an invoker serving many actions over a long life
 * does not keep every document it ever ran.
 *
 * Mirrors the role of upstream's `WhiskAction` entity cache used by the invoker
 * (`getWhiskAction` through `CacheInvalidationStore`); differences: keys carry the
 * revision (a changed action is a new key), so nothing needs invalidating, and the bound
 * is a count of documents rather than a time to live.
 *
 * @module
 */

/** Default number of documents kept. */
export const ACTION_CACHE_CAPACITY = 500;

/** A bounded, least-recently-used cache of in-flight or loaded values. */
export interface ActionCache<V> {
  /** The value of `key`, loaded with `load` when absent (a failed load is not kept). */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Number of entries held (loads in flight included). */
  readonly size: number;
}

/**
 * Creates a cache holding at most `capacity` entries.
 *
 * @example
 * ```ts
 * import { createActionCache } from "./_action_cache.ts";
 * const cache = createActionCache<number>(2);
 * await cache.get("a", () => Promise.resolve(1));
 * await cache.get("a", () => Promise.resolve(2)); // 1: cached
 * ```
 */
export function createActionCache<V>(capacity = ACTION_CACHE_CAPACITY): ActionCache<V> {
  if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
  const entries = new Map<string, Promise<V>>();
  return {
    get(key, load) {
      const found = entries.get(key);
      if (found) {
        entries.delete(key); // re-insert: Map order is the recency order
        entries.set(key, found);
        return found;
      }
      const loading = load();
      entries.set(key, loading);
      loading.catch(() => {
        if (entries.get(key) === loading) entries.delete(key);
      });
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
      return loading;
    },
    get size() {
      return entries.size;
    },
  };
}
