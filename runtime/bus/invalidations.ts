/**
 * The process's cache-invalidation fan-out: one `cacheInvalidation` consumer per
 * process (its own consumer group, so every process sees every change), delivering
 * to every local cache that subscribed. Mirrors upstream's `CacheInvalidator` /
 * `RemoteCacheInvalidation` (one consumer per controller); differences: schedulers
 * and invokers subscribe too, and one process running several roles consumes once.
 *
 * @module
 */
import type { CacheInvalidationMessage } from "../../protocols/cache_invalidation.ts";
import type { Logger } from "../log.ts";
import type { Bridge } from "./bridge.ts";
import type { Subscription } from "./message_bus.ts";
import type { ActorDirectory } from "./wire_bridge.ts";

/** The topic and the recipient name every invalidation travels under. */
export const INVALIDATION_TOPIC = "cacheInvalidation";
export const INVALIDATION_RECIPIENT = "cache-invalidation";

/** A started fan-out. */
export interface InvalidationFanout {
  subscribe(listener: (message: CacheInvalidationMessage) => void): () => void;
  publish(message: CacheInvalidationMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * Registers the `cache-invalidation` recipient and consumes the topic with `group`
 * (unique per process, e.g. `standalone` or `scheduler0`).
 */
export async function startInvalidationFanout(
  bridge: Bridge,
  directory: ActorDirectory,
  group: string,
  logger: Logger,
): Promise<InvalidationFanout> {
  const listeners = new Set<(message: CacheInvalidationMessage) => void>();
  const unregister = directory.register(INVALIDATION_RECIPIENT, (message) => {
    if (message.type !== "CacheInvalidationMessage") return;
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        logger.error("cache invalidation listener failed", { mainId: message.mainId, error });
      }
    }
  });
  const subscription: Subscription = await bridge.listen(INVALIDATION_TOPIC, group, {
    fromBeginning: false,
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish: (message) => bridge.send(INVALIDATION_TOPIC, INVALIDATION_RECIPIENT, message),
    async close() {
      unregister();
      await subscription.close();
    },
  };
}
