import assert from "node:assert/strict";
import {
  activationAnnotations,
  decodeActivation,
  encodeActivation,
  errorResponse,
  isActivationId,
  newActivationId,
} from "../../protocols/mod.ts";
import { ACTIVATION_API_JSON, ACTIVATION_STORED_JSON } from "./_fixtures.ts";

Deno.test("decodeActivation() reads the API form (status text) and round-trips", () => {
  const a = decodeActivation(ACTIVATION_API_JSON);
  assert.equal(a.response.statusCode, 1);
  assert.deepEqual(a.response.result, { error: "boom" });
  const json = encodeActivation(a);
  assert.deepEqual(json.response, {
    status: "application error",
    statusCode: 1,
    success: false,
    result: { error: "boom" },
    size: 16,
  });
  assert.deepEqual(decodeActivation(json), a);
});

Deno.test("decodeActivation() reads the stored form and omits end 0 when writing", () => {
  const a = decodeActivation(ACTIVATION_STORED_JSON);
  assert.equal(a.end, 0);
  assert.equal("end" in encodeActivation(a), false);
  assert.deepEqual(encodeActivation(a).response, {
    status: "success",
    statusCode: 0,
    success: true,
    result: {},
  });
});

Deno.test("decodeActivation() rejects unknown status codes", () => {
  const v = JSON.parse(ACTIVATION_STORED_JSON);
  v.response.statusCode = 4;
  assert.throws(() => decodeActivation(v), {
    name: "TypeError",
    message: 'Cannot decode WhiskActivation: "response.statusCode" must be 0..3, got 4',
  });
});

Deno.test("activationAnnotations() lists path, waitTime, kind, timeout, limits, initTime", () => {
  const limits = { timeout: 1, memory: 128, logs: 0, concurrency: 1 };
  const list = activationAnnotations({
    path: "guest/hello",
    kind: "deno:2",
    limits,
    waitTime: 3,
    initTime: 7,
  });
  assert.deepEqual(list.map((kv) => kv.key), [
    "path",
    "waitTime",
    "kind",
    "timeout",
    "limits",
    "initTime",
  ]);
  const warm = activationAnnotations({ path: "guest/hello", kind: "deno:2", limits });
  assert.deepEqual(warm.map((kv) => kv.key), ["path", "kind", "timeout", "limits"]);
});

Deno.test("newActivationId() makes 32 lowercase hex; errorResponse() wraps the error", () => {
  assert.ok(isActivationId(newActivationId()));
  assert.ok(!isActivationId("ABC"));
  assert.deepEqual(errorResponse(3, "x"), { statusCode: 3, result: { error: "x" } });
});
