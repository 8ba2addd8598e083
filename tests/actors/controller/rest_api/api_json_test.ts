/** Tests of actors/controller/rest_api/api_json.ts: API renderings of stored documents. */
import assert from "node:assert/strict";
import {
  actionSummary,
  apiAction,
  apiActivation,
  storedAction,
  storedActivation,
} from "../../../../actors/controller/rest_api/api_json.ts";
import type { WhiskAction } from "../../../../protocols/mod.ts";

const action: WhiskAction = {
  namespace: "guest",
  name: "a",
  exec: { kind: "nodejs:20", code: "x", binary: false, main: "run" },
  parameters: [],
  limits: { timeout: 100, memory: 128, logs: 1, concurrency: 1 },
  version: "0.0.1",
  publish: false,
  annotations: [{ key: "exec", value: "nodejs:20" }],
  updated: 5,
};

Deno.test("apiAction() keeps or drops the code; actionSummary() keeps only list fields", () => {
  assert.deepEqual((apiAction(action) as { exec: unknown }).exec, action.exec);
  assert.deepEqual((apiAction(action, false) as { exec: unknown }).exec, {
    kind: "nodejs:20",
    binary: false,
    main: "run",
  });
  assert.deepEqual(actionSummary(action).exec, { binary: false });
  assert.equal("parameters" in actionSummary(action), false);
});

Deno.test("storedAction() takes the store's updated stamp and rejects junk", () => {
  const entity = {
    type: "Entity" as const,
    collection: "actions" as const,
    namespace: "guest",
    name: "a",
    revision: "1-x",
    updated: 99,
    doc: apiAction(action),
  };
  assert.equal(storedAction(entity)?.updated, 99);
  assert.equal(storedAction({ ...entity, doc: { junk: true } }), undefined);
});

Deno.test("apiActivation() shows status and success without the stored statusCode", () => {
  const record = storedActivation({
    namespace: "guest",
    name: "a",
    subject: "guest",
    activationId: "a".repeat(32),
    start: 1,
    end: 0,
    response: { statusCode: 3, result: { error: "x" } },
  });
  assert.ok(record);
  const shown = apiActivation(record);
  assert.deepEqual(shown.response, {
    status: "whisk internal error",
    success: false,
    result: { error: "x" },
  });
  assert.equal("end" in shown, false);
  assert.equal(storedActivation("nope"), undefined);
});
