/**
 * The bridge as every role uses it: wire messages of `protocols/wire.ts` encoded in
 * upstream's JSON, decoded (and validated) on receipt, and delivered to local actors
 * by name through an {@link ActorDirectory}. The composition roots register their
 * actors (`queue-manager`, `creation-job-manager`, `container-pool`, `completions`,
 * ...) and hand the bridge to whoever sends. No upstream counterpart: Pekko remoting and
 * per-topic Kafka consumers did this job.
 *
 * @module
 */
import { decodeWire, encodeWire, type WireMessage } from "../../protocols/wire.ts";
import type { Clock } from "../actors/clock.ts";
import type { Logger } from "../log.ts";
import { Bridge, type InboundInterceptor, type OutboundInterceptor } from "./bridge.ts";
import type { Envelope } from "./envelope.ts";
import type { MessageBus } from "./message_bus.ts";

/**
 * Receives one decoded wire message with its envelope. Returning exactly `false` refuses
 * it (a type the actor does not take): the bridge then sends the record to
 * `deadLetters`. Anything else (nothing, `true`, a value) accepts it, so receivers that
 * return nothing keep working.
 */
export type WireReceiver = (message: WireMessage, envelope: Envelope) => unknown;

/**
 * Local actors reachable over the bus, by the name carried in the `to` header.
 *
 * @example
 * ```ts
 * import { ActorDirectory } from "./wire_bridge.ts";
 * const directory = new ActorDirectory();
 * const got: string[] = [];
 * directory.register("queue-manager", (m) => got.push(m.type));
 * directory.register("picky", () => false);
 * console.assert(!directory.deliver("nobody", {} as never, {} as never));
 * console.assert(!directory.deliver("picky", {} as never, {} as never));
 * ```
 */
export class ActorDirectory {
  readonly #receivers = new Map<string, WireReceiver>();

  /**
   * Makes `name` reachable; returns a function that removes it again.
   *
   * @throws {TypeError} when the name is already taken
   */
  register(name: string, receiver: WireReceiver): () => void {
    if (this.#receivers.has(name)) {
      throw new TypeError(`Cannot register "${name}": the name is already taken`);
    }
    this.#receivers.set(name, receiver);
    return () => {
      if (this.#receivers.get(name) === receiver) this.#receivers.delete(name);
    };
  }

  /** Hands a message to `to`; false when no local actor has that name or it refused it. */
  deliver(to: string, message: WireMessage, envelope: Envelope): boolean {
    const receiver = this.#receivers.get(to);
    if (!receiver) return false;
    return receiver(message, envelope) !== false;
  }

  /** The registered names. */
  names(): string[] {
    return [...this.#receivers.keys()];
  }
}

/** Options of {@link createWireBridge}. */
export interface WireBridgeOptions {
  readonly bus: MessageBus;
  readonly directory: ActorDirectory;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Topic where answers to this process's asks arrive. */
  readonly replyTopic?: string;
  readonly outbound?: readonly OutboundInterceptor[];
  readonly inbound?: readonly InboundInterceptor[];
}

/** A bridge that speaks the wire messages of `protocols/wire.ts`. */
export function createWireBridge(options: WireBridgeOptions): Bridge {
  return new Bridge({
    bus: options.bus,
    decode: (type, value) => decodeWire(type, value),
    encode: (_type, message) => encodeWire(message as WireMessage).value,
    deliver: (to, message, envelope) =>
      options.directory.deliver(to, message as WireMessage, envelope),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.replyTopic ? { replyTopic: options.replyTopic } : {}),
    ...(options.outbound ? { outbound: options.outbound } : {}),
    ...(options.inbound ? { inbound: options.inbound } : {}),
  });
}
