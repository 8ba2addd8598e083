/**
 * The typed actor reference as a protocol type: messages carry `replyTo: Ref<Reply>`
 * (STYLE practice 4), so the type lives here where every protocol can name it. The
 * actor kit (`runtime/actors/ref.ts`) makes and resolves refs; this file holds only
 * the type. Mirrors Pekko's typed `ActorRef[T]`.
 *
 * @module
 */

declare const inbox: unique symbol;

/**
 * A reference to an actor that accepts messages of type `M`.
 *
 * The brand is contravariant in `M`: a `Ref<Public | Internal>` is usable where a
 * `Ref<Public>` is expected, so a shell can hand out a ref typed to its public protocol
 * only (STYLE practice 5).
 */
export interface Ref<M> {
  /** The actor's path, e.g. `sys-1://invoker/pool/proxy-3`. */
  readonly path: string;
  /** Phantom member: never present at run time. */
  readonly [inbox]: (msg: M) => void;
}

/** A ref of any message type (the top type of all refs). */
export type AnyRef = Ref<never>;
