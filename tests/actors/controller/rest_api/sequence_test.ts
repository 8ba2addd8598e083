/** Tests of actors/controller/rest_api/sequence.ts: chaining, failure, nesting, records. */
import assert from "node:assert/strict";
import { SequenceMessages } from "../../../../actors/controller/rest_api/sequence.ts";
import { restHarness } from "./_harness.ts";
import { computedInvoke, eventually, JS } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const ACTIONS = "/api/v1/namespaces/_/actions";

async function sequenceHarness() {
  const h = await restHarness({ invoke: computedInvoke(() => h.store) });
  for (const name of ["inc", "double", "fail"]) {
    await h.call("PUT", `${ACTIONS}/${name}`, { body: { exec: JS } });
  }
  return h;
}

const seq = (...components: string[]) => ({ exec: { kind: "sequence", components } });
const annotation = (doc: Doc, key: string) =>
  (doc.annotations as Doc[]).find((a) => a.key === key)?.value;

Deno.test("runSequence() chains outputs, records component ids, sums durations", async () => {
  await using h = await sequenceHarness();
  await h.call("PUT", `${ACTIONS}/calc`, { body: seq("/_/inc", "/guest/double", "/_/inc") });
  const answer = await h.call("POST", `${ACTIONS}/calc?blocking=true`, { body: { n: 1 } });
  assert.equal(answer.status, 200);
  const record = answer.body as Doc;
  assert.deepEqual((record.response as Doc).result, { n: 5 });
  assert.equal(record.duration, 21);
  const ids = h.invocations.map((c) => c.options.activationId);
  assert.deepEqual(record.logs, ids);
  for (const call of h.invocations) {
    assert.equal(call.options.cause, record.activationId);
    assert.equal(call.options.blocking, true);
  }
  assert.equal(annotation(record, "topmost"), true);
  assert.equal(annotation(record, "kind"), "sequence");
  assert.equal(annotation(record, "path"), "guest/calc");
  assert.equal((annotation(record, "limits") as Doc).memory, 256);
  const stored = await h.store.getActivation("guest", String(record.activationId));
  assert.ok(stored);
});

Deno.test("runSequence() stops at a failing component with its error", async () => {
  await using h = await sequenceHarness();
  await h.call("PUT", `${ACTIONS}/broken`, { body: seq("/_/inc", "/_/fail", "/_/double") });
  const answer = await h.call("POST", `${ACTIONS}/broken?blocking=true`, { body: { n: 1 } });
  assert.equal(answer.status, 502);
  const response = (answer.body as Doc).response as Doc;
  assert.deepEqual([response.status, response.result], ["application error", {
    error: "failed at 2",
  }]);
  assert.equal(h.invocations.length, 2);
  assert.equal(((answer.body as Doc).logs as string[]).length, 2);
});

Deno.test("runSequence() runs a nested sequence with its own record caused by the outer one", async () => {
  await using h = await sequenceHarness();
  await h.call("PUT", `${ACTIONS}/inner`, { body: seq("/_/inc", "/_/double") });
  await h.call("PUT", `${ACTIONS}/outer`, { body: seq("/_/inner", "/_/inc") });
  const answer = await h.call("POST", `${ACTIONS}/outer?blocking=true&result=true`, {
    body: { n: 2 },
  });
  assert.deepEqual(answer.body, { n: 7 });
  const innerId = h.invocations[0]!.options.cause!;
  const inner = await h.store.getActivation<Doc>("guest", innerId);
  assert.equal(annotation(inner!, "topmost"), false);
  assert.equal(annotation(inner!, "causedBy"), "sequence");
  assert.equal(inner!.cause, h.invocations[2]!.options.cause);
});

Deno.test("runSequence() non-blocking answers 202 and stores the record in the background", async () => {
  await using h = await sequenceHarness();
  await h.call("PUT", `${ACTIONS}/calc`, { body: seq("/_/inc", "/_/inc") });
  const answer = await h.call("POST", `${ACTIONS}/calc`, { body: { n: 0 } });
  assert.equal(answer.status, 202);
  const id = (answer.body as Doc).activationId as string;
  const stored = await eventually(() => h.store.getActivation<Doc>("guest", id));
  assert.deepEqual((stored.response as Doc).result, { n: 2 });
});

Deno.test("runSequence() fails with an application error when a component disappeared", async () => {
  await using h = await sequenceHarness();
  await h.call("PUT", `${ACTIONS}/gone`, { body: { exec: JS } });
  await h.call("PUT", `${ACTIONS}/calc`, { body: seq("/_/inc", "/_/gone") });
  await h.call("DELETE", `${ACTIONS}/gone`);
  const missing = await h.call("POST", `${ACTIONS}/calc?blocking=true&result=true`);
  assert.deepEqual(missing.body, { error: SequenceMessages.componentNotFound });
});

Deno.test("runSequence() stops with 'Too many actions' past the atomic limit at run time", async () => {
  await using h = await restHarness({ invoke: computedInvoke(), options: { sequenceLength: 3 } });
  await h.call("PUT", `${ACTIONS}/inc`, { body: { exec: JS } });
  await h.call("PUT", `${ACTIONS}/inner`, { body: seq("/_/inc") });
  await h.call("PUT", `${ACTIONS}/outer`, { body: seq("/_/inner", "/_/inner") });
  await h.call("PUT", `${ACTIONS}/inner?overwrite=true`, { body: seq("/_/inc", "/_/inc") });
  const answer = await h.call("POST", `${ACTIONS}/outer?blocking=true&result=true`);
  assert.deepEqual(answer.body, { error: SequenceMessages.tooLong });
  assert.equal(h.invocations.length, 3);
});
