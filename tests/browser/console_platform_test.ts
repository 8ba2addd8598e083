/**
 * The dev console in a real headless browser (Debian's chromium driven by
 * playwright-core) against the REAL standalone platform started in this process:
 * the actor tree shows the three roles and live FSM states; an action invoked through
 * the REST API appears in the trace under its `x-request-id` and opens as a waterfall
 * with lanes on the controller, the queue and the container proxy; the invoker panel
 * shows the invoker up with its memory, the queue panel its queue, and the activations
 * panel the activation with its result, logs and transaction; the editor creates and
 * invokes a second action and shows its result. Saves a screenshot to
 * `.test-results/console-platform.png`.
 *
 * Needs /usr/bin/chromium (`bash scripts/install_browser.sh`); with
 * `WSK_SKIP_BROWSER=1` and no chromium the test is skipped.
 *
 * The invoker gets an id unique to this test process (not 0): every platform removes
 * the `wsk<id>_` containers of its host at start and stop, so a shared id would race
 * other platform tests running in parallel.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { apiKeyOf, GUEST_SUBJECT } from "../../actors/controller/rest_api/mod.ts";
import { loadConfig } from "../../runtime/config.ts";
import { type LogEntry, loggerFrom } from "../../runtime/log.ts";
import { startStandalone } from "../../scripts/standalone_platform.ts";

const CHROMIUM = "/usr/bin/chromium";
const GUEST_KEY = apiKeyOf(GUEST_SUBJECT);
const AUTH = { authorization: "Basic " + btoa(GUEST_KEY), "content-type": "application/json" };
const SCREENSHOT = ".test-results/console-platform.png";
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
const GREETER = `function main(params) {
  console.log("greeting " + params.name);
  return { greeting: "Hi, " + params.name };
}`;

const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const skip = !hasChromium && Deno.env.get("WSK_SKIP_BROWSER") === "1";

/** An invoker id for this process, 1000–1899, apart from the e2e tests' 100–999. */
const INVOKER_ID = 1000 + Deno.pid % 900;

/** Creates `name` and invokes it blocking through the REST API, as any client would. */
async function createAndInvoke(base: string, name: string, params: unknown) {
  const action = `${base}/api/v1/namespaces/_/actions/${name}`;
  const created = await fetch(`${action}?overwrite=true`, {
    method: "PUT",
    headers: AUTH,
    body: JSON.stringify({ exec: { kind: "nodejs:20", code: GREETER } }),
  });
  assert.equal(created.status, 200, await created.text());
  const invoked = await fetch(`${action}?blocking=true`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify(params),
  });
  const body = await invoked.json();
  assert.equal(invoked.status, 200, JSON.stringify(body));
  const tid = invoked.headers.get("x-request-id");
  assert.ok(tid, "the invoke answers an x-request-id header");
  return { tid, activationId: body.activationId as string, result: body.response.result };
}

/** The `data-path`s of the waterfall's lanes. */
function lanePaths(page: Page): Promise<string[]> {
  return page.locator("#waterfall .lane").evaluateAll((els) =>
    els.map((el) => el.getAttribute("data-path") ?? "")
  );
}

