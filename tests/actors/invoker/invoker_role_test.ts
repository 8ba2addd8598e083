/** Tests of the invoker role's container-message consumer. */
import assert from "node:assert/strict";
import { routeContainerMessage } from "../../../actors/invoker/invoker_role.ts";
import type {
  CreationContainer,
  DeletionContainer,
} from "../../../protocols/function_pulling_container_pool.ts";
import type { Bridge } from "../../../runtime/bus/mod.ts";
import { openSqliteStore } from "../../../runtime/store/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";
import { action, creation, INVOKER } from "./_pool_fixtures.ts";

Deno.test("routeContainerMessage() logs a DBFetchError ack it cannot send instead of rejecting", async () => {
  await using h = actorHarness();
  const pool = createProbe<CreationContainer | DeletionContainer>(h.system, "pool");
  const store = openSqliteStore({ path: ":memory:", logger: h.logger });
  try {
    const sent: string[] = [];
    const bridge = {
      send: (topic: string) => {
        sent.push(topic);
        return Promise.reject(new Error("kafka down"));
      },
    } as unknown as Bridge;
    await routeContainerMessage(creation(action("missing")), {
      store,
      pool: pool.ref,
      system: h.system,
      bridge,
      instance: INVOKER,
      logger: h.logger,
    });
    assert.deepEqual(sent, ["creationAck0"]);
    assert.equal(h.logs("failed to send a DBFetchError creation ack").length, 1);
    await pool.expectNoMessage();
  } finally {
    await store.close();
  }
});
