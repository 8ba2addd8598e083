/**
 * The actor system: nact's `start()` plus what our actors stand on: the logger, the
 * tracer, the clock, the live-actor registry and the dead-letter count. Mirrors the
 * role of Pekko's `ActorSystem` (with its `deadLetters` channel) for our nact tree.
 *
 * @module
 */
import { start, stop as nactStop } from "nact";
import type { Ref as NactRef } from "nact";
import type { Logger } from "../log.ts";
import { type Clock, systemClock } from "./clock.ts";
import { messageMeta } from "./_message_meta.ts";
import { type ActorInfo, ActorRegistry } from "./registry.ts";
import { createTracer, type Tracer } from "./tracer.ts";

/** Options of {@link startSystem}. */
export interface SystemOptions {
  /** Unique per process (nact keys systems by name); generated when omitted. */
  readonly name?: string;
  readonly logger: Logger;
  /** A fresh buffering tracer when omitted. */
  readonly tracer?: Tracer;
  /** {@link systemClock} when omitted; a `ManualClock` in tests. */
  readonly clock?: Clock;
}

/** A running actor system. */
export interface System {
  readonly name: string;
  /** The root path, parent of every top-level actor (`<name>://`). */
  readonly path: string;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly clock: Clock;
  /** Messages `tell()` could not deliver since the start. */
  readonly deadLetters: number;
  /** Messages handlers have finished with since the start (used by test `settle()`). */
  readonly processed: number;
  /** Every live actor, in spawn order. */
  actors(): ActorInfo[];
}

let systemCount = 0;

/** The implementation behind {@link System}. Internal to the actor kit. */
export class ActorSystem implements System {
  readonly registry = new ActorRegistry();
  readonly path: string;
  stopped = false;
  #deadLetters = 0;
  #processed = 0;

  constructor(
    readonly name: string,
    readonly logger: Logger,
    readonly tracer: Tracer,
    readonly clock: Clock,
    readonly root: NactRef<never>,
  ) {
    this.path = `${name}://`;
  }

  get deadLetters(): number {
    return this.#deadLetters;
  }

  get processed(): number {
    return this.#processed;
  }

  actors(): ActorInfo[] {
    return this.registry.list();
  }

  /** Counts, traces and logs a message that could not be delivered to `to`. */
  deadLetter(from: string, to: string, msg: unknown, reason: string): void {
    this.#deadLetters++;
    const meta = messageMeta(msg);
    if (this.tracer.active) {
      this.tracer.emit({ kind: "dead_letter", ts: this.clock.now(), from, to, ...meta });
    }
    this.logger.warn("dead letter", { target: to, from, ...meta, reason });
  }

  /** Called by actor shells after every handled message. */
  countProcessed(): void {
    this.#processed++;
  }
}

/** The implementation of a {@link System}; throws for objects not made by {@link startSystem}. */
export function internalsOf(system: System | object): ActorSystem {
  if (system instanceof ActorSystem) return system;
  throw new TypeError("Cannot use system: not made by startSystem()");
}

/**
 * Starts an actor system.
 *
 * @example
 * ```ts
 * import { startSystem, stopSystem } from "./system.ts";
 * import { silentLogger } from "../log.ts";
 * const system = startSystem({ logger: silentLogger });
 * console.assert(system.actors().length === 0);
 * await stopSystem(system);
 * ```
 */
export function startSystem(options: SystemOptions): System {
  const name = options.name ?? `sys-${++systemCount}-${crypto.randomUUID().slice(0, 8)}`;
  // nact's typings only admit a name string, but a string would be taken as a plugin
  // list head; its runtime reads `{ name }` from an options object.
  const startNamed = start as unknown as (options: { name: string }) => NactRef<never>;
  const root = startNamed({ name });
  return new ActorSystem(
    name,
    options.logger,
    options.tracer ?? createTracer(),
    options.clock ?? systemClock,
    root,
  );
}

/**
 * Stops every actor and the system, then yields until nact's deferred `afterStop`
 * callbacks have run, so tests end without pending timers.
 */
export async function stopSystem(system: System): Promise<void> {
  const impl = internalsOf(system);
  if (impl.stopped) return;
  impl.stopped = true;
  impl.registry.removeSubtree(impl.path, true);
  nactStop(impl.root);
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
