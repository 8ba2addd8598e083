/**
 * `tell()`: the one function every actor message goes through. It emits a trace event
 * and dispatches, or, when the target is not alive, counts and logs a dead letter
 * instead of letting nact drop the message silently. Mirrors XState's `system._relay`
 * and Pekko's dead-letter channel (nact's `dispatch` to a stopped actor does nothing).
 *
 * @module
 */
import { dispatch } from "nact";
import { addMessageMeta } from "./_message_meta.ts";
import { type AnyRef, nactRefOf, type Ref, systemObjectOf } from "./ref.ts";
import { internalsOf, type System } from "./system.ts";

/** Who sends: an actor, or the system itself for edges (HTTP handlers, tests). */
export type Sender = AnyRef | System;

/**
 * Sends `msg` from `from` to `to`: traces it as `{kind: "message", ts, from, to, type,
 * tid}` when the tracer is active, then dispatches. A target that is not alive yields a
 * `dead_letter` trace event, a warning log and `system.deadLetters + 1` instead.
 *
 * @param from the sending actor (`ctx.self`) or the system for edges
 * @param to the target; its type fixes what `msg` may be
 * @param msg the message; its `type` and `tid` fields, when present, go into the trace
 *
 * @example
 * ```ts
 * import { silentLogger } from "../log.ts";
 * import { spawnActor, startSystem, stopSystem, tell } from "./mod.ts";
 * const system = startSystem({ logger: silentLogger });
 * const counter = spawnActor(system, {
 *   name: "counter",
 *   initialState: 0,
 *   handle: (n: number, _msg: { type: "Inc"; tid?: string }) => n + 1,
 *   supervision: "restart",
 * });
 * tell(system, counter, { type: "Inc", tid: "t1" });
 * const [sent] = system.tracer.recent({ kind: "message" });
 * console.assert(sent?.kind === "message" && sent.type === "Inc" && sent.tid === "t1");
 * await stopSystem(system);
 * ```
 */
export function tell<M>(from: Sender, to: Ref<M>, msg: M): void {
  deliver(from, to as AnyRef, msg);
}

/** {@link tell} without the message type check (timer ticks, effects). Internal to the kit. */
export function deliver(from: Sender, to: AnyRef, msg: unknown): void {
  const system = internalsOf(systemObjectOf(to));
  const fromPath = from.path;
  if (system.stopped || !system.registry.has(to.path)) {
    system.deadLetter(fromPath, to.path, msg, system.stopped ? "system stopped" : "not alive");
    return;
  }
  if (system.tracer.active) {
    system.tracer.emit(
      addMessageMeta(
        { kind: "message" as const, ts: system.clock.now(), from: fromPath, to: to.path },
        msg,
      ),
    );
  }
  dispatch(nactRefOf(to), msg as never);
}
