/** Fire outcomes read from the answers of `POST .../triggers/{name}`. */
import assert from "node:assert/strict";
import { fireOutcomeOf } from "../../../../actors/controller/alarms/trigger_firing.ts";

Deno.test("fireOutcomeOf() reads 202, 204, 404 and refusals", async () => {
  const id = "a".repeat(32);
  assert.deepEqual(await fireOutcomeOf(Response.json({ activationId: id }, { status: 202 })), {
    type: "Fired",
    activationId: id,
  });
  assert.deepEqual(await fireOutcomeOf(new Response(null, { status: 204 })), {
    type: "NoActiveRule",
  });
  assert.deepEqual(await fireOutcomeOf(Response.json({ error: "x" }, { status: 404 })), {
    type: "TriggerGone",
  });
  const tooMany = "Too many requests in the last minute (count: 61, allowed: 60).";
  assert.deepEqual(
    await fireOutcomeOf(Response.json({ error: tooMany, code: "t" }, { status: 429 })),
    { type: "Refused", status: 429, message: tooMany },
  );
});
