import assert from "node:assert/strict";
import {
  healthActivation,
  HealthActivationClient,
  healthTestActionDocument,
} from "../../../actors/invoker/invoker_health_manager_client.ts";
import type { FetchRequest } from "../../../protocols/activation_service.ts";
import { USER } from "./_pool_fixtures.ts";

const REQUEST: FetchRequest = {
  type: "FetchRequest",
  invocationNamespace: "whisk.system",
  action: { path: "whisk.system", name: "invokerHealthTestAction0" },
  revision: "1-x",
  containerId: "c",
  warmed: true,
  alive: true,
};

const test = { action: healthTestActionDocument(0), revision: "1-x", identity: USER };

Deno.test("healthTestActionDocument() is a 128 MB nodejs action returning its params, with no logs", () => {
  const doc = healthTestActionDocument(7);
  assert.deepEqual([doc.namespace, doc.name, doc.exec.kind], [
    "whisk.system",
    "invokerHealthTestAction7",
    "nodejs:20",
  ]);
  assert.deepEqual([doc.limits.memory, doc.limits.logs], [128, 0]);
});

Deno.test("healthActivation() is a non-blocking activation of the test action for the 'health' controller", () => {
  const msg = healthActivation(test, 5_000);
  assert.deepEqual(
    [msg.action.name, msg.revision, msg.blocking, msg.rootControllerIndex.asString],
    [
      "invokerHealthTestAction0",
      "1-x",
      false,
      "health",
    ],
  );
  assert.equal(msg.transid.start, 5_000);
  assert.match(msg.activationId, /^[0-9a-f]{32}$/);
});

Deno.test("HealthActivationClient answers live fetches until shut down, and a closing fetch with NoActivation", async () => {
  const client = new HealthActivationClient(() => healthActivation(test, 0));
  assert.equal((await client.fetch(REQUEST)).type, "Activation");
  assert.deepEqual(await client.fetch({ ...REQUEST, alive: false }), { type: "NoActivation" });
  assert.deepEqual(await client.reschedule(), { type: "RescheduleResponse", isRescheduled: false });
  client.gracefulShutdown();
  await assert.rejects(client.fetch(REQUEST), { name: "ActivationClientClosedError" });
  assert.deepEqual(await client.fetch({ ...REQUEST, alive: false }), { type: "NoActivation" });
  await client.close();
  await assert.rejects(client.fetch({ ...REQUEST, alive: false }), {
    name: "ActivationClientClosedError",
  });
  assert.equal(client.handedOut, 1);
});
