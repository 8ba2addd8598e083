/** Tests of actors/controller/rest_api/activations_routes.ts: list, get, logs, result. */
import assert from "node:assert/strict";
import {
  checkActivationId,
  parseActivationFilter,
} from "../../../../actors/controller/rest_api/activations_routes.ts";
import { ApiError, Messages } from "../../../../actors/controller/rest_api/errors.ts";
import { encodeActivation, type WhiskAction } from "../../../../protocols/mod.ts";
import { activationOf, restHarness } from "./_harness.ts";

type Doc = Record<string, unknown>;
const ID_A = "a".repeat(32);
const ID_B = "b".repeat(32);
const hello = {
  namespace: "guest",
  name: "hello",
  exec: { kind: "nodejs:20", code: "x", binary: false },
  parameters: [],
  limits: { timeout: 100, memory: 128, logs: 1, concurrency: 1 },
  version: "0.0.1",
  publish: false,
  annotations: [],
} as WhiskAction;

async function seeded() {
  const h = await restHarness();
  await h.store.putActivation(
    encodeActivation({ ...activationOf(hello, ID_A, 0, { ok: 1 }, 1000), logs: ["l1"] }) as never,
  );
  await h.store.putActivation(
    encodeActivation(
      activationOf({ ...hello, name: "other" }, ID_B, 2, { error: "x" }, 2000),
    ) as never,
  );
  return h;
}

Deno.test("GET activations answers summaries newest first with a top-level statusCode", async () => {
  await using h = await seeded();
  const list = await h.call("GET", "/api/v1/namespaces/_/activations?");
  const body = list.body as Doc[];
  assert.deepEqual(body.map((a) => a.activationId), [ID_B, ID_A]);
  assert.deepEqual(body.map((a) => a.statusCode), [2, 0]);
  assert.equal(body[0]!.response, undefined);
});

Deno.test("GET activations filters by name and time, pages, counts and serves docs", async () => {
  await using h = await seeded();
  const named = await h.call("GET", "/api/v1/namespaces/_/activations?name=hello");
  assert.deepEqual((named.body as Doc[]).map((a) => a.activationId), [ID_A]);
  const since = await h.call("GET", "/api/v1/namespaces/_/activations?since=1500");
  assert.deepEqual((since.body as Doc[]).map((a) => a.activationId), [ID_B]);
  const count = await h.call("GET", "/api/v1/namespaces/_/activations?count=true");
  assert.deepEqual(count.body, { activations: 2 });
  const docs = await h.call("GET", "/api/v1/namespaces/_/activations?docs=true&limit=1&skip=1");
  const record = (docs.body as Doc[])[0]!;
  assert.deepEqual(record.response, { status: "success", success: true, result: { ok: 1 } });
});

Deno.test("GET activations answers upstream's 400s", async () => {
  await using h = await seeded();
  const both = await h.call("GET", "/api/v1/namespaces/_/activations?count=true&docs=true");
  assert.equal((both.body as Doc).error, Messages.docsNotAllowedWithCount);
  const epoch = await h.call("GET", "/api/v1/namespaces/_/activations?since=yesterday");
  assert.equal((epoch.body as Doc).error, Messages.badEpoch("yesterday"));
  const name = await h.call("GET", "/api/v1/namespaces/_/activations?name=a/b/c");
  assert.equal((name.body as Doc).error, Messages.badNameFilter("a/b/c"));
});

Deno.test("GET one activation, its logs and its result", async () => {
  await using h = await seeded();
  const record = await h.call("GET", `/api/v1/namespaces/guest/activations/${ID_A}`);
  assert.equal((record.body as Doc).activationId, ID_A);
  assert.equal(((record.body as Doc).response as Doc).statusCode, undefined);
  assert.deepEqual((await h.call("GET", `/api/v1/namespaces/_/activations/${ID_A}/logs`)).body, {
    logs: ["l1"],
  });
  assert.deepEqual((await h.call("GET", `/api/v1/namespaces/_/activations/${ID_B}/result`)).body, {
    status: "action developer error",
    success: false,
    result: { error: "x" },
  });
  assert.equal(
    (await h.call("GET", `/api/v1/namespaces/_/activations/${"c".repeat(32)}`)).status,
    404,
  );
});

Deno.test("checkActivationId() answers upstream's length and validity messages", () => {
  assert.equal(checkActivationId(ID_A), ID_A);
  assert.throws(
    () => checkActivationId("abc"),
    (e: unknown) =>
      e instanceof ApiError && e.message === "Activation id length is 3 but must be 32.",
  );
  assert.throws(
    () => checkActivationId("Z".repeat(32)),
    (e: unknown) => e instanceof ApiError && e.message === Messages.invalidActivationId,
  );
});

Deno.test("parseActivationFilter() reads name, since and upto", () => {
  assert.deepEqual(parseActivationFilter(new URLSearchParams("name=pkg/a&since=1&upto=2")), {
    name: "pkg/a",
    since: 1,
    upto: 2,
  });
  assert.deepEqual(parseActivationFilter(new URLSearchParams("")), {});
});
