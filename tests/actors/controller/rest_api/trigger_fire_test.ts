/** Tests of actors/controller/rest_api/trigger_fire.ts: rate window and rule log lines. */
import assert from "node:assert/strict";
import {
  FireRateLimiter,
  ruleLogLine,
} from "../../../../actors/controller/rest_api/trigger_fire.ts";

Deno.test("FireRateLimiter.count() allows `allowed` fires per namespace and minute", () => {
  const limiter = new FireRateLimiter();
  assert.equal(limiter.count("a", 0, 2), undefined);
  assert.equal(limiter.count("a", 1, 2), undefined);
  assert.equal(limiter.count("b", 1, 2), undefined);
  assert.equal(limiter.count("a", 2, 2), 3);
  assert.equal(limiter.count("a", 60_000, 2), undefined);
});

Deno.test("ruleLogLine() writes upstream's fields in order", () => {
  assert.equal(
    ruleLogLine({ rule: "g/r", action: "g/a", statusCode: 0, success: true, activationId: "x" }),
    '{"rule":"g/r","action":"g/a","statusCode":0,"success":true,"activationId":"x"}',
  );
  assert.equal(
    ruleLogLine({ rule: "g/r", action: "g/a", statusCode: 1, success: false, error: "e" }),
    '{"rule":"g/r","action":"g/a","statusCode":1,"success":false,"error":"e"}',
  );
});
