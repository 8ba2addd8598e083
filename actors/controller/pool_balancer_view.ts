/**
 * The pool balancer's watch-fed view of the cluster (pure): schedulers from
 * `whisk/scheduler/<sid>`, queue leaders from `whisk/queue/…/leader` and invokers from
 * `whisk/invokers/<id>`, each loaded once with a prefix read and then kept current by a
 * prefix watch; plus the choices made from it (fewest-queues scheduler, invoker health).
 *
 * Mirrors the `schedulerEndpoints`, `queueEndpoints` maps, `schedule()` and
 * `invokerHealth()` of `core/controller/.../loadBalancer/FPCPoolBalancer.scala`;
 * differences: invokers are watched too, so `invokerHealth()` reads no etcd; an
 * unreadable invoker value is reported `Offline` instead of failing the whole call
 * (reference §9.14); the scheduler choice counts the queues this controller just asked
 * for (reference §9.12).
 *
 * Loading without losing a change: the watch opens first, events that arrive before
 * the prefix read answers are buffered, and once the read arrives they are replayed on
 * top of it. The last event of a key is never older than the read, so the result is
 * the current value of every key.
 *
 * @module
 */
import {
  decodeInvokerResourceMessage,
  decodeSchedulerEndpoints,
  decodeSchedulerStates,
  parseInvokerKey,
  type SchedulerEndpoints,
  type SchedulerStates,
} from "../../protocols/mod.ts";
import type { InvokerHealth, SchedulerView } from "../../protocols/pool_balancer.ts";
import type { KeyValue, WatchEvent } from "../../runtime/kv/key_value_store.ts";

/** The three key families the pool balancer watches. */
export type ClusterFamily = "schedulers" | "leaders" | "invokers";

/** Every family, in load order. */
export const CLUSTER_FAMILIES: readonly ClusterFamily[] = ["schedulers", "leaders", "invokers"];

/** One watched family: decoded entries, and events seen before the first read. */
export interface FamilyCache<T> {
  /** Identifies the watch feeding it; events of an older watch are dropped. */
  readonly watchId: number;
  readonly loaded: boolean;
  readonly entries: ReadonlyMap<string, T>;
  readonly buffered: readonly WatchEvent[];
}

/** Turns a key and value into a cache entry; `undefined` rejects the value. */
export type FamilyDecoder<T> = (key: string, value: string) => T | undefined;

/** An empty cache fed by watch `watchId`. */
export function emptyFamily<T>(watchId: number): FamilyCache<T> {
  return { watchId, loaded: false, entries: new Map(), buffered: [] };
}

/** The result of applying something to a cache: the new cache and the keys it refused. */
export interface Applied<T> {
  readonly cache: FamilyCache<T>;
  readonly refused: readonly string[];
}

function applyTo<T>(
  entries: Map<string, T>,
  event: WatchEvent,
  decode: FamilyDecoder<T>,
  refused: string[],
): void {
  if (event.type === "delete") {
    entries.delete(event.key);
    return;
  }
  const value = decode(event.key, event.value);
  if (value === undefined) {
    entries.delete(event.key);
    refused.push(event.key);
  } else entries.set(event.key, value);
}

/** Applies one watch event (buffered while the first read is outstanding). */
export function applyWatchEvent<T>(
  cache: FamilyCache<T>,
  event: WatchEvent,
  decode: FamilyDecoder<T>,
): Applied<T> {
  if (!cache.loaded) {
    return { cache: { ...cache, buffered: [...cache.buffered, event] }, refused: [] };
  }
  const entries = new Map(cache.entries);
  const refused: string[] = [];
  applyTo(entries, event, decode, refused);
  return { cache: { ...cache, entries }, refused };
}

/** Applies the first prefix read, then the events buffered since the watch opened. */
export function applySnapshot<T>(
  cache: FamilyCache<T>,
  snapshot: readonly KeyValue[],
  decode: FamilyDecoder<T>,
): Applied<T> {
  const entries = new Map<string, T>();
  const refused: string[] = [];
  for (const { key, value } of snapshot) {
    applyTo(entries, { type: "put", key, value }, decode, refused);
  }
  for (const event of cache.buffered) applyTo(entries, event, decode, refused);
  return { cache: { watchId: cache.watchId, loaded: true, entries, buffered: [] }, refused };
}

