/**
 * `spawnFsm()`: the thin shell around a pure `transition(state, msg, now) → { next,
 * effects }`. Per message it runs the transition, commits the state, emits a
 * `transition` trace event when the state name changed, then interprets the effects:
 * the built-in ones here, the actor's own through the injected `perform`. Mirrors
 * Pekko's FSM (state timeouts, stash/unstashAll, `onTransition`) and XState's pure
 * `transition()`, on nact which has none of these.
 *
 * @module
 */
import { messageMeta } from "./_message_meta.ts";
import type { AnyRef, Ref } from "./ref.ts";
import { type ActorContext, type Parent, spawnActor, stopActor } from "./spawn_actor.ts";
import type { SupervisionPolicy } from "./supervision.ts";
import { internalsOf } from "./system.ts";
import { deliver } from "./tell.ts";

/** Every FSM state names itself; the name is what traces and the registry show. */
export interface FsmState {
  readonly name: string;
}

/** The message a state timeout delivers. */
export interface StateTimeout {
  readonly type: "StateTimeout";
}

/** The timer key state timeouts use. */
export const STATE_TIMEOUT_KEY = "state-timeout";

/** Effects the shell performs itself, tagged by `type`. */
export type FsmEffect<M> =
  | { readonly type: "send"; readonly to: AnyRef; readonly msg: unknown }
  | {
    readonly type: "startTimer";
    readonly key: string;
    readonly msg: M;
    readonly ms: number;
    readonly repeat?: boolean;
  }
  | { readonly type: "cancelTimer"; readonly key: string }
  /** Keep the current message until `unstashAll`. */
  | { readonly type: "stash" }
  /** Replay stashed messages, in order, before the next mailbox message. */
  | { readonly type: "unstashAll" }
  /** Log the current message at warn as unexpected in this state (STYLE practice 18). */
  | { readonly type: "unhandled" }
  | { readonly type: "stop" };

/** A `send` effect whose message is checked against the target's type. */
export function send<T>(to: Ref<T>, msg: T): FsmEffect<never> {
  return { type: "send", to: to as AnyRef, msg };
}

/** What a transition returns: the next state and the effects to perform, in order. */
export interface Step<S, M, E> {
  readonly next: S;
  readonly effects: readonly (FsmEffect<M> | E)[];
}

/** Options of {@link spawnFsm}. `E` are the actor's own effects (tags unlike the built-ins). */
export interface FsmOptions<S extends FsmState, M, E extends { readonly type: string }> {
  readonly name: string;
  readonly initialState: S;
  /** Pure: no I/O, no clock reads besides `now`, no dispatch. */
  readonly transition: (state: S, msg: M, now: number) => Step<S, M, E>;
  /** Performs the actor's own effects (the deps side). */
  readonly perform?: (effect: E, ctx: ActorContext<M>) => void;
  /** Milliseconds before `StateTimeout` arrives once a state is entered; none when undefined. */
  readonly stateTimeout?: StateTimeout extends M ? (state: S) => number | undefined : never;
  readonly supervision: SupervisionPolicy;
}

interface Shell<S, M> {
  readonly state: S;
  readonly stash: readonly M[];
}

/** The working copy of one handler run: unstashed messages queue ahead of the mailbox. */
interface Run<S, M> {
  state: S;
  readonly stash: M[];
  readonly queue: M[];
  stopping: boolean;
}

const BUILT_IN = new Set([
  "send",
  "startTimer",
  "cancelTimer",
  "stash",
  "unstashAll",
  "unhandled",
  "stop",
]);

/**
 * Spawns an FSM actor.
 *
 * @example
 * ```ts
 * import { silentLogger } from "../log.ts";
 * import { ManualClock, spawnFsm, startSystem, stopSystem, tell } from "./mod.ts";
 * type Door = { name: "Closed" } | { name: "Open" };
 * type DoorMsg = { type: "Push" } | { type: "StateTimeout" };
 * const clock = new ManualClock();
 * const system = startSystem({ logger: silentLogger, clock });
 * const door = spawnFsm<Door, DoorMsg, never>(system, {
 *   name: "door",
 *   initialState: { name: "Closed" },
 *   transition: (state, msg) =>
 *     msg.type === "Push" && state.name === "Closed"
 *       ? { next: { name: "Open" }, effects: [] }
 *       : msg.type === "StateTimeout"
 *       ? { next: { name: "Closed" }, effects: [] }
 *       : { next: state, effects: [{ type: "unhandled" }] },
 *   stateTimeout: (state) => (state.name === "Open" ? 5_000 : undefined),
 *   supervision: "restart",
 * });
 * tell(system, door, { type: "Push" });
 * await new Promise((resolve) => setTimeout(resolve, 0)); // let nact handle it
 * console.assert(system.actors()[0]?.stateName === "Open");
 * await stopSystem(system);
 * ```
 */
