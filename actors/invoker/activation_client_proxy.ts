/**
 * The ActivationClientProxy actor shell: per message it runs the pure transition of
 * `activation_client_proxy_fsm.ts`, commits the state, traces the transition (the FSM
 * kit does both) and performs the effects through `activation_client_proxy_effects.ts`.
 *
 * Mirrors `core/invoker/.../containerpool/v2/ActivationClientProxy.scala` (its `props`);
 * see the FSM and effects files for the differences.
 * Supervision: stop (ARCHITECTURE); the container proxy sees a stopped client as closed.
 *
 * @module
 */

import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
} from "../../protocols/activation_client_proxy.ts";
import { type Ref, spawnFsm } from "../../runtime/actors/mod.ts";
import {
  type ActivationClientProxyDeps,
  type ActivationClientProxyOptions,
  performClientEffect,
} from "./activation_client_proxy_effects.ts";
import {
  type ClientEffect,
  type ClientMsg,
  type ClientState,
  clientTransition,
  initialClientState,
} from "./activation_client_proxy_fsm.ts";

export {
  type ActivationClientProxyDeps,
  type ActivationClientProxyOptions,
  QueueLeaderNotFoundError,
} from "./activation_client_proxy_effects.ts";

/**
 * Spawns the client proxy under its container proxy; every event goes to `parent`.
 *
 * @param parent the container proxy
 * @param deps client factory and leader lookup
 * @param options the queue and the container
 * @returns the client proxy's ref (public commands only)
 */
export function spawnActivationClientProxy(
  parent: Ref<ActivationClientProxyEvent>,
  deps: ActivationClientProxyDeps,
  options: ActivationClientProxyOptions,
): Ref<ActivationClientProxyCommand> {
  const transition = clientTransition({
    parent,
    endpoint: { host: options.schedulerHost, rpcPort: options.rpcPort },
  });
  return spawnFsm<ClientState, ClientMsg, ClientEffect>(parent, {
    name: options.name ?? "activation-client",
    initialState: initialClientState,
    transition,
    perform: (effect, ctx) => performClientEffect(effect, ctx, deps, options),
    supervision: "stop",
  });
}
