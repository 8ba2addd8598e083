import assert from "node:assert/strict";
import {
  actionFqn,
  actionMetaData,
  annotationValue,
  decodeWhiskAction,
  encodeWhiskAction,
} from "../../protocols/mod.ts";
import { ACTION_JSON } from "./_fixtures.ts";

Deno.test("decodeWhiskAction() decodes the reference's action document and writes it back", () => {
  const a = decodeWhiskAction(ACTION_JSON);
  assert.equal(a.exec.kind, "nodejs:20");
  assert.equal(annotationValue(a.annotations, "provide-api-key"), false);
  assert.deepEqual(encodeWhiskAction(a), JSON.parse(ACTION_JSON));
  assert.deepEqual(actionFqn(a), { path: "guest", name: "hello", version: "0.0.1" });
});

Deno.test("actionMetaData() drops the code", () => {
  const meta = actionMetaData(decodeWhiskAction(ACTION_JSON));
  assert.deepEqual(meta.exec, { kind: "nodejs:20", binary: false });
});

Deno.test("decodeWhiskAction() requires limits.timeout and names the field", () => {
  const v = JSON.parse(ACTION_JSON);
  delete v.limits.timeout;
  assert.throws(() => decodeWhiskAction(v), {
    name: "TypeError",
    message: 'Cannot decode WhiskAction: "limits.timeout" must be an integer, got undefined',
  });
});
