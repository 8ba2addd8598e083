/**
 * The controller's completions actor: the thin shell over `completions_fsm.ts`. The
 * bridge delivers every acknowledgement from `completed<cid>` to it as `AckReceived`;
 * it answers blocking waiters, frees concurrency slots (`onSlotFreed`) and stores the
 * forced-completion record through the injected `storeActivation` (insert-if-absent).
 *
 * Mirrors the `completed<cid>` consumer and the activation promises of
 * `core/controller/.../loadBalancer/CommonLoadBalancer.scala` and `FPCPoolBalancer.scala`.
 *
 * Supervision: `restart`. The shell remembers the entries and the unstored
 * forced-completion records after every message; the policy hands them to the new
 * incarnation (`Restored`), which stashes everything until then, re-arms each
 * forced-completion and wait timer with the time left and stores the unstored records
 * again, so every accepted activation still ends with a record and every waiter is
 * still answered.
 *
 * @module
 */
import type { WhiskActivation } from "../../protocols/mod.ts";
import type { CompletionsCommand } from "../../protocols/completions.ts";
import {
  type ActorContext,
  type Parent,
  type Ref,
  spawnFsm,
  tell,
} from "../../runtime/actors/mod.ts";
import {
  type CompletionEntry,
  type CompletionsEffect,
  type CompletionsMsg,
  type CompletionsState,
  completionsTransition,
  initialCompletionsState,
  type SlotFreedReason,
  type UnstoredRecord,
} from "./completions_fsm.ts";

/** What the completions actor needs from outside. */
export interface CompletionsDeps {
  /** Stores a record unless one with its id exists (the entity store's `putActivation`). */
  storeActivation(record: WhiskActivation): Promise<"inserted" | "exists">;
  /** An entry ended: free its concurrency slot and tell the pool balancer. */
  onSlotFreed(entry: CompletionEntry, reason: SlotFreedReason): void;
}

/** Options of {@link spawnCompletions}. */
export interface CompletionsOptions {
  /** Actor name (default `completions`). */
  readonly name?: string;
}

/**
 * Spawns the completions actor under `parent`.
 *
 * @returns its ref, typed to the public protocol
 * @example
 * ```ts
 * import { startSystem, stopSystem } from "../../runtime/actors/mod.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { spawnCompletions } from "./completions.ts";
 * const system = startSystem({ logger: silentLogger });
 * spawnCompletions(system, {
 *   storeActivation: () => Promise.resolve("inserted"),
 *   onSlotFreed: () => {},
 * });
 * await stopSystem(system);
 * ```
 */
export function spawnCompletions(
  parent: Parent,
  deps: CompletionsDeps,
  options: CompletionsOptions = {},
): Ref<CompletionsCommand> {
  let remembered: {
    readonly entries: readonly CompletionEntry[];
    readonly unstored: readonly UnstoredRecord[];
  } = { entries: [], unstored: [] };

  const perform = (effect: CompletionsEffect, ctx: ActorContext<CompletionsMsg>) => {
    switch (effect.type) {
      case "StoreRecord": {
        const { activationId } = effect.record;
        return ctx.pipeToSelf(
          deps.storeActivation(effect.record),
          (outcome) => ({ type: "RecordStored", activationId, outcome }),
          (error) => ({ type: "RecordStoreFailed", activationId, error }),
        );
      }
      case "SlotFreed":
        try {
          return deps.onSlotFreed(effect.entry, effect.reason);
        } catch (error) {
          return ctx.logger.error("onSlotFreed threw", {
            activationId: effect.entry.activationId,
            error,
          });
        }
      case "Log":
        return ctx.logger[effect.level](effect.msg, effect.meta);
    }
  };

  const ref: Ref<CompletionsMsg> = spawnFsm<CompletionsState, CompletionsMsg, CompletionsEffect>(
    parent,
    {
      name: options.name ?? "completions",
      initialState: initialCompletionsState,
      transition: (state, msg, now) => {
        const step = completionsTransition(state, msg, now);
        if (step.next.name === "Running") {
          remembered = {
            entries: [...step.next.entries.values()],
            unstored: [...step.next.unstored.values()],
          };
        }
        return step;
      },
      perform,
      supervision: () => {
        tell(ref, ref, { type: "Restored", ...remembered });
        return "restart";
      },
    },
  );
  tell(ref, ref, { type: "Restored", entries: [] });
  return ref as Ref<CompletionsCommand>;
}
