/**
 * `cold-start` and `prewarm-start` of `reference/performance.md` §3.2: the first call
 * of a never-seen action (queue creation, container spawn, init, run), broken down with
 * the activation record's `waitTime`, `initTime` and `duration`.
 *
 * @module
 */
import { ANCHORS, GOALS } from "./anchors.ts";
import { type BenchContext, type BenchResult, withCpu } from "./bench_context.ts";
import { invokeOnce, NOOP_CODE, putAction } from "./platform.ts";
import { median, ratio, summarize } from "./stats.ts";

/** `cold-start` (a): N first calls of new actions, one after another. */
export async function coldStart(ctx: BenchContext): Promise<BenchResult> {
  const samples = ctx.quick ? 10 : 20;
  const rtt: number[] = [];
  const wait: number[] = [];
  const init: number[] = [];
  const duration: number[] = [];
  let errors = 0;
  ctx.progress(`cold-start: ${samples} first calls of new actions`);
  const measured = await withCpu(ctx, async () => {
    for (let i = 0; i < samples; i++) {
      const name = `cold-${ctx.runTag}-${i}`;
      await putAction(ctx.platform.url, { name, code: NOOP_CODE, memoryMb: 128 });
      const t0 = performance.now();
      const outcome = await invokeOnce(ctx.platform.url, name);
      const t1 = performance.now();
      if (!outcome.ok || !outcome.record) {
        errors++;
        continue;
      }
      rtt.push(t1 - t0);
      if (outcome.record.waitTime !== undefined) wait.push(outcome.record.waitTime);
      if (outcome.record.initTime !== undefined) init.push(outcome.record.initTime);
      duration.push(outcome.record.duration);
    }
    return { ops: rtt.length };
  });
  const s = summarize(rtt, errors);
  const floor = ctx.floor.runtimeCold;
  return {
    name: "cold-start",
    status: "ok",
    figures: {
      latencyMs: s,
      breakdownMsMedian: {
        waitTime: median(wait),
        initTime: median(init),
        duration: median(duration),
        rest: s.p50 - median(wait) - median(duration),
      },
      floorRuntimeColdMs: floor,
    },
    vsFloor: {
      p50VsRuntimeCold: ratio(s.p50, floor.p50),
      p50VsNodeSpawn: ratio(s.p50, ctx.floor.spawnNode.p50),
      p50VsDenoSpawn: ratio(s.p50, ctx.floor.spawnDeno.p50),
    },
    vsAnchor: {
      "COLD-7 deno 31 ms": ratio(s.p50, ANCHORS.denoSpawnFirstResult),
      "COLD-8 node 119 ms": ratio(s.p50, ANCHORS.nodeSpawnFirstResult),
    },
    cpuUsPerInvocation: measured.cpu,
    metrics: {
      "cold-start.p50/floor-runtime-cold-p50": {
        value: ratio(s.p50, floor.p50),
        better: "lower",
        gate: true,
        description: "first call of a new action ÷ nodejs:20 container create+init+run",
      },
    },
    notes: [
      "waitTime includes queue creation and container creation; the floor is one nodejs:20 " +
      "container created, initialised and run by the same factory without the platform",
    ],
  };
}

/** The proxy state of a ready prewarm (upstream `ContainerCreated` with `PreWarmData`). */
const READY_PREWARM = "ContainerCreated";

/** How many proxies wait as ready prewarms, read from the console's actor list. */
async function readyPrewarms(url: string): Promise<number> {
  const response = await fetch(`${url}/console/api/actors`);
  const body = await response.json() as { actors?: { name: string; stateName?: string }[] };
  return (body.actors ?? []).filter((a) =>
    a.name.startsWith("proxy-") && a.stateName === READY_PREWARM
  ).length;
}

/** Waits (bounded) until a prewarm is ready; false when none came. */
async function awaitPrewarm(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await readyPrewarms(url).catch(() => 0) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * `prewarm-start`: the first call of a new action whose kind and memory match a ready
 * prewarm (`--container-pool-prewarm nodejs:20:128:1` on its own platform), waiting for
 * the backfilled prewarm before each sample.
 */
export async function prewarmStart(ctx: BenchContext): Promise<BenchResult> {
  const samples = ctx.quick ? 5 : 10;
  const rtt: number[] = [];
  const wait: number[] = [];
  let errors = 0;
  ctx.progress(`prewarm-start: ${samples} first calls taking a ready prewarm`);
  const measured = await withCpu(ctx, async () => {
    for (let i = 0; i < samples; i++) {
      if (!await awaitPrewarm(ctx.platform.url, 10_000)) {
        errors++;
        continue;
      }
      const name = `prewarm-${ctx.runTag}-${i}`;
      await putAction(ctx.platform.url, { name, code: NOOP_CODE, memoryMb: 128 });
      const t0 = performance.now();
      const outcome = await invokeOnce(ctx.platform.url, name);
      const t1 = performance.now();
      if (!outcome.ok || !outcome.record) {
        errors++;
        continue;
      }
      rtt.push(t1 - t0);
      if (outcome.record.waitTime !== undefined) wait.push(outcome.record.waitTime);
    }
    return { ops: rtt.length };
  });
  const s = summarize(rtt, errors);
  return {
    name: "prewarm-start",
    status: rtt.length > 0 ? "ok" : "failed",
    ...(rtt.length > 0 ? {} : { reason: "no prewarm became ready" }),
    figures: { latencyMs: s, waitTimeMsMedian: median(wait) },
    vsFloor: { p50VsRuntimeCold: ratio(s.p50, ctx.floor.runtimeCold.p50) },
    vsAnchor: { "goal 15 ms": ratio(s.p50, GOALS.prewarmP50Ms) },
    cpuUsPerInvocation: measured.cpu,
    metrics: {},
    notes: [
      "end-to-end blocking call of a new action taking a ready nodejs:20 128 MB prewarm; " +
      "the platform runs with --container-pool-prewarm nodejs:20:128:1",
    ],
  };
}