export function spawnFsm<S extends FsmState, M, E extends { readonly type: string }>(
  parent: Parent,
  options: FsmOptions<S, M, E>,
): Ref<M> {
  const stateTimeout = options.stateTimeout as ((state: S) => number | undefined) | undefined;
  const armStateTimeout = (state: S, ctx: ActorContext<M>) => {
    ctx.timers.cancelTimer(STATE_TIMEOUT_KEY);
    const ms = stateTimeout?.(state);
    if (ms !== undefined) {
      ctx.timers.startSingleTimer(STATE_TIMEOUT_KEY, { type: "StateTimeout" } as M, ms);
    }
  };

  const entered = (from: string, state: S, ctx: ActorContext<M>) => {
    const { tracer, clock } = ctx.system;
    if (tracer.active) {
      tracer.emit({ kind: "transition", ts: clock.now(), actor: ctx.path, from, to: state.name });
    }
    armStateTimeout(state, ctx);
  };

  const interpret = (run: Run<S, M>, effect: FsmEffect<M> | E, msg: M, ctx: ActorContext<M>) => {
    if (!BUILT_IN.has(effect.type)) return options.perform?.(effect as E, ctx);
    const builtIn = effect as FsmEffect<M>;
    switch (builtIn.type) {
      case "send":
        return deliver(ctx.self, builtIn.to, builtIn.msg);
      case "startTimer":
        return builtIn.repeat
          ? ctx.timers.startPeriodicTimer(builtIn.key, builtIn.msg, builtIn.ms)
          : ctx.timers.startSingleTimer(builtIn.key, builtIn.msg, builtIn.ms);
      case "cancelTimer":
        return ctx.timers.cancelTimer(builtIn.key);
      case "stash":
        return void run.stash.push(msg);
      case "unstashAll": // prepend: replayed before anything still in the mailbox
        run.queue.unshift(...run.stash.splice(0));
        return;
      case "unhandled":
        return ctx.logger.warn("unhandled message", { state: run.state.name, ...messageMeta(msg) });
      case "stop":
        run.stopping = true;
        return;
    }
  };

  // Runs the transition, commits the state, traces a name change, performs the effects.
  const step = (run: Run<S, M>, msg: M, ctx: ActorContext<M>) => {
    const { next, effects } = options.transition(run.state, msg, ctx.system.clock.now());
    const from = run.state.name;
    run.state = next;
    if (from !== next.name) entered(from, next, ctx);
    for (const effect of effects) interpret(run, effect, msg, ctx);
  };

  const handle = (shell: Shell<S, M>, msg: M, ctx: ActorContext<M>): Shell<S, M> => {
    const run: Run<S, M> = {
      state: shell.state,
      stash: [...shell.stash],
      queue: [msg],
      stopping: false,
    };
    while (!run.stopping) {
      const next = run.queue.shift();
      if (next === undefined) break;
      step(run, next, ctx);
    }
    if (run.stopping) {
      stopActor(ctx.self);
      for (const lost of [...run.queue, ...run.stash]) {
        internalsOf(ctx.system).deadLetter(
          ctx.path,
          ctx.path,
          lost,
          "stashed when the actor stopped",
        );
      }
    }
    return { state: run.state, stash: run.stash };
  };

  return spawnActor<Shell<S, M>, M>(parent, {
    name: options.name,
    initialState: { state: options.initialState, stash: [] },
    handle,
    supervision: options.supervision,
    onStart: (shell, ctx) => armStateTimeout(shell.state, ctx),
    stateName: (shell) => shell.state.name,
  });
}
