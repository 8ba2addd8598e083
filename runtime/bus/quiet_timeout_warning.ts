/**
 * Drops Node's `TimeoutNegativeWarning`, which kafkajs 2.2.4 triggers under Deno by
 * scheduling a timer with a negative delay (its request queue computes
 * `throttledUntil - now` with `throttledUntil = -1`); the delay is clamped to 1 ms and
 * nothing is wrong. Deno's timers emit the warning through an internal function, so the
 * filter wraps the process's `warning` listeners (the default one prints); every other
 * warning still reaches them. Used by the Kafka adapter and the services script.
 *
 * @module
 */
import process from "node:process";

let installed = false;

/** Installs the filter once per process. */
export function quietTimeoutNegativeWarning(): void {
  if (installed) return;
  installed = true;
  const listeners = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    if (warning.name === "TimeoutNegativeWarning") return;
    for (const listener of listeners) listener(warning);
  });
}
