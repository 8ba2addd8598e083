import assert from "node:assert/strict";
import {
  decodeActivationMessage,
  decodeFetchRequest,
  decodeFetchResponse,
  decodeRescheduleRequest,
  decodeRescheduleResponse,
  encodeFetchRequest,
  encodeFetchResponse,
  encodeRescheduleRequest,
  encodeRescheduleResponse,
  type FetchRequest,
  type FetchResponse,
  fqn,
} from "../../protocols/mod.ts";
import { ACTIVATION_MESSAGE_JSON, FETCH_ERROR_JSONS } from "./_fixtures.ts";

const activation = decodeActivationMessage(ACTIVATION_MESSAGE_JSON);

Deno.test("decodeFetchRequest() round-trips the ARCHITECTURE body", () => {
  const req: FetchRequest = {
    type: "FetchRequest",
    invocationNamespace: "guest",
    action: fqn("guest", "hello", "0.0.1"),
    revision: "1-abc",
    containerId: "wsk0_1",
    warmed: true,
    lastDuration: 12,
    alive: true,
  };
  const body = JSON.stringify(encodeFetchRequest(req));
  assert.deepEqual(Object.keys(JSON.parse(body)), [
    "invocationNamespace",
    "action",
    "revision",
    "containerId",
    "warmed",
    "lastDuration",
    "alive",
  ]);
  assert.deepEqual(decodeFetchRequest(body), req);
  const { lastDuration: _, ...noDuration } = req;
  assert.deepEqual(decodeFetchRequest(encodeFetchRequest(noDuration)), noDuration);
});

Deno.test("decodeFetchResponse() round-trips all four answers", () => {
  const answers: FetchResponse[] = [
    { type: "Activation", activation },
    { type: "NoActivation" },
    { type: "NoMemoryQueue" },
    { type: "ActionMismatch" },
  ];
  for (const a of answers) {
    assert.deepEqual(decodeFetchResponse(JSON.stringify(encodeFetchResponse(a))), a);
  }
});

Deno.test("decodeFetchResponse() decodes upstream's error objects", () => {
  assert.deepEqual(FETCH_ERROR_JSONS.map((j) => decodeFetchResponse(j).type), [
    "NoActivation",
    "NoMemoryQueue",
    "ActionMismatch",
  ]);
  assert.throws(() => decodeFetchResponse('{"type":"Later"}'), TypeError);
  assert.throws(() => decodeFetchResponse('{"type":"Activation"}'), {
    name: "TypeError",
    message: 'Cannot decode FetchResponse: "activation" must be an object, got undefined',
  });
});

Deno.test("decodeRescheduleRequest() and decodeRescheduleResponse() round-trip", () => {
  const req = {
    type: "RescheduleRequest" as const,
    invocationNamespace: "guest",
    action: activation.action,
    revision: "",
    activation,
  };
  assert.deepEqual(decodeRescheduleRequest(JSON.stringify(encodeRescheduleRequest(req))), req);
  const res = { type: "RescheduleResponse" as const, isRescheduled: true };
  assert.deepEqual(decodeRescheduleResponse(encodeRescheduleResponse(res)), res);
});
