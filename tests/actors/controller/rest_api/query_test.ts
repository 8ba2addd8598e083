/** Tests of actors/controller/rest_api/query.ts: paging and parameter parsing. */
import assert from "node:assert/strict";
import {
  parseBoolean,
  parseOptionalInteger,
  parsePaging,
} from "../../../../actors/controller/rest_api/query.ts";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";

const q = (s: string) => new URLSearchParams(s);

Deno.test("parsePaging() applies upstream's defaults and limit=0 as 200", () => {
  assert.deepEqual(parsePaging(q(""), "actions"), { limit: 30, skip: 0, count: false });
  assert.deepEqual(parsePaging(q("limit=0&skip=3&count=true"), "actions"), {
    limit: 200,
    skip: 3,
    count: true,
  });
});

Deno.test("parsePaging() answers 400 with upstream's messages", () => {
  const cases: [string, string][] = [
    ["limit=201", "The value '201' is not in the range of 0 to 200 for actions."],
    ["limit=x", "The value 'x' is not an integer for actions."],
    ["skip=-1", "The value '-1' is not greater than or equal to 0 for actions."],
    ["count=maybe", "The request has an invalid value 'maybe' for parameter 'count'."],
  ];
  for (const [query, message] of cases) {
    assert.throws(
      () => parsePaging(q(query), "actions"),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === message,
      query,
    );
  }
});

Deno.test("parseBoolean() and parseOptionalInteger() read present and absent values", () => {
  assert.equal(parseBoolean(q("blocking=TRUE"), "blocking", false), true);
  assert.equal(parseBoolean(q(""), "blocking", false), false);
  assert.equal(parseOptionalInteger(q("since=1000"), "since"), 1000);
  assert.equal(parseOptionalInteger(q(""), "since"), undefined);
  assert.throws(() => parseOptionalInteger(q("since=-5"), "since"), ApiError);
});
