/**
 * A per-test actor system on a `ManualClock` with a capturing logger, disposed with
 * `await using` so every test stops its system (STYLE practice 15).
 *
 * @module
 */
import { type CapturingLogger, capturingLogger, type LogEntry } from "../../runtime/log.ts";
import {
  createTracer,
  ManualClock,
  startSystem,
  stopSystem,
  type System,
  type Tracer,
  type TracerOptions,
} from "../../runtime/actors/mod.ts";

/** What a test gets from {@link actorHarness}. */
export interface ActorHarness extends AsyncDisposable {
  readonly system: System;
  readonly clock: ManualClock;
  readonly logger: CapturingLogger;
  readonly tracer: Tracer;
  /** Log entries whose message is `msg`. */
  logs(msg: string): LogEntry[];
}

/** Starts a system for one test. */
export function actorHarness(
  options: { tracer?: TracerOptions; start?: number } = {},
): ActorHarness {
  const clock = new ManualClock(options.start ?? 1_000);
  const logger = capturingLogger();
  const tracer = createTracer(options.tracer);
  const system = startSystem({ logger, clock, tracer });
  return {
    system,
    clock,
    logger,
    tracer,
    logs: (msg) => logger.entries.filter((e) => e.msg === msg),
    [Symbol.asyncDispose]: () => stopSystem(system),
  };
}
