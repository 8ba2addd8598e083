import assert from "node:assert/strict";
import {
  actorInvokerControl,
  invokerPort,
  type InvokerServerDeps,
  serveInvoker,
} from "../../../actors/invoker/invoker_server.ts";
import { spawnInvokerHealthManager } from "../../../actors/invoker/invoker_health_manager.ts";
import type { FunctionPullingContainerPoolCommand } from "../../../protocols/function_pulling_container_pool.ts";
import type { FunctionPullingContainerProxyCommand } from "../../../protocols/function_pulling_container_proxy.ts";
import { createTracer } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";

const KEY =
  "789c46b1-71f6-4ed5-8c54-816aa4f8c502:abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
const AUTH = { authorization: `Basic ${btoa(KEY)}` };

/** Serves the routes on an ephemeral port for the duration of `fn`. */
async function withServer(deps: InvokerServerDeps, fn: (base: string) => Promise<void>) {
  const controller = new AbortController();
  const server = serveInvoker(deps, { port: 0, signal: controller.signal });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    controller.abort();
    await server.finished;
  }
}

function fakeDeps(): InvokerServerDeps & { calls: string[] } {
  const calls: string[] = [];
  let enabled = false;
  const tracer = createTracer();
  tracer.emit({ kind: "transition", ts: 1, actor: "a", from: "X", to: "Y" });
  return {
    calls,
    instanceName: "invoker0",
    internalAuthKey: KEY,
    control: {
      enable: () => void (calls.push("enable"), enabled = true),
      disable: () => void (calls.push("disable"), enabled = false),
      isEnabled: () => enabled,
    },
    metrics: () => "whisk_test 1\n",
    health: () => ({ status: "up" }),
    tracer,
  };
}

Deno.test("invokerPort() is 12001 + N", () => {
  assert.deepEqual([invokerPort(0), invokerPort(3)], [12001, 12004]);
});

Deno.test("serveInvoker() enables, disables and reports isEnabled with the internal credential", async () => {
  const deps = fakeDeps();
  await withServer(deps, async (base) => {
    const enable = await fetch(`${base}/enable`, { method: "POST", headers: AUTH });
    assert.deepEqual([enable.status, await enable.text()], [200, "invoker0 is now enabled."]);
    const is = await fetch(`${base}/isEnabled`, { headers: AUTH });
    assert.deepEqual(await is.json(), { enabled: true });
    const disable = await fetch(`${base}/disable`, { method: "POST", headers: AUTH });
    assert.deepEqual([disable.status, await disable.text()], [200, "invoker0 is now disabled."]);
    assert.deepEqual(await (await fetch(`${base}/isEnabled`, { headers: AUTH })).json(), {
      enabled: false,
    });
  });
  assert.deepEqual(deps.calls, ["enable", "disable"]);
});

Deno.test("serveInvoker() answers 401 without or with a wrong credential and does nothing", async () => {
  const deps = fakeDeps();
  await withServer(deps, async (base) => {
    const wrongKey = { authorization: `Basic ${btoa(KEY.slice(0, -1) + "x")}` };
    const requests: [string, RequestInit][] = [
      ["/enable", { method: "POST" }],
      ["/disable", { method: "POST", headers: wrongKey }],
      ["/isEnabled", { headers: { authorization: "Basic !!!" } }],
      ["/isEnabled", { headers: { authorization: `Bearer ${KEY}` } }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${base}${path}`, init);
      const body = await response.json();
      assert.equal(response.status, 401, path);
      assert.equal(body.error, "The supplied authentication is invalid");
    }
  });
  assert.deepEqual(deps.calls, []);
});

Deno.test("serveInvoker() serves /ping, /metrics, /health and /trace without credentials", async () => {
  await withServer(fakeDeps(), async (base) => {
    assert.equal(await (await fetch(`${base}/ping`)).text(), "pong");
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(await metrics.text(), "whisk_test 1\n");
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: "up" });
    const trace = await (await fetch(`${base}/trace?kind=transition`)).json();
    assert.deepEqual(trace.map((e: { to: string }) => e.to), ["Y"]);
    const missing = await fetch(`${base}/pool`, { headers: AUTH });
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
  });
});

Deno.test("actorInvokerControl() tells both actors and reads isEnabled from the health manager", async () => {
  await using h = actorHarness();
  const pool = createProbe<FunctionPullingContainerPoolCommand>(h.system, "pool");
  const manager = spawnInvokerHealthManager(h.system, {
    spawnProxy: () => createProbe<FunctionPullingContainerProxyCommand>(h.system).ref,
    ensureTestAction: () => new Promise(() => {}),
    publish: () => {},
    logger: h.logger,
  });
  const control = actorInvokerControl(h.system, pool.ref, manager);
  assert.equal(await control.isEnabled(), false);
  await control.enable();
  await pool.expectMessage({ type: "Enable" });
  assert.equal(await control.isEnabled(), true);
  await control.disable();
  await pool.expectMessage({ type: "GracefulShutdown" });
  assert.equal(await control.isEnabled(), false);
});
