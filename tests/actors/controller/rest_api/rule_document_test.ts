/** Tests of actors/controller/rest_api/rule_document.ts: names and status bodies. */
import assert from "node:assert/strict";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import {
  apiRule,
  parseRuleTarget,
  parseStatusRequest,
} from "../../../../actors/controller/rest_api/rule_document.ts";

Deno.test("parseRuleTarget() reads /_/t, /ns/pkg/a, bare names and {path, name}", () => {
  assert.deepEqual(parseRuleTarget("/_/t1", "guest"), { path: "guest", name: "t1" });
  assert.deepEqual(parseRuleTarget("/ns/pkg/a", "guest"), { path: "ns/pkg", name: "a" });
  assert.deepEqual(parseRuleTarget("t1", "guest"), { path: "guest", name: "t1" });
  assert.deepEqual(parseRuleTarget({ path: "_", name: "a" }, "guest"), {
    path: "guest",
    name: "a",
  });
  assert.equal(parseRuleTarget(undefined, "guest"), undefined);
  assert.throws(() => parseRuleTarget("/a/b/c/d", "guest"), ApiError);
});

Deno.test("parseStatusRequest() accepts active or inactive only; apiRule() adds the status", () => {
  assert.equal(parseStatusRequest({ status: "inactive" }), "inactive");
  assert.throws(() => parseStatusRequest({ status: "on" }), ApiError);
  const rule = {
    namespace: "guest",
    name: "r",
    version: "0.0.1",
    publish: false,
    annotations: [],
    trigger: { path: "guest", name: "t" },
    action: { path: "guest", name: "a" },
  };
  assert.equal(apiRule(rule, "active").status, "active");
});
