/**
 * Tests of `actors/scheduler/scheduler_role.ts`: the role's wiring on the in-memory bus
 * and key-value twins, an in-memory SQLite store and a manual clock. Forwarding to the
 * leader scheduler (watch-fed endpoints, every failure ending the activation with a
 * record and an ack), the ContainerManager and CreationJobManager as siblings (a
 * ContainerManager restart keeps creation tracking), the `CreateQueue` reply actor's
 * timeout, and the directory refusing what the role does not take.
 */
import assert from "node:assert/strict";
import { startSchedulerRole } from "../../../actors/scheduler/scheduler_role.ts";
import {
  type AcknowledgementMessage,
  actionMetaData,
  type ActivationMessage,
  type ContainerCreationMessage,
  decodeActivation,
  encodeSchedulerEndpoints,
  encodeSchedulerStates,
  encodeWhiskAction,
  inProgressNamespacePrefix,
  invokerKey,
  queueLeaderKey,
  type SchedulerEndpoints,
  schedulerInstance,
  schedulerKey,
} from "../../../protocols/mod.ts";
import {
  ActorDirectory,
  type Bridge,
  createWireBridge,
  MemoryBus,
} from "../../../runtime/bus/mod.ts";
import { DEFAULTS } from "../../../runtime/config.ts";
import { decodeWire } from "../../../protocols/wire.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { MetricsRegistry } from "../../../runtime/metrics.ts";
import { openSqliteStore } from "../../../runtime/store/mod.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { stopSystem } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { settle } from "../../_support/settle.ts";
import { nodeAction } from "../../_support/role_harness.ts";
import { ack, invokerValue } from "./_container_manager_fixtures.ts";
import { ACTION, activation, USER } from "./_memory_queue_fixtures.ts";

const CLUSTER = "roletest";
const SELF: SchedulerEndpoints = { host: "127.0.0.1", rpcPort: 13001 };
const OTHER: SchedulerEndpoints = { host: "10.0.0.2", rpcPort: 13002 };

interface RoleHarnessOptions {
  /** Patches the key-value twin (spies, failures) and seeds it before the role starts. */
  readonly prepareKv?: (kv: MemoryKv) => Promise<void> | void;
  /** Patches the bridge before the role starts. */
  readonly prepareBridge?: (bridge: Bridge) => void;
}

async function roleHarness(options: RoleHarnessOptions = {}) {
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock, logger: silentLogger });
  await options.prepareKv?.(kv);
  const bus = new MemoryBus({ logger: silentLogger });
  const directory = new ActorDirectory();
  const bridge = createWireBridge({ bus, directory, logger: h.logger, clock: h.clock });
  options.prepareBridge?.(bridge);
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  const acks: AcknowledgementMessage[] = [];
  const offCompletions = directory.register("completions", (m) => {
    acks.push(m as AcknowledgementMessage);
  });
  const completed = await bridge.listen("completed0", "completed0");
  const role = await startSchedulerRole({
    system: h.system,
    kv,
    bridge,
    directory,
    store,
    logger: h.logger,
    metrics: new MetricsRegistry(),
  }, {
    schedulerId: 0,
    endpoints: SELF,
    config: { ...DEFAULTS, cluster: { ...DEFAULTS.cluster, name: CLUSTER } },
  });
  /** Lets the bus, the kv's watches and the actors run until nothing moves. */
  const idle = async () => {
    for (let i = 0; i < 3; i++) {
      h.clock.advance(0); // due timers (state timeouts, retries of 0 ms)
      await bus.idle();
      await settle(h.system);
    }
  };
  await idle();
  return Object.assign(h, {
    kv,
    bus,
    bridge,
    directory,
    store,
    role,
    acks,
    idle,
    /** Publishes `msg` to `scheduler0` as a controller would. */
    publish: (msg: ActivationMessage) => bridge.send("scheduler0", "queue-manager", msg),
    /** Makes `endpoints` the leader of guest/hello. */
    leaderAt: (endpoints: SchedulerEndpoints) =>
      kv.put(
        queueLeaderKey(USER.namespace.name, activation(1).action, CLUSTER),
        encodeSchedulerEndpoints(endpoints),
      ),
    record: async (activationId: string) => {
      const doc = await store.getActivation(USER.namespace.name, activationId);
      return doc === undefined ? undefined : decodeActivation(doc);
    },
    async [Symbol.asyncDispose]() {
      offCompletions();
      await role.close();
      await completed.close();
      await bridge.close();
      await bus.close();
      await kv.close();
      await store.close();
      await stopSystem(h.system);
    },
  });
}

const fresh = (n: number, now: number) => activation(n, { start: now, blocking: false });

Deno.test("startSchedulerRole() ends an activation whose leader no scheduler advertises with a record and an ack", async () => {
  await using h = await roleHarness();
  await h.leaderAt(OTHER);
  const msg = fresh(1, h.clock.now());
  await h.publish(msg);
  await h.idle();
  const record = await h.record(msg.activationId);
  assert.ok(record, "the activation has a record");
  assert.deepEqual(record.response.result, { error: "failed to get the queue endpoint" });
  assert.equal(record.response.statusCode, 3);
  assert.deepEqual(h.acks.map((a) => a.type), ["CompletionMessage"]);
});

