/**
 * The in-memory twin of the etcd store, for standalone mode and tests: the same
 * revisions, versions, compare-and-put, leases (expiring on an injected `Clock`, so a
 * `ManualClock` drives them) and ordered watches as `etcd_kv.ts`. Stands in for
 * upstream's `core/etcd/EtcdClient.scala` the way `LeanMessagingProvider` stands in for
 * Kafka; differences: one process only, no compaction, watchers never disconnect.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../actors/clock.ts";
import { jsonLineLogger, type Logger } from "../log.ts";
import type {
  KeyValue,
  KeyValueStore,
  LeaseId,
  PutOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from "./key_value_store.ts";
import { KvClosedError, LeaseLostError } from "./kv_errors.ts";

/** Options of {@link MemoryKv}. */
export interface MemoryKvOptions {
  /** Time source of lease expiry (default: the system clock). */
  readonly clock?: Clock;
  /** Where a throwing watch handler is reported (default: JSON lines at warn level). */
  readonly logger?: Logger;
}

/** What {@link MemoryKv.leases} reports about one live lease. */
export interface LeaseInfo {
  readonly id: LeaseId;
  readonly ttlSeconds: number;
  /** Milliseconds until it expires unless kept alive. */
  readonly remainingMs: number;
  /** Its keys, sorted. */
  readonly keys: readonly string[];
}

interface Entry {
  readonly value: string;
  readonly version: number;
  readonly lease: LeaseId | undefined;
}

interface LeaseState {
  readonly ttlSeconds: number;
  readonly keys: Set<string>;
  expiresAt: number;
  timer: TimerHandle;
}

interface Subscriber {
  readonly key: string;
  readonly prefix: boolean;
  readonly onEvent: (event: WatchEvent) => void;
  readonly queue: WatchEvent[];
  open: boolean;
  flushing: boolean;
}

/**
 * An etcd-like store in memory.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../actors/clock.ts";
 * import { MemoryKv } from "./memory_kv.ts";
 * const clock = new ManualClock();
 * const kv = new MemoryKv({ clock });
 * const lease = await kv.grantLease(2);
 * await kv.put("whisk/invokers/0", "up", { lease });
 * clock.advance(2_000);
 * console.assert((await kv.get("whisk/invokers/0")) === undefined);
 * await kv.close();
 * ```
 */
export class MemoryKv implements KeyValueStore {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #leases = new Map<LeaseId, LeaseState>();
  readonly #subscribers = new Set<Subscriber>();
  #revision = 1;
  #nextLease = 7_000_000_000_000_000_001n;
  #closed = false;

  constructor(options: MemoryKvOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? jsonLineLogger("warn");
  }

  /** The store's current revision (etcd starts at 1 on an empty store). */
  get revision(): number {
    return this.#revision;
  }

  get(key: string): Promise<string | undefined> {
    return this.#run(() => this.#entries.get(key)?.value);
  }

