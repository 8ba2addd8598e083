/**
 * `spawnActor()`: a nact actor with an explicit supervision policy, a typed context
 * (self ref, timers, pipe-to-self, a logger carrying the actor path and the message's
 * tid), registration in the live-actor registry, and private timer ticks unwrapped
 * before the handler runs. Mirrors Pekko's `Behaviors.setup` + `withTimers` +
 * `supervise` for nact 7.6.
 *
 * @module
 */
import { spawn, stop as nactStop } from "nact";
import type { Ref as NactRef } from "nact";
import { type Logger, withMeta } from "../log.ts";
import { messageTid } from "./_message_meta.ts";
import { pipeToSelf } from "./pipe_to_self.ts";
import { type AnyRef, makeRef, nactRefOf, type Ref, systemObjectOf } from "./ref.ts";
import { crashHandler, type SupervisionPolicy } from "./supervision.ts";
import { type ActorSystem, internalsOf, type System } from "./system.ts";
import { deliver, tell } from "./tell.ts";
import { createTimers, type Timers, TimerTick } from "./timers.ts";

/** Where an actor is spawned: under the system root or under another actor. */
export type Parent = System | AnyRef;

/** What a handler can use besides its state and message. */
export interface ActorContext<M> {
  readonly self: Ref<M>;
  readonly path: string;
  readonly name: string;
  readonly parent: Parent;
  readonly system: System;
  /** The system logger with `{actor: path}` and, while handling, the message's `tid`. */
  readonly logger: Logger;
  /** Keyed timers delivering to this actor; cancelled on restart and stop. */
  readonly timers: Timers<M>;
  /** `tell(self, to, msg)`. */
  tell<T>(to: Ref<T>, msg: T): void;
  /** Runs no I/O in the handler: delivers the promise's outcome back as a message. */
  pipeToSelf<T>(promise: Promise<T>, onOk: (value: T) => M, onError: (error: unknown) => M): void;
}

/** Options of {@link spawnActor}. */
export interface ActorOptions<S, M> {
  /** Unique among its siblings; letters, digits and `-$_.+!*'(),`. */
  readonly name: string;
  /** The state at spawn and after every restart. */
  readonly initialState: S;
  /** Handles one message; the returned state is committed before the next message. */
  readonly handle: (state: S, msg: M, ctx: ActorContext<M>) => S | Promise<S>;
  /** What happens when `handle` throws (see {@link SupervisionPolicy}). */
  readonly supervision: SupervisionPolicy;
  /** Runs at spawn and after each restart, with the initial state. */
  readonly onStart?: (state: S, ctx: ActorContext<M>) => void;
  /** A state name to show in the registry (FSMs), read after every message. */
  readonly stateName?: (state: S) => string | undefined;
}

function parentParts(
  parent: Parent,
): { system: ActorSystem; nact: NactRef<unknown>; path: string } {
  if ("actors" in parent) {
    const system = internalsOf(parent);
    return { system, nact: system.root as NactRef<unknown>, path: system.path };
  }
  return {
    system: internalsOf(systemObjectOf(parent)),
    nact: nactRefOf(parent),
    path: parent.path,
  };
}

/** What `await` would wait for: an object or function with a callable `then`. */
function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * Spawns an actor under `parent` and registers it as alive until it stops.
 *
 * @returns its ref, typed to every message it handles; narrow it to the public
 *   protocol when handing it out
 */
export function spawnActor<S, M>(parent: Parent, options: ActorOptions<S, M>): Ref<M> {
  const { system, nact: parentNact, path: parentPath } = parentParts(parent);
  if (system.stopped) throw new Error(`Cannot spawn "${options.name}": system stopped`);
  const path = `${parentPath.endsWith("/") ? parentPath : `${parentPath}/`}${options.name}`;
  let currentTid: string | undefined;
  const logger = withMeta(system.logger, () => ({
    actor: path,
    ...(currentTid === undefined ? {} : { tid: currentTid }),
  }));
  const spawned: { self?: Ref<M> } = {}; // filled once nact has spawned the actor
  const timers = createTimers<M>(system.clock, (tick) => deliver(ctx.self, ctx.self, tick));
  const ctx: ActorContext<M> = {
    get self() {
      if (!spawned.self) throw new Error(`Actor "${path}" used its ref before it was spawned`);
      return spawned.self;
    },
    path,
    name: options.name,
    parent,
    system,
    logger,
    timers,
    tell: (to, msg) => tell(ctx.self, to, msg),
    pipeToSelf: (promise, onOk, onError) => pipeToSelf(ctx.self, promise, onOk, onError),
  };
  const showState = (state: S) => {
    if (options.stateName) system.registry.setStateName(path, options.stateName(state));
  };

  const finish = () => {
    currentTid = undefined;
    system.countProcessed();
  };
  const commit = (next: S) => {
    try {
      showState(next);
      return next;
    } finally {
      finish();
    }
  };

  // Synchronous unless the handler returns a promise: nact awaits whatever comes back,
  // and most handlers (every FSM) are synchronous, so they skip an async frame and its
  // promise per message.
  const run = (state: S, raw: unknown): S | Promise<S> => {
    if (raw instanceof TimerTick && !timers.accept(raw)) return state; // stale tick
    const msg = (raw instanceof TimerTick ? raw.msg : raw) as M;
    currentTid = messageTid(msg);
    let result: S | Promise<S>;
    try {
      result = options.handle(state, msg, ctx);
    } catch (error) {
      finish();
      throw error;
    }
    if (!isThenable(result)) return commit(result);
    return Promise.resolve(result).then(commit, (error) => {
      finish();
      throw error;
    });
  };

  const onCrash = crashHandler({
    path,
    isTopLevel: parentPath === system.path,
    policy: options.supervision,
    system,
    logger,
    onRestart: () => {
      timers.cancelAll();
      showState(options.initialState);
      // nact resets the state right after this returns; start on the next macrotask,
      // ahead of the next mailbox message (nact steps its mailbox with setImmediate too).
      setImmediate(() => {
        if (system.registry.has(path)) options.onStart?.(options.initialState, ctx);
      });
    },
  });

  const props = {
    initialState: options.initialState,
    onCrash,
    afterStop: () => system.registry.remove(path, incarnation),
  };
  const nactRef = spawn(parentNact as NactRef<never>, run as never, options.name, props as never);
  const self = spawned.self = makeRef<M>(nactRef as NactRef<unknown>, system, path);
  const incarnation = system.registry.register(
    { path, parentPath, name: options.name, spawnedAt: system.clock.now() },
    () => timers.cancelAll(),
  );
  showState(options.initialState);
  options.onStart?.(options.initialState, ctx);
  return self;
}

/** Stops `ref` and its descendants; later messages to them count as dead letters. */
export function stopActor(ref: AnyRef): void {
  const system = internalsOf(systemObjectOf(ref));
  system.registry.removeSubtree(ref.path);
  nactStop(nactRefOf(ref));
}
