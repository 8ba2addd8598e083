/** Tests of actors/controller/rest_api/invoke_response.ts: upstream's status table. */
import assert from "node:assert/strict";
import {
  ACTIVATION_ID_HEADER,
  invokeResponse,
} from "../../../../actors/controller/rest_api/invoke_response.ts";
import type { WhiskActivation } from "../../../../protocols/mod.ts";

const id = "0123456789abcdef0123456789abcdef";
const activation = (
  statusCode: 0 | 1 | 2 | 3,
  result: WhiskActivation["response"]["result"] & object,
) => ({
  type: "Completed" as const,
  activation: {
    namespace: "guest",
    name: "a",
    subject: "guest",
    activationId: id,
    start: 1,
    end: 2,
    response: { statusCode, result },
    logs: [],
    annotations: [],
    version: "0.0.1",
    publish: false,
  },
});

Deno.test("invokeResponse() maps status codes 0/1/2/3 to 200/502/502/500 with the activation", async () => {
  const expected = [200, 502, 502, 500];
  for (const code of [0, 1, 2, 3] as const) {
    const response = invokeResponse(activation(code, { error: "x" }), false, "tid");
    assert.equal(response.status, expected[code]);
    assert.equal(response.headers.get(ACTIVATION_ID_HEADER), id);
    const body = await response.json();
    assert.equal(body.activationId, id);
    assert.equal(body.response.statusCode, undefined);
    assert.equal(body.code, undefined);
  }
});

Deno.test("invokeResponse() answers only the result with result=true, and arrays bare always", async () => {
  assert.deepEqual(await invokeResponse(activation(1, { error: "boom" }), true, "t").json(), {
    error: "boom",
  });
  const array = invokeResponse(activation(0, [1, 2]), false, "t");
  assert.deepEqual(await array.json(), [1, 2]);
});

Deno.test("invokeResponse() answers 202 {activationId} and refusals as {error, code}", async () => {
  const accepted = invokeResponse({ type: "Accepted", activationId: id }, true, "t");
  assert.equal(accepted.status, 202);
  assert.deepEqual(await accepted.json(), { activationId: id });
  const rejected = invokeResponse(
    { type: "Rejected", status: 429, message: "slow down" },
    false,
    "t",
  );
  assert.equal(rejected.status, 429);
  assert.deepEqual(await rejected.json(), { error: "slow down", code: "t" });
});