Deno.test({
  name: "console page follows a real standalone platform's activations in chromium",
  ignore: skip,
  // The standalone's container processes and HTTP server are closed explicitly below;
  // chromium's CDP pipe closes asynchronously after context.close().
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    assert.ok(
      hasChromium,
      `${CHROMIUM} is missing: run \`bash scripts/install_browser.sh\` ` +
        "(or set WSK_SKIP_BROWSER=1 to skip this test)",
    );
    const dataDir = await Deno.makeTempDir({ prefix: "wsk-console-platform-" });
    const warnings: LogEntry[] = [];
    const standalone = await startStandalone({
      config: loadConfig([
        "--cluster-data-dir",
        dataDir,
        "--etcd-lease-ttl-seconds",
        "2",
        "--queue-graceful-shutdown-timeout-ms",
        "50",
      ], () => undefined),
      port: 0,
      invokerId: INVOKER_ID,
      logger: loggerFrom((entry) => warnings.push(entry), "warn"),
    });
    const invoker = `invoker${INVOKER_ID}`;
    const root = standalone.system.path;
    const userDataDir = await Deno.makeTempDir({ prefix: "wsk-console-chromium-" });
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 900 },
    });
    const problems: string[] = [];
    try {
      const page = context.pages()[0] ?? await context.newPage();
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
      });
      page.setDefaultTimeout(10_000);
      await page.goto(`${standalone.url}/console`);

      // The actor tree: the three roles, and actors with their FSM states.
      const state = (path: string) => page.locator(`li[data-path="${root}${path}"] > .state`);
      for (const role of ["controller0", "scheduler0", invoker]) {
        await page.locator(`#actor-tree > li[data-path="${root}${role}"]`).waitFor();
      }
      await state(`${invoker}/health-manager`).filter({ hasText: "Healthy" }).waitFor();
      await state(`${invoker}/container-pool`).filter({ hasText: "Running" }).waitFor();
      await state("scheduler0/queue-manager").filter({ hasText: "Active" }).waitFor();
      await page.locator("#conn-status", { hasText: "live" }).waitFor();

      // An invoke through the REST API shows in the trace under its x-request-id.
      const first = await createAndInvoke(standalone.url, "console-greeter", { name: "rest" });
      assert.deepEqual(first.result, { greeting: "Hi, rest" });
      await page.locator(`#trace-list tr[data-tid="${first.tid}"]`).first().waitFor();
      await page.fill("#filter-tid", first.tid);
      const rows = page.locator(`#trace-list tr[data-tid="${first.tid}"]`);
      const types = await rows.locator("td:nth-child(5)").allTextContents();
      for (const type of ["PublishActivation", "ActivationMessage", "RunActivation"]) {
        assert.ok(types.includes(type), `${type} in the transaction's trace: ${types}`);
      }
      assert.equal(await page.locator("#trace-list tr").count(), await rows.count());
      await page.fill("#filter-tid", "");

      // "activations only" hides the ticks and polls: what is left names an activation.
      await page.check("#filter-activations");
      const kept = await page.locator("#trace-list tr").evaluateAll((els) =>
        els.map((el) => [el.getAttribute("data-tid"), el.getAttribute("data-activation")])
      );
      assert.ok(kept.length >= types.length, `kept ${kept.length} rows`);
      for (const [tid, activationId] of kept) {
        assert.ok(
          activationId !== null || (tid !== null && !tid.startsWith("sid_")),
          `row without activation: ${tid}`,
        );
      }
      assert.ok(kept.some(([tid]) => tid === first.tid));
      await page.uncheck("#filter-activations");
      await page.fill("#filter-tid", first.tid);

      // Its waterfall: lanes on the controller side, the queue and the container proxy.
      await rows.first().locator(".link").click();
      await page.locator("#waterfall-tid", { hasText: first.tid }).waitFor();
      const lanes = (await lanePaths(page)).map((path) => path.slice(root.length));
      const has = (pattern: RegExp) => lanes.some((path) => pattern.test(path));
      assert.ok(has(/^controller0\/pool-balancer$/), `controller lane in ${lanes}`);
      assert.ok(has(/^controller0\/completions$/), `completions lane in ${lanes}`);
      assert.ok(has(/^scheduler0\/queue-manager[^/]*\/queue-/), `queue lane in ${lanes}`);
      assert.ok(
        has(new RegExp(`^${invoker}/container-pool/proxy-\\d+$`)),
        `container proxy lane in ${lanes}`,
      );
      assert.match(await page.locator("#waterfall .axis").textContent() ?? "", /\d+ ms/);
      await page.fill("#filter-tid", "");

      // The invoker up with its memory; the queue; the activation with result and logs.
      const invokerRow = page.locator(`#invokers tr[data-invoker="${invoker}"]`);
      await invokerRow.filter({ hasText: "up" }).waitFor();
      assert.match(await invokerRow.textContent() ?? "", /\d+ \/ \d+ \/ \d+/);
      const queueRow = page.locator('#queues tr[data-action^="guest/console-greeter"]');
      await queueRow.filter({ hasText: "Running" }).waitFor();
      const activationRow = page.locator(
        `#activations tr[data-activation="${first.activationId}"]`,
      );
      await activationRow.filter({ hasText: '{"greeting":"Hi, rest"}' }).waitFor();
      assert.match(await activationRow.textContent() ?? "", /success/);
      assert.match(await activationRow.locator("pre").textContent() ?? "", /greeting rest/);
      assert.equal(await activationRow.getAttribute("data-tid"), first.tid);
      await activationRow.locator(".link").click();
      await page.locator("#waterfall-tid", { hasText: first.tid }).waitFor();

      // The editor creates and invokes a second action; its result and waterfall show.
      assert.equal(await page.inputValue("#editor-key"), GUEST_KEY);
      await page.fill("#editor-name", "console-edited");
      await page.selectOption("#editor-kind", "nodejs:20");
      await page.click("#editor-run");
      await page.locator("#editor-status", { hasText: "invoked: HTTP 200" }).waitFor();
      const shown = JSON.parse(await page.locator("#editor-result").textContent() ?? "{}");
      assert.deepEqual(shown.response?.result, { greeting: "Hello, console" });
      assert.match(await page.locator("#waterfall-tid").textContent() ?? "", /^[A-Za-z0-9]+$/);
      assert.notEqual(await page.locator("#waterfall-tid").textContent(), first.tid);
      await page.locator('#waterfall .lane[data-path*="/container-pool/proxy-"]').first().waitFor();
      await page.locator(`#activations tr[data-activation="${shown.activationId}"]`, {
        hasText: "Hello, console",
      }).waitFor();

      await page.check("#filter-activations");
      await Deno.mkdir(".test-results", { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await standalone.close();
      await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
    const errors = warnings.filter((e) => e.level === "error");
    assert.deepEqual(errors.map((e) => e.msg), [], "the platform logged no errors");
  },
});
