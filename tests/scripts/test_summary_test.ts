/** Tests of scripts/test_summary.ts: the CI summary line is counted from JUnit XML. */
import assert from "node:assert/strict";
import { countJUnit } from "../../scripts/test_summary.ts";

Deno.test("countJUnit() counts passed, failed and skipped test cases", () => {
  const xml = `<?xml version="1.0"?>
<testsuites><testsuite name="a.ts">
  <testcase name="one" classname="a.ts" time="0.1"></testcase>
  <testcase name="two" classname="a.ts"><failure message="boom">stack</failure></testcase>
  <testcase name="three" classname="a.ts"/>
  <testcase name="four" classname="a.ts"><skipped/></testcase>
  <testcase name="five" classname="a.ts"><error message="x"/></testcase>
</testsuite></testsuites>`;
  assert.deepEqual(countJUnit(xml), { passed: 2, failed: 2, skipped: 1 });
});

Deno.test("countJUnit() counts nothing in an empty report", () => {
  assert.deepEqual(countJUnit("<testsuites></testsuites>"), { passed: 0, failed: 0, skipped: 0 });
});