Deno.test("startSchedulerRole() forwards to the leader's scheduler from the watched endpoints, without a read per activation", async () => {
  const prefixReads: string[] = [];
  await using h = await roleHarness({
    prepareKv: (kv) => {
      const getPrefix = kv.getPrefix.bind(kv);
      kv.getPrefix = (prefix) => {
        if (prefix.startsWith(`${CLUSTER}/scheduler/`)) prefixReads.push(prefix);
        return getPrefix(prefix);
      };
    },
  });
  await h.kv.put(
    schedulerKey(7, CLUSTER),
    encodeSchedulerStates({ sid: schedulerInstance(7), queueSize: 0, endpoints: OTHER }),
  );
  await h.leaderAt(OTHER);
  for (let n = 1; n <= 3; n++) await h.publish(fresh(n, h.clock.now()));
  await h.idle();
  const forwarded = h.bus.sent("scheduler7").map((r) => ({
    id: (JSON.parse(new TextDecoder().decode(r.value)) as ActivationMessage).activationId,
    from: r.headers["forwarded-from"],
  }));
  assert.deepEqual(forwarded, [1, 2, 3].map((n) => ({ id: fresh(n, 0).activationId, from: "0" })));
  assert.ok(prefixReads.length <= 1, `scheduler prefix read ${prefixReads.length} times`);
  assert.deepEqual(h.acks, []);
});

Deno.test("startSchedulerRole() ends a forwarded activation with a record when the scheduler endpoints cannot be read", async () => {
  await using h = await roleHarness({
    prepareKv: (kv) => {
      const getPrefix = kv.getPrefix.bind(kv);
      kv.getPrefix = (prefix) =>
        prefix.startsWith(`${CLUSTER}/scheduler/`)
          ? Promise.reject(new Error("etcd is down"))
          : getPrefix(prefix);
    },
  });
  await h.leaderAt(OTHER);
  const msg = fresh(1, h.clock.now());
  await h.publish(msg);
  await h.idle();
  const record = await h.record(msg.activationId);
  assert.deepEqual(record?.response.result, { error: "failed to get the queue endpoint" });
  assert.equal(h.acks.length, 1);
});

Deno.test("startSchedulerRole() keeps creation tracking across a ContainerManager restart", async () => {
  let crashes = 0;
  await using h = await roleHarness({
    prepareKv: (kv) => kv.put(invokerKey(0, CLUSTER), invokerValue()),
    prepareBridge: (bridge) => {
      const send = bridge.send.bind(bridge);
      bridge.send = (topic, to, message, options) => {
        if (topic === "invoker0" && crashes++ === 0) {
          throw new Error("the ContainerManager crashes once");
        }
        return send(topic, to, message, options);
      };
    },
  });
  assert.equal(
    crashes,
    2,
    "the first warm-up crashed the ContainerManager, its restart sent another",
  );
  assert.equal(h.logs("actor crashed").length, 1);
  const action = nodeAction("hello");
  const revision = await h.store.putEntity("actions", "guest", "hello", encodeWhiskAction(action));
  await h.bridge.send("scheduler0", "queue-manager", {
    type: "CreateQueue",
    invocationNamespace: "guest",
    fqn: ACTION,
    revision,
    whiskActionMetaData: actionMetaData(action),
  });
  await h.idle();
  await h.publish(activation(1, { revision, start: h.clock.now(), blocking: false }));
  const inProgress = inProgressNamespacePrefix("guest", CLUSTER);
  const creations = () =>
    h.bus.sent("invoker0").map((r) => decodeWire("ContainerCreationMessage", r.value))
      .filter((m): m is ContainerCreationMessage =>
        m.type === "ContainerCreationMessage" && m.action.name === "hello"
      );
  for (let i = 0; i < 20 && creations().length === 0; i++) {
    h.clock.advance(100);
    await h.idle();
  }
  const sent = creations();
  assert.ok(sent.length > 0, "a container creation went to invoker0");
  assert.equal(
    (await h.kv.getPrefix(inProgress)).length,
    sent.length,
    "the job manager registered every job",
  );
  for (const creation of sent) {
    await h.bridge.send(`creationAck0`, "creation-job-manager", ack(creation));
  }
  await h.idle();
  assert.deepEqual(await h.kv.getPrefix(inProgress), [], "the job manager finished every job");
  assert.equal(h.system.deadLetters, 0);
});

Deno.test("startSchedulerRole() stops the CreateQueue reply actor when the QueueManager never answers", async () => {
  await using h = await roleHarness({
    // The leader election never finishes, so the QueueManager never answers.
    prepareKv: (kv) => void (kv.putIfVersion = () => new Promise(() => {})),
  });
  const action = nodeAction("hello");
  await h.bridge.send("scheduler0", "queue-manager", {
    type: "CreateQueue",
    invocationNamespace: "guest",
    fqn: ACTION,
    revision: "1-aaa",
    whiskActionMetaData: actionMetaData(action),
  }, { replyTo: "completed0", correlationId: "c-1" });
  await h.idle();
  const repliers = () => h.system.actors().filter((a) => a.path.includes("create-queue-reply"));
  assert.equal(repliers().length, 1);
  h.clock.advance(9_999);
  await h.idle();
  assert.equal(repliers().length, 1);
  h.clock.advance(1);
  await h.idle();
  assert.deepEqual(repliers(), []);
  assert.equal(h.logs("CreateQueue got no answer in time; stopped waiting").length, 1);
});
