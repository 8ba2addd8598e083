/** Tests of the in-process `ActivationClient` (standalone's adapter). */
import assert from "node:assert/strict";
import { inProcessActivationClient } from "../../../runtime/activation_client/mod.ts";
import { ActivationClientClosedError } from "../../../protocols/activation_client.ts";
import type {
  FetchRequest,
  FetchResponse,
  RescheduleRequest,
} from "../../../protocols/activation_service.ts";

const ENDPOINT = { host: "127.0.0.1", rpcPort: 13001 };
const FETCH: FetchRequest = {
  type: "FetchRequest",
  invocationNamespace: "guest",
  action: { path: "guest", name: "hello" },
  revision: "1-abc",
  containerId: "c1",
  warmed: false,
  alive: true,
};
const RESCHEDULE = {
  type: "RescheduleRequest",
  invocationNamespace: "guest",
  action: FETCH.action,
  revision: "1-abc",
  activation: {},
} as unknown as RescheduleRequest;

Deno.test("inProcessActivationClient() calls the service's fetch and reschedule and names its endpoint", async () => {
  const seen: string[] = [];
  const client = inProcessActivationClient(ENDPOINT, {
    fetch: (r) => (seen.push(`fetch ${r.containerId}`), Promise.resolve({ type: "NoActivation" })),
    reschedule:
      () => (seen.push("reschedule"),
        Promise.resolve({ type: "RescheduleResponse", isRescheduled: true })),
  });
  assert.deepEqual(client.endpoint, ENDPOINT);
  assert.deepEqual(await client.fetch(FETCH), { type: "NoActivation" });
  assert.equal((await client.reschedule(RESCHEDULE)).isRescheduled, true);
  assert.deepEqual(seen, ["fetch c1", "reschedule"]);
  await client.close();
});

Deno.test("inProcessActivationClient() with a fetch function alone answers reschedule with false", async () => {
  const client = inProcessActivationClient(
    ENDPOINT,
    () => Promise.resolve({ type: "NoActivation" }),
  );
  assert.deepEqual(await client.reschedule(RESCHEDULE), {
    type: "RescheduleResponse",
    isRescheduled: false,
  });
  await client.close();
});

Deno.test("inProcessActivationClient() refuses calls after close but delivers a poll already in flight", async () => {
  const poll = Promise.withResolvers<FetchResponse>();
  const client = inProcessActivationClient(ENDPOINT, () => poll.promise);
  const inFlight = client.fetch(FETCH);
  await client.close();
  await client.close(); // idempotent
  await assert.rejects(client.fetch(FETCH), ActivationClientClosedError);
  await assert.rejects(client.reschedule(RESCHEDULE), ActivationClientClosedError);
  poll.resolve({ type: "NoMemoryQueue" });
  assert.deepEqual(await inFlight, { type: "NoMemoryQueue" });
});
