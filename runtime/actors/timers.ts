/**
 * Keyed timers on the injectable clock, one scheduler per actor. Mirrors Pekko's
 * `TimerScheduler` / `TimerSchedulerImpl`: starting a key replaces its timer and bumps
 * its generation, and a tick whose generation is stale is dropped even when it already
 * sits in the mailbox (nact has no timers at all).
 *
 * Ticks travel as a private {@link TimerTick} wrapper; the actor shell unwraps it with
 * {@link KeyedTimers.accept} before the handler sees the message.
 *
 * @module
 */
import type { Clock, TimerHandle } from "./clock.ts";

/** The timers an actor handler can use (`ctx.timers`). */
export interface Timers<M> {
  /** Delivers `msg` once after `ms`, replacing any timer with the same key. */
  startSingleTimer(key: string, msg: M, ms: number): void;
  /** Delivers `msg` every `ms`, replacing any timer with the same key. */
  startPeriodicTimer(key: string, msg: M, ms: number): void;
  /** Cancels the timer; a tick of it already in the mailbox is dropped. */
  cancelTimer(key: string): void;
  /** True from start until cancelled or (for a single timer) until its message is handled. */
  isTimerActive(key: string): boolean;
  /** Cancels every timer of the actor. */
  cancelAll(): void;
}

/** The private message a timer sends to its actor. */
export class TimerTick<M = unknown> {
  constructor(
    readonly key: string,
    readonly generation: number,
    readonly msg: M,
  ) {}
}

/** {@link Timers} plus the shell-side check of incoming ticks. */
export interface KeyedTimers<M> extends Timers<M> {
  /**
   * True when `tick` belongs to the current generation of its key (the shell then
   * delivers `tick.msg`); false when it is stale and must be dropped. Accepting a single
   * timer's tick retires the key.
   */
  accept(tick: TimerTick<M>): boolean;
}

interface Entry {
  readonly generation: number;
  readonly repeat: boolean;
  handle: TimerHandle;
}

/**
 * Creates the timers of one actor; `deliver` sends a tick to that actor's mailbox.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * import { createTimers, type TimerTick } from "./timers.ts";
 * const clock = new ManualClock();
 * const ticks: TimerTick<string>[] = [];
 * const timers = createTimers<string>(clock, (t) => ticks.push(t));
 * timers.startSingleTimer("k", "first", 10);
 * clock.advance(10); // the tick is now "in the mailbox"
 * timers.startSingleTimer("k", "second", 10); // restart: the queued tick goes stale
 * console.assert(timers.accept(ticks[0]!) === false);
 * ```
 */
export function createTimers<M>(
  clock: Clock,
  deliver: (tick: TimerTick<M>) => void,
): KeyedTimers<M> {
  const entries = new Map<string, Entry>();
  let generations = 0;

  const start = (key: string, msg: M, ms: number, repeat: boolean) => {
    cancel(key);
    const generation = ++generations;
    const fire = () => {
      if (entries.get(key) !== entry) return;
      if (repeat) entry.handle = clock.setTimeout(fire, ms);
      deliver(new TimerTick(key, generation, msg));
    };
    const entry: Entry = { generation, repeat, handle: clock.setTimeout(fire, ms) };
    entries.set(key, entry);
  };

  const cancel = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    clock.clearTimeout(entry.handle);
    entries.delete(key);
  };

  return {
    startSingleTimer: (key, msg, ms) => start(key, msg, ms, false),
    startPeriodicTimer: (key, msg, ms) => start(key, msg, ms, true),
    cancelTimer: cancel,
    isTimerActive: (key) => entries.has(key),
    cancelAll() {
      for (const key of [...entries.keys()]) cancel(key);
    },
    accept(tick) {
      const entry = entries.get(tick.key);
      if (!entry || entry.generation !== tick.generation) return false;
      if (!entry.repeat) entries.delete(tick.key);
      return true;
    },
  };
}
