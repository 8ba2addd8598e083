/**
 * `ask()`: request-reply for the edges (HTTP handlers, tests). Mirrors Pekko's `ask`
 * pattern and nact's `query`; differences: the reply address is a registered reply ref
 * (so replying goes through `tell()`, is traced, and a reply after the ask ended counts
 * as a dead letter) that hands the reply straight to the waiting promise, without
 * spawning an actor; the timeout runs on the system clock; the error names the target,
 * the message type and the timeout; a caller may take a reply that comes after the
 * timeout (`onLateReply`), e.g. to hand back work nobody waits for any more.
 * Inside actors, put `replyTo` in the message instead (STYLE practice 4).
 *
 * @module
 */
import { messageType } from "./_message_meta.ts";
import { openReplyRef } from "./_reply_ref.ts";
import { AskTimeoutError } from "./errors.ts";
import type { Ref } from "./ref.ts";
import type { System } from "./system.ts";
import { tell } from "./tell.ts";

/** Options of {@link ask}. */
export interface AskOptions<R> {
  /**
   * Receives the first reply that arrives after the timeout, within
   * `lateReplyWindowMs`; e.g. an activation a fetch no longer waits for, to hand it
   * back. Without it a late reply is a dead letter.
   */
  readonly onLateReply?: (reply: R) => void;
  /** How long after the timeout a reply still reaches `onLateReply` (default 10 s). */
  readonly lateReplyWindowMs?: number;
}

/** Raised when the system stops while an ask waits. */
export class AskAbortedError extends Error {
  override readonly name = "AskAbortedError";
  readonly retryable = false;
  constructor(readonly target: string, readonly messageType: string | undefined) {
    super(`Ask to "${target}" with message "${messageType ?? "(untyped)"}" ended: system stopped`);
  }
}

/**
 * Sends `build(replyTo)` to `to` and resolves with the first message sent to `replyTo`,
 * or rejects with {@link AskTimeoutError} after `timeoutMs` on the system clock (with
 * {@link AskAbortedError} if the system stops first). The reply ref is released either
 * way; later replies count as dead letters (or reach `options.onLateReply`).
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
  options: AskOptions<R> = {},
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let phase: "waiting" | "late" | "done" = "waiting";
    let msg: M | undefined;
    let timer: number | undefined;
    const finish = () => {
      phase = "done";
      if (timer !== undefined) system.clock.clearTimeout(timer);
      timer = undefined;
      reply.release();
    };
    const reply = openReplyRef<R>(system, "ask", (answer) => {
      if (phase === "waiting") {
        finish();
        resolve(answer);
      } else if (phase === "late") {
        finish();
        options.onLateReply?.(answer);
      }
    }, () => {
      if (phase === "done") return;
      const wasWaiting = phase === "waiting";
      phase = "done";
      if (timer !== undefined) system.clock.clearTimeout(timer);
      if (wasWaiting) reject(new AskAbortedError(to.path, messageType(msg)));
    });
    try {
      msg = build(reply.ref);
    } catch (error) {
      finish();
      throw error;
    }
    const sent = msg;
    timer = system.clock.setTimeout(() => {
      timer = undefined;
      if (phase !== "waiting") return;
      reject(new AskTimeoutError(to.path, messageType(sent), timeoutMs));
      if (!options.onLateReply) return finish();
      phase = "late";
      timer = system.clock.setTimeout(finish, options.lateReplyWindowMs ?? 10_000);
    }, timeoutMs);
    tell(reply.ref, to, sent);
  });
}
