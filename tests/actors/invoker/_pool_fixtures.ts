/**
 * Fixtures for the pool and health manager tests: actions, creation and deletion
 * messages, fake containers, proxy data, and a pure-pool driver.
 *
 * @module
 */
import type {
  ContainerCreationMessage,
  ContainerDeletionMessage,
} from "../../../protocols/container.ts";
import type { Container } from "../../../protocols/container_runtime.ts";
import type {
  InitializedData,
  PreWarmData,
  WarmData,
} from "../../../protocols/function_pulling_container_proxy.ts";
import type { Identity } from "../../../protocols/identity.ts";
import { invokerInstance, schedulerInstance } from "../../../protocols/instance_id.ts";
import type { Ref } from "../../../protocols/ref.ts";
import type { ActivationClientProxyCommand } from "../../../protocols/activation_client_proxy.ts";
import { startTransaction, transactionId } from "../../../protocols/transaction_id.ts";
import { actionMetaData, type WhiskAction } from "../../../protocols/whisk_action.ts";
import type { ActivationMessage } from "../../../protocols/activation.ts";
import { controllerInstance } from "../../../protocols/instance_id.ts";
import { poolConfig } from "../../../actors/invoker/function_pulling_container_pool.ts";
import {
  type PoolInput,
  poolTransition,
} from "../../../actors/invoker/function_pulling_container_pool_fsm.ts";
import {
  initialPoolState,
  type PoolConfig,
  type PoolState,
} from "../../../actors/invoker/function_pulling_container_pool_state.ts";
import type { FunctionPullingContainerPoolOptions } from "../../../actors/invoker/function_pulling_container_pool.ts";

export const INVOKER = invokerInstance(0, 1024);

export const USER: Identity = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502", key: "k".repeat(64) },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** An action in `guest`. */
export function action(
  name: string,
  memory = 256,
  kind: "nodejs:20" | "python:3" = "nodejs:20",
): WhiskAction {
  return {
    namespace: "guest",
    name,
    exec: { kind, code: "function main(p) { return p; }", binary: false },
    parameters: [],
    limits: { timeout: 60_000, memory, logs: 10, concurrency: 1 },
    version: "0.0.1",
    publish: false,
    annotations: [],
  };
}

let creationSeq = 0;

/** A creation message for `a` at `revision`. */
export function creation(a: WhiskAction, revision = "1-a", sid = "0"): ContainerCreationMessage {
  return {
    type: "ContainerCreationMessage",
    transid: startTransaction(transactionId("tid-creation"), 1_000),
    invocationNamespace: "guest",
    action: { path: a.namespace, name: a.name, version: a.version },
    revision,
    whiskActionMetaData: actionMetaData(a),
    rootSchedulerIndex: schedulerInstance(sid),
    schedulerHost: "127.0.0.1",
    rpcPort: 13001,
    retryCount: 0,
    creationId: `creation${++creationSeq}`,
  };
}

/** A deletion message for `a` up to `revision`. */
export function deletion(a: WhiskAction, revision: string): ContainerDeletionMessage {
  return {
    type: "ContainerDeletionMessage",
    transid: startTransaction(transactionId("tid-deletion"), 1_000),
    invocationNamespace: "guest",
    action: { path: a.namespace, name: a.name, version: a.version },
    revision,
    whiskActionMetaData: actionMetaData(a),
  };
}

/** A container whose `destroy` is counted. */
export interface FakeContainer extends Container {
  readonly destroyed: number;
}

/** A fake container. */
export function fakeContainer(id: string, kind = "nodejs:20"): FakeContainer {
  let destroyed = 0;
  const fail = () => Promise.reject(new Error("fake container"));
  return {
    id,
    kind,
    initialize: fail,
    run: fail,
    logMark: () => ({ stdout: 0, stderr: 0 }),
    logs: () => Promise.resolve([]),
    pause: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    destroy: () => {
      destroyed++;
      return Promise.resolve();
    },
    exited: false,
    get destroyed() {
      return destroyed;
    },
  } as FakeContainer;
}

const NO_CLIENT = { path: "test://client" } as unknown as Ref<ActivationClientProxyCommand>;

/** `WarmData` of `a` at `revision`. */
export function warmData(
  a: WhiskAction,
  revision = "1-a",
  lastUsed = 0,
  c = fakeContainer("c"),
): WarmData {
  return {
    type: "WarmData",
    container: c,
    invocationNamespace: "guest",
    action: a,
    revision,
    lastUsed,
    clientProxy: NO_CLIENT,
  };
}

/** `InitializedData` of `a` at `revision`. */
export function initializedData(
  a: WhiskAction,
  revision = "1-a",
  c = fakeContainer("c"),
): InitializedData {
  return {
    type: "InitializedData",
    container: c,
    invocationNamespace: "guest",
    action: a,
    revision,
    clientProxy: NO_CLIENT,
  };
}

/** `PreWarmData`. */
export function preWarmData(kind = "nodejs:20", memoryMb = 256, expiresAt?: number): PreWarmData {
  return {
    type: "PreWarmData",
    container: fakeContainer("pw", kind),
    kind,
    memoryMb,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** An activation message for `a`. */
export function activationMessage(a: WhiskAction, id = "a".repeat(32)): ActivationMessage {
  return {
    type: "ActivationMessage",
    transid: startTransaction(transactionId("tid-activation"), 1_000),
    action: { path: a.namespace, name: a.name, version: a.version },
    revision: "1-a",
    user: USER,
    activationId: id,
    rootControllerIndex: controllerInstance(0),
    blocking: true,
    initArgs: [],
    lockedArgs: {},
  };
}

/** A pool config with test-friendly defaults. */
export function testConfig(options: Partial<FunctionPullingContainerPoolOptions> = {}): PoolConfig {
  return poolConfig({ invoker: INVOKER, random: () => 0, ...options });
}

/** Drives the pure pool: keeps the state, returns each step's effects. */
export class PoolDriver {
  state: PoolState = initialPoolState;
  readonly #transition: ReturnType<typeof poolTransition>;

  constructor(readonly config: PoolConfig = testConfig(), boot = true) {
    this.#transition = poolTransition(config);
    if (boot) this.send({ type: "StateTimeout" });
  }

  /** Feeds `msg` at `now`; returns the effects. */
  send(msg: PoolInput, now = 1_000): readonly { readonly type: string }[] {
    const step = this.#transition(this.state, msg, now);
    this.state = step.next;
    return step.effects;
  }

  /** Feeds a proxy event from `id`. */
  event(id: string, event: Record<string, unknown> & { type: string }, now = 1_000) {
    return this.send(
      { type: "ProxyEvent", id, event: { proxy: NO_CLIENT as unknown, ...event } as never },
      now,
    );
  }
}

/** Effects of one type. */
export function ofType<T extends { readonly type: string }>(
  effects: readonly T[],
  type: string,
): T[] {
  return effects.filter((e) => e.type === type);
}
