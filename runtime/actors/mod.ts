/**
 * The actor kit: typed refs, a system with a live-actor registry and dead-letter count,
 * `spawnActor` with an explicit supervision policy, the one traced `tell`, `ask` for
 * the edges, keyed generation-checked timers on an injectable clock, the FSM shell with
 * stash and state timeouts, `pipeToSelf`, and the tracer. Built over nact 7.6.2, which
 * lacks all of these (STYLE practices 4, 5, 8-18).
 *
 * @module
 */
export { type Clock, ManualClock, systemClock, type TimerHandle } from "./clock.ts";
export type { AnyRef, Ref } from "./ref.ts";
export type { ActorInfo } from "./registry.ts";
export { startSystem, stopSystem, type System, type SystemOptions } from "./system.ts";
export type { CrashInfo, SupervisionDecision, SupervisionPolicy } from "./supervision.ts";
export {
  type ActorContext,
  type ActorOptions,
  type Parent,
  spawnActor,
  stopActor,
} from "./spawn_actor.ts";
export { type Sender, tell } from "./tell.ts";
export { ask, AskAbortedError, type AskOptions } from "./ask.ts";
export { spawnGroup } from "./group.ts";
export { AskTimeoutError } from "./errors.ts";
export { pipeToSelf } from "./pipe_to_self.ts";
export type { Timers } from "./timers.ts";
export {
  type FsmEffect,
  type FsmOptions,
  type FsmState,
  send,
  spawnFsm,
  STATE_TIMEOUT_KEY,
  type StateTimeout,
  type Step,
} from "./fsm.ts";
export {
  createTracer,
  type DeadLetterEvent,
  type MessageEvent,
  type TraceEvent,
  type TraceFilter,
  type Tracer,
  type TracerOptions,
  type TransitionEvent,
} from "./tracer.ts";
