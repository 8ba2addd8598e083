/**
 * Test fixtures for the container proxy and its activation client: an activation, an
 * action, a scripted in-memory `Container` (answers can be held to model long runs),
 * and a message-driven harness for the proxy shell (probes for the pool, the health
 * manager, the DMS and the client; the manual clock; the tracer for ordering).
 */
import {
  controllerInstance,
  decodeActivationMessage,
  decodeWhiskAction,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import type { AcknowledgementMessage, ActivationMessage } from "../../../protocols/activation.ts";
import type {
  ActivationClientProxyCommand,
  ActivationClientProxyEvent,
} from "../../../protocols/activation_client_proxy.ts";
import type { DataManagementCommand } from "../../../protocols/data_management_service.ts";
import type {
  FunctionPullingContainerProxyCommand,
  FunctionPullingContainerProxyEvent,
  HealthMessage,
  Initialize,
} from "../../../protocols/function_pulling_container_proxy.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import { startTransaction, transactionId } from "../../../protocols/transaction_id.ts";
import { actionMetaData } from "../../../protocols/whisk_action.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { type Ref, tell } from "../../../runtime/actors/mod.ts";
import type {
  CallResult,
  Container,
  CreateContainerOptions,
} from "../../../runtime/containers/container_factory.ts";
import {
  type FunctionPullingContainerProxyOptions,
  spawnFunctionPullingContainerProxy,
  type WarmedContainerLimit,
} from "../../../actors/invoker/function_pulling_container_proxy.ts";
import { type ActorHarness, actorHarness } from "../../_support/actor_harness.ts";
import { createProbe, type Probe } from "../../_support/probe.ts";
import { settle } from "../../_support/settle.ts";

const USER = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { api_key: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret" },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** An activation of guest/hello at revision 1-abc. */
export function activation(
  id = "0123456789abcdef0123456789abcdef",
  overrides: Record<string, unknown> = {},
): ActivationMessage {
  return decodeActivationMessage({
    transid: ["tid123", 1000],
    action: { path: "guest", name: "hello", version: "0.0.1" },
    revision: "1-abc",
    user: USER,
    activationId: id,
    rootControllerIndex: { asString: "0", instanceType: "controller" },
    blocking: true,
    content: { name: "x", secret: "s" },
    initArgs: ["secret"],
    lockedArgs: {},
    ...overrides,
  });
}

/** guest/hello, nodejs:20, with `limits` overrides. */
export function action(
  limits: Record<string, number> = {},
  annotations: unknown[] = [],
): WhiskAction {
  return decodeWhiskAction({
    namespace: "guest",
    name: "hello",
    exec: { kind: "nodejs:20", code: "function main(p){return p}", binary: false },
    parameters: [{ key: "p", value: 1, init: true }],
    limits: { concurrency: 1, logs: 10, memory: 256, timeout: 60000, ...limits },
    version: "0.0.1",
    publish: false,
    annotations,
  });
}

/** The controller of the fixtures. */
export const CONTROLLER = controllerInstance(0);

/** A 200 answer. */
export function ok(body: unknown, durationMs = 5): CallResult {
  return { ok: true, status: 200, body, sizeBytes: JSON.stringify(body).length, durationMs };
}

/** An answer the test settles later (a long `/init` or `/run`). */
export type Held = PromiseWithResolvers<CallResult>;

/** A scripted container: answers come from the queues, calls are recorded. */
export interface FakeContainer extends Container {
  /** `init`, `run <body>`, `logs <limitBytes>`, `pause`, `resume`, `destroy`, in order. */
  readonly calls: string[];
  readonly initAnswers: (CallResult | Held)[];
  readonly runAnswers: (CallResult | Held)[];
  logLines: string[] | Error;
  exited: boolean;
  /** Queues a held `/run` answer and returns it, to settle with `resolve(ok(...))`. */
  holdRun(): Held;
}

let seq = 0;

const answer = (next: CallResult | Held | undefined, fallback: CallResult) =>
  next === undefined
    ? Promise.resolve(fallback)
    : "promise" in next
    ? next.promise
    : Promise.resolve(next);

/** A fresh fake container. */
export function fakeContainer(kind = "nodejs:20"): FakeContainer {
  const calls: string[] = [];
  const initAnswers: (CallResult | Held)[] = [];
  const runAnswers: (CallResult | Held)[] = [];
  const c: FakeContainer = {
    id: `wsk0_fake${++seq}`,
    kind,
    calls,
    initAnswers,
    runAnswers,
    logLines: [],
    exited: false,
    initialize(body) {
      calls.push(`init ${JSON.stringify(body)}`);
      return answer(initAnswers.shift(), ok({ OK: true }));
    },
    run(body) {
      calls.push(`run ${JSON.stringify(body)}`);
      return answer(runAnswers.shift(), ok({ done: true }));
    },
    logMark: () => ({ stdout: 0, stderr: 0 }),
    logs(_since, limitBytes) {
      calls.push(`logs ${limitBytes}`);
      return c.logLines instanceof Error ? Promise.reject(c.logLines) : Promise.resolve(c.logLines);
    },
    pause() {
      calls.push("pause");
      return Promise.resolve();
    },
    resume() {
      calls.push("resume");
      return Promise.resolve();
    },
    destroy() {
      calls.push("destroy");
      return Promise.resolve();
    },
    holdRun() {
      const held = Promise.withResolvers<CallResult>();
      runAnswers.push(held);
      return held;
    },
  };
  return c;
}

/** The first word of each recorded call (`init`, `run`, `logs`, ...). */
export function callNames(c: FakeContainer): string[] {
  return c.calls.map((call) => call.split(" ")[0] ?? "");
}

/** An answer with another status (`503` asks to reschedule, `502` is a developer error). */
export function status(code: number, body: unknown = { error: "x" }): CallResult {
  return { ok: false, status: code, body, sizeBytes: 1, durationMs: 1 };
}

/** No answer: the container's process was gone before the request could be sent. */
export function unreachable(): CallResult {
  const failure = { type: "unreachable", message: "gone" } as const;
  return { ok: false, status: 0, body: { error: "gone" }, sizeBytes: 0, durationMs: 0, failure };
}

// ---- A message-driven harness for the container proxy shell -----------------------------

/** The deps a test may change before (or while) the proxy runs. */
export interface ScriptedDeps {
  /** What `getAction` returns (the document the run uses: limits, code). */
  action: WhiskAction;
  /** Replaces `getAction` (e.g. to hold the document back). */
  getAction?: () => Promise<WhiskAction>;
  countLiveContainers: () => Promise<number>;
  getWarmedContainerLimit: () => Promise<WarmedContainerLimit>;
  blocked: Set<string>;
}

/** Everything a proxy shell test handles. */
export interface ProxyHarness extends AsyncDisposable {
  readonly h: ActorHarness;
  readonly pool: Probe<FunctionPullingContainerProxyEvent>;
  readonly health: Probe<HealthMessage>;
  readonly dms: Probe<DataManagementCommand>;
  readonly client: Probe<ActivationClientProxyCommand>;
  readonly container: FakeContainer;
  readonly created: CreateContainerOptions[];
  readonly acks: AcknowledgementMessage[];
  readonly records: WhiskActivation[];
  readonly deps: ScriptedDeps;
  readonly proxy: Ref<FunctionPullingContainerProxyCommand>;
  /** The existing-container and warmed-container keys of the fake container. */
  readonly existingKey: string;
  readonly warmedKey: string;
  /** Tells the proxy one of its public commands. */
  send(msg: FunctionPullingContainerProxyCommand): void;
  /** Tells the proxy what its activation client would. */
  fromClient(msg: ActivationClientProxyEvent): void;
  /** Advances the manual clock, then lets the actors settle. */
  advance(ms: number): Promise<void>;
  /** `<target name>:<type>` of every message the proxy sent, in order. */
  sent(): string[];
  /** `from→to` of every state change of the proxy, in order. */
  transitions(): string[];
  /** Whether the proxy actor is still alive. */
  alive(): boolean;
}

/** guest/hello at 1-abc on scheduler 127.0.0.1:13001, answering creation `c1`. */
export function initialize(act: WhiskAction = action()): Initialize {
  return {
    type: "Initialize",
    invocationNamespace: "guest",
    action: actionMetaData(act),
    revision: "1-abc",
    schedulerHost: "127.0.0.1",
    rpcPort: 13001,
    tid: startTransaction(transactionId("t"), 0),
    creationId: "c1",
  };
}

/** Spawns a proxy under a pool probe, with probes for health, DMS and the client. */
export function proxyHarness(
  options: Partial<FunctionPullingContainerProxyOptions> = {},
  act: WhiskAction = action(),
  cluster = "whisk",
): ProxyHarness {
  const h = actorHarness();
  const pool = createProbe<FunctionPullingContainerProxyEvent>(h.system, "pool");
  const health = createProbe<HealthMessage>(h.system, "health");
  const dms = createProbe<DataManagementCommand>(h.system, "dms");
  const client = createProbe<ActivationClientProxyCommand>(h.system, "client");
  const container = fakeContainer();
  const created: CreateContainerOptions[] = [];
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  const deps: ScriptedDeps = {
    action: act,
    countLiveContainers: () => Promise.resolve(1),
    getWarmedContainerLimit: () => Promise.resolve({ count: 0, timeoutMs: 600_000 }),
    blocked: new Set(),
  };
  let clientParent: Ref<ActivationClientProxyEvent> | undefined;
  const proxy = spawnFunctionPullingContainerProxy(pool.ref, {
    createContainer: (o) => Promise.resolve(void created.push(o)).then(() => container),
    getAction: () => deps.getAction?.() ?? Promise.resolve(deps.action),
    storeActivation: (r) => Promise.resolve(void records.push(r)),
    sendAck: (_c, ack) => Promise.resolve(void acks.push(ack)),
    spawnActivationClientProxy: (parent) => {
      clientParent = parent;
      return client.ref;
    },
    countLiveContainers: () => deps.countLiveContainers(),
    getWarmedContainerLimit: () => deps.getWarmedContainerLimit(),
    isNamespaceBlocked: (ns) => deps.blocked.has(ns),
    dataManagement: dms.ref,
    healthManager: health.ref,
    invoker: invokerInstance(0),
    ...(cluster === "whisk" ? {} : { cluster }),
    clock: h.clock,
    logger: h.logger,
  }, { name: "proxy-1", ...options });
  const name = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  return {
    h,
    pool,
    health,
    dms,
    client,
    container,
    created,
    acks,
    records,
    deps,
    proxy,
    existingKey: `${cluster}/namespace/guest/guest/hello/1-abc/invoker0/container/${container.id}`,
    warmedKey: `${cluster}/warmed/guest/guest/hello/1-abc/invoker/0/container/${container.id}`,
    send: (msg) => tell(h.system, proxy, msg),
    fromClient: (msg) => {
      if (!clientParent) throw new Error("the proxy has not spawned its client yet");
      tell(h.system, clientParent, msg);
    },
    advance: async (ms) => {
      h.clock.advance(ms);
      await settle(h.system);
    },
    sent: () =>
      h.tracer.recent({ kind: "message" }).flatMap((e) =>
        e.kind === "message" && e.from === proxy.path ? [`${name(e.to)}:${e.type}`] : []
      ),
    transitions: () =>
      h.tracer.recent({ kind: "transition" }).flatMap((e) =>
        e.kind === "transition" && e.actor === proxy.path ? [`${e.from}→${e.to}`] : []
      ),
    alive: () => h.system.actors().some((a) => a.path === proxy.path),
    [Symbol.asyncDispose]: () => h[Symbol.asyncDispose](),
  };
}

/** Cold start up to the first `RequestActivation` (existing key put, `Initialized` sent). */
export async function coldStart(t: ProxyHarness, init = initialize(t.deps.action)): Promise<void> {
  t.send(init);
  await t.client.expectMessage({ type: "StartClient" });
  t.fromClient({ type: "ClientCreationCompleted" });
  await t.dms.expectMessage({
    type: "RegisterData",
    key: t.existingKey,
    value: "",
    failoverEnabled: true,
  });
  await t.pool.expectMessageType("Initialized");
  await t.client.expectMessage({ type: "RequestActivation" });
}

/** Cold start and one successful activation: Running, waiting for the next poll answer. */
export async function warmUp(t: ProxyHarness): Promise<void> {
  await coldStart(t);
  t.fromClient(activation());
  await t.client.expectMessage({ type: "ContainerWarmed" });
  await t.health.expectMessage({ type: "HealthMessage", ok: true });
  await t.client.expectMessageType("RequestActivation");
}

/** Warm up, then pause-grace plus an empty poll: Paused, warmed key put, existing deleted. */
export async function toPaused(t: ProxyHarness): Promise<void> {
  await warmUp(t);
  await t.advance(10_000);
  t.fromClient({ type: "RetryRequestActivation" });
  await t.pool.expectMessageType("ContainerIsPaused");
  await t.dms.expectMessage({
    type: "RegisterData",
    key: t.warmedKey,
    value: "",
    failoverEnabled: true,
  });
  await t.dms.expectMessage({ type: "UnregisterData", key: t.existingKey });
}
