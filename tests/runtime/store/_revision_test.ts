import assert from "node:assert/strict";
import { nextRevision, revisionNumber } from "../../../runtime/store/_revision.ts";

Deno.test("revisionNumber() reads the integer before the first dash", () => {
  assert.equal(revisionNumber("10-abc"), 10);
  assert.equal(revisionNumber("9-abc"), 9);
  assert.equal(revisionNumber("7"), 7);
  assert.ok(revisionNumber("10-a") > revisionNumber("9-b"), "numeric, not string order");
});

Deno.test("revisionNumber() counts an empty or malformed revision as 0", () => {
  for (const rev of ["", "-abc", "x-1", "1x-2"]) assert.equal(revisionNumber(rev), 0, rev);
});

Deno.test("nextRevision() increments the number and hashes the content", () => {
  const rev = nextRevision(9, '{"a":1}');
  assert.match(rev, /^10-[0-9a-f]{32}$/);
  assert.equal(rev.slice(3), nextRevision(0, '{"a":1}').slice(2));
  assert.notEqual(rev.slice(3), nextRevision(9, '{"a":2}').slice(3));
});
