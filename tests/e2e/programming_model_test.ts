/**
 * End-to-end test of the programming model over the REST API: packages (calls 18),
 * triggers and rules (19), deletion (20), package bindings to another namespace,
 * sequences (chaining, a failing component, nesting), web actions of every extension
 * with and without `require-whisk-auth`, and namespace isolation. `createRestApi` is
 * served by `Deno.serve` over a temp-file SQLite store and driven by the real `openwhisk`
 * npm client; the balancer is a scripted double whose results are computed from the
 * parameters, so sequence chaining is real.
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import {
  apiKeyOf,
  createRestApi,
  ensureGuestSubject,
  GUEST_SUBJECT,
  type InvokeOutcome,
} from "../../actors/controller/rest_api/mod.ts";
import { systemClock } from "../../runtime/actors/clock.ts";
import { silentLogger } from "../../runtime/log.ts";
import { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, openSqliteStore, storeFileIn } from "../../runtime/store/mod.ts";
import type { InvokeCall } from "../actors/controller/rest_api/_harness.ts";
import {
  computedInvoke,
  eventually,
  OTHER_SUBJECT,
} from "../actors/controller/rest_api/_programming_fixtures.ts";

// The client's answers are checked field by field; its typings are looser than the wire.
// deno-lint-ignore no-explicit-any
type Doc = any;
type Call = (options?: Record<string, unknown>) => Promise<Doc>;
interface Client {
  actions: Record<"create" | "update" | "get" | "invoke" | "delete", Call>;
  activations: Record<"get" | "list", Call>;
  packages: Record<"create" | "get" | "list" | "delete" | "update", Call>;
  triggers: Record<"create" | "get" | "invoke" | "delete" | "update", Call>;
  rules: Record<"create" | "get" | "enable" | "disable" | "delete", Call>;
}

const CODE = "function main(p) { return p; }";
const HEX32 = /^[0-9a-f]{32}$/;
// needle's keep-alive agent leaves sockets Deno's sanitizers flag; servers and stores are closed.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

async function serve() {
  const dir = await Deno.makeTempDir({ prefix: "programming_model_e2e_" });
  const store: EntityStore = openSqliteStore({ path: storeFileIn(dir), logger: silentLogger });
  await ensureGuestSubject(store);
  await store.putSubject(OTHER_SUBJECT);
  const calls: InvokeCall[] = [];
  const scripted = computedInvoke(() => store);
  const handler = createRestApi({
    store,
    clock: systemClock,
    logger: silentLogger,
    metrics: new MetricsRegistry(),
    announceChange: () => {},
    checkThrottle: () => ({ type: "Allowed" }),
    invoke: (identity, action, params, options): Promise<InvokeOutcome> => {
      const call = { identity, action, params, options };
      calls.push(call);
      return scripted(call);
    },
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  const client = (key: string) => openwhisk({ apihost: url, api_key: key }) as unknown as Client;
  return {
    url,
    store,
    calls,
    guest: client(apiKeyOf(GUEST_SUBJECT)),
    other: client(apiKeyOf(OTHER_SUBJECT)),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Doc> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "expected the call to reject" });
}

const annotation = (doc: Doc, key: string) =>
  doc.annotations.find((a: { key: string }) => a.key === key)?.value;

Deno.test({
  name: "openwhisk client: packages, triggers and rules, delete (calls 18-20)",
  ...CLIENT_TEST,
  async fn(t) {
    await using s = await serve();
    const ow = s.guest;
    await t.step("18 a packaged action by short and fully qualified name", async () => {
      const pkg = await ow.packages.create({
        name: "pkg",
        package: { parameters: [{ key: "from", value: "pkg" }] },
      });
      assert.deepEqual([pkg.name, pkg.binding], ["pkg", {}]);
      await ow.actions.create({ name: "pkg/act", action: CODE });
      const short = await ow.actions.invoke({ name: "pkg/act", blocking: true, params: { a: 1 } });
      assert.deepEqual(short.response.result, { from: "pkg", a: 1 });
      assert.equal(annotation(short, "path"), "guest/pkg/act");
      const full = await ow.actions.invoke({
        name: "/guest/pkg/act",
        blocking: true,
        result: true,
      });
      assert.deepEqual(full, { from: "pkg" });
      const got = await ow.packages.get({ name: "pkg" });
      assert.deepEqual(got.actions.map((a: Doc) => a.name), ["act"]);
      const deleteFull = await rejection(ow.packages.delete({ name: "pkg" }));
      assert.equal(deleteFull.statusCode, 409);
    });
    await t.step("19 trigger + rule + fire, then disabled → 204", async () => {
      await ow.actions.create({ name: "hello", action: CODE });
      await ow.triggers.create({ name: "t1", trigger: { parameters: [{ key: "t", value: 1 }] } });
      const rule = await ow.rules.create({ name: "r1", action: "hello", trigger: "t1" });
      assert.equal(rule.status, "active");
      const fired = await ow.triggers.invoke({ name: "t1", params: { p: 2 } });
      assert.match(fired.activationId, HEX32);
      const record = await eventually(() =>
        ow.activations.get({ name: fired.activationId }).catch(() => undefined)
      );
      const [log] = record.logs.map((line: string) => JSON.parse(line));
      assert.deepEqual([log.rule, log.action, log.success], ["guest/r1", "guest/hello", true]);
      const listed = await eventually(async () => {
        const list = await ow.activations.list({ name: "hello", limit: 10 });
        return list.some((a: Doc) => a.activationId === log.activationId) ? list : undefined;
      });
      assert.ok(listed.length >= 1);
      const ruleCall = s.calls.find((c) => c.options.activationId === log.activationId)!;
      assert.deepEqual(ruleCall.params, { t: 1, p: 2 });
      await ow.rules.disable({ name: "r1" });
      assert.equal((await ow.rules.get({ name: "r1" })).status, "inactive");
      const quiet = await ow.triggers.invoke({ name: "t1" });
      assert.equal(quiet?.activationId, undefined);
    });
    await t.step("20 actions.delete answers the document, then 404", async () => {
      assert.equal((await ow.actions.delete({ name: "hello" })).name, "hello");
      assert.equal((await rejection(ow.actions.delete({ name: "hello" }))).statusCode, 404);
    });
  },
});

Deno.test({
  name: "openwhisk client: a binding to another namespace's shared package",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    await s.other.packages.create({
      name: "lib",
      package: { publish: true, parameters: [{ key: "greeting", value: "hello" }] },
    });
    await s.other.actions.create({ name: "lib/echo", action: CODE });
    const shared = await s.guest.packages.list({ public: true });
    assert.ok(shared.some((p: Doc) => p.name === "lib" && p.namespace === "other.ns"));
    await s.guest.packages.create({
      name: "mine",
      package: {
        binding: { namespace: "other.ns", name: "lib" },
        parameters: [{ key: "greeting", value: "hi" }],
      },
    });
    const activation = await s.guest.actions.invoke({ name: "mine/echo", blocking: true });
    assert.deepEqual(activation.response.result, { greeting: "hi" });
    assert.equal(annotation(activation, "binding"), "guest/mine");
    assert.equal(annotation(activation, "path"), "other.ns/lib/echo");
    assert.equal(activation.namespace, "guest");
  },
});

Deno.test({
  name: "openwhisk client: sequences chain, stop at a failure, nest",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    const ow = s.guest;
    for (const name of ["inc", "double", "fail"]) await ow.actions.create({ name, action: CODE });
    await ow.actions.create({ name: "calc", sequence: ["/_/inc", "/_/double"] });
    const calc = await ow.actions.invoke({ name: "calc", blocking: true, params: { n: 1 } });
    assert.deepEqual(calc.response.result, { n: 4 });
    assert.equal(calc.logs.length, 2);
    assert.equal(annotation(calc, "kind"), "sequence");
    assert.equal(annotation(calc, "topmost"), true);
    const component = await ow.activations.get({ name: calc.logs[0] });
    assert.equal(component.cause, calc.activationId);

    await ow.actions.create({ name: "broken", sequence: ["/_/inc", "/_/fail", "/_/double"] });
    const error = await rejection(
      ow.actions.invoke({ name: "broken", blocking: true, params: { n: 1 } }),
    );
    assert.equal(error.statusCode, 502);
    assert.match(error.message, /failed at 2/);

    await ow.actions.create({ name: "outer", sequence: ["/_/calc", "/_/inc"] });
    assert.deepEqual(
      await ow.actions.invoke({ name: "outer", blocking: true, result: true, params: { n: 2 } }),
      {
        n: 7,
      },
    );
    const queued = await ow.actions.invoke({ name: "outer", params: { n: 0 } });
    const stored = await eventually(() =>
      ow.activations.get({ name: queued.activationId }).catch(() => undefined)
    );
    assert.deepEqual(stored.response.result, { n: 3 });

    const missing = await rejection(ow.actions.create({ name: "bad", sequence: ["/_/none"] }));
    assert.deepEqual([missing.statusCode, missing.error.error], [
      400,
      "Sequence component does not exist.",
    ]);
  },
});

Deno.test({
  name: "web actions: each extension, require-whisk-auth, not exported",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    const web = { "web-export": true };
    await s.guest.actions.create({ name: "page", action: CODE, annotations: web });
    await s.guest.actions.create({
      name: "guarded",
      action: CODE,
      annotations: { ...web, "require-whisk-auth": "open sesame" },
    });
    await s.guest.actions.create({ name: "private", action: CODE });
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/api/v1/web/guest/default/${path}`, { headers });

    const json = await get("page.json?name=x");
    assert.equal(json.status, 200);
    assert.equal((await json.json()).name, "x");
    const html = await get("page.html?html=%3Cb%3Ehi%3C%2Fb%3E");
    assert.deepEqual([html.headers.get("content-type"), await html.text()], [
      "text/html; charset=UTF-8",
      "<b>hi</b>",
    ]);
    const svg = await get("page.svg?svg=%3Csvg%2F%3E");
    assert.deepEqual([svg.headers.get("content-type"), await svg.text()], [
      "image/svg+xml",
      "<svg/>",
    ]);
    const text = await get("page.text?text=plain");
    assert.equal(await text.text(), "plain");
    const http = await get("page.http?statusCode=201&body=made");
    assert.deepEqual([http.status, await http.text()], [201, "made"]);
    const bare = await get("page?body=");
    assert.equal(bare.status, 204);
    await bare.body?.cancel();

    const denied = await get("guarded.json");
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const allowed = await get("guarded.json", { "x-require-whisk-auth": "open sesame" });
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    const hidden = await get("private.json");
    assert.equal(hidden.status, 404);
    await hidden.body?.cancel();
  },
});

Deno.test({
  name: "namespace isolation: another subject cannot read, change or invoke private entities",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    const ow = s.guest;
    await ow.packages.create({ name: "vault" });
    await ow.actions.create({ name: "vault/act", action: CODE });
    await ow.actions.create({ name: "solo", action: CODE });
    await ow.triggers.create({ name: "t1" });
    await ow.rules.create({ name: "r1", action: "solo", trigger: "t1" });
    const o = s.other;
    const attempts: [string, Promise<unknown>][] = [
      ["get package", o.packages.get({ name: "/guest/vault" })],
      ["update package", o.packages.update({ name: "/guest/vault" })],
      ["delete package", o.packages.delete({ name: "/guest/vault" })],
      [
        "bind package",
        o.packages.create({
          name: "b",
          package: { binding: { namespace: "guest", name: "vault" } },
        }),
      ],
      ["get packaged action", o.actions.get({ name: "/guest/vault/act" })],
      ["invoke packaged action", o.actions.invoke({ name: "/guest/vault/act" })],
      ["get action", o.actions.get({ name: "/guest/solo" })],
      ["invoke action", o.actions.invoke({ name: "/guest/solo", blocking: true })],
      ["update action", o.actions.update({ name: "/guest/solo", action: CODE })],
      ["delete action", o.actions.delete({ name: "/guest/solo" })],
      ["get trigger", o.triggers.get({ name: "/guest/t1" })],
      ["fire trigger", o.triggers.invoke({ name: "/guest/t1" })],
      ["delete trigger", o.triggers.delete({ name: "/guest/t1" })],
      ["get rule", o.rules.get({ name: "/guest/r1" })],
      ["disable rule", o.rules.disable({ name: "/guest/r1" })],
      ["delete rule", o.rules.delete({ name: "/guest/r1" })],
      [
        "rule on guest's trigger",
        o.rules.create({ name: "r2", action: "/guest/solo", trigger: "/guest/t1" }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const error = await rejection(attempt);
      assert.equal(error.statusCode, 403, what);
    }
    assert.deepEqual(await o.packages.list({ namespace: "guest" }), []);
    assert.equal(s.calls.length, 0);
    assert.equal((await ow.rules.get({ name: "r1" })).status, "active");
  },
});
