/** Tests of scripts/bench/main.ts: the command line. */
import assert from "node:assert/strict";
import { parseBenchArgs } from "../../../scripts/bench/main.ts";
import { QUICK_SELECTION } from "../../../scripts/bench/suite.ts";

Deno.test("parseBenchArgs() defaults to the quick subset with --quick", () => {
  const a = parseBenchArgs(["--quick", "--out", "x"]);
  assert.deepEqual(a.names, [...QUICK_SELECTION]);
  assert.equal(
    a.baseline,
    "scripts/bench/baseline-quick.json",
    "the committed baseline, whatever --out",
  );
  assert.equal(a.mode, "standalone");
  assert.equal(a.tolerance, 0.25);
  assert.equal(a.balancer, "fpc", "--quick stays on the FPC path unless --balancer is given");
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

Deno.test("parseBenchArgs() takes --balancer fpc, lean or both, default fpc", () => {
  assert.equal(parseBenchArgs([]).balancer, "fpc");
  assert.equal(parseBenchArgs(["--balancer", "lean"]).balancer, "lean");
  const both = parseBenchArgs(["warm-latency", "cold-start", "--balancer", "both", "--quick"]);
  assert.equal(both.balancer, "both");
  assert.deepEqual(both.names, ["warm-latency", "cold-start"]);
  assert.equal(both.quick, true);
});

Deno.test("parseBenchArgs() rejects an unknown or missing balancer", () => {
  assert.throws(() => parseBenchArgs(["--balancer", "classic"]), /unknown balancer "classic"/);
  assert.throws(() => parseBenchArgs(["--balancer"]), /--balancer needs a value/);
});

Deno.test("parseBenchArgs() rejects lean in cluster mode and a lean-only baseline", () => {
  assert.throws(() => parseBenchArgs(["--mode", "cluster", "--balancer", "both"]), TypeError);
  assert.throws(() => parseBenchArgs(["--mode", "cluster", "--balancer", "lean"]), TypeError);
  assert.equal(parseBenchArgs(["--mode", "cluster", "--balancer", "fpc"]).mode, "cluster");
  assert.throws(
    () => parseBenchArgs(["--quick", "--write-baseline", "--balancer", "lean"]),
    /--write-baseline stores the FPC figures/,
  );
  assert.equal(parseBenchArgs(["--write-baseline", "--balancer", "both"]).writeBaseline, true);
});
