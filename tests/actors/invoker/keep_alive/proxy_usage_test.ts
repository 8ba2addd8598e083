/**
 * The proxy's side of the keep-alive wiring: it tallies its runs, reports them to the
 * pool in `ContainerIsPaused`, and has no Paused idle timer when `idleContainerMs` is
 * not finite (pools with the `lru` or `greedy-dual` policy).
 */
import assert from "node:assert/strict";
import {
  freshPulling,
  type ProxyEnv,
  type ProxyMsg,
  type ProxyState,
  proxyStateTimeout,
  proxyTransition,
  tallyRun,
} from "../../../../actors/invoker/function_pulling_container_proxy_fsm.ts";
import type {
  ContainerIsPaused,
  WarmData,
} from "../../../../protocols/function_pulling_container_proxy.ts";
import { actionMetaData } from "../../../../protocols/whisk_action.ts";
import type { Ref } from "../../../../runtime/actors/mod.ts";
import { action, activation, fakeContainer } from "../_proxy_fixtures.ts";

// deno-lint-ignore no-explicit-any
const ref = (path: string) => ({ path }) as unknown as Ref<any>;
const env: ProxyEnv = {
  self: ref("self"),
  parent: ref("pool"),
  healthManager: ref("health"),
  invokerId: 0,
  pauseGraceMs: 10_000,
  idleContainerMs: 600_000,
  pingCacheMs: 60_000,
  clientClosedRetryMs: 10_000,
  isNamespaceBlocked: () => false,
};
const warm: WarmData = {
  type: "WarmData",
  container: fakeContainer(),
  invocationNamespace: "guest",
  action: actionMetaData(action()),
  revision: "1-abc",
  lastUsed: 5,
  clientProxy: ref("client"),
};

Deno.test("tallyRun() keeps the initializing run apart and averages the warm runs", () => {
  let usage = tallyRun(undefined, 300, true);
  assert.deepEqual(usage, { runs: 1, coldRunMs: 300 });
  usage = tallyRun(usage, 10, false);
  usage = tallyRun(usage, 20, false);
  assert.deepEqual(usage, { runs: 3, coldRunMs: 300, warmRunMs: 15 });
  assert.deepEqual(tallyRun(tallyRun(undefined, 4, false), 8, false), { runs: 2, warmRunMs: 6 });
});

Deno.test("proxyTransition() reports the runs since start in ContainerIsPaused", () => {
  const step = proxyTransition(env);
  const msg = activation();
  let state: ProxyState = { name: "Running", data: warm, pulling: freshPulling };
  const feed = (m: ProxyMsg) => {
    const r = step(state, m, 100);
    state = r.next;
    return r.effects;
  };
  const done = (initialized: boolean, durationMs: number): ProxyMsg => ({
    type: "RunActivationCompleted",
    msg,
    durationMs,
    outcome: "ok",
    whiskError: false,
    ...(initialized ? { initialized } : {}),
  });
  feed(done(true, 250));
  feed(done(false, 10));
  feed({ type: "UnusedTimeout" });
  feed({ type: "RetryRequestActivation" });
  assert.equal(state.name, "Pausing");
  const sent = feed({ type: "ContainerPaused" })
    .flatMap((e) => e.type === "send" ? [(e as { msg: unknown }).msg as ContainerIsPaused] : []);
  assert.deepEqual(sent.map((m) => [m.type, m.usage]), [
    ["ContainerIsPaused", { runs: 2, coldRunMs: 250, warmRunMs: 10 }],
  ]);
});

Deno.test("proxyStateTimeout() arms the Paused idle timer only when idleContainerMs is finite", () => {
  const paused: ProxyState = { name: "Paused", data: warm };
  assert.equal(proxyStateTimeout(env)(paused), 600_000);
  const keep = proxyStateTimeout({ ...env, idleContainerMs: Number.POSITIVE_INFINITY });
  assert.equal(keep(paused), undefined);
  assert.equal(keep({ name: "Removing", data: warm }), 10_000);
});
