/**
 * The controller's entity cache: documents by id (`guest/hello`, `guest/pkg/hello`) with
 * their revision, filled on read, dropped on a local write and on every
 * `cacheInvalidation` message that names the id. Mirrors the entity cache of
 * `common/scala/.../core/database/MultipleReadersSingleWriterCache.scala` and its remote
 * invalidation in `RemoteCacheInvalidation.scala`; differences: no read/write state
 * machine per entry: a load that was in flight when the entry was invalidated is simply
 * not stored, which gives the same "never serve a stale revision after invalidation"
 * guarantee; entries also expire after a TTL as a safety net for lost messages.
 *
 * @module
 */
import type { CachedEntityType, CacheInvalidationMessage } from "../../protocols/mod.ts";
import type { Clock } from "../../runtime/actors/clock.ts";

/** A cached document and its store revision. */
export interface CacheEntry<T> {
  readonly value: T;
  readonly revision: string;
}

/** Options of {@link EntityCache}. */
export interface EntityCacheOptions {
  readonly clock: Clock;
  /** Which `entityType` of invalidation messages concerns this cache (default `action`). */
  readonly entityType?: CachedEntityType;
  /** Entries older than this are reloaded (default 5 minutes). */
  readonly ttlMs?: number;
  /** At most this many entries; the oldest insert is evicted first (default 10 000). */
  readonly maxEntries?: number;
}

interface Stored<T> extends CacheEntry<T> {
  readonly expiresAt: number;
}

interface InFlight<T> {
  readonly token: object;
  readonly promise: Promise<CacheEntry<T> | undefined>;
}

/**
 * A read-through cache of entity documents invalidated by id.
 *
 * @example
 * ```ts
 * import { EntityCache } from "./entity_cache.ts";
 * import { ManualClock } from "../../runtime/actors/clock.ts";
 * const cache = new EntityCache<string>({ clock: new ManualClock(0) });
 * await cache.getOrLoad("guest/hello", () => Promise.resolve({ value: "v1", revision: "1-a" }));
 * cache.applyInvalidation({ type: "CacheInvalidationMessage", mainId: "guest/hello", instanceId: "controller1" });
 * console.assert(cache.get("guest/hello") === undefined);
 * ```
 */
export class EntityCache<T> {
  readonly #entries = new Map<string, Stored<T>>();
  readonly #inFlight = new Map<string, InFlight<T>>();
  readonly #clock: Clock;
  readonly #entityType: CachedEntityType;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(options: EntityCacheOptions) {
    this.#clock = options.clock;
    this.#entityType = options.entityType ?? "action";
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The live entry for `id`, or undefined (absent or expired). */
  get(id: string): CacheEntry<T> | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return { value: entry.value, revision: entry.revision };
  }

  /**
   * The entry for `id`, loading it on a miss. Concurrent misses share one load; a load
   * whose id is invalidated before it completes is returned to its callers but not kept.
   *
   * @param load reads the document; `undefined` (not found) is not cached
   */
  getOrLoad(
    id: string,
    load: () => Promise<CacheEntry<T> | undefined>,
  ): Promise<CacheEntry<T> | undefined> {
    const hit = this.get(id);
    if (hit) return Promise.resolve(hit);
    const pending = this.#inFlight.get(id);
    if (pending) return pending.promise;
    const token = {};
    const promise = load().then((entry) => {
      if (this.#inFlight.get(id)?.token === token) {
        this.#inFlight.delete(id);
        if (entry) this.put(id, entry);
      }
      return entry;
    }, (error: unknown) => {
      if (this.#inFlight.get(id)?.token === token) this.#inFlight.delete(id);
      throw error;
    });
    const flight = { token, promise };
    this.#inFlight.set(id, flight);
    return flight.promise;
  }

  /** Stores an entry (after a local write, for instance). */
  put(id: string, entry: CacheEntry<T>): void {
    this.#entries.delete(id);
    this.#entries.set(id, { ...entry, expiresAt: this.#clock.now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Drops `id` and forgets any load in flight for it. @returns whether an entry was dropped */
  invalidate(id: string): boolean {
    this.#inFlight.delete(id);
    return this.#entries.delete(id);
  }

  /**
   * Applies a `cacheInvalidation` message: drops `mainId` unless the message names
   * another entity type.
   *
   * @returns whether an entry was dropped
   */
  applyInvalidation(message: CacheInvalidationMessage): boolean {
    if (message.entityType !== undefined && message.entityType !== this.#entityType) return false;
    return this.invalidate(message.mainId);
  }
}
