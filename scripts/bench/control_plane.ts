/**
 * `control-plane` of `reference/performance.md` §3.2: queue-creation latency for new
 * actions (CreateQueue → CreateQueueResponse on the bus, timed in the platform process)
 * and the key-value and bus operations per warm invocation, counted by wrappers on the
 * store and bus classes (see `op_counter.ts`).
 *
 * How the key-value figure is attributed (ARCHITECTURE: "Nothing on a warm invocation's
 * path touches etcd", so its goal is 0):
 * - the warm invocations go to an action of their own, warmed up first at the same
 *   concurrency, so its container set is settled before the window opens;
 * - operations on keys of other actions are left out: an invocation of one action
 *   cannot cause them (they are earlier benchmarks' containers pausing or going away
 *   after their idle time, which used to land in this window: 0.08–0.12 per invocation);
 * - operations on the action's own keys all count;
 * - the remaining, global operations (lease keep-alives, the invokers' memory info on
 *   a 1 s timer, scheduler endpoints) count beyond the rate of an idle window of the
 *   same length (at most 20 s), measured right after.
 *
 * @module
 */
import { ANCHORS } from "./anchors.ts";
import type { BenchContext, BenchResult } from "./bench_context.ts";
import { closedLoop, fetchSender } from "./load.ts";
import {
  type Counts,
  diffCounts,
  FOCUS_SUFFIX,
  OTHER_ACTION_SUFFIX,
  totalWithSuffix,
} from "./op_counter.ts";
import { invokeOnce, invokeRequest, NOOP_CODE, putAction } from "./platform.ts";
import { ratio, round, summarize } from "./stats.ts";

/** The longest idle window: a slow machine's long warm window must not stall CI. */
const IDLE_WINDOW_MAX_S = 20;

function perOp(counts: Counts, ops: number): Record<string, number | null> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / ops)]));
}

/** The key-value operations of a warm window, attributed (see the module doc). */
export interface KvAttribution {
  /** On the warm action's own keys. */
  readonly focus: number;
  /** On other actions' keys (left out). */
  readonly otherActions: number;
  /** Global operations during the warm window. */
  readonly global: number;
  /** Global operations expected anyway: the idle rate × the warm window's length. */
  readonly globalBackground: number;
  /** What the warm invocations caused: focus + max(0, global − globalBackground). */
  readonly attributed: number;
}

/**
 * Attributes a warm window's key-value operations. Pure.
 *
 * @param warm counts of the warm window
 * @param idle counts of the idle window that followed
 * @param warmS length of the warm window in seconds
 * @param idleS length of the idle window in seconds
 * @example
 * ```ts
 * import { attributeKvOps } from "./control_plane.ts";
 * const a = attributeKvOps(
 *   { "keepAliveOnce x": 4, "del whisk/namespace [other action]": 40 },
 *   { "keepAliveOnce x": 4 },
 *   2,
 *   2,
 * );
 * console.assert(a.attributed === 0 && a.otherActions === 40);
 * ```
 */
export function attributeKvOps(
  warm: Counts,
  idle: Counts,
  warmS: number,
  idleS: number,
): KvAttribution {
  const focus = totalWithSuffix(warm, FOCUS_SUFFIX);
  const global = totalWithSuffix(warm, "");
  const globalBackground = idleS > 0 ? (totalWithSuffix(idle, "") / idleS) * warmS : 0;
  return {
    focus,
    otherActions: totalWithSuffix(warm, OTHER_ACTION_SUFFIX),
    global,
    globalBackground,
    attributed: focus + Math.max(0, global - globalBackground),
  };
}

/** Runs both measurements; `_warmAction` is unused (the warm window has its own action). */
export async function controlPlane(ctx: BenchContext, _warmAction: string): Promise<BenchResult> {
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

  const warmAction = `cpw-${ctx.runTag}`;
  await putAction(ctx.platform.url, { name: warmAction, code: NOOP_CODE, memoryMb: 128 });
  await ctx.platform.focus(warmAction);
  const send = fetchSender(invokeRequest(ctx.platform.url, warmAction));
  const warmUpS = ctx.quick ? 2 : 5;
  ctx.progress(`control-plane: ${warmUpS} s warm-up of ${warmAction} at c=4`);
  await closedLoop(send, {
    concurrency: 4,
    maxRequests: Number.MAX_SAFE_INTEGER,
    maxSeconds: warmUpS,
  });

  ctx.progress(`control-plane: ${warmInvokes} warm invokes at c=4`);
  const w0 = await ctx.platform.counters();
  const load = await closedLoop(send, { concurrency: 4, maxRequests: warmInvokes, maxSeconds: 60 });
  const w1 = await ctx.platform.counters();
  const ops = load.latenciesMs.length;

  // As long as the warm window, up to IDLE_WINDOW_MAX_S (its rate is what is subtracted).
  const idleWantedS = Math.min(load.elapsedS, IDLE_WINDOW_MAX_S);
  ctx.progress(`control-plane: ${idleWantedS.toFixed(1)} s idle window (background operations)`);
  const idle0 = await ctx.platform.counters();
  const idleStart = performance.now();
  await new Promise((r) => setTimeout(r, idleWantedS * 1000));
  const idle1 = await ctx.platform.counters();
  const idleS = (performance.now() - idleStart) / 1000;

  const kvWarm = diffCounts(w0.kv, w1.kv);
  const kvIdle = diffCounts(idle0.kv, idle1.kv);
  const busWarm = diffCounts(w0.bus, w1.bus);
  const busIdle = diffCounts(idle0.bus, idle1.bus);
  const kv = attributeKvOps(kvWarm, kvIdle, load.elapsedS, idleS);
  const kvPerInv = ops > 0 ? kv.attributed / ops : null;
  const busBackground = (totalWithSuffix(busIdle, "") / idleS) * load.elapsedS;
  const busPerInv = ops > 0
    ? Math.max(0, totalWithSuffix(busWarm, "") - busBackground) / ops
    : null;
  const q = summarize(queueMs);
  const etcdTxn = "txn" in ctx.floor.etcd ? ctx.floor.etcd.txn.p50 : null;
  return {
    name: "control-plane",
    status: "ok",
    figures: {
      queueCreationMs: q,
      warmInvocations: ops,
      warmErrors: load.errors,
      warmSeconds: load.elapsedS,
      idleSeconds: idleS,
      kvOpsPerWarmInvocation: kvPerInv,
      kvAttribution: kv,
      busRecordsPerWarmInvocation: busPerInv,
      kvOpsDuringWarmByName: kvWarm,
      kvOpsDuringIdleByName: kvIdle,
      busRecordsDuringWarmByName: busWarm,
      busBackgroundPerSecond: totalWithSuffix(busIdle, "") / idleS,
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
        description:
          "key-value store calls per warm invocation: on its action's keys, plus global ones beyond an idle window's rate (goal 0)",
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
