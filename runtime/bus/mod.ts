/**
 * The message bus and the remote-actor bridge: the `MessageBus` interface, its Kafka
 * adapter and in-memory twin, the envelope carried in record headers, dead letters, and
 * the bridge that turns records into local actor messages and back.
 *
 * @module
 */
export {
  type BusRecord,
  type BusSettings,
  DEAD_LETTER_TOPIC,
  DEFAULT_RETRY,
  type MessageBus,
  type OutgoingRecord,
  type RecordHandler,
  type RetryPolicy,
  type SubscribeOptions,
  type Subscription,
  type TopicOptions,
} from "./message_bus.ts";
export { MemoryBus, type MemoryBusOptions } from "./memory_bus.ts";
export { KafkaBus, type KafkaBusOptions, mapKafkaError } from "./kafka_bus.ts";
export { AskTimeoutError, BusClosedError, BusError, BusUnavailableError } from "./errors.ts";
export { quietTimeoutNegativeWarning } from "./quiet_timeout_warning.ts";
export { type DeadLetter, deadLetterRecord, decodeDeadLetter } from "./dead_letter.ts";
export { decodeEnvelope, encodeEnvelope, type Envelope, ENVELOPE_HEADERS } from "./envelope.ts";
export {
  Bridge,
  type BridgeDeps,
  contextHeaders,
  type InboundCall,
  type InboundInterceptor,
  type ListenOptions,
  type OutboundCall,
  type OutboundInterceptor,
  REPLY_RECIPIENT,
  type SendOptions,
} from "./bridge.ts";
export {
  ActorDirectory,
  createWireBridge,
  type WireBridgeOptions,
  type WireReceiver,
} from "./wire_bridge.ts";
export {
  INVALIDATION_RECIPIENT,
  INVALIDATION_TOPIC,
  type InvalidationFanout,
  startInvalidationFanout,
} from "./invalidations.ts";
