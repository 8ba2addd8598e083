import assert from "node:assert/strict";
import {
  activationAnnotations,
  decodeActivation,
  encodeActivation,
  errorResponse,
  isActivationId,
  newActivationId,
  whiskErrorActivation,
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

Deno.test("whiskErrorActivation() builds a whisk internal error record from an activation-like input", () => {
  const input = {
    activationId: "0123456789abcdef0123456789abcdef",
    user: { subject: "alice", namespace: { name: "guest" } },
    action: { path: "guest/pkg", name: "hello", version: "0.0.2", binding: "guest/bound" },
    cause: "fedcba9876543210fedcba9876543210",
    transid: { start: 900 },
  };
  const bare = whiskErrorActivation(input, "abnormal run", 1_000);
  assert.deepEqual(bare, {
    namespace: "guest",
    name: "hello",
    subject: "alice",
    activationId: input.activationId,
    start: 1_000,
    end: 1_000,
    duration: 0,
    cause: input.cause,
    response: { statusCode: 3, result: { error: "abnormal run" } },
    logs: [],
    annotations: [
      { key: "path", value: "guest/pkg/hello" },
      { key: "causedBy", value: "sequence" },
      { key: "binding", value: "guest/bound" },
    ],
    version: "0.0.2",
    publish: false,
  });
  const limits = { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 };
  const meta = { exec: { kind: "nodejs:20" }, limits, version: "0.0.3" };
  const { cause: _c, transid: _t, ...plain } = input;
  const withMeta = whiskErrorActivation(plain, "gone", 1_000, meta);
  assert.deepEqual(withMeta.annotations, [
    { key: "path", value: "guest/pkg/hello" },
    { key: "kind", value: "nodejs:20" },
    { key: "timeout", value: false },
    { key: "limits", value: limits },
    { key: "binding", value: "guest/bound" },
  ]);
  assert.equal(withMeta.version, "0.0.3");
  assert.equal(
    whiskErrorActivation(input, "x", 1_000, meta).annotations.find((a) => a.key === "waitTime")
      ?.value,
    100,
  );
  assert.equal(decodeActivation(encodeActivation(withMeta)).response.statusCode, 3);
});
