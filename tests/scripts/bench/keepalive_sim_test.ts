import assert from "node:assert/strict";
import { main } from "../../../scripts/bench/keepalive_sim.ts";

Deno.test("main() runs the 10-function sample and writes the table's JSON and SVG", async () => {
  const out = await Deno.makeTempDir({ prefix: "keepalive-sim-" });
  const log = console.log;
  console.log = () => {};
  try {
    const report = await main(["--sample", "10", "--quick", "--no-synthetic", "--out", out]);
    const [azure] = report.traces;
    assert.equal(report.traces.length, 1);
    assert.equal(azure?.trace, "azure-10");
    assert.equal(azure.functions, 10);
    assert.equal(azure.results.length, 3 * azure.sizesMb.length);
    for (const r of azure.results) {
      assert.equal(r.hits + r.misses + r.drops, r.requests, `${r.policy} ${r.capacityMb}`);
      assert.equal(r.requests, azure.invocations);
    }
    // At the unbounded footprint nothing is evicted: lru and greedy-dual agree exactly.
    const top = Math.max(...azure.sizesMb);
    const at = (p: string) => azure.results.find((r) => r.policy === p && r.capacityMb === top);
    assert.equal(at("lru")?.misses, at("greedy-dual")?.misses);
    assert.ok(at("ttl")!.expirations > 0);
    const json = JSON.parse(await Deno.readTextFile(`${out}/keepalive-sim.json`));
    assert.equal(json.benchmark, "keepalive-sim");
    assert.equal(json.traces[0].results.length, azure.results.length);
    const svg = await Deno.readTextFile(`${out}/keepalive-sim.svg`);
    assert.equal(svg.match(/<polyline/g)?.length, 3);
  } finally {
    console.log = log;
    await Deno.remove(out, { recursive: true });
  }
});
