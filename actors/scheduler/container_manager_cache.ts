/**
 * The ContainerManager's watch-fed view of the cluster: invokers read from
 * `whisk/invokers/<id>[/…]` values and warmed-container keys `whisk/warmed/…`. Pure
 * functions over immutable maps. Mirrors the invoker parsing of `getAvailableInvokers`
 * and the `warmedContainers` set of `core/scheduler/.../container/ContainerManager.scala`.
 *
 * Differences from upstream: a value that does not parse skips that invoker (and the
 * caller logs it) instead of failing the whole lookup by turning the key into an id
 * (reference §9.14); keys of another cluster are ignored (reference §8.5 item 67).
 *
 * @module
 */

import type { InvokerCandidate } from "../../protocols/container_manager.ts";
import { parseInvokerKey, parseWarmedContainerKey } from "../../protocols/etcd_keys.ts";
import { decodeInvokerResourceMessage } from "../../protocols/health.ts";

/** Invokers by their etcd key. */
export type InvokerCache = ReadonlyMap<string, InvokerCandidate>;

/** The outcome of reading one invoker key. */
export type InvokerRead =
  | { readonly type: "invoker"; readonly candidate: InvokerCandidate }
  /** Not an invoker key of this cluster: ignored silently. */
  | { readonly type: "foreign" }
  /** An invoker key whose value does not decode: skipped, and worth a log line. */
  | { readonly type: "invalid"; readonly reason: string };

/**
 * Reads one `whisk/invokers/…` key and its value into a selection candidate.
 *
 * @example
 * ```ts
 * import { readInvoker } from "./container_manager_cache.ts";
 * const read = readInvoker("whisk/invokers/3", '{"status":"up","freeMemory":512,"busyMemory":0,"inProgressMemory":0,"tags":[],"dedicatedNamespaces":[]}', "whisk");
 * console.assert(read.type === "invoker" && read.candidate.id === 3);
 * ```
 */
export function readInvoker(key: string, value: string, cluster: string): InvokerRead {
  const parts = parseInvokerKey(key, cluster);
  if (parts === undefined) return { type: "foreign" };
  try {
    const m = decodeInvokerResourceMessage(value);
    return {
      type: "invoker",
      candidate: {
        id: parts.instance,
        status: m.status,
        freeMemoryMb: m.freeMemory,
        busyMemoryMb: m.busyMemory,
        tags: m.tags,
        dedicatedNamespaces: m.dedicatedNamespaces,
      },
    };
  } catch (error) {
    return { type: "invalid", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether the cache already holds an invoker with this id (under any key). */
export function hasInvoker(cache: InvokerCache, id: number): boolean {
  for (const c of cache.values()) if (c.id === id) return true;
  return false;
}

/** The cache with `key` set to `candidate`. */
export function withInvoker(
  cache: InvokerCache,
  key: string,
  candidate: InvokerCandidate,
): InvokerCache {
  return new Map(cache).set(key, candidate);
}

/** The cache without `key`. */
export function withoutKey<V>(cache: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!cache.has(key)) return cache;
  const next = new Map(cache);
  next.delete(key);
  return next;
}

/** Whether `key` is a warmed-container key of this cluster. */
export function isWarmedKey(key: string, cluster: string): boolean {
  return parseWarmedContainerKey(key, cluster) !== undefined;
}
