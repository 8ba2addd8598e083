/** Tests of scripts/bench/stats.ts: nearest-rank percentiles and summaries on known inputs. */
import assert from "node:assert/strict";
import { median, percentile, ratio, round, summarize } from "../../../scripts/bench/stats.ts";

const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

Deno.test("percentile() picks the nearest rank of 1..100", () => {
  assert.equal(percentile(hundred, 50), 50);
  assert.equal(percentile(hundred, 90), 90);
  assert.equal(percentile(hundred, 99), 99);
  assert.equal(percentile(hundred, 99.9), 100);
  assert.equal(percentile(hundred, 0), 1);
  assert.equal(percentile(hundred, 100), 100);
});

Deno.test("percentile() of one sample is that sample, of none is NaN", () => {
  assert.equal(percentile([7], 99.9), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("percentile() rejects a percentile outside [0, 100]", () => {
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
});

Deno.test("summarize() sorts its input and counts errors apart", () => {
  const s = summarize([5, 1, 4, 2, 3], 2);
  assert.deepEqual(s, {
    count: 5,
    errors: 2,
    min: 1,
    mean: 3,
    p50: 3,
    p90: 5,
    p99: 5,
    p999: 5,
    max: 5,
  });
});

Deno.test("summarize() of 1000 samples puts p99.9 at the 999th value", () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // descending on purpose
  const s = summarize(samples);
  assert.equal(s.p50, 500);
  assert.equal(s.p99, 990);
  assert.equal(s.p999, 999);
  assert.equal(s.max, 1000);
});

Deno.test("median() and ratio() handle missing denominators", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(ratio(3, 1.5), 2);
  assert.equal(ratio(1, 0), null);
  assert.equal(ratio(null, 1), null);
  assert.equal(ratio(1, NaN), null);
});

Deno.test("round() keeps 3 decimals below 10 and 1 above", () => {
  assert.equal(round(1.23456), 1.235);
  assert.equal(round(123.456), 123.5);
  assert.equal(round(NaN), null);
});
