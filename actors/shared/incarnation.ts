/**
 * Incarnation guard for the data-service shells: results of I/O started by an earlier
 * incarnation of a restarted actor (or before a `reset` effect) are dropped instead of
 * being delivered to the fresh state. No upstream counterpart: Pekko drops a restarted
 * actor's pending `pipeToSelf` results with the old behaviour; nact keeps the same
 * mailbox across a restart, so we count incarnations ourselves.
 *
 * @module
 */
import type { ActorContext } from "../../runtime/actors/mod.ts";

/** Pipes a promise's outcome to the actor as a message (see {@link Incarnation.piper}). */
export type Piper<M> = <T>(
  promise: Promise<T>,
  onOk: (value: T) => M,
  onError: (error: unknown) => M,
) => void;

/** A per-shell counter; `bump()` starts a new incarnation. */
export interface Incarnation {
  /** Starts a new incarnation: everything started before is stale from now on. */
  bump(): void;
  /** `ctx.pipeToSelf`, except that a result arriving after a `bump()` is dropped. */
  piper<M>(ctx: ActorContext<M>): Piper<M>;
  /** Wraps a callback (e.g. a watch handler) so it runs only in the current incarnation. */
  guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
}

/**
 * Creates the guard of one actor shell.
 *
 * @example
 * ```ts
 * import { createIncarnation } from "./incarnation.ts";
 * const incarnation = createIncarnation();
 * const seen: number[] = [];
 * const handler = incarnation.guard((n: number) => seen.push(n));
 * handler(1);
 * incarnation.bump();
 * handler(2); // stale: dropped
 * console.assert(seen.length === 1);
 * ```
 */
export function createIncarnation(): Incarnation {
  let current = 0;
  const guard = <A extends unknown[]>(fn: (...args: A) => void) => {
    const at = current;
    return (...args: A) => {
      if (at === current) fn(...args);
    };
  };
  return {
    bump: () => void current++,
    guard,
    piper: (ctx) => (promise, onOk, onError) => {
      const ok = guard((value: Parameters<typeof onOk>[0]) => ctx.tell(ctx.self, onOk(value)));
      const failed = guard((error: unknown) => ctx.tell(ctx.self, onError(error)));
      promise.then(ok, failed);
    },
  };
}
