/** Tests of scripts/bench/quick_check.ts: the baseline comparison of the CI gate. */
import assert from "node:assert/strict";
import type { MetricSet } from "../../../scripts/bench/baseline.ts";
import { decodeBaseline } from "../../../scripts/bench/baseline.ts";
import { compareToBaseline } from "../../../scripts/bench/quick_check.ts";

const baseline: MetricSet = {
  "lat": { value: 4, better: "lower", gate: true },
  "tput": { value: 0.2, better: "higher", gate: true },
  "tail": { value: 8, better: "lower", gate: false },
  "ops": { value: 0, better: "lower", gate: true, slack: 0.05 },
};

function run(values: Record<string, number | null>) {
  const results: Record<string, MetricSet[string]> = {};
  for (const [name, value] of Object.entries(values)) results[name] = { ...baseline[name]!, value };
  return compareToBaseline(results, baseline, 0.25);
}

Deno.test("compareToBaseline() passes figures within the tolerance", () => {
  const c = run({ lat: 5, tput: 0.15, tail: 8, ops: 0.04 });
  assert.equal(c.ok, true);
  assert.equal(c.regressions.length, 0);
  assert.equal(c.findings.find((f) => f.name === "lat")!.worseBy, 0.25);
});

Deno.test("compareToBaseline() fails a lower-is-better figure more than 25% worse", () => {
  const c = run({ lat: 5.1, tput: 0.2, tail: 8, ops: 0 });
  assert.equal(c.ok, false);
  assert.deepEqual(c.regressions.map((f) => [f.name, f.reason]), [["lat", "regression"]]);
});

Deno.test("compareToBaseline() fails a higher-is-better figure more than 25% lower", () => {
  const c = run({ lat: 4, tput: 0.149, tail: 8, ops: 0 });
  assert.deepEqual(c.regressions.map((f) => f.name), ["tput"]);
});

Deno.test("compareToBaseline() never fails on an ungated figure", () => {
  const c = run({ lat: 4, tput: 0.2, tail: 80, ops: 0 });
  assert.equal(c.ok, true);
  assert.equal(c.findings.find((f) => f.name === "tail")!.regressed, false);
});

Deno.test("compareToBaseline() uses the slack for a zero baseline", () => {
  assert.equal(run({ lat: 4, tput: 0.2, tail: 8, ops: 0.05 }).ok, true);
  const c = run({ lat: 4, tput: 0.2, tail: 8, ops: 0.2 });
  assert.deepEqual(c.regressions.map((f) => f.name), ["ops"]);
  assert.equal(c.regressions[0]!.worseBy, null);
});

Deno.test("compareToBaseline() counts a missing gated figure as a regression", () => {
  const c = run({ lat: null, tput: 0.2 });
  assert.deepEqual(c.regressions.map((f) => [f.name, f.reason]), [["lat", "missing"], [
    "ops",
    "missing",
  ]]);
});

Deno.test("compareToBaseline() improvements pass and new figures are listed", () => {
  const c = compareToBaseline(
    {
      lat: { ...baseline.lat!, value: 1 },
      tput: { ...baseline.tput!, value: 0.9 },
      ops: { ...baseline.ops!, value: 0 },
      extra: { value: 1, better: "lower", gate: true },
    },
    baseline,
    0.25,
  );
  assert.equal(c.ok, true);
  assert.deepEqual(c.unknown, ["extra"]);
});

Deno.test("compareToBaseline() rejects a negative tolerance", () => {
  assert.throws(() => compareToBaseline({}, baseline, -0.1), RangeError);
});

Deno.test("decodeBaseline() rejects a metric without a direction", () => {
  assert.throws(() => decodeBaseline({ metrics: { x: { value: 1, gate: true } } }), TypeError);
  assert.equal(
    decodeBaseline({ metrics: { x: { value: 1, better: "lower", gate: true } } }).metrics.x!.value,
    1,
  );
});
