/**
 * End-to-end test of configured stem cells (upstream `runtimes.json` `stemCells`,
 * reference `openwhisk-fpc.md` §4.4): the standalone started with
 * `--container-pool-prewarm nodejs:20:256:1` keeps one ready `nodejs:20` 256 MB
 * prewarm; the first blocking invoke of a matching action takes it (the record still
 * carries `initTime`, as upstream counts init on a prewarm start) and the pool backfills
 * a new one; a 128 MB action matches no prewarm and cold-starts, leaving the backfilled
 * prewarm untouched. The pool is watched through the console's `/console/api/actors`,
 * where a ready prewarm is a proxy in state `ContainerCreated`. Both first-invoke
 * latencies are printed for comparison.
 */
import assert from "node:assert/strict";
import {
  annotation,
  type Doc,
  eventually,
  leftoverContainers,
  startPlatform,
} from "./_platform.ts";

const NODE = `function main(p) { return { greeting: "hi " + p.name }; }`;

/** The proxy state of a ready prewarm (upstream `ContainerCreated` with `PreWarmData`). */
const READY_PREWARM = "ContainerCreated";

// The openwhisk client runs on needle over node:http, whose keep-alive agent leaves
// sockets Deno's sanitizers flag; the platform itself is closed explicitly.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

interface ActorEntry {
  readonly path: string;
  readonly stateName?: string;
}

/** The console's flat actor listing. */
async function actors(url: string): Promise<ActorEntry[]> {
  const response = await fetch(`${url}/console/api/actors`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { actors: ActorEntry[] }).actors;
}

/** Paths of the proxies that are ready prewarms now. */
async function readyPrewarms(url: string): Promise<string[]> {
  return (await actors(url)).filter((a) => a.stateName === READY_PREWARM).map((a) => a.path);
}

/** Waits until exactly `count` ready prewarms exist and answers their paths. */
function prewarmsSettleAt(url: string, count: number): Promise<string[]> {
  return eventually(`${count} ready prewarm(s)`, async () => {
    const ready = await readyPrewarms(url);
    return ready.length === count ? ready : undefined;
  }, 15_000);
}

/** Invokes blocking and answers the record with the client-side latency. */
async function timedInvoke(ow: Doc, name: string): Promise<{ record: Doc; ms: number }> {
  const started = performance.now();
  const record = await ow.actions.invoke({ name, blocking: true, params: { name } });
  const ms = Math.round(performance.now() - started);
  assert.equal(record.response.status, "success", JSON.stringify(record));
  assert.equal(record.response.result.greeting, `hi ${name}`);
  return { record, ms };
}

Deno.test({
  name: "standalone with --container-pool-prewarm takes the prewarm on a first invoke",
  ...CLIENT_TEST,
  async fn() {
    await using p = await startPlatform({ flags: ["--container-pool-prewarm", "nodejs:20:256:1"] });
    const { ow, url } = p;
    const [initial] = await prewarmsSettleAt(url, 1);

    await ow.actions.create({ name: "warmish", action: NODE, limits: { memory: 256 } });
    const prewarmed = await timedInvoke(ow, "warmish");
    assert.equal(typeof annotation(prewarmed.record, "initTime"), "number");
    assert.equal(typeof annotation(prewarmed.record, "waitTime"), "number");
    const states = await actors(url);
    assert.notEqual(
      states.find((a) => a.path === initial)?.stateName,
      READY_PREWARM,
      "the initial prewarm is still waiting: the invoke did not take it",
    );
    const [backfill] = await prewarmsSettleAt(url, 1);
    assert.notEqual(backfill, initial, "the pool did not start a replacement prewarm");

    await ow.actions.create({ name: "cold", action: NODE, limits: { memory: 128 } });
    const cold = await timedInvoke(ow, "cold");
    assert.equal(typeof annotation(cold.record, "initTime"), "number");
    assert.deepEqual(await readyPrewarms(url), [backfill], "a 128 MB action took the prewarm");

    console.log(JSON.stringify({
      firstInvokeMs: { prewarm: prewarmed.ms, cold: cold.ms },
      waitTimeMs: {
        prewarm: annotation(prewarmed.record, "waitTime"),
        cold: annotation(cold.record, "waitTime"),
      },
      initTimeMs: {
        prewarm: annotation(prewarmed.record, "initTime"),
        cold: annotation(cold.record, "initTime"),
      },
    }));
    assert.equal(p.logs.filter((e) => e.level === "error").length, 0, JSON.stringify(p.logs));
    // Closed here (the id stays claimed until the dispose) to check the prewarm went too.
    await p.standalone.close();
    const left = await leftoverContainers(`wsk${p.invokerId}_`);
    assert.deepEqual(left, { cgroups: [], processes: [] });
  },
});
