/**
 * The published and measured-here anchors the suite reports ratios against, each with
 * its id in `reference/performance.md` §1. Latencies in ms, rates per second.
 *
 * @module
 */

/** Anchor values by id. */
export const ANCHORS = {
  /** PEER-2: OpenFaaS warm no-op p50 / p99 / p99.9. */
  openFaasP50: 1.09,
  openFaasP99: 3.66,
  openFaasP999: 5.54,
  /** PEER-3: Nightcore external call p50. */
  nightcoreExternalP50: 0.285,
  /** PEER-1: AWS Lambda warm no-op p50. */
  lambdaP50: 10.4,
  /** OW-4: per-invoker design target, invocations/s. */
  owPerInvoker: 2_000,
  /** OW-1: FPC ≈10K RPS per invoker. */
  fpcPerInvoker: 10_000,
  /** COLD-7: Deno spawn → first result p50 (Deno parent). */
  denoSpawnFirstResult: 31,
  /** COLD-8: Node spawn → first result p50. */
  nodeSpawnFirstResult: 119,
  /** COLD-1: V8 isolate start. */
  isolateStart: 5,
  /** PHY-7: etcd txn p50 measured here. */
  etcdTxnP50: 2.26,
  /** PHY-2: Deno fetch → Deno.serve p50. */
  denoHttpRttP50: 0.31,
  /** PHY-4: Deno.serve capacity at c=100 and c=10. */
  denoServeC100: 28_700,
  denoServeC10: 35_600,
  /** async.js ideal: 100 / 0.175 s. */
  asyncIdeal: 571,
  /** OW-2: classic OpenWhisk many-actions ratio 30–40 / 20,000. */
  owManyActionsRatio: 35 / 20_000,
} as const;

/** The goals of §3.2/§3.3, for the printed table. */
export const GOALS = {
  warmP50Ms: 2,
  warmP99Ms: 8,
  throughputPerSecond: 2_000,
  cpuUsPerInvocation: 500,
  coldP50Ms: 60,
  prewarmP50Ms: 15,
  asyncEfficiency: 0.9,
  manyActionsRatio: 0.5,
  apiInfoVsServe: 0.5,
  etcdOpsPerWarmInvocation: 0,
} as const;
