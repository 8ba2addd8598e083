import assert from "node:assert/strict";
import {
  decodeInvokerResourceMessage,
  decodeSchedulerEndpoints,
  decodeSchedulerStates,
  encodeInvokerResourceMessage,
  encodeSchedulerEndpoints,
  encodeSchedulerStates,
  sameInvokerResource,
  schedulerInstance,
} from "../../protocols/mod.ts";
import {
  INVOKER_RESOURCE_JSONS,
  SCHEDULER_ENDPOINTS_JSON,
  SCHEDULER_STATES_JSON,
} from "./_fixtures.ts";

Deno.test("decodeSchedulerStates() decodes the reference's value, dropping pekkoPort", () => {
  const s = decodeSchedulerStates(SCHEDULER_STATES_JSON);
  assert.deepEqual(s, {
    sid: schedulerInstance(0),
    queueSize: 3,
    endpoints: { host: "h", rpcPort: 13001 },
  });
  assert.deepEqual(decodeSchedulerStates(encodeSchedulerStates(s)), s);
  assert.equal(encodeSchedulerStates(s).includes("pekkoPort"), false);
});

Deno.test("decodeSchedulerEndpoints() tolerates pekkoPort and writes {host, rpcPort}", () => {
  const e = decodeSchedulerEndpoints(SCHEDULER_ENDPOINTS_JSON);
  assert.deepEqual(e, { host: "h", rpcPort: 13001 });
  assert.equal(encodeSchedulerEndpoints(e), '{"host":"h","rpcPort":13001}');
  assert.deepEqual(decodeSchedulerEndpoints(encodeSchedulerEndpoints(e)), e);
});

Deno.test("decodeSchedulerEndpoints() rejects a value with no port", () => {
  assert.throws(() => decodeSchedulerEndpoints('{"host":"h","rpcPort":0}'), {
    name: "TypeError",
    message: "Cannot decode SchedulerEndpoints: value must have a non-zero port",
  });
  assert.throws(() => decodeSchedulerEndpoints('{"host":"h"}'), TypeError);
  assert.throws(() => decodeSchedulerEndpoints("not json"), SyntaxError);
});

Deno.test("decodeInvokerResourceMessage() decodes the reference's value for each status", () => {
  for (const json of INVOKER_RESOURCE_JSONS) {
    const m = decodeInvokerResourceMessage(json);
    assert.equal(m.freeMemory, 1024);
    assert.deepEqual(decodeInvokerResourceMessage(encodeInvokerResourceMessage(m)), m);
  }
  assert.throws(
    () => decodeInvokerResourceMessage(INVOKER_RESOURCE_JSONS[0]!.replace('"up"', '"sideways"')),
    {
      name: "TypeError",
      message:
        'Cannot decode InvokerResourceMessage: "status" must be one of "up", "unhealthy", "down", got "sideways"',
    },
  );
});

Deno.test("sameInvokerResource() compares tags and namespaces as sets", () => {
  const a = decodeInvokerResourceMessage(INVOKER_RESOURCE_JSONS[0]!);
  assert.ok(sameInvokerResource(a, { ...a, tags: [...a.tags].reverse() }));
  assert.ok(!sameInvokerResource(a, { ...a, freeMemory: 1 }));
  assert.ok(!sameInvokerResource(a, { ...a, tags: ["cpu"] }));
});
