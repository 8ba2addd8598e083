/** Tests of scripts/bench/main.ts: the command line. */
import assert from "node:assert/strict";
import { parseBenchArgs } from "../../../scripts/bench/main.ts";
import { QUICK_SELECTION } from "../../../scripts/bench/suite.ts";

Deno.test("parseBenchArgs() defaults to the quick subset with --quick", () => {
  const a = parseBenchArgs(["--quick", "--out", "x"]);
  assert.deepEqual(a.names, [...QUICK_SELECTION]);
  assert.equal(a.baseline, "x/baseline-quick.json");
  assert.equal(a.mode, "standalone");
  assert.equal(a.tolerance, 0.25);
});

Deno.test("parseBenchArgs() takes names, mode and tolerance", () => {
  const a = parseBenchArgs(["floor", "cold-start", "--mode", "cluster", "--tolerance", "0.1"]);
  assert.deepEqual(a.names, ["floor", "cold-start"]);
  assert.equal(a.mode, "cluster");
  assert.equal(a.tolerance, 0.1);
});

Deno.test("parseBenchArgs() rejects unknown names and modes", () => {
  assert.throws(() => parseBenchArgs(["warp-speed"]), TypeError);
  assert.throws(() => parseBenchArgs(["--mode", "cloud"]), TypeError);
  assert.throws(() => parseBenchArgs(["--out"]), TypeError);
});
