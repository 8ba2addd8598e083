/** Tests of actors/controller/rest_api/rules_routes.ts: rule CRUD, linking, status. */
import assert from "node:assert/strict";
import { RuleMessages } from "../../../../actors/controller/rest_api/rule_document.ts";
import { restHarness } from "./_harness.ts";
import { JS } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const RULES = "/api/v1/namespaces/_/rules";

async function withTriggersAndAction() {
  const h = await restHarness();
  await h.call("PUT", "/api/v1/namespaces/_/triggers/t1", { body: {} });
  await h.call("PUT", "/api/v1/namespaces/_/triggers/t2", { body: {} });
  await h.call("PUT", "/api/v1/namespaces/_/actions/hello", { body: { exec: JS } });
  return h;
}

const rulesOf = async (h: Awaited<ReturnType<typeof restHarness>>, trigger: string) =>
  ((await h.call("GET", `/api/v1/namespaces/_/triggers/${trigger}`)).body as Doc).rules;

Deno.test("PUT creates an active rule linked into its trigger", async () => {
  await using h = await withTriggersAndAction();
  const answer = await h.call("PUT", `${RULES}/r1`, {
    body: { trigger: "/_/t1", action: "/_/hello" },
  });
  assert.equal(answer.status, 200);
  const rule = answer.body as Doc;
  assert.equal(rule.status, "active");
  assert.deepEqual(rule.trigger, { path: "guest", name: "t1" });
  assert.deepEqual(rule.action, { path: "guest", name: "hello" });
  assert.deepEqual(await rulesOf(h, "t1"), {
    "guest/r1": { action: { path: "guest", name: "hello" }, status: "active" },
  });
  assert.equal(
    (await h.call("PUT", `${RULES}/r1`, { body: { trigger: "t1", action: "hello" } })).status,
    409,
  );
});

Deno.test("PUT answers 400 when the trigger or action is missing", async () => {
  await using h = await withTriggersAndAction();
  const error = async (body: unknown) => {
    const answer = await h.call("PUT", `${RULES}/r1`, { body });
    assert.equal(answer.status, 400);
    return (answer.body as Doc).error;
  };
  assert.equal(
    await error({ trigger: "/_/none", action: "/_/hello" }),
    "trigger /guest/none does not exist",
  );
  assert.equal(
    await error({ trigger: "/_/t1", action: "/_/none" }),
    "action /guest/none does not exist",
  );
  assert.equal(await error({ trigger: "/_/t1" }), RuleMessages.needsTriggerAndAction);
});

Deno.test("POST {status} disables and enables; GET shows the status", async () => {
  await using h = await withTriggersAndAction();
  await h.call("PUT", `${RULES}/r1`, { body: { trigger: "/_/t1", action: "/_/hello" } });
  const disabled = await h.call("POST", `${RULES}/r1`, { body: { status: "inactive" } });
  assert.equal(disabled.status, 200);
  assert.equal(((await h.call("GET", `${RULES}/r1`)).body as Doc).status, "inactive");
  await h.call("POST", `${RULES}/r1`, { body: { status: "active" } });
  assert.equal(((await h.call("GET", `${RULES}/r1`)).body as Doc).status, "active");
  assert.equal((await h.call("POST", `${RULES}/r1`, { body: { status: "on" } })).status, 400);
});

Deno.test("update moves the link to a new trigger; delete unlinks", async () => {
  await using h = await withTriggersAndAction();
  await h.call("PUT", `${RULES}/r1`, { body: { trigger: "/_/t1", action: "/_/hello" } });
  await h.call("POST", `${RULES}/r1`, { body: { status: "inactive" } });
  const moved = await h.call("PUT", `${RULES}/r1?overwrite=true`, { body: { trigger: "/_/t2" } });
  assert.deepEqual([(moved.body as Doc).status, (moved.body as Doc).version], [
    "inactive",
    "0.0.2",
  ]);
  assert.deepEqual(await rulesOf(h, "t1"), {});
  assert.deepEqual(Object.keys((await rulesOf(h, "t2")) as Doc), ["guest/r1"]);
  const list = (await h.call("GET", RULES)).body as Doc[];
  assert.deepEqual(list.map((r) => r.name), ["r1"]);
  const deleted = await h.call("DELETE", `${RULES}/r1`);
  assert.equal((deleted.body as Doc).status, "inactive");
  assert.deepEqual(await rulesOf(h, "t2"), {});
  assert.equal((await h.call("GET", `${RULES}/r1`)).status, 404);
});
