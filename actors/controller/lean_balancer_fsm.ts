/**
 * The LeanBalancer's pure transition: a `PublishActivation` asks the shell to read the
 * full action (code included) at the activation's revision; once read, a `Run` goes to
 * the in-process ContainerPool and the publisher is answered `Published`. In-flight
 * activations are counted until the completions actor reports them finished. Health
 * answers the one local invoker; draining refuses new work.
 *
 * Mirrors `publish` and `invokerHealth` of `core/controller/.../loadBalancer/LeanBalancer.scala`
 * with the action read of `InvokerReactive.scala` (`WhiskAction.get` by revision);
 * differences: the action is read before the publisher is answered, so an action gone
 * from the store is a 503 rejection (no activation, no record) rather than an error
 * record written by the invoker.
 *
 * @module
 */
import { fqnString, queueLeaderKey, type WhiskAction } from "../../protocols/mod.ts";
import type { ContainerPoolCommand } from "../../protocols/container_pool.ts";
import type {
  ClusterViewReport,
  InvokerHealthReport,
  PublishActivation,
  PublishOutcome,
} from "../../protocols/pool_balancer.ts";
import { type FsmEffect, type Ref, send, type Step } from "../../runtime/actors/mod.ts";
import {
  LEAN_SID,
  type LeanBalancerCommand,
  type LeanBalancerStatus,
} from "./lean_balancer_protocol.ts";

/** The LeanBalancer's state. */
export interface LeanBalancerState {
  readonly name: "Running" | "Draining";
  /** Activation id → its queue leader key (the key the completions actor reports). */
  readonly inFlight: ReadonlyMap<string, string>;
  readonly pushed: number;
}

/** The state at start. */
export const initialLeanBalancerState: LeanBalancerState = {
  name: "Running",
  inFlight: new Map(),
  pushed: 0,
};

/** Messages the shell sends the actor (results of the action read). */
export type LeanBalancerInternal =
  | {
    readonly type: "ActionLoaded";
    readonly request: PublishActivation;
    readonly action: WhiskAction;
  }
  | {
    readonly type: "ActionLoadFailed";
    readonly request: PublishActivation;
    readonly reason: string;
  };

/** Everything the transition handles. */
export type LeanBalancerMsg = LeanBalancerCommand | LeanBalancerInternal;

/** The LeanBalancer's own effects. */
export type LeanBalancerEffect =
  /** Read the full action of `request` at its revision; answer with `LeanBalancerInternal`. */
  | { readonly type: "LoadAction"; readonly request: PublishActivation }
  | {
    readonly type: "Log";
    readonly level: "debug" | "warn";
    readonly msg: string;
    readonly meta: Readonly<Record<string, unknown>>;
  };

/** Fixed settings of the transition. */
export interface LeanBalancerConfig {
  /** The in-process ContainerPool. */
  readonly pool: Ref<ContainerPoolCommand>;
  /** The local invoker's id, as health reports it. */
  readonly invokerId: number;
  /** Cluster name of the leader keys (default `whisk`). */
  readonly cluster?: string;
}

type Effect = FsmEffect<LeanBalancerMsg> | LeanBalancerEffect;
type LeanStep = Step<LeanBalancerState, LeanBalancerMsg, LeanBalancerEffect>;

const stay = (state: LeanBalancerState, ...effects: Effect[]): LeanStep => ({
  next: state,
  effects,
});

function rejected(request: PublishActivation, message: string): Effect {
  const outcome: PublishOutcome = {
    type: "PublishRejected",
    activationId: request.activation.activationId,
    status: 503,
    message,
  };
  return send(request.replyTo, outcome);
}

/** The rejection's message once the balancer drains (the platform is stopping). */
export const DRAINING_MESSAGE = "The controller is shutting down; the activation was not started.";

function pushed(
  config: LeanBalancerConfig,
  state: LeanBalancerState,
  request: PublishActivation,
  action: WhiskAction,
): LeanStep {
  const msg = request.activation;
  if (state.name === "Draining") return stay(state, rejected(request, DRAINING_MESSAGE));
  const leaderKey = queueLeaderKey(msg.user.namespace.name, msg.action, config.cluster);
  const inFlight = new Map(state.inFlight).set(msg.activationId, leaderKey);
  const published: PublishOutcome = {
    type: "Published",
    activationId: msg.activationId,
    sid: LEAN_SID,
  };
  return {
    next: { ...state, inFlight, pushed: state.pushed + 1 },
    effects: [
      send(config.pool, { type: "Run", action, msg }),
      send(request.replyTo, published),
    ],
  };
}

function loadFailed(state: LeanBalancerState, request: PublishActivation, reason: string) {
  const path = fqnString(request.activation.action);
  return stay(
    state,
    rejected(request, `The action ${path} could not be read: ${reason}`),
    {
      type: "Log",
      level: "warn",
      msg: "action read failed; activation rejected",
      meta: { activationId: request.activation.activationId, action: path, reason },
    },
  );
}

function health(config: LeanBalancerConfig, state: LeanBalancerState): InvokerHealthReport {
  const status = state.name === "Running" ? "Healthy" : "Offline";
  return { type: "InvokerHealthReport", invokers: [{ id: config.invokerId, status }] };
}

function clusterView(state: LeanBalancerState): ClusterViewReport {
  const inFlight: Record<string, number> = {};
  for (const key of state.inFlight.values()) inFlight[key] = (inFlight[key] ?? 0) + 1;
  return { type: "ClusterView", schedulers: [], leaders: {}, creating: {}, inFlight };
}

function status(state: LeanBalancerState): LeanBalancerStatus {
  return {
    type: "LeanBalancerStatus",
    state: state.name,
    inFlight: state.inFlight.size,
    pushed: state.pushed,
  };
}

function finished(state: LeanBalancerState, activationId: string): LeanStep {
  if (!state.inFlight.has(activationId)) {
    return stay(state, {
      type: "Log",
      level: "debug",
      msg: "finished activation was not in flight",
      meta: { activationId },
    });
  }
  const inFlight = new Map(state.inFlight);
  inFlight.delete(activationId);
  return { next: { ...state, inFlight }, effects: [] };
}

/**
 * Builds the transition for `config`.
 *
 * @example
 * ```ts ignore
 * const step = leanBalancerTransition({ pool, invokerId: 0 })(initialLeanBalancerState, msg, now);
 * ```
 */
export function leanBalancerTransition(config: LeanBalancerConfig) {
  return (state: LeanBalancerState, msg: LeanBalancerMsg, _now: number): LeanStep => {
    switch (msg.type) {
      case "PublishActivation":
        return state.name === "Draining"
          ? stay(state, rejected(msg, DRAINING_MESSAGE))
          : stay(state, { type: "LoadAction", request: msg });
      case "ActionLoaded":
        return pushed(config, state, msg.request, msg.action);
      case "ActionLoadFailed":
        return loadFailed(state, msg.request, msg.reason);
      case "ActivationFinished":
        return finished(state, msg.activationId);
      case "GetInvokerHealth":
        return stay(state, send(msg.replyTo, health(config, state)));
      case "GetClusterView":
        return stay(state, send(msg.replyTo, clusterView(state)));
      case "GetLeanBalancerStatus":
        return stay(state, send(msg.replyTo, status(state)));
      case "DrainLeanBalancer":
        return { next: { ...state, name: "Draining" }, effects: [] };
      case "CreateQueueResponse":
        return stay(state, { type: "unhandled" });
    }
  };
}
