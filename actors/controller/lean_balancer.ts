/**
 * The controller's LeanBalancer: the thin shell over `lean_balancer_fsm.ts`. It reads
 * the full action of each published activation through the injected `loadAction`
 * (piped back as a message, never awaited in the handler) and tells the in-process
 * ContainerPool `Run`; the pool's proxies complete the activation through the lean
 * wiring's in-process ack and record sinks.
 *
 * Mirrors `core/controller/.../loadBalancer/LeanBalancer.scala`; differences: see
 * `lean_balancer_fsm.ts`.
 *
 * Supervision: `restart`. The new incarnation starts empty and `Running`: activations
 * pushed by the old one are no longer counted, but they still end through the pool and
 * the completions actor (or its forced-completion record), which are unaffected.
 *
 * @module
 */
import { errorMessage } from "../../runtime/log.ts";
import type { FullyQualifiedEntityName, WhiskAction } from "../../protocols/mod.ts";
import type { ContainerPoolCommand } from "../../protocols/container_pool.ts";
import { type ActorContext, type Parent, type Ref, spawnFsm } from "../../runtime/actors/mod.ts";
import {
  initialLeanBalancerState,
  type LeanBalancerEffect,
  type LeanBalancerMsg,
  type LeanBalancerState,
  leanBalancerTransition,
} from "./lean_balancer_fsm.ts";
import type { LeanBalancerCommand } from "./lean_balancer_protocol.ts";

/** What the LeanBalancer needs from outside. */
export interface LeanBalancerDeps {
  /** The in-process ContainerPool that runs the activations. */
  readonly pool: Ref<ContainerPoolCommand>;
  /**
   * Reads the action with its code at `revision` (the store falls back to the latest
   * when that revision is gone); undefined when the action does not exist.
   */
  loadAction(fqn: FullyQualifiedEntityName, revision: string): Promise<WhiskAction | undefined>;
}

/** Options of {@link spawnLeanBalancer}. */
export interface LeanBalancerOptions {
  /** The local invoker's id, as `GetInvokerHealth` reports it. */
  readonly invokerId: number;
  /** Cluster name of the leader keys (default `whisk`). */
  readonly cluster?: string;
  /** Actor name (default `lean-balancer`). */
  readonly name?: string;
}

/**
 * Spawns the LeanBalancer under `parent`.
 *
 * @returns its ref, typed to its public protocol (a superset of the pool balancer's)
 * @example
 * ```ts ignore
 * const balancer = spawnLeanBalancer(system, { pool, loadAction }, { invokerId: 0 });
 * ```
 */
export function spawnLeanBalancer(
  parent: Parent,
  deps: LeanBalancerDeps,
  options: LeanBalancerOptions,
): Ref<LeanBalancerCommand> {
  const perform = (effect: LeanBalancerEffect, ctx: ActorContext<LeanBalancerMsg>) => {
    switch (effect.type) {
      case "LoadAction": {
        const { request } = effect;
        const { action, revision } = request.activation;
        const read = Promise.resolve().then(() => deps.loadAction(action, revision));
        return ctx.pipeToSelf(
          read,
          (loaded): LeanBalancerMsg =>
            loaded
              ? { type: "ActionLoaded", request, action: loaded }
              : { type: "ActionLoadFailed", request, reason: "the action does not exist" },
          (error): LeanBalancerMsg => ({
            type: "ActionLoadFailed",
            request,
            reason: errorMessage(error),
          }),
        );
      }
      case "Log":
        return ctx.logger[effect.level](effect.msg, effect.meta);
    }
  };
  return spawnFsm<LeanBalancerState, LeanBalancerMsg, LeanBalancerEffect>(parent, {
    name: options.name ?? "lean-balancer",
    initialState: initialLeanBalancerState,
    transition: leanBalancerTransition({
      pool: deps.pool,
      invokerId: options.invokerId,
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    }),
    perform,
    supervision: "restart",
  }) as Ref<LeanBalancerCommand>;
}
