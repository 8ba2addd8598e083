/**
 * End-to-end test of the REST API v1 CRUD and invoke paths: `createRestApi` served by
 * `Deno.serve` on a loopback port over a temp-file SQLite store, with a scripted
 * `invoke` double, driven by the real `openwhisk` npm client (calls 1–17 and 20 of the
 * reference's list), plus upstream error bodies and a property test of malformed input.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import openwhisk from "openwhisk";
import {
  apiKeyOf,
  createRestApi,
  ensureGuestSubject,
  GUEST_SUBJECT,
  type InvokeOptions,
  type InvokeOutcome,
  Messages,
} from "../../actors/controller/rest_api/mod.ts";
import { encodeActivation, type WhiskAction, type WhiskActivation } from "../../protocols/mod.ts";
import { systemClock } from "../../runtime/actors/clock.ts";
import { silentLogger } from "../../runtime/log.ts";
import { MetricsRegistry } from "../../runtime/metrics.ts";
import { type EntityStore, openSqliteStore, storeFileIn } from "../../runtime/store/mod.ts";

const GUEST_KEY = apiKeyOf(GUEST_SUBJECT);
const GUEST_BASIC = "Basic " + btoa(GUEST_KEY);
const HELLO =
  "function main(p) { console.log('hi ' + p.name); return { greeting: 'hi ' + p.name }; }";

// The client's answers are checked field by field; its typings are looser than the wire.
// deno-lint-ignore no-explicit-any
type Doc = any;
type Call = (options?: Record<string, unknown>) => Promise<Doc>;
/** The part of the `openwhisk` client these tests drive, with loose answers. */
interface Client {
  namespaces: { list(): Promise<Doc> };
  actions: Record<"create" | "update" | "get" | "list" | "invoke" | "delete", Call>;
  activations: Record<"get" | "list" | "logs" | "result", Call>;
}

function client(apihost: string, api_key: string): Client {
  return openwhisk({ apihost, api_key }) as unknown as Client;
}

interface Served {
  readonly url: string;
  readonly store: EntityStore;
  readonly ow: Client;
  readonly pending: Set<Promise<unknown>>;
  [Symbol.asyncDispose](): Promise<void>;
}

function record(
  action: WhiskAction,
  id: string,
  statusCode: 0 | 1 | 2 | 3,
  result: WhiskActivation["response"]["result"] & object,
): WhiskActivation {
  const start = Date.now();
  return {
    namespace: "guest",
    name: action.name,
    subject: "guest",
    activationId: id,
    start,
    end: start + 3,
    duration: 3,
    response: { statusCode, result },
    logs: [
      `${new Date(start).toISOString().padEnd(30)} stdout: hi`,
      `${new Date(start).toISOString().padEnd(30)} stderr: careful`,
    ],
    annotations: [
      { key: "path", value: `${action.namespace}/${action.name}` },
      { key: "waitTime", value: 2 },
      { key: "kind", value: action.exec.kind },
      { key: "timeout", value: false },
      { key: "limits", value: { ...action.limits } },
    ],
    version: action.version,
    publish: false,
  };
}

/** The scripted balancer: the action's name decides the outcome. */
function scriptedInvoke(store: EntityStore, pending: Set<Promise<unknown>>) {
  return (_who: unknown, action: WhiskAction, _params: unknown, o: InvokeOptions) => {
    const outcome = (code: 0 | 1 | 2 | 3, result: object): Promise<InvokeOutcome> => {
      const activation = record(action, o.activationId, code, result as never);
      const stored = store.putActivation(encodeActivation(activation) as never);
      if (!o.blocking) {
        pending.add(stored);
        return Promise.resolve({ type: "Accepted", activationId: o.activationId });
      }
      return stored.then(() => ({ type: "Completed", activation }));
    };
    switch (action.name) {
      case "fails":
        return outcome(1, { error: "boom" });
      case "throws":
        return outcome(2, { error: "An error has occurred: Error: thrown" });
      case "sleepy":
        return new Promise<InvokeOutcome>(() => {});
      case "list":
        return outcome(0, [1, 2, 3]);
      default:
        return outcome(0, { greeting: "hi" });
    }
  };
}

