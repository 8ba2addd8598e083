/**
 * A group actor: a named node of the supervision tree that only parents other actors
 * (a role's root, `scheduler0`, `invoker0`, `controller0`), so one process can run
 * several roles without name clashes and the console shows one subtree per role.
 * Mirrors the role of Pekko's user guardian children in upstream's roles.
 *
 * @module
 */
import type { AnyRef } from "./ref.ts";
import { type Parent, spawnActor } from "./spawn_actor.ts";

/**
 * Spawns a group named `name` under `parent`; it accepts no messages of its own.
 *
 * @example
 * ```ts
 * import { silentLogger } from "../log.ts";
 * import { spawnGroup, startSystem, stopSystem } from "./mod.ts";
 * const system = startSystem({ logger: silentLogger });
 * const scheduler = spawnGroup(system, "scheduler0");
 * console.assert(scheduler.path.endsWith("scheduler0"));
 * await stopSystem(system);
 * ```
 */
export function spawnGroup(parent: Parent, name: string): AnyRef {
  return spawnActor<undefined, never>(parent, {
    name,
    initialState: undefined,
    supervision: "resume",
    handle: (state, _msg, ctx) => {
      ctx.logger.warn("a group actor received a message; groups take none", { group: name });
      return state;
    },
  });
}
