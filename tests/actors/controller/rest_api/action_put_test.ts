/** Tests of actors/controller/rest_api/action_put.ts: create and update documents. */
import assert from "node:assert/strict";
import { buildActionForPut, upPatch } from "../../../../actors/controller/rest_api/action_put.ts";
import { parseActionRef } from "../../../../actors/controller/rest_api/entity_names.ts";
import { DEFAULT_LIMIT_BOUNDS, type WhiskAction } from "../../../../protocols/mod.ts";

const base = {
  ref: parseActionRef("guest", "hello"),
  now: 1000,
  bounds: DEFAULT_LIMIT_BOUNDS,
  maxParameterBytes: 1024,
};
const create = (body: Record<string, unknown>) => buildActionForPut({ ...base, body });

function created(body: Record<string, unknown>): WhiskAction {
  const result = create(body);
  assert.ok(result.ok, JSON.stringify(result));
  return result.action;
}

Deno.test("buildActionForPut() creates at 0.0.1 with the concrete kind and the exec annotations", () => {
  const action = created({ exec: { kind: "nodejs:default", code: "function main() {}" } });
  assert.equal(action.exec.kind, "nodejs:20");
  assert.equal(action.version, "0.0.1");
  assert.equal(action.namespace, "guest");
  assert.equal(action.updated, 1000);
  assert.deepEqual(action.limits, { timeout: 60000, memory: 256, logs: 10, concurrency: 1 });
  assert.deepEqual(action.annotations, [
    { key: "provide-api-key", value: false },
    { key: "exec", value: "nodejs:20" },
  ]);
});

Deno.test("buildActionForPut() keeps a user's provide-api-key and computes binary from the code", () => {
  const action = created({
    exec: { kind: "python:3", code: "QUJDRA==", binary: false },
    annotations: [{ key: "provide-api-key", value: true }],
  });
  assert.equal(action.exec.kind === "python:3" && action.exec.binary, true);
  assert.deepEqual(action.annotations[0], { key: "provide-api-key", value: true });
  const text = created({ exec: { kind: "deno:2", code: "export default 1;", binary: true } });
  assert.equal(text.exec.kind === "deno:2" && text.exec.binary, false);
});

Deno.test("buildActionForPut() answers upstream's 400s for a missing exec, a bad kind, bad limits", () => {
  assert.deepEqual(create({}), { ok: false, status: 400, message: "exec undefined" });
  const kind = create({ exec: { kind: "nodejs:18", code: "x" } });
  assert.ok(
    !kind.ok && kind.message.startsWith("The specified runtime 'nodejs:18' is not supported"),
  );
  assert.deepEqual(create({ exec: { kind: "nodejs:20", code: "x" }, limits: { memory: 1024 } }), {
    ok: false,
    status: 400,
    message: "memory size 1024 MB exceeds allowed threshold of 512 MB",
  });
  assert.equal(create({ exec: { kind: "nodejs:20" } }).ok, false);
  assert.equal(create({ exec: "nope" }).ok, false);
});

Deno.test("buildActionForPut() answers 413 when the parameters are too large", () => {
  const result = create({
    exec: { kind: "nodejs:20", code: "x" },
    parameters: [{ key: "k", value: "v".repeat(2000) }],
  });
  assert.ok(!result.ok && result.status === 413 && /larger than allowed/.test(result.message));
});

Deno.test("buildActionForPut() merges an update: kept exec, merged limits and annotations, patch + 1", () => {
  const existing = created({
    exec: { kind: "nodejs:20", code: "a" },
    limits: { memory: 128 },
    parameters: [{ key: "p", value: 1 }],
    annotations: [{ key: "web-export", value: true }, { key: "old", value: 1 }],
  });
  const result = buildActionForPut({
    ...base,
    now: 2000,
    existing,
    body: {
      limits: { timeout: 1000 },
      annotations: [{ key: "web-export", value: false }],
      delAnnotations: ["old"],
    },
  });
  assert.ok(result.ok);
  const a = result.action;
  assert.equal(a.version, "0.0.2");
  assert.deepEqual(a.exec, existing.exec);
  assert.deepEqual(a.parameters, [{ key: "p", value: 1 }]);
  assert.deepEqual(a.limits, { timeout: 1000, memory: 128, logs: 10, concurrency: 1 });
  assert.deepEqual(a.annotations, [
    { key: "web-export", value: false },
    { key: "provide-api-key", value: false },
    { key: "exec", value: "nodejs:20" },
  ]);
});

Deno.test("buildActionForPut() takes an explicit version and rejects a malformed one", () => {
  assert.equal(
    created({ exec: { kind: "nodejs:20", code: "x" }, version: "1.2.3" }).version,
    "1.2.3",
  );
  assert.equal(create({ exec: { kind: "nodejs:20", code: "x" }, version: "v1" }).ok, false);
  assert.equal(upPatch("0.0.9"), "0.0.10");
});

Deno.test("buildActionForPut() stores a packaged action under its package path", () => {
  const result = buildActionForPut({
    ...base,
    ref: parseActionRef("guest", "pkg/hello"),
    body: { exec: { kind: "nodejs:20", code: "x" } },
  });
  assert.ok(result.ok && result.action.namespace === "guest/pkg" && result.action.name === "hello");
});
