import assert from "node:assert/strict";
import { encodeInvokerResourceMessage, invokerKey, processKey } from "../../protocols/mod.ts";
import type { QueueStatus } from "../../protocols/memory_queue.ts";
import type { QueueManagerCommand } from "../../protocols/queue_manager.ts";
import { spawnActor, type TraceEvent } from "../../runtime/actors/mod.ts";
import { MemoryKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import type { EntityStore } from "../../runtime/store/mod.ts";
import { consoleSources, transactionsByActivation } from "../../scripts/console_sources.ts";
import { encodeProcessEndpoint } from "../../scripts/trace_discovery.ts";
import { actorHarness } from "../_support/actor_harness.ts";

const message = (type: string, tid?: string, activationId?: string): TraceEvent => ({
  kind: "message",
  ts: 1,
  from: "a",
  to: "b",
  type,
  ...(tid === undefined ? {} : { tid }),
  ...(activationId === undefined ? {} : { activationId }),
});

const status = (action: string, extra: Record<string, unknown> = {}): QueueStatus =>
  ({
    type: "QueueStatus",
    invocationNamespace: "guest",
    action,
    revision: "1-abc",
    waitingActivation: ["a1", "a2"],
    stateName: "Running",
    containers: 2,
    creationIds: 1,
    ...extra,
  }) as QueueStatus;

Deno.test("transactionsByActivation() maps activations to the first user tid, skipping system ids", () => {
  const tids = transactionsByActivation([
    message("RegisterActivation", undefined, "a1"),
    message("HealthRun", "sid_invokerHealthActivation", "a2"),
    message("PublishActivation", "tx-1", "a1"),
    message("Other", "tx-other", "a1"),
    { kind: "transition", ts: 2, actor: "q", from: "Idle", to: "Running" },
  ]);
  assert.deepEqual([...tids], [["a1", "tx-1"]]);
});

Deno.test("consoleSources() names invokers invoker<N> and shows queues with their reported decision", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ logger: silentLogger });
  try {
    await kv.put(
      invokerKey(3, "whisk"),
      encodeInvokerResourceMessage({
        status: "up",
        freeMemory: 768,
        busyMemory: 256,
        inProgressMemory: 0,
        tags: [],
        dedicatedNamespaces: [],
      }),
    );
    const queueManager = spawnActor<null, QueueManagerCommand>(h.system, {
      name: "queue-manager",
      initialState: null,
      supervision: "stop",
      handle: (state, msg, ctx) => {
        if (msg.type === "GetState") {
          ctx.tell(msg.replyTo, {
            type: "QueueStates",
            queues: [
              status("guest/hello@0.0.1", {
                lastDecision: { type: "AddContainer", num: 2, at: 5 },
              }),
              status("guest/other@0.0.1"),
            ],
          });
        }
        return state;
      },
    });
    const sources = consoleSources({
      system: h.system,
      kv,
      store: {} as EntityStore,
      queueManagers: [queueManager],
      cluster: "whisk",
    });
    const [invoker] = await sources.invokers();
    assert.equal(invoker?.id, "invoker3");
    assert.equal(invoker?.freeMemoryMb, 768);
    assert.deepEqual(await sources.queues(), [
      {
        invocationNamespace: "guest",
        action: "guest/hello@0.0.1",
        revision: "1-abc",
        state: "Running",
        size: 2,
        containers: { existing: 2, creating: 1 },
        lastDecision: "AddContainer 2",
        lastDecisionAt: 5,
      },
      {
        invocationNamespace: "guest",
        action: "guest/other@0.0.1",
        revision: "1-abc",
        state: "Running",
        size: 2,
        containers: { existing: 2, creating: 1 },
      },
    ]);
  } finally {
    await kv.close();
  }
});

/** A stored record, upstream's stored form, started at `start`. */
function record(activationId: string, start: number, annotations: unknown[]) {
  return {
    namespace: "guest",
    name: "hello",
    subject: "guest",
    activationId,
    start,
    end: start + 5,
    duration: 5,
    response: { statusCode: 0, result: { ok: true } },
    logs: [],
    annotations,
    version: "0.0.1",
    publish: false,
  };
}

Deno.test("consoleSources() shows which path ran each activation from its balancer annotation", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ logger: silentLogger });
  const lean = "a".repeat(32), fpc = "b".repeat(32);
  const store = {
    listSubjects: () => Promise.resolve([{ namespaces: [{ name: "guest" }] }]),
    listActivations: () =>
      Promise.resolve([
        record(lean, 2, [{ key: "balancer", value: "lean" }, { key: "kind", value: "nodejs:20" }]),
        record(fpc, 1, [{ key: "kind", value: "nodejs:20" }]),
      ]),
  } as unknown as EntityStore;
  try {
    const sources = consoleSources({
      system: h.system,
      kv,
      store,
      queueManagers: [],
      cluster: "w",
    });
    const shown = await sources.activations(10);
    assert.deepEqual(shown.map((a) => [a.activationId, a.path]), [[lean, "lean"], [fpc, "fpc"]]);
  } finally {
    await kv.close();
  }
});

Deno.test("consoleSources() lists the cluster's advertised processes for the merged trace", async () => {
  await using h = actorHarness();
  const kv = new MemoryKv({ logger: silentLogger });
  try {
    const invoker = { name: "invoker0", role: "invoker", url: "http://127.0.0.1:12001" };
    await kv.put(processKey("invoker0", "c3"), encodeProcessEndpoint(invoker));
    await kv.put(processKey("invoker9", "elsewhere"), encodeProcessEndpoint(invoker));
    const sources = consoleSources({
      system: h.system,
      kv,
      store: {} as EntityStore,
      queueManagers: [],
      cluster: "c3",
    });
    assert.deepEqual(await sources.processes?.(), [invoker]);
  } finally {
    await kv.close();
  }
});
