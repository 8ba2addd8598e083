/**
 * A {@link MessageBus} that puts every topic and consumer group of one cluster under a
 * prefix, so several clusters (or test runs) can share one Kafka broker without reading
 * each other's `scheduler0` or `invoker0`. Upstream has no counterpart (it uses one
 * broker per deployment); with an empty prefix this is the bus itself.
 *
 * @module
 */
import type {
  BusRecord,
  MessageBus,
  OutgoingRecord,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from "../../runtime/bus/mod.ts";

/**
 * Wraps `bus` so that topic `t` is `<prefix>t` on the broker, and group `g` is `<prefix>g`.
 * Records handed to handlers carry the unprefixed topic name.
 *
 * @example
 * ```ts
 * import { MemoryBus } from "../../runtime/bus/mod.ts";
 * import { prefixTopics } from "./topic_prefix.ts";
 * const inner = new MemoryBus();
 * const bus = prefixTopics(inner, "t1-");
 * console.assert(bus !== inner);
 * await bus.close();
 * ```
 */
export function prefixTopics(bus: MessageBus, prefix: string): MessageBus {
  if (prefix === "") return bus;
  const strip = (record: BusRecord): BusRecord =>
    record.topic.startsWith(prefix)
      ? { ...record, topic: record.topic.slice(prefix.length) }
      : record;
  return {
    ensureTopic: (topic: string, options?: TopicOptions) =>
      bus.ensureTopic(prefix + topic, options),
    send: (topic: string, records: readonly OutgoingRecord[]) => bus.send(prefix + topic, records),
    subscribe: (options: SubscribeOptions): Promise<Subscription> =>
      bus.subscribe({
        ...options,
        topics: options.topics.map((topic) => prefix + topic),
        group: prefix + options.group,
        handler: (record) => options.handler(strip(record)),
        ...(options.onGiveUp
          ? { onGiveUp: (record, error) => options.onGiveUp!(strip(record), error) }
          : {}),
      }),
    close: () => bus.close(),
  };
}