async function serve(maxBlockingWaitMs = 300): Promise<Served> {
  const dir = await Deno.makeTempDir({ prefix: "rest_api_e2e_" });
  const store = openSqliteStore({ path: storeFileIn(dir), logger: silentLogger });
  await ensureGuestSubject(store);
  const pending = new Set<Promise<unknown>>();
  const handler = createRestApi({
    store,
    clock: systemClock,
    logger: silentLogger,
    metrics: new MetricsRegistry(),
    announceChange: () => {},
    checkThrottle: (_who, action) =>
      action.name === "throttled"
        ? { type: "Throttled", message: Messages.tooManyRequests(61, 60) }
        : { type: "Allowed" },
    invoke: scriptedInvoke(store, pending),
  }, { maxBlockingWaitMs });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    store,
    pending,
    ow: client(url, GUEST_KEY),
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(pending);
      await server.shutdown();
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

interface ClientError {
  statusCode?: number;
  error: Record<string, unknown>;
  message: string;
}

async function rejection(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (error) {
    return error as ClientError;
  }
  throw new assert.AssertionError({ message: "expected the call to reject" });
}

const HEX32 = /^[0-9a-f]{32}$/;

// The openwhisk client runs on needle over node:http, whose keep-alive agent leaves
// sockets Deno's sanitizers flag; the servers and stores are closed explicitly.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

Deno.test({
  name: "openwhisk client: namespaces, action CRUD, invokes and activations (calls 1-17, 20)",
  ...CLIENT_TEST,
  async fn(t) {
    await using s = await serve();
    const { ow } = s;
    await t.step("1 namespaces.list()", async () => {
      assert.deepEqual(await ow.namespaces.list(), ["guest"]);
    });
    await t.step("2 actions.create() answers the document at 0.0.1", async () => {
      const doc = await ow.actions.create({ name: "hello", action: HELLO });
      assert.equal(doc.name, "hello");
      assert.equal(doc.namespace, "guest");
      assert.equal(doc.exec.kind, "nodejs:20");
      assert.equal(doc.exec.code, HELLO);
      assert.equal(doc.version, "0.0.1");
      assert.deepEqual(doc.annotations, [
        { key: "provide-api-key", value: false },
        { key: "exec", value: "nodejs:20" },
      ]);
    });
    await t.step("3 creating it again rejects 409", async () => {
      const error = await rejection(ow.actions.create({ name: "hello", action: HELLO }));
      assert.equal(error.statusCode, 409);
      assert.equal(error.error.error, "resource already exists");
    });
    await t.step("4 actions.get() with and without code", async () => {
      assert.equal((await ow.actions.get({ name: "hello" })).exec.code, HELLO);
      const bare = await ow.actions.get({ name: "hello", code: false });
      assert.equal(bare.exec.code, undefined);
      assert.equal(bare.exec.kind, "nodejs:20");
    });
    await t.step("5 actions.update() replaces parameters and bumps the patch", async () => {
      const doc = await ow.actions.update({ name: "hello", params: { name: "y" } });
      assert.deepEqual(doc.parameters, [{ key: "name", value: "y" }]);
      assert.equal(doc.version, "0.0.2");
      assert.equal(doc.exec.code, HELLO);
    });
    await t.step("6 actions.list() answers summaries", async () => {
      for (const name of ["fails", "throws", "sleepy", "list"]) {
        await ow.actions.create({ name, action: HELLO });
      }
      const page = await ow.actions.list({ limit: 3, skip: 1 });
      assert.equal(page.length, 3);
      for (const summary of page) {
        assert.equal(summary.namespace, "guest");
        assert.equal(summary.exec.code, undefined);
        assert.equal(typeof summary.exec.binary, "boolean");
      }
    });
    let nonBlockingId = "";
    await t.step("7 a non-blocking invoke answers {activationId}", async () => {
      const answer = await ow.actions.invoke({ name: "hello", params: { name: "z" } });
      assert.match(answer.activationId, HEX32);
      nonBlockingId = answer.activationId;
    });
    await t.step("8 a blocking invoke answers the activation", async () => {
      const activation = await ow.actions.invoke({ name: "hello", blocking: true });
      assert.equal(activation.response.success, true);
      assert.equal(activation.response.status, "success");
      assert.equal(activation.response.statusCode, undefined);
      const keys = activation.annotations.map((a: { key: string }) => a.key);
      for (const key of ["path", "kind", "limits", "waitTime"]) assert.ok(keys.includes(key), key);
    });
    await t.step("9 blocking with result answers the bare result", async () => {
      const result = await ow.actions.invoke({ name: "hello", blocking: true, result: true });
      assert.deepEqual(result, { greeting: "hi" });
    });
    await t.step("10 an application error rejects 502 with the activation", async () => {
      const error = await rejection(ow.actions.invoke({ name: "fails", blocking: true }));
      assert.equal(error.statusCode, 502);
      const response = error.error.response as { success: boolean; status: string };
      assert.equal(response.success, false);
      assert.equal(response.status, "application error");
      assert.equal(error.error.code, undefined);
      assert.match(error.message, /--> "boom"$/);
    });
    await t.step("11 a developer error rejects 502", async () => {
      const error = await rejection(ow.actions.invoke({ name: "throws", blocking: true }));
      assert.equal(error.statusCode, 502);
      assert.equal((error.error.response as { status: string }).status, "action developer error");
    });
    await t.step("12 a blocking invoke past the wait answers 202 {activationId}", async () => {
      const resolved = await ow.actions.invoke({ name: "sleepy", blocking: true });
      assert.match(resolved.activationId, HEX32);
      const error = await rejection(
        ow.actions.invoke({ name: "sleepy", blocking: true, result: true }),
      );
      assert.equal(error.statusCode, undefined);
      assert.match(String((error as unknown as { activationId: string }).activationId), HEX32);
    });
    await t.step("12b an array result is answered bare", async () => {
      assert.deepEqual(await ow.actions.invoke({ name: "list", blocking: true }), [1, 2, 3]);
    });
    await t.step("13 activations.get() finds the non-blocking record", async () => {
      await Promise.allSettled(s.pending);
      const activation = await ow.activations.get({ name: nonBlockingId });
      assert.equal(activation.activationId, nonBlockingId);
      assert.equal(activation.logs.length, 2);
      assert.equal(activation.response.status, "success");
    });
    await t.step("14 activations.list() answers summaries newest first", async () => {
      const list = await ow.activations.list({ name: "hello", limit: 10 });
      assert.ok(list.length >= 3);
      for (const summary of list) {
        assert.equal(summary.name, "hello");
        assert.equal(summary.statusCode, 0);
        assert.equal(summary.response, undefined);
      }
      const starts = list.map((a: { start: number }) => a.start);
      assert.deepEqual(starts, [...starts].sort((a, b) => b - a));
    });
    await t.step("15 activations.logs()", async () => {
      const { logs } = await ow.activations.logs({ name: nonBlockingId });
      assert.match(logs[0], /stdout: hi$/);
      assert.match(logs[1], /stderr: careful$/);
    });
    await t.step("16 activations.result()", async () => {
      assert.deepEqual(await ow.activations.result({ name: nonBlockingId }), {
        status: "success",
        success: true,
        result: { greeting: "hi" },
      });
    });
    await t.step("17 a missing action rejects 404 with upstream's message", async () => {
      const error = await rejection(ow.actions.get({ name: "missing" }));
      assert.equal(error.statusCode, 404);
      assert.equal(error.error.error, Messages.resourceDoesNotExist);
    });
    await t.step("20 actions.delete() answers the document, then 404", async () => {
      const doc = await ow.actions.delete({ name: "hello" });
      assert.equal(doc.name, "hello");
      assert.equal(doc.version, "0.0.2");
      const error = await rejection(ow.actions.delete({ name: "hello" }));
      assert.equal(error.statusCode, 404);
    });
  },
});

Deno.test({
  name: "openwhisk client: upstream error answers (401, 404, 400, 413, 429) and raw 405",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    const wrongKey = `${GUEST_SUBJECT.namespaces[0]!.uuid}:${"x".repeat(64)}`;
    const stranger = client(s.url, wrongKey);
    const unauthorized = await rejection(stranger.namespaces.list());
    assert.equal(unauthorized.statusCode, 401);
    assert.equal(unauthorized.error.error, Messages.authenticationInvalid);
    const missing = await fetch(`${s.url}/api/v1/namespaces`);
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).error, Messages.authenticationMissing);

    const unknown = await rejection(s.ow.actions.invoke({ name: "nope", blocking: true }));
    assert.equal(unknown.statusCode, 404);

    const limits = await rejection(
      s.ow.actions.create({ name: "big", action: HELLO, limits: { memory: 1024 } }),
    );
    assert.equal(limits.statusCode, 400);
    assert.equal(limits.error.error, "memory size 1024 MB exceeds allowed threshold of 512 MB");

    await s.ow.actions.create({ name: "throttled", action: HELLO });
    const tooLarge = await rejection(
      s.ow.actions.invoke({ name: "throttled", params: { blob: "x".repeat(1024 * 1024 + 1) } }),
    );
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(typeof tooLarge.error.code, "string");

    const throttled = await rejection(s.ow.actions.invoke({ name: "throttled" }));
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.error.error, Messages.tooManyRequests(61, 60));

    const other = await rejection(s.ow.actions.list({ namespace: "whisk.system" }));
    assert.equal(other.statusCode, 403);

    const wrongMethod = await fetch(`${s.url}/api/v1/namespaces/_/actions/x`, {
      method: "PATCH",
      headers: { authorization: GUEST_BASIC },
    });
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual(Object.keys(await wrongMethod.json()), ["error", "code"]);
  },
});

