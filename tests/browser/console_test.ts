/**
 * The dev console in a real headless browser (Debian's chromium driven by
 * playwright-core): the page loads and shows the actor tree with live FSM states, the
 * trace list, pause and filters, a waterfall of one transaction, the invokers, queues
 * and activations from fake sources, and the editor creating and invoking an action
 * against a fake REST API. Saves a screenshot to `.test-results/console.png`.
 *
 * Needs /usr/bin/chromium: run `bash scripts/install_browser.sh` first. With
 * `WSK_SKIP_BROWSER=1` and no chromium the test is skipped.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { systemClock, tell, type TraceEvent } from "../../runtime/actors/mod.ts";
import {
  type ActivationView,
  type ConsoleSources,
  createConsoleHandler,
} from "../../runtime/console/mod.ts";
import { actorHarness } from "../_support/actor_harness.ts";
import { spawnDoor } from "../runtime/console/_sse.ts";

const CHROMIUM = "/usr/bin/chromium";
const GUEST_KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:" +
  "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const skip = !hasChromium && Deno.env.get("WSK_SKIP_BROWSER") === "1";

const activation: ActivationView = {
  activationId: "0123456789abcdef0123456789abcdef",
  name: "guest/hello",
  status: "success",
  durationMs: 42,
  start: Date.now(),
  cold: true,
  result: { greeting: "Hello, world" },
  logs: ["2024-01-01T00:00:00Z stdout: hi"],
  tid: "tx-fake",
};
const sources: ConsoleSources = {
  invokers: () =>
    Promise.resolve([{
      id: "invoker0",
      status: "up",
      freeMemoryMb: 1536,
      busyMemoryMb: 256,
      inProgressMemoryMb: 256,
    }]),
  queues: () =>
    Promise.resolve([{
      invocationNamespace: "guest",
      action: "guest/hello",
      revision: "1-abc",
      state: "Running",
      size: 3,
      containers: { existing: 2, creating: 1 },
      inProgress: 1,
      lastDecision: "AddContainer 1",
    }]),
  activations: () => Promise.resolve([activation]),
};

interface ApiCall {
  readonly method: string;
  readonly url: URL;
  readonly auth: string | null;
  readonly body: unknown;
}

/** The journey of one activation through the roles, as trace events 3-40 ms apart. */
function journey(root: string, tid: string, t0: number): TraceEvent[] {
  const hops: [number, string, string, string][] = [
    [0, "controller/rest-api", "controller/load-balancer", "ActivationMessage"],
    [3, "controller/load-balancer", "scheduler/queue-manager", "ActivationMessage"],
    [5, "scheduler/queue-manager", "scheduler/queue-guest-hello", "ActivationMessage"],
    [12, "invoker/proxy-1", "scheduler/queue-guest-hello", "FetchActivation"],
    [14, "invoker/proxy-1", "invoker/proxy-1/runtime", "Run"],
    [38, "invoker/proxy-1/runtime", "invoker/proxy-1", "RunResult"],
    [40, "invoker/proxy-1", "controller/activation-store", "CombinedCompletionAndResultMessage"],
  ];
  return hops.map(([dt, from, to, type]) => ({
    kind: "message",
    ts: t0 + dt,
    from: root + from,
    to: root + to,
    type,
    tid,
  }));
}

