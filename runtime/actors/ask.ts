/**
 * `ask()`: request-reply for the edges (HTTP handlers, tests). Mirrors Pekko's `ask`
 * pattern and nact's `query`; differences: the reply address is a real, registered
 * temporary actor (so replying goes through `tell()` and is traced), the timeout runs
 * on the system clock, and the error names the target, the message type and the timeout.
 * Inside actors, put `replyTo` in the message instead (STYLE practice 4).
 *
 * @module
 */
import { messageType } from "./_message_meta.ts";
import { AskTimeoutError } from "./errors.ts";
import type { Ref } from "./ref.ts";
import { spawnActor, stopActor } from "./spawn_actor.ts";
import type { System } from "./system.ts";
import { tell } from "./tell.ts";

let askCount = 0;

/**
 * Sends `build(replyTo)` to `to` and resolves with the first message sent to `replyTo`,
 * or rejects with {@link AskTimeoutError} after `timeoutMs` on the system clock. The
 * temporary reply actor is stopped either way.
 *
 * @example
 * ```ts
 * import { silentLogger } from "../log.ts";
 * import { ask, type Ref, spawnActor, startSystem, stopSystem, tell } from "./mod.ts";
 * type Ping = { type: "Ping"; replyTo: Ref<string> };
 * const system = startSystem({ logger: silentLogger });
 * const echo = spawnActor(system, {
 *   name: "echo",
 *   initialState: null,
 *   handle: (s: null, msg: Ping, ctx) => (ctx.tell(msg.replyTo, "pong"), s),
 *   supervision: "resume",
 * });
 * const answer = await ask<string, Ping>(system, echo, (replyTo) => ({ type: "Ping", replyTo }), 1000);
 * console.assert(answer === "pong");
 * await stopSystem(system);
 * ```
 */
export function ask<R, M>(
  system: System,
  to: Ref<M>,
  build: (replyTo: Ref<R>) => M,
  timeoutMs: number,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const replyTo = spawnActor<null, R>(system, {
      name: `ask-${++askCount}`,
      initialState: null,
      supervision: "stop",
      handle: (state, reply, ctx) => {
        if (settled) return state;
        settled = true;
        system.clock.clearTimeout(timer);
        stopActor(ctx.self);
        resolve(reply);
        return state;
      },
    });
    let msg: M;
    try {
      msg = build(replyTo);
    } catch (error) {
      stopActor(replyTo);
      throw error;
    }
    const timer = system.clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      stopActor(replyTo);
      reject(new AskTimeoutError(to.path, messageType(msg), timeoutMs));
    }, timeoutMs);
    tell(replyTo, to, msg);
  });
}
