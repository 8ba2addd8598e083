/**
 * The injectable clock every timer and timestamp goes through: the system clock in
 * production, a {@link ManualClock} in tests. Mirrors the role of Pekko's
 * `TimerScheduler` time source and XState's `Clock`/`SimulatedClock`.
 *
 * @module
 */

/** An opaque handle of a scheduled callback. */
export type TimerHandle = number;

/** Time source and one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending callback; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. It reads the globals at call time, so test tooling that swaps
 * them still reaches it.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  // A number at run time in Deno; typed as Node's `Timeout` once a program imports an
  // npm package (Deno then loads @types/node), hence the type-only cast.
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle),
};

interface Pending {
  readonly handle: TimerHandle;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told: `advance(ms)` fires due callbacks in due order
 * (ties in scheduling order), each seeing `now()` equal to its own due time.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(1000);
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 50);
 * clock.advance(49);
 * console.assert(fired.length === 0);
 * clock.advance(1);
 * console.assert(fired[0] === 1050);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #next = 1;
  #pending: Pending[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = this.#next++;
    this.#pending.push({ handle, due: this.#now + Math.max(0, ms), fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.handle !== handle);
  }

  /** Number of callbacks not yet fired. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, firing every callback that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#pending
        .filter((p) => p.due <= target)
        .sort((a, b) => a.due - b.due || a.handle - b.handle)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p.handle !== due.handle);
      this.#now = due.due;
      due.fn();
    }
    this.#now = target;
  }
}
