import assert from "node:assert/strict";
import { encodeInvokerResourceMessage, invokerKey } from "../../protocols/mod.ts";
import type { QueueStatus } from "../../protocols/memory_queue.ts";
import type { QueueManagerCommand } from "../../protocols/queue_manager.ts";
import { spawnActor, type TraceEvent } from "../../runtime/actors/mod.ts";
import { MemoryKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import type { EntityStore } from "../../runtime/store/mod.ts";
import { consoleSources, transactionsByActivation } from "../../scripts/console_sources.ts";
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
