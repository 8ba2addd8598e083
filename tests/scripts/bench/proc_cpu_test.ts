/** Tests of scripts/bench/proc_cpu.ts: /proc stat parsing and the process tree. */
import assert from "node:assert/strict";
import { cpuPerOp, descendants, parseStat, type ProcCpu } from "../../../scripts/bench/proc_cpu.ts";

Deno.test("parseStat() reads utime+stime after a command name with spaces and parens", () => {
  const s = parseStat("1234 (we (ird) name) R 99 1 1 0 -1 4194304 10 0 0 0 250 50 0 0 20 0", 100);
  assert.deepEqual(s, { pid: 1234, ppid: 99, comm: "we (ird) name", cpuUs: 3_000_000 });
});

Deno.test("parseStat() rejects a line that is not a stat line", () => {
  assert.throws(() => parseStat("garbage"), SyntaxError);
});

Deno.test("descendants() walks the whole subtree but not the root", () => {
  const p = (
    pid: number,
    ppid: number,
  ): [number, ProcCpu] => [pid, { pid, ppid, comm: "x", cpuUs: 0 }];
  const all = new Map([p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(20, 1), p(30, 2)]);
  assert.deepEqual(descendants(all, 10).sort(), [11, 12]);
  assert.deepEqual(descendants(all, 1).sort((a, b) => a - b), [10, 11, 12, 20]);
});

Deno.test("cpuPerOp() divides deltas and sums the platform side apart from the generator", () => {
  const per = cpuPerOp({ generator: 100, platform: 1000, containers: 0 }, {
    generator: 300,
    platform: 5000,
    containers: 1000,
  }, 10);
  assert.deepEqual(per, { generator: 20, platform: 400, containers: 100, platformTotal: 500 });
});

Deno.test("cpuPerOp() leaves out a group whose processes exited", () => {
  const per = cpuPerOp({ generator: 0, platform: 0, containers: 5000 }, {
    generator: 0,
    platform: 1000,
    containers: 1000,
  }, 10);
  assert.deepEqual(per, { generator: 0, platform: 100, platformTotal: 100 });
});
