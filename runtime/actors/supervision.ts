/**
 * Supervision: the explicit policy every actor is spawned with, and the nact `onCrash`
 * adapter that applies it. Mirrors Pekko's `SupervisorStrategy` (restart, stop, resume,
 * escalate) on nact's `lib/supervision.js` decisions; differences: the policy belongs to
 * the failing actor (not its parent), every crash is logged through our logger (nact's
 * default prints with `console.log`), and a stop turns the messages left in the mailbox
 * into counted dead letters.
 *
 * @module
 */
import type { SupervisionContext } from "nact";
import type { Logger } from "../log.ts";
import { messageMeta } from "./_message_meta.ts";
import type { ActorSystem } from "./system.ts";
import { TimerTick } from "./timers.ts";

/**
 * What to do with an actor whose handler threw:
 * - `restart`: fresh initial state, timers cancelled, children stopped; siblings and the
 *   rest of the mailbox carry on.
 * - `stop`: the actor and its children stop; queued messages become dead letters.
 * - `resume`: keep the state and skip the failed message.
 * - `escalate`: fail the parent, whose own policy then applies to the parent (a
 *   top-level actor that escalates is stopped).
 */
export type SupervisionDecision = "restart" | "stop" | "resume" | "escalate";

/** What a custom decider learns about a crash. */
export interface CrashInfo {
  /** Path of the actor the policy belongs to. */
  readonly path: string;
  readonly error: unknown;
  /** The message being handled when the error was thrown, when there was one. */
  readonly message: unknown;
  /** Set when a child escalated: the failed child's path. */
  readonly escalatedFrom?: string;
}

/** A fixed decision, or a function choosing one per crash. */
export type SupervisionPolicy = SupervisionDecision | ((crash: CrashInfo) => SupervisionDecision);

/** Lifecycle hooks the adapter calls; owned by the actor shell. */
export interface SupervisedActor {
  readonly path: string;
  readonly isTopLevel: boolean;
  readonly policy: SupervisionPolicy;
  readonly system: ActorSystem;
  readonly logger: Logger;
  /** Called before nact resets the actor's state. */
  readonly onRestart: () => void;
}

type NactCrashHandler = (
  msg: unknown,
  error: Error | undefined,
  ctx: SupervisionContext<unknown, never>,
  child: { path: { toString(): string } } | undefined,
) => symbol;

function decide(actor: SupervisedActor, crash: CrashInfo): SupervisionDecision {
  const decision = typeof actor.policy === "function" ? actor.policy(crash) : actor.policy;
  return decision === "escalate" && actor.isTopLevel ? "stop" : decision;
}

/** Builds the nact `onCrash` function applying `actor.policy`. Internal to the kit. */
export function crashHandler(actor: SupervisedActor): NactCrashHandler {
  return (msg, error, ctx, child) => {
    const escalatedFrom = child?.path.toString();
    const crash: CrashInfo = {
      path: actor.path,
      error,
      message: msg instanceof TimerTick ? msg.msg : msg,
      ...(escalatedFrom === undefined ? {} : { escalatedFrom }),
    };
    let decision: SupervisionDecision;
    try {
      decision = decide(actor, crash);
    } catch (deciderError) {
      actor.logger.error("supervision decider threw; stopping", { error: deciderError });
      decision = "stop";
    }
    const meta = { ...messageMeta(msg), error, decision, ...(child ? { escalatedFrom } : {}) };
    actor.logger.error(child ? "child failure escalated" : "actor crashed", meta);
    const registry = actor.system.registry;
    switch (decision) {
      case "restart":
        registry.removeSubtree(actor.path, true);
        actor.onRestart();
        return ctx.reset as symbol;
      case "stop":
        for (const queued of ctx.mailbox as unknown as { message: unknown }[]) {
          if (queued.message instanceof TimerTick) continue;
          actor.system.deadLetter(actor.path, actor.path, queued.message, "stopped after a crash");
        }
        registry.removeSubtree(actor.path);
        return ctx.stop as symbol;
      case "resume":
        if (!escalatedFrom) return ctx.resume as symbol;
        // The failed child is stuck mid-message: stop it, keep this actor as it is.
        registry.removeSubtree(escalatedFrom);
        return ctx.stopChild as symbol;
      case "escalate":
        return ctx.escalate as symbol;
    }
  };
}
