/**
 * Table test of the throttling-flag rule (reference §8.8 item 84): the action key
 * decides when present, else the namespace key, else not throttled.
 */
import assert from "node:assert/strict";
import {
  flagsThrottle,
  throttleFlagDecoder,
} from "../../../actors/controller/entitlement_flags.ts";

const NS = "whisk/throttling/guest";
const ACT = "whisk/throttling/guest/guest/pkg/hello";
const action = { namespace: "guest/pkg", name: "hello" };

Deno.test("flagsThrottle() lets the action key decide, then the namespace key, else allows", () => {
  const cases: [Record<string, boolean>, boolean][] = [
    [{ [NS]: true, [ACT]: false }, false],
    [{ [NS]: false, [ACT]: true }, true],
    [{ [NS]: true }, true],
    [{ [NS]: false }, false],
    [{ [ACT]: true }, true],
    [{}, false],
    [{ "whisk/throttling/guest2": true, "other/throttling/guest": true }, false],
  ];
  for (const [flags, expected] of cases) {
    assert.equal(
      flagsThrottle(new Map(Object.entries(flags)), "guest", action, "whisk"),
      expected,
      JSON.stringify(flags),
    );
  }
});

Deno.test("throttleFlagDecoder() reads only true and false", () => {
  assert.equal(throttleFlagDecoder("k", "true"), true);
  assert.equal(throttleFlagDecoder("k", "false"), false);
  assert.equal(throttleFlagDecoder("k", "TRUE"), undefined);
});