Deno.test({
  name: "console page shows actors, trace, waterfall, state and runs the editor in chromium",
  ignore: skip,
  async fn() {
    assert.ok(
      hasChromium,
      `${CHROMIUM} is missing: run \`bash scripts/install_browser.sh\` ` +
        "(or set WSK_SKIP_BROWSER=1 to skip this test)",
    );
    await using h = actorHarness({ start: Date.now() });
    const handler = createConsoleHandler({ tracer: h.tracer, system: h.system, sources });
    const calls: ApiCall[] = [];
    const root = h.system.path;
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (request) => {
        const own = handler(request);
        if (own) return await own;
        const url = new URL(request.url);
        if (!url.pathname.startsWith("/api/v1/namespaces/_/actions/")) {
          return new Response("not found", { status: 404 });
        }
        const body = await request.json();
        calls.push({
          method: request.method,
          url,
          auth: request.headers.get("authorization"),
          body,
        });
        const name = url.pathname.split("/").pop();
        if (request.method === "PUT") {
          return Response.json({
            namespace: "guest",
            name,
            version: "0.0.1",
            exec: { kind: body.exec.kind, binary: false },
            annotations: [{ key: "exec", value: body.exec.kind }],
            limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
            publish: false,
          });
        }
        for (const event of journey(root, "tx-invoke", h.clock.now())) h.tracer.emit(event);
        return Response.json({
          activationId: "fedcba9876543210fedcba9876543210",
          namespace: "guest",
          name,
          response: {
            status: "success",
            statusCode: 0,
            success: true,
            result: { greeting: `Hello, ${body.name}` },
          },
          logs: [],
          duration: 21,
        }, { headers: { "x-request-id": "tx-invoke" } });
      },
    );
    const base = `http://127.0.0.1:${server.addr.port}`;

    const controller = spawnDoor(h.system, "controller");
    const invoker = spawnDoor(h.system, "invoker");
    const proxy = spawnDoor(invoker, "proxy-1");

    const userDataDir = await Deno.makeTempDir({ prefix: "wsk-console-chromium-" });
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    const problems: string[] = [];
    try {
      const page = context.pages()[0] ?? await context.newPage();
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
      });
      page.setDefaultTimeout(5_000);
      await page.goto(`${base}/console`);

      // The actor tree, then a live transition over SSE.
      const state = (path: string) => page.locator(`li[data-path="${path}"] > .state`);
      await state(proxy.path).filter({ hasText: "Closed" }).waitFor();
      assert.equal(await page.locator("#actor-tree li").count(), 3);
      await page.locator("#conn-status", { hasText: "live" }).waitFor();
      tell(h.system, proxy, { type: "Open", tid: "tx-door" });
      await state(proxy.path).filter({ hasText: "Open" }).waitFor();
      assert.equal(await state(controller.path).textContent(), "Closed");

      // The trace list and the waterfall of one transaction.
      h.clock.advance(5);
      const events = journey(root, "tx-one", h.clock.now());
      for (const event of events) h.tracer.emit(event);
      const rows = page.locator('#trace-list tr[data-tid="tx-one"]');
      await rows.nth(events.length - 1).waitFor();
      assert.equal(await rows.count(), events.length);
      await rows.first().locator(".link").click();
      await page.locator("#waterfall-tid", { hasText: "tx-one" }).waitFor();
      const lanes = page.locator("#waterfall .lane");
      assert.equal(await lanes.count(), 7, "one lane per actor the transaction touched");
      const bars = await lanes.locator(".bar").evaluateAll((els) =>
        els.map((el) => (el as unknown as { style: { left: string } }).style.left)
      );
      assert.equal(bars[0], "0%");
      assert.ok(bars.some((left) => left !== "0%"), `bars all start at 0: ${bars}`);
      assert.match(await page.locator("#waterfall .axis").textContent() ?? "", /40 ms/);

      // Filters and pause.
      await page.fill("#filter-tid", "tx-door");
      assert.equal(await page.locator("#trace-list tr").count(), 1);
      await page.fill("#filter-tid", "");
      await page.click("#trace-pause");
      h.tracer.emit({
        kind: "message",
        ts: h.clock.now() + 100,
        from: root + "controller",
        to: root + "invoker",
        type: "Ping",
        tid: "tx-paused",
      });
      await page.locator("#trace-pause", { hasText: "Resume (1 new)" }).waitFor();
      assert.equal(await page.locator('#trace-list tr[data-tid="tx-paused"]').count(), 0);
      await page.click("#trace-pause");
      await page.locator('#trace-list tr[data-tid="tx-paused"]').waitFor();

      // Invokers, queues and activations from the sources.
      await page.locator('#invokers tr[data-invoker="invoker0"]', { hasText: "up" }).waitFor();
      await page.locator('#queues tr[data-action="guest/hello"]', { hasText: "AddContainer 1" })
        .waitFor();
      await page.locator(`#activations tr[data-activation="${activation.activationId}"]`, {
        hasText: "cold",
      }).waitFor();

      // The editor: create, then invoke blocking; the result and its waterfall show.
      assert.equal(await page.inputValue("#editor-key"), GUEST_KEY);
      await page.fill("#editor-name", "hello-console");
      await page.selectOption("#editor-kind", "python:3");
      assert.match(await page.inputValue("#editor-code"), /def main\(args\)/);
      await page.click("#editor-run");
      await page.locator("#editor-status", { hasText: "invoked: HTTP 200" }).waitFor();
      assert.match(await page.locator("#editor-result").textContent() ?? "", /Hello, console/);
      await page.locator("#waterfall-tid", { hasText: "tx-invoke" }).waitFor();
      await page.locator("#waterfall .lane").nth(6).waitFor();

      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}${c.url.search}`), [
        "PUT /api/v1/namespaces/_/actions/hello-console?overwrite=true",
        "POST /api/v1/namespaces/_/actions/hello-console?blocking=true",
      ]);
      assert.deepEqual(calls.map((c) => c.auth), [
        `Basic ${btoa(GUEST_KEY)}`,
        `Basic ${btoa(GUEST_KEY)}`,
      ]);
      assert.deepEqual((calls[0]!.body as { exec: unknown }).exec, {
        kind: "python:3",
        code: await page.inputValue("#editor-code"),
      });
      assert.deepEqual(calls[1]!.body, { name: "console" });

      await Deno.mkdir(".test-results", { recursive: true });
      await page.screenshot({ path: ".test-results/console.png", fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "console page follows the cluster's merged trace and shows which path ran each activation",
  ignore: skip,
  async fn() {
    assert.ok(hasChromium, `${CHROMIUM} is missing: run \`bash scripts/install_browser.sh\``);
    await using h = actorHarness({ start: Date.now() });
    await using other = actorHarness({ start: Date.now() });
    const otherConsole = createConsoleHandler({ tracer: other.tracer, system: other.system });
    await using otherServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => otherConsole(request) ?? new Response("not found", { status: 404 }),
    );
    const lean: ActivationView = { ...activation, activationId: "a".repeat(32), path: "lean" };
    const fpc: ActivationView = { ...activation, activationId: "b".repeat(32), path: "fpc" };
    const handler = createConsoleHandler({
      tracer: h.tracer,
      system: h.system,
      // The merge ticks on real time: the harness's manual clock never advances here.
      clock: systemClock,
      mergeWindowMs: 20,
      sources: {
        ...sources,
        activations: () => Promise.resolve([lean, fpc]),
        processes: () =>
          Promise.resolve([
            { name: h.system.name, role: "controller", url: "http://127.0.0.1:1" },
            {
              name: "invoker7",
              role: "invoker",
              url: `http://127.0.0.1:${otherServer.addr.port}`,
            },
          ]),
      },
    });
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => handler(request) ?? new Response("not found", { status: 404 }),
    );
    const userDataDir = await Deno.makeTempDir({ prefix: "wsk-console-chromium-" });
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    const problems: string[] = [];
    try {
      const page = context.pages()[0] ?? await context.newPage();
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.setDefaultTimeout(5_000);
      await page.goto(`http://127.0.0.1:${server.addr.port}/console`);
      await page.locator("#trace-cluster-label").waitFor({ state: "visible" });
      await page.locator("#trace-sources", { hasText: "invoker7" }).waitFor();

      // One transaction seen by both processes, each row tagged with its process.
      tell(h.system, spawnDoor(h.system, "door"), { type: "Open", tid: "tx-both" });
      tell(other.system, spawnDoor(other.system, "door"), { type: "Open", tid: "tx-both" });
      const rows = page.locator('#trace-list tr[data-tid="tx-both"]');
      await rows.nth(1).waitFor();
      const tags = await rows.locator("td:nth-child(7)").allTextContents();
      assert.deepEqual(tags.sort(), [h.system.name, "invoker7"].sort());

      // Unchecking "cluster" follows this process only.
      await page.uncheck("#trace-cluster");
      await page.locator('#trace-list tr[data-source="invoker7"]').waitFor({ state: "detached" });
      await rows.first().waitFor();
      assert.equal(await rows.count(), 1);

      const path = (id: string) =>
        page.locator(`#activations tr[data-activation="${id}"] td`).nth(6);
      await page.locator(`#activations tr[data-activation="${lean.activationId}"]`).waitFor();
      assert.equal(await path(lean.activationId).textContent(), "lean");
      assert.equal(await path(fpc.activationId).textContent(), "fpc");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
    }
  },
});
