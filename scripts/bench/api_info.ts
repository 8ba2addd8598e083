/**
 * `api-info` of `reference/performance.md` §3.2: OpenWhisk's ApiV1Simulation, `GET
 * /api/v1` at c=10 and c=100, against `Deno.serve`'s capacity at the same concurrency.
 *
 * @module
 */
import { ANCHORS } from "./anchors.ts";
import { type BenchContext, type BenchResult, withCpu } from "./bench_context.ts";
import { closedLoop, fetchSender } from "./load.ts";
import { ratio, summarize } from "./stats.ts";

/** Runs `GET /api/v1` at c=10 and c=100. */
export async function apiInfo(ctx: BenchContext): Promise<BenchResult> {
  const seconds = ctx.quick ? 3 : 10;
  const send = fetchSender(() => new Request(`${ctx.platform.url}/api/v1`));
  const points: Record<string, unknown>[] = [];
  const vsFloor: Record<string, number | null> = {};
  const vsAnchor: Record<string, number | null> = {};
  let cpu: Record<string, number> | undefined;
  for (const c of [10, 100]) {
    ctx.progress(`api-info: c=${c} for ${seconds} s`);
    const r = await withCpu(ctx, async () => {
      const load = await closedLoop(send, {
        concurrency: c,
        maxRequests: 2_000_000,
        maxSeconds: seconds,
      });
      return { ...load, ops: load.latenciesMs.length };
    });
    cpu = r.cpu;
    const floor = ctx.floor.httpCapacity.find((p) => p.concurrency === c)?.perSecond ?? null;
    points.push({
      concurrency: c,
      perSecond: r.perSecond,
      latencyMs: summarize(r.latenciesMs, r.errors),
    });
    vsFloor[`c${c}VsServe`] = ratio(r.perSecond, floor);
    vsAnchor[`PHY-4 c=${c}`] = ratio(
      r.perSecond,
      c === 100 ? ANCHORS.denoServeC100 : ANCHORS.denoServeC10,
    );
  }
  return {
    name: "api-info",
    status: "ok",
    figures: { points },
    vsFloor,
    vsAnchor,
    ...(cpu ? { cpuUsPerInvocation: cpu } : {}),
    metrics: {
      "api-info.c100/floor-serve-c100": {
        value: vsFloor.c100VsServe ?? null,
        better: "higher",
        gate: false,
      },
    },
  };
}