/** A scheduler entry: its id (from the key) and its reported state. */
export interface SchedulerEntry {
  readonly sid: string;
  readonly state: SchedulerStates;
}

/** Decoder of `whisk/scheduler/<sid>` (only direct children of `prefix`). */
export function schedulerDecoder(prefix: string): FamilyDecoder<SchedulerEntry> {
  return (key, value) => {
    const sid = key.slice(prefix.length);
    if (!key.startsWith(prefix) || sid === "" || sid.includes("/")) return undefined;
    try {
      return { sid, state: decodeSchedulerStates(value) };
    } catch {
      return undefined;
    }
  };
}

/** Decoder of leader keys: only values that look like endpoints (contain `"host"`). */
export const leaderDecoder: FamilyDecoder<SchedulerEndpoints> = (key, value) => {
  if (!key.endsWith("/leader") || !value.includes("host")) return undefined;
  try {
    return decodeSchedulerEndpoints(value);
  } catch {
    return undefined;
  }
};

/** Decoder of invoker keys: keeps the raw value, read when health is asked. */
export function invokerDecoder(cluster: string): FamilyDecoder<string> {
  return (key, value) => (parseInvokerKey(key, cluster) === undefined ? undefined : value);
}

/** Scheduler choice input: the known schedulers with the queues not yet reported. */
export function schedulerViews(
  schedulers: ReadonlyMap<string, SchedulerEntry>,
  unreported: ReadonlyMap<string, number>,
): SchedulerView[] {
  return [...schedulers.values()]
    .map(({ sid, state }) => ({
      sid,
      queueSize: state.queueSize,
      unreportedQueues: unreported.get(sid) ?? 0,
      endpoints: state.endpoints,
    }))
    .sort(bySid);
}

function bySid(a: { sid: string }, b: { sid: string }): number {
  const [x, y] = [Number(a.sid), Number(b.sid)];
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
}

/**
 * The scheduler with the fewest queues (reported plus not yet reported), ties to the
 * lowest id, skipping `excluded`; `undefined` when none is left.
 */
export function fewestQueues(
  schedulers: readonly SchedulerView[],
  excluded: ReadonlySet<string> = new Set(),
): SchedulerView | undefined {
  let best: SchedulerView | undefined;
  for (const s of schedulers) {
    if (excluded.has(s.sid)) continue;
    const load = s.queueSize + s.unreportedQueues;
    if (best === undefined || load < best.queueSize + best.unreportedQueues) best = s;
  }
  return best;
}

/** The scheduler serving at `endpoints`, if one is known. */
export function schedulerAt(
  schedulers: readonly SchedulerView[],
  endpoints: SchedulerEndpoints,
): SchedulerView | undefined {
  return schedulers.find((s) =>
    s.endpoints.host === endpoints.host && s.endpoints.rpcPort === endpoints.rpcPort
  );
}

const STATUS_OF = { up: "Healthy", unhealthy: "Unhealthy", down: "Offline" } as const;

/**
 * Invoker health from the cached values: ids 0..max, gaps and unreadable values
 * `Offline` (one bad value never fails the report).
 */
export function invokerHealth(
  invokers: ReadonlyMap<string, string>,
  cluster: string,
): InvokerHealth[] {
  const byId = new Map<number, InvokerHealth>();
  for (const [key, raw] of invokers) {
    const id = parseInvokerKey(key, cluster)?.instance;
    if (id === undefined) continue;
    try {
      const value = decodeInvokerResourceMessage(raw);
      byId.set(id, { id, status: STATUS_OF[value.status], freeMemory: value.freeMemory });
    } catch {
      if (!byId.has(id)) byId.set(id, { id, status: "Offline" });
    }
  }
  const max = Math.max(-1, ...byId.keys());
  return Array.from({ length: max + 1 }, (_, id) => byId.get(id) ?? { id, status: "Offline" });
}
