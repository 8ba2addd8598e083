/** Tests of actors/controller/rest_api/trigger_document.ts: rules map, PUT, feed names. */
import assert from "node:assert/strict";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import {
  addRule,
  apiTrigger,
  buildTriggerForPut,
  removeRule,
} from "../../../../actors/controller/rest_api/trigger_document.ts";

const base = { namespace: "guest", name: "t1", now: 1, maxParameterBytes: 1000 };
const link = { action: { path: "guest", name: "a" }, status: "active" } as const;

Deno.test("addRule()/removeRule() maintain the rules map", () => {
  const t = addRule(buildTriggerForPut({ ...base, body: {} }), "guest/r1", link);
  assert.deepEqual(apiTrigger(t).rules, { "guest/r1": link });
  assert.deepEqual(removeRule(t, "guest/r1").rules, {});
});

Deno.test("buildTriggerForPut() keeps the rules on update and checks the feed name", () => {
  const t = addRule(buildTriggerForPut({ ...base, body: {} }), "guest/r1", link);
  assert.deepEqual(buildTriggerForPut({ ...base, body: {}, existing: t }).rules, t.rules);
  const feed = (value: unknown) => ({ ...base, body: { annotations: [{ key: "feed", value }] } });
  assert.ok(buildTriggerForPut(feed("/whisk.system/alarms/alarm")));
  assert.throws(() => buildTriggerForPut(feed("a/b/c/d")), ApiError);
  assert.throws(() => buildTriggerForPut(feed(true)), ApiError);
});
