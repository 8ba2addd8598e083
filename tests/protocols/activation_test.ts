import assert from "node:assert/strict";
import {
  ackActivationId,
  decodeAcknowledgement,
  decodeActivationMessage,
  encodeActivationMessage,
} from "../../protocols/mod.ts";
import {
  ACTIVATION_MESSAGE_JSON,
  COMBINED_JSON,
  COMBINED_SHRUNK_JSON,
  COMPLETION_JSON,
  RESULT_JSON,
} from "./_fixtures.ts";

Deno.test("decodeActivationMessage() reads upstream's fields", () => {
  const m = decodeActivationMessage(ACTIVATION_MESSAGE_JSON);
  assert.equal(m.type, "ActivationMessage");
  assert.deepEqual(m.action, { path: "guest", name: "hello", version: "0.0.1" });
  assert.equal(m.user.authkey.uuid, "23bc46b1-71f6-4ed5-8c54-816aa4f8c502");
  assert.equal(m.user.limits.concurrentInvocations, 30);
  assert.deepEqual(m.rootControllerIndex, { instanceType: "controller", asString: "0" });
  assert.deepEqual(m.content, { name: "x" });
  assert.deepEqual(m.initArgs, ["name"]);
  assert.equal(m.transid.start, 1700000000000);
});

Deno.test("encodeActivationMessage() writes the upstream JSON back", () => {
  const m = decodeActivationMessage(ACTIVATION_MESSAGE_JSON);
  assert.deepEqual(encodeActivationMessage(m), JSON.parse(ACTIVATION_MESSAGE_JSON));
});

Deno.test("decodeActivationMessage() defaults initArgs and lockedArgs, keeps array content and rejects bad content", () => {
  const v = JSON.parse(ACTIVATION_MESSAGE_JSON);
  delete v.initArgs;
  delete v.lockedArgs;
  const m = decodeActivationMessage(v);
  assert.deepEqual([m.initArgs, m.lockedArgs], [[], {}]);
  assert.deepEqual(decodeActivationMessage({ ...v, content: [1, "a"] }).content, [1, "a"]);
  assert.throws(() => decodeActivationMessage({ ...v, content: 7 }), {
    name: "TypeError",
    message: 'Cannot decode ActivationMessage: "content" must be an object, got number',
  });
  assert.throws(() => decodeActivationMessage({ ...v, transid: ["x"] }), {
    name: "TypeError",
    message: 'Cannot decode ActivationMessage: "transid" must have 2 to 4 elements, got 1',
  });
});

Deno.test("decodeAcknowledgement() picks the type by fields present, as upstream", () => {
  assert.equal(decodeAcknowledgement(COMBINED_JSON).type, "CombinedCompletionAndResultMessage");
  assert.equal(
    decodeAcknowledgement(COMBINED_SHRUNK_JSON).type,
    "CombinedCompletionAndResultMessage",
  );
  assert.equal(decodeAcknowledgement(COMPLETION_JSON).type, "CompletionMessage");
  assert.equal(decodeAcknowledgement(RESULT_JSON).type, "ResultMessage");
});

Deno.test("ackActivationId() reads the id of every acknowledgement form", () => {
  assert.equal(
    ackActivationId(decodeAcknowledgement(COMBINED_JSON)),
    "0123456789abcdef0123456789abcdef",
  );
  assert.equal(
    ackActivationId(decodeAcknowledgement(COMBINED_SHRUNK_JSON)),
    "0123456789abcdef0123456789abcdef",
  );
  assert.equal(
    ackActivationId(decodeAcknowledgement(COMPLETION_JSON)),
    "0123456789abcdef0123456789abcdef",
  );
  assert.equal(
    ackActivationId(decodeAcknowledgement(RESULT_JSON)),
    "fedcba9876543210fedcba9876543210",
  );
});