Deno.test({
  name: "openwhisk client: a store that is down answers 503 {error, code}",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve();
    await s.store.close();
    const error = await rejection(s.ow.actions.list());
    assert.equal(error.statusCode, 503);
    assert.equal(error.error.error, Messages.serviceUnavailable);
    assert.equal(typeof error.error.code, "string");
  },
});

const SEGMENT = fc.oneof(
  fc.constantFrom("_", "guest", "whisk.system", "hello", "fails", "pkg", "", "%zz", "%2F", ".."),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom("a".repeat(32), "0123456789abcdef0123456789abcdef", "A".repeat(32)),
);
const ACTION_PATH = fc.tuple(
  fc.constantFrom("_", "_", "guest", "other"),
  fc.oneof(fc.constantFrom("hello", "fails", "fresh", "pkg/fresh"), SEGMENT),
).map(([ns, name]) => `/api/v1/namespaces/${ns}/actions/${name}`);
const PATH = fc.oneof(
  { arbitrary: ACTION_PATH, weight: 3 },
  fc.tuple(
    fc.constantFrom(
      "/api/v1/namespaces/{}/actions",
      "/api/v1/namespaces/{}/actions/{}",
      "/api/v1/namespaces/{}/actions/{}/{}",
      "/api/v1/namespaces/{}/actions/{}/",
      "/api/v1/namespaces/{}/activations",
      "/api/v1/namespaces/{}/activations/{}",
      "/api/v1/namespaces/{}/activations/{}/logs",
      "/api/v1/namespaces/{}/activations/{}/result",
      "/api/v1/namespaces/{}/limits",
      "/api/v1/namespaces",
      "/api/v1",
      "/",
      "/ping",
      "/api/v1/{}/{}",
    ),
    fc.array(SEGMENT, { minLength: 3, maxLength: 3 }),
  ).map(([template, [a, b, c]]) => template.replace("{}", a!).replace("{}", b!).replace("{}", c!)),
);
const QUERY_KEYS = [
  "blocking",
  "result",
  "timeout",
  "overwrite",
  "code",
  "limit",
  "skip",
  "count",
  "docs",
  "name",
  "since",
  "upto",
];
const QUERY = fc.array(
  fc.tuple(
    fc.constantFrom(...QUERY_KEYS),
    fc.oneof(
      {
        arbitrary: fc.constantFrom("true", "false", "0", "-1", "201", "1e3", "9".repeat(20), ""),
        weight: 3,
      },
      fc.string({ maxLength: 8 }),
    ),
  ),
  { maxLength: 4 },
).map((pairs) => pairs.length === 0 ? "" : "?" + new URLSearchParams(pairs).toString());
const BODY = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 3 }),
  fc.record({
    exec: fc.oneof(
      fc.record({
        kind: fc.constantFrom("nodejs:default", "python:3", "nodejs:18", "sequence", "blackbox"),
        code: fc.string({ maxLength: 10 }),
      }),
      fc.anything({ maxDepth: 2 }),
    ),
    limits: fc.oneof(
      fc.record({ memory: fc.integer(), timeout: fc.double() }),
      fc.anything({ maxDepth: 1 }),
    ),
    parameters: fc.anything({ maxDepth: 2 }),
    annotations: fc.anything({ maxDepth: 2 }),
    version: fc.anything({ maxDepth: 1 }),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);
const AUTH = fc.oneof(
  { arbitrary: fc.constant(GUEST_BASIC), weight: 8 },
  fc.constant(undefined),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.string({ maxLength: 70 }).map((s) => "Basic " + btoa(s.replace(/[^\x20-\x7e]/g, ""))),
);
const METHOD = fc.oneof(
  { arbitrary: fc.constantFrom("GET", "PUT", "POST"), weight: 4 },
  fc.constantFrom("DELETE", "PATCH", "HEAD", "OPTIONS"),
);

Deno.test({
  name: "every route answers malformed input with 2xx/4xx {error, code}, an activation 502 or 503",
  ...CLIENT_TEST,
  async fn() {
    await using s = await serve(100);
    await s.ow.actions.create({ name: "hello", action: HELLO });
    await s.ow.actions.create({ name: "fails", action: HELLO });
    await fc.assert(
      fc.asyncProperty(
        METHOD,
        PATH,
        QUERY,
        BODY,
        AUTH,
        fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", ""),
        async (method, path, query, body, auth, contentType) => {
          const headers: Record<string, string> = {};
          if (auth !== undefined) headers.authorization = auth;
          if (contentType !== "") headers["content-type"] = contentType;
          const hasBody = body !== undefined && method !== "GET" && method !== "HEAD";
          const response = await fetch(`${s.url}${path}${query}`, {
            method,
            headers,
            ...(hasBody ? { body } : {}),
            signal: AbortSignal.timeout(5_000),
          });
          const text = await response.text();
          const where = `${method} ${path}${query} -> ${response.status} ${text.slice(0, 200)}`;
          assert.ok(response.headers.get("x-request-id"), where);
          if (response.status < 300 || method === "HEAD") return;
          if (response.status === 502) {
            const activation = JSON.parse(text);
            assert.equal(activation.code, undefined, where);
            assert.ok(activation.response || activation.error, where);
            return;
          }
          assert.ok(response.status < 500 || response.status === 503, where);
          assert.deepEqual(Object.keys(JSON.parse(text)), ["error", "code"], where);
        },
      ),
      { numRuns: 500 },
    );
  },
});
