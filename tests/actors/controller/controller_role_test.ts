/**
 * Tests of `actors/controller/controller_role.ts` on the in-memory bus and key-value
 * twins and an in-memory SQLite store: what arrives on `completed<cid>` reaches the
 * completions actor, and what the role does not take goes to `deadLetters`.
 */
import assert from "node:assert/strict";
import {
  type ControllerRoleOptions,
  startControllerRole,
} from "../../../actors/controller/controller_role.ts";
import {
  type BalancingOptions,
  startBalancing,
} from "../../../actors/controller/pool_balancer_wiring.ts";
import {
  type AcknowledgementMessage,
  type CompletionMessage,
  decodeContainerCreationAckMessage,
  schedulerInstance,
  startTransaction,
  transactionId,
} from "../../../protocols/mod.ts";
import { stopSystem } from "../../../runtime/actors/mod.ts";
import {
  ActorDirectory,
  createWireBridge,
  decodeDeadLetter,
  MemoryBus,
} from "../../../runtime/bus/mod.ts";
import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { MetricsRegistry } from "../../../runtime/metrics.ts";
import { openSqliteStore } from "../../../runtime/store/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { settle } from "../../_support/settle.ts";
import { ACK_SUCCESS_JSON } from "../../protocols/_fixtures.ts";

async function controllerHarness(extra: Partial<ControllerRoleOptions> = {}) {
  const balancingOptions: BalancingOptions[] = [];
  const h = actorHarness();
  const kv = new MemoryKv({ clock: h.clock, logger: silentLogger });
  const bus = new MemoryBus({ logger: silentLogger });
  const directory = new ActorDirectory();
  const bridge = createWireBridge({ bus, directory, logger: h.logger, clock: h.clock });
  const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
  const role = await startControllerRole({
    system: h.system,
    kv,
    bridge,
    directory,
    store,
    logger: h.logger,
    metrics: new MetricsRegistry(),
    invalidations: { subscribe: () => () => {}, publish: () => Promise.resolve() },
    startBalancing: (
      deps,
      options,
    ) => (balancingOptions.push(options), startBalancing(deps, options)),
  }, {
    controllerId: 0,
    cluster: "controllerroletest",
    concurrentInvocations: 30,
    invocationsPerMinute: 120,
    usePerMinThrottles: false,
    timeoutFactor: 2,
    createQueueTimeoutMs: 1_000,
    createQueueAttempts: 1,
    rest: {},
    ...extra,
  });
  const idle = async () => {
    await bus.idle();
    await settle(h.system);
  };
  return Object.assign(h, {
    bus,
    bridge,
    role,
    idle,
    balancingOptions,
    deadLetters: () =>
      bus.sent("deadLetters").map((r) => {
        const letter = decodeDeadLetter(r.value);
        return [letter.headers.type, letter.headers.to];
      }),
    async [Symbol.asyncDispose]() {
      await role.close();
      await bridge.close();
      await bus.close();
      await kv.close();
      await store.close();
      await stopSystem(h.system);
    },
  });
}

Deno.test("startControllerRole() dead-letters a message on completed<cid> that neither completions nor the pool balancer takes", async () => {
  await using h = await controllerHarness();
  const creationAck = decodeContainerCreationAckMessage(ACK_SUCCESS_JSON);
  await h.bridge.send("completed0", "completions", creationAck);
  await h.bridge.send("completed0", "pool-balancer", creationAck);
  await h.idle();
  assert.deepEqual(h.deadLetters(), [
    ["ContainerCreationAckMessage", "completions"],
    ["ContainerCreationAckMessage", "pool-balancer"],
  ]);
});

Deno.test("startControllerRole() hands an acknowledgement on completed<cid> to the completions actor", async () => {
  await using h = await controllerHarness();
  const ack: AcknowledgementMessage = {
    type: "CompletionMessage",
    transid: startTransaction(transactionId("t1"), 1),
    activationId: "a".repeat(32),
    isSystemError: false,
    instance: schedulerInstance(0),
  } satisfies CompletionMessage;
  await h.bridge.send("completed0", "completions", ack);
  await h.idle();
  assert.deepEqual(h.deadLetters(), []);
  assert.equal(h.logs("ack for an activation no longer tracked").length, 1);
});

Deno.test("startControllerRole() hands the forced-completion window's settings to balancing", async () => {
  const window = {
    forcedCompletionFloorMs: 1,
    forcedCompletionExtraMs: 2,
    queueRetentionMs: 3,
    blackboxQueueRetentionMs: 4,
    creationJobTimeoutMs: 5,
    blackboxMultiple: 6,
  };
  await using h = await controllerHarness(window);
  const [options] = h.balancingOptions;
  assert.deepEqual(
    Object.fromEntries(Object.keys(window).map((k) => [k, options?.[k as keyof BalancingOptions]])),
    window,
  );
});
