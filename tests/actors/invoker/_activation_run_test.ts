/** Tests of the pure activation helpers: bodies, answer mapping, record, ack. */
import assert from "node:assert/strict";
import {
  buildAck,
  buildActivationRecord,
  buildInitBody,
  buildRunBody,
  interpretInit,
  interpretRun,
  keepsContainer,
  wantsReschedule,
} from "../../../actors/invoker/_activation_run.ts";
import { annotationValue } from "../../../protocols/whisk_action.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import type { CallResult } from "../../../runtime/containers/container_factory.ts";
import { action, activation, ok } from "./_proxy_fixtures.ts";

const fail = (type: "timeout" | "oom" | "crashed", message: string): CallResult => ({
  ok: false,
  status: 0,
  body: { error: message },
  sizeBytes: 0,
  durationMs: 1,
  failure: { type, message },
});
const answer = (status: number, body: unknown): CallResult => ({
  ok: status === 200,
  status,
  body,
  sizeBytes: 3,
  durationMs: 1,
});

Deno.test("interpretRun() maps runtime answers to status codes as upstream does", () => {
  const table: [CallResult, number, unknown][] = [
    [ok({ a: 1 }), 0, { a: 1 }],
    [ok([1, 2]), 0, [1, 2]],
    [ok({ error: "boom" }), 1, { error: "boom" }],
    [answer(502, { error: "bad" }), 2, { error: "bad" }],
    [answer(200, "text"), 2, {
      error: "The action did not produce a valid JSON or JSON Array response: text",
    }],
    [answer(500, { x: 1 }), 2, {
      error: 'The action did not produce a valid JSON or JSON Array response: {"x":1}',
    }],
    [fail("timeout", "The action exceeded its time limits of 100 milliseconds."), 2, {
      error: "The action exceeded its time limits of 100 milliseconds.",
    }],
    [fail("oom", "The action exhausted its memory and was aborted."), 2, {
      error: "The action exhausted its memory and was aborted.",
    }],
    [fail("crashed", "The action did not produce a valid response and exited unexpectedly."), 2, {
      error: "The action did not produce a valid response and exited unexpectedly.",
    }],
  ];
  for (const [result, code, value] of table) {
    const r = interpretRun(result);
    assert.equal(r.statusCode, code, JSON.stringify(result));
    assert.deepEqual(r.result, value);
  }
});

Deno.test("interpretInit() is undefined on 200 and a developer error otherwise", () => {
  assert.equal(interpretInit(ok({ OK: true })), undefined);
  assert.deepEqual(interpretInit(answer(502, { error: "syntax" })), {
    statusCode: 2,
    result: { error: "syntax" },
  });
  assert.equal(interpretInit(answer(403, "nope"))?.statusCode, 2);
  assert.match(
    String((interpretInit(answer(403, "nope"))?.result as { error: string }).error),
    /initialization: nope/,
  );
});

Deno.test("keepsContainer() keeps only success and application errors; 503 or an unreachable container asks to reschedule", () => {
  assert.equal(keepsContainer({ statusCode: 0 }), true);
  assert.equal(keepsContainer({ statusCode: 1 }), true);
  assert.equal(keepsContainer({ statusCode: 2 }), false);
  assert.equal(keepsContainer({ statusCode: 3 }), false);
  assert.equal(wantsReschedule(answer(503, "shutting down")), true);
  assert.equal(wantsReschedule(answer(502, "x")), false);
  // A container gone before the request was sent: nothing ran, so it goes back.
  const lost = (type: "unreachable" | "crashed" | "oom" | "timeout") => ({
    ok: false,
    status: 0,
    body: { error: type },
    sizeBytes: 0,
    durationMs: 0,
    failure: { type, message: type },
  });
  assert.equal(wantsReschedule(lost("unreachable")), true);
  assert.equal(wantsReschedule(lost("crashed")), false);
  assert.equal(wantsReschedule(lost("oom")), false);
  assert.equal(wantsReschedule(lost("timeout")), false);
});

Deno.test("buildInitBody() and buildRunBody() split init args and add the context", () => {
  const msg = activation();
  const a = action({}, [{ key: "provide-api-key", value: false }]);
  const init = buildInitBody(a, msg, 5000).value as Record<string, unknown>;
  assert.equal(init.name, "hello");
  assert.equal(init.main, "main");
  const env = init.env as Record<string, string>;
  assert.equal(env.p, "1");
  assert.equal(env.secret, "s");
  assert.equal(env.__OW_ACTION_NAME, "/guest/hello");
  assert.equal(env.__OW_DEADLINE, "5000");
  assert.equal(env.__OW_API_KEY, undefined);
  const run = buildRunBody(msg, a, 5000);
  assert.deepEqual(run.value, { name: "x" });
  assert.equal(run.deadline, "5000");
  assert.equal(run.activation_id, msg.activationId);
  assert.equal(run.api_key, undefined);
  assert.equal(typeof buildRunBody(msg, action(), 1).api_key, "string");
});

Deno.test("buildActivationRecord() carries upstream's annotations and buildAck() picks the ack", () => {
  const msg = activation();
  const rec = buildActivationRecord({
    msg,
    action: action(),
    response: { statusCode: 0, result: {} },
    start: 1500,
    end: 1600,
    initTimeMs: 30,
  });
  assert.equal(rec.duration, 100);
  assert.equal(annotationValue(rec.annotations, "path"), "guest/hello");
  assert.equal(annotationValue(rec.annotations, "kind"), "nodejs:20");
  assert.equal(annotationValue(rec.annotations, "waitTime"), 500);
  assert.equal(annotationValue(rec.annotations, "initTime"), 30);
  assert.equal(annotationValue(rec.annotations, "timeout"), false);
  assert.deepEqual(annotationValue(rec.annotations, "limits"), action().limits);
  const inv = invokerInstance(0);
  assert.equal(buildAck(msg, rec, inv).type, "CombinedCompletionAndResultMessage");
  const nb = activation(undefined, { blocking: false });
  assert.equal(buildAck(nb, rec, inv).type, "CompletionMessage");
});
