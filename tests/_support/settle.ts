/**
 * `settle()`: yields macrotasks until nact's mailbox processing is idle. nact runs every
 * message from a `setImmediate` callback, so a message chain advances one hop per
 * macrotask; we stop once the system's `processed` count has not moved for a few
 * rounds. Used by `probe.expectNoMessage()` instead of a sleep.
 *
 * @module
 */
import type { System } from "../../runtime/actors/mod.ts";

/** Options of {@link settle}. */
export interface SettleOptions {
  /** Consecutive rounds without a handled message that count as idle (default 3). */
  readonly quietRounds?: number;
  /** Upper bound of rounds, in case a handler awaits real I/O (default 200). */
  readonly maxRounds?: number;
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setTimeout(resolve, 0)));
}

/**
 * Resolves once `system` (or, without one, the event loop) has been quiet for a few
 * macrotask rounds.
 */
export async function settle(system?: System, options: SettleOptions = {}): Promise<void> {
  const quietRounds = options.quietRounds ?? 3;
  const maxRounds = options.maxRounds ?? 200;
  let quiet = 0;
  let last = system?.processed ?? 0;
  for (let round = 0; round < maxRounds && quiet < quietRounds; round++) {
    await macrotask();
    const now = system?.processed ?? 0;
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}
