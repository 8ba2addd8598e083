/**
 * Fixtures of the controller balancing tests: an identity, an action, scheduler and
 * invoker values as schedulers and invokers publish them, a recording `publish`, and
 * a pool-balancer harness on the in-memory store and a manual clock.
 *
 * @module
 */
import {
  actionMetaData,
  type ActivationMessage,
  controllerInstance,
  DEFAULT_ACTION_LIMITS,
  encodeInvokerResourceMessage,
  encodeSchedulerStates,
  fqn,
  type Identity,
  type InvokerStatus,
  schedulerInstance,
  startTransaction,
  transactionId,
  type WhiskAction,
  type WireMessage,
} from "../../../protocols/mod.ts";
import type { PublishOutcome } from "../../../protocols/pool_balancer.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import {
  type PoolBalancerOptions,
  type PublishEnvelope,
  spawnPoolBalancer,
} from "../../../actors/controller/pool_balancer.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";

/** A caller in namespace `ns`. */
export function identity(ns = "guest", limits: Identity["limits"] = {}): Identity {
  return {
    subject: ns,
    namespace: { name: ns, uuid: `${ns}-uuid` },
    authkey: { uuid: `${ns}-uuid`, key: "k".repeat(64) },
    rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
    limits,
  };
}

/** A nodejs action `ns/name`. */
export function action(name = "hello", ns = "guest", timeout = 60_000): WhiskAction {
  return {
    namespace: ns,
    name,
    exec: { kind: "nodejs:20", code: "function main(){return {}}", binary: false },
    parameters: [{ key: "greeting", value: "hi", init: true }],
    limits: { ...DEFAULT_ACTION_LIMITS, timeout },
    version: "0.0.1",
    publish: false,
    annotations: [],
  };
}

/** An activation of `a` by `who` (id derived from `n`). */
export function activationOf(
  a: WhiskAction,
  n: number,
  who = identity(a.namespace),
): ActivationMessage {
  return {
    type: "ActivationMessage",
    transid: startTransaction(transactionId(`tid${n}`), 1_000),
    action: fqn(a.namespace, a.name, a.version),
    revision: "1-abc",
    user: who,
    activationId: n.toString(16).padStart(32, "0"),
    rootControllerIndex: controllerInstance(0),
    blocking: false,
    initArgs: [],
    lockedArgs: {},
  };
}

/** Endpoints of scheduler `sid` on one host. */
export function endpointsOf(sid: number) {
  return { host: "127.0.0.1", rpcPort: 13001 + sid };
}

/** The value of `whisk/scheduler/<sid>`. */
export function schedulerValue(sid: number, queueSize: number): string {
  return encodeSchedulerStates({
    sid: schedulerInstance(sid),
    queueSize,
    endpoints: endpointsOf(sid),
  });
}

/** The value of a leader key held by scheduler `sid`. */
export function leaderValue(sid: number): string {
  return JSON.stringify(endpointsOf(sid));
}

/** The value of `whisk/invokers/<id>`. */
export function invokerValue(status: InvokerStatus): string {
  return encodeInvokerResourceMessage({
    status,
    freeMemory: 1024,
    busyMemory: 0,
    inProgressMemory: 0,
    tags: [],
    dedicatedNamespaces: [],
  });
}

/** One call of the recording publish. */
export interface Published {
  readonly topic: string;
  readonly to: string;
  readonly message: WireMessage;
  readonly envelope: PublishEnvelope;
}

/** A `publish` that records every call and fails for the topics in `failing`. */
export function recordingPublish() {
  const sent: Published[] = [];
  const failing = new Set<string>();
  const publish = (topic: string, to: string, message: WireMessage, envelope: PublishEnvelope) => {
    if (failing.has(topic)) return Promise.reject(new Error(`topic ${topic} is down`));
    sent.push({ topic, to, message, envelope });
    return Promise.resolve();
  };
  const ofType = (type: WireMessage["type"]) => sent.filter((p) => p.message.type === type);
  return { sent, failing, publish, ofType };
}

/** A pool balancer on a MemoryKv with `keys` put before it starts. */
export async function poolBalancerHarness(
  keys: Record<string, string> = {},
  options: Partial<PoolBalancerOptions> = {},
) {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock });
  for (const [key, value] of Object.entries(keys)) await kv.put(key, value);
  const recorder = recordingPublish();
  const balancer = spawnPoolBalancer(h.system, { kv, publish: recorder.publish }, {
    controllerId: "0",
    ...options,
  });
  await settle(h.system);
  const stopSystem = h[Symbol.asyncDispose];
  /** Publishes an activation of `a` and returns the outcome. */
  const publish = async (a: WhiskAction, n: number): Promise<PublishOutcome> => {
    const probe = createProbe<PublishOutcome>(h.system);
    tell(h.system, balancer.ref, {
      type: "PublishActivation",
      activation: activationOf(a, n),
      action: actionMetaData(a),
      replyTo: probe.ref,
    });
    return await probe.expectMessage(() => true);
  };
  return Object.assign(h, {
    kv,
    balancer,
    recorder,
    publish,
    [Symbol.asyncDispose]: async () => {
      await balancer.close();
      await stopSystem();
      await kv.close();
    },
  });
}
