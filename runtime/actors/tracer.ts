/**
 * The tracer: a bounded ring buffer of actor events (messages, dead letters, FSM
 * transitions) that also streams them to subscribers (tests, `/trace`, the dev
 * console). Plays the role of XState's inspection stream and of the
 * `SubscribeTransitionCallBack` hooks OpenWhisk's tests use.
 *
 * @module
 */

/** A message that went through `tell()`. */
export interface MessageEvent {
  readonly kind: "message";
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  readonly type?: string;
  readonly tid?: string;
  /** The activation the message is about, when it names one (joins tid-less hops). */
  readonly activationId?: string;
}

/** A message `tell()` could not deliver because its target was not alive. */
export interface DeadLetterEvent {
  readonly kind: "dead_letter";
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  readonly type?: string;
  readonly tid?: string;
  readonly activationId?: string;
}

/** An FSM actor changed its state name. */
export interface TransitionEvent {
  readonly kind: "transition";
  readonly ts: number;
  readonly actor: string;
  readonly from: string;
  readonly to: string;
}

/** Every event the tracer carries, tagged by `kind`. */
export type TraceEvent = MessageEvent | DeadLetterEvent | TransitionEvent;

/** Selects events by kind, transaction id, or any path they mention. */
export type TraceFilter =
  | ((event: TraceEvent) => boolean)
  | { readonly kind?: TraceEvent["kind"]; readonly tid?: string; readonly path?: string };

/** Options of {@link createTracer}. */
export interface TracerOptions {
  /** Events kept in the ring buffer; 10,000 by default. */
  readonly capacity?: number;
  /** Whether to keep events in the buffer at all; true by default. */
  readonly buffer?: boolean;
  /** Called when a subscriber throws; the event still reaches the others. */
  readonly onSubscriberError?: (error: unknown) => void;
}

/** Records and streams {@link TraceEvent}s. */
export interface Tracer {
  /** Records `event` and hands it to every subscriber. */
  emit(event: TraceEvent): void;
  /** Streams every later event to `fn`; returns the function that unsubscribes. */
  subscribe(fn: (event: TraceEvent) => void): () => void;
  /** Buffered events, oldest first, optionally filtered. */
  recent(filter?: TraceFilter): TraceEvent[];
  /** True when at least one subscriber listens. */
  readonly hasSubscribers: boolean;
  /** True when the buffer is on or someone listens: emitters skip building events otherwise. */
  readonly active: boolean;
}

function matches(event: TraceEvent, filter: TraceFilter): boolean {
  if (typeof filter === "function") return filter(event);
  if (filter.kind !== undefined && event.kind !== filter.kind) return false;
  if (filter.tid !== undefined && (event.kind === "transition" || event.tid !== filter.tid)) {
    return false;
  }
  if (filter.path !== undefined) {
    const paths = event.kind === "transition" ? [event.actor] : [event.from, event.to];
    if (!paths.includes(filter.path)) return false;
  }
  return true;
}

/**
 * Creates a tracer.
 *
 * @example
 * ```ts
 * import { createTracer } from "./tracer.ts";
 * const tracer = createTracer({ capacity: 2 });
 * for (const to of ["a", "b", "c"]) tracer.emit({ kind: "message", ts: 0, from: "x", to });
 * console.assert(tracer.recent().map((e) => e.kind === "message" && e.to).join() === "b,c");
 * ```
 */
export function createTracer(options: TracerOptions = {}): Tracer {
  const capacity = options.capacity ?? 10_000;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(
      `Cannot create tracer: capacity must be a positive integer, got ${capacity}`,
    );
  }
  const buffering = options.buffer ?? true;
  const ring: TraceEvent[] = [];
  let start = 0; // index of the oldest event once the ring is full
  const subscribers = new Set<(event: TraceEvent) => void>();
  return {
    emit(event) {
      if (buffering) {
        if (ring.length < capacity) ring.push(event);
        else {
          ring[start] = event;
          start = (start + 1) % capacity;
        }
      }
      for (const fn of subscribers) {
        try {
          fn(event);
        } catch (error) {
          options.onSubscriberError?.(error);
        }
      }
    },
    subscribe(fn) {
      const own = (event: TraceEvent) => fn(event); // distinct identity per subscription
      subscribers.add(own);
      return () => void subscribers.delete(own);
    },
    recent(filter) {
      const ordered = [...ring.slice(start), ...ring.slice(0, start)];
      return filter === undefined ? ordered : ordered.filter((e) => matches(e, filter));
    },
    get hasSubscribers() {
      return subscribers.size > 0;
    },
    get active() {
      return buffering || subscribers.size > 0;
    },
  };
}
