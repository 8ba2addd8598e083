/**
 * `control-plane` of `reference/performance.md` §3.2: queue-creation latency for new
 * actions (CreateQueue → CreateQueueResponse on the bus, timed in the platform process)
 * and the key-value and bus operations per warm invocation, counted by wrappers on the
 * store and bus classes (see `op_counter.ts`). Background operations (lease keep-alives,
 * memory sync) are measured over an idle window first and subtracted.
 *
 * @module
 */
import { ANCHORS } from "./anchors.ts";
import type { BenchContext, BenchResult } from "./bench_context.ts";
import { closedLoop, fetchSender } from "./load.ts";
import { type Counts, diffCounts, totalCount } from "./op_counter.ts";
import { invokeOnce, invokeRequest, NOOP_CODE, putAction } from "./platform.ts";
import { ratio, round, summarize } from "./stats.ts";

function perOp(counts: Counts, ops: number): Record<string, number | null> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / ops)]));
}

/** Runs both measurements; `warmAction` must already be warm. */
export async function controlPlane(ctx: BenchContext, warmAction: string): Promise<BenchResult> {
  const newActions = ctx.quick ? 5 : 100;
  const warmInvokes = ctx.quick ? 2_000 : 10_000;
  const before = await ctx.platform.counters();
  ctx.progress(`control-plane: ${newActions} new actions (queue creation)`);
  for (let i = 0; i < newActions; i++) {
    const name = `cp-${ctx.runTag}-${i}`;
    await putAction(ctx.platform.url, { name, code: NOOP_CODE, memoryMb: 128 });
    await invokeOnce(ctx.platform.url, name);
  }
  const afterNew = await ctx.platform.counters();
  const queueMs = afterNew.queueCreationMs.slice(before.queueCreationMs.length);

  const idleSeconds = ctx.quick ? 2 : 5;
  ctx.progress(`control-plane: ${idleSeconds} s idle window (background operations)`);
  const idle0 = await ctx.platform.counters();
  const idleStart = performance.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idle1 = await ctx.platform.counters();
  const idleS = (performance.now() - idleStart) / 1000;

  ctx.progress(`control-plane: ${warmInvokes} warm invokes at c=4`);
  const send = fetchSender(invokeRequest(ctx.platform.url, warmAction));
  const w0 = await ctx.platform.counters();
  const load = await closedLoop(send, { concurrency: 4, maxRequests: warmInvokes, maxSeconds: 60 });
  const w1 = await ctx.platform.counters();
  const ops = load.latenciesMs.length;
  const background = (a: Counts, b: Counts) => totalCount(diffCounts(a, b)) / idleS;
  const kvWarm = diffCounts(w0.kv, w1.kv);
  const busWarm = diffCounts(w0.bus, w1.bus);
  const kvPerInv = Math.max(
    0,
    (totalCount(kvWarm) - background(idle0.kv, idle1.kv) * load.elapsedS) / ops,
  );
  const busPerInv = Math.max(
    0,
    (totalCount(busWarm) - background(idle0.bus, idle1.bus) * load.elapsedS) / ops,
  );
  const q = summarize(queueMs);
  const etcdTxn = "txn" in ctx.floor.etcd ? ctx.floor.etcd.txn.p50 : null;
  return {
    name: "control-plane",
    status: "ok",
    figures: {
      queueCreationMs: q,
      warmInvocations: ops,
      warmErrors: load.errors,
      kvOpsPerWarmInvocation: kvPerInv,
      busRecordsPerWarmInvocation: busPerInv,
      kvOpsDuringWarmByName: kvWarm,
      busRecordsDuringWarmByName: busWarm,
      kvBackgroundPerSecond: background(idle0.kv, idle1.kv),
      busBackgroundPerSecond: background(idle0.bus, idle1.bus),
      kvOpsPerWarmInvocationByName: perOp(kvWarm, ops),
      busRecordsPerWarmInvocationByName: perOp(busWarm, ops),
    },
    vsFloor: { queueCreationP50VsEtcdTxn: ratio(q.p50, etcdTxn) },
    vsAnchor: { "PHY-7 txn 2.26 ms": ratio(q.p50, ANCHORS.etcdTxnP50) },
    metrics: {
      "control-plane.kv-ops-per-warm-invocation": {
        value: kvPerInv,
        better: "lower",
        gate: true,
        slack: 0.05,
        description: "key-value store calls per warm invocation, background subtracted (goal 0)",
      },
      "control-plane.bus-records-per-warm-invocation": {
        value: busPerInv,
        better: "lower",
        gate: true,
        slack: 0.1,
      },
    },
    notes: [
      ctx.platform.mode === "standalone"
        ? "standalone counts calls on the in-memory twins (MemoryKv, MemoryBus): each would be an etcd or Kafka operation in cluster mode"
        : "cluster mode counts calls on EtcdKv and KafkaBus",
    ],
  };
}
