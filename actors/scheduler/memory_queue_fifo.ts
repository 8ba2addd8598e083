/**
 * A persistent first-in first-out queue (two cons lists, Okasaki's banker's queue
 * without laziness): O(1) push, amortised O(1) shift, and every operation returns a
 * new value, so the MemoryQueue's transition stays pure while holding up to
 * `max-retention-size` (10 000) activations. Mirrors the role of the
 * `immutable.Queue[TimeSeriesActivationEntry]` in upstream `MemoryQueue.scala`.
 *
 * @module
 */

type Cons<T> = { readonly head: T; readonly tail: Cons<T> } | null;

/** An immutable FIFO; build it with {@link emptyFifo} and the functions below. */
export interface Fifo<T> {
  /** Oldest first. */
  readonly front: Cons<T>;
  /** Newest first. */
  readonly back: Cons<T>;
  readonly size: number;
}

const EMPTY: Fifo<never> = { front: null, back: null, size: 0 };

/** The empty FIFO. */
export function emptyFifo<T>(): Fifo<T> {
  return EMPTY;
}

/** `fifo` with `item` appended at the end. */
export function push<T>(fifo: Fifo<T>, item: T): Fifo<T> {
  return { front: fifo.front, back: { head: item, tail: fifo.back }, size: fifo.size + 1 };
}

function reverse<T>(list: Cons<T>, onto: Cons<T> = null): Cons<T> {
  let out = onto;
  for (let at = list; at !== null; at = at.tail) out = { head: at.head, tail: out };
  return out;
}

function normalized<T>(fifo: Fifo<T>): Fifo<T> {
  return fifo.front !== null || fifo.back === null
    ? fifo
    : { front: reverse(fifo.back), back: null, size: fifo.size };
}

/**
 * The oldest item and the FIFO without it, or `undefined` when empty.
 *
 * @example
 * ```ts
 * import { emptyFifo, push, shift } from "./memory_queue_fifo.ts";
 * const [first] = shift(push(push(emptyFifo<number>(), 1), 2)) ?? [];
 * console.assert(first === 1);
 * ```
 */
export function shift<T>(fifo: Fifo<T>): readonly [T, Fifo<T>] | undefined {
  const n = normalized(fifo);
  if (n.front === null) return undefined;
  return [n.front.head, { front: n.front.tail, back: n.back, size: n.size - 1 }];
}

/** The oldest item, or `undefined` when empty. */
export function peek<T>(fifo: Fifo<T>): T | undefined {
  if (fifo.front !== null) return fifo.front.head;
  let at = fifo.back;
  while (at !== null && at.tail !== null) at = at.tail;
  return at?.head;
}

/** Every item, oldest first. */
export function* items<T>(fifo: Fifo<T>): Generator<T> {
  for (let at = fifo.front; at !== null; at = at.tail) yield at.head;
  for (let at = reverse(fifo.back); at !== null; at = at.tail) yield at.head;
}

/** Splits off the longest prefix whose items satisfy `pred`: `[taken, rest]`. */
export function takeWhile<T>(fifo: Fifo<T>, pred: (item: T) => boolean): [T[], Fifo<T>] {
  const taken: T[] = [];
  let rest = fifo;
  for (;;) {
    const next = shift(rest);
    if (next === undefined || !pred(next[0])) return [taken, rest];
    taken.push(next[0]);
    rest = next[1];
  }
}