  getPrefix(prefix: string): Promise<KeyValue[]> {
    return this.#run(() =>
      this.#keysWith(prefix).map((key) => ({ key, value: this.#entries.get(key)!.value }))
    );
  }

  countPrefix(prefix: string): Promise<number> {
    return this.#run(() => this.#keysWith(prefix).length);
  }

  put(key: string, value: string, options: PutOptions = {}): Promise<void> {
    return this.#run(() => this.#put(key, value, options.lease));
  }

  putIfVersion(
    key: string,
    value: string,
    version: number,
    options: PutOptions = {},
  ): Promise<boolean> {
    return this.#run(() => {
      if ((this.#entries.get(key)?.version ?? 0) !== version) return false;
      this.#put(key, value, options.lease);
      return true;
    });
  }

  del(key: string): Promise<void> {
    return this.#run(() => this.#delete([key]));
  }

  delPrefix(prefix: string): Promise<void> {
    return this.#run(() => this.#delete(this.#keysWith(prefix)));
  }

  grantLease(ttlSeconds: number): Promise<LeaseId> {
    return this.#run(() => {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
        throw new RangeError(
          `Lease TTL must be an integer of at least 1 second: got ${ttlSeconds}`,
        );
      }
      const id = String(this.#nextLease++);
      const state: LeaseState = { ttlSeconds, keys: new Set(), expiresAt: 0, timer: 0 };
      this.#leases.set(id, state);
      this.#arm(id, state);
      return id;
    });
  }

  keepAliveOnce(leaseId: LeaseId): Promise<void> {
    return this.#run(() => {
      const state = this.#leases.get(leaseId);
      if (!state) throw new LeaseLostError(leaseId);
      this.#clock.clearTimeout(state.timer);
      this.#arm(leaseId, state);
    });
  }

  revokeLease(leaseId: LeaseId): Promise<void> {
    return this.#run(() => void this.#endLease(leaseId));
  }

  watch(
    keyOrPrefix: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<Watch> {
    return this.#run(() => {
      const sub: Subscriber = {
        key: keyOrPrefix,
        prefix: options.prefix,
        onEvent,
        queue: [],
        open: true,
        flushing: false,
      };
      this.#subscribers.add(sub);
      return { close: () => Promise.resolve(this.#unsubscribe(sub)) };
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const state of this.#leases.values()) this.#clock.clearTimeout(state.timer);
    for (const sub of [...this.#subscribers]) this.#unsubscribe(sub);
    return Promise.resolve();
  }

  /** Test hook: expires a lease now, as if its TTL ran out. Returns whether it existed. */
  expireLease(leaseId: LeaseId): boolean {
    return this.#endLease(leaseId);
  }

  /** Test hook: the live leases, by id. */
  leases(): LeaseInfo[] {
    const now = this.#clock.now();
    return [...this.#leases].map(([id, s]) => ({
      id,
      ttlSeconds: s.ttlSeconds,
      remainingMs: Math.max(0, s.expiresAt - now),
      keys: [...s.keys].sort(),
    }));
  }

  #run<T>(op: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new KvClosedError());
    try {
      return Promise.resolve(op());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #keysWith(prefix: string): string[] {
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  #arm(id: LeaseId, state: LeaseState): void {
    const ttlMs = state.ttlSeconds * 1000;
    state.expiresAt = this.#clock.now() + ttlMs;
    state.timer = this.#clock.setTimeout(() => this.#endLease(id), ttlMs);
  }

  #put(key: string, value: string, lease: LeaseId | undefined): void {
    if (lease !== undefined && !this.#leases.has(lease)) throw new LeaseLostError(lease);
    const prev = this.#entries.get(key);
    if (prev?.lease !== undefined) this.#leases.get(prev.lease)?.keys.delete(key);
    if (lease !== undefined) this.#leases.get(lease)!.keys.add(key);
    this.#revision++;
    this.#entries.set(key, { value, version: (prev?.version ?? 0) + 1, lease });
    const event: WatchEvent = prev
      ? { type: "put", key, value, prevValue: prev.value }
      : { type: "put", key, value };
    this.#publish([event]);
  }

  /** Deletes the present ones of `keys` in one revision, as etcd does for a range. */
  #delete(keys: readonly string[]): void {
    const events: WatchEvent[] = [];
    for (const key of keys) {
      const prev = this.#entries.get(key);
      if (!prev) continue;
      if (prev.lease !== undefined) this.#leases.get(prev.lease)?.keys.delete(key);
      this.#entries.delete(key);
      events.push({ type: "delete", key, prevValue: prev.value });
    }
    if (events.length === 0) return;
    this.#revision++;
    this.#publish(events);
  }

  #endLease(id: LeaseId): boolean {
    const state = this.#leases.get(id);
    if (!state) return false;
    this.#clock.clearTimeout(state.timer);
    this.#leases.delete(id);
    this.#delete([...state.keys].sort(compareKeys));
    return true;
  }

  #publish(events: readonly WatchEvent[]): void {
    for (const sub of this.#subscribers) {
      const mine = events.filter((e) => sub.prefix ? e.key.startsWith(sub.key) : e.key === sub.key);
      if (mine.length === 0) continue;
      sub.queue.push(...mine);
      if (!sub.flushing) {
        sub.flushing = true;
        queueMicrotask(() => this.#flush(sub));
      }
    }
  }

  /** Delivers a subscriber's queued events after the change returned, like etcd does. */
  #flush(sub: Subscriber): void {
    sub.flushing = false;
    while (sub.open && sub.queue.length > 0) {
      const event = sub.queue.shift()!;
      try {
        sub.onEvent(event);
      } catch (error) {
        this.#logger.error("watch handler threw", { key: sub.key, event, error });
      }
    }
  }

  #unsubscribe(sub: Subscriber): void {
    sub.open = false;
    sub.queue.length = 0;
    this.#subscribers.delete(sub);
  }
}

/** Byte order of UTF-8 keys, as etcd sorts them. */
function compareKeys(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}
