import assert from "node:assert/strict";
import { errorActivation, errorCompletion } from "../../../actors/scheduler/_error_completion.ts";
import { decodeAcknowledgement, encodeAcknowledgement } from "../../../protocols/activation.ts";
import { schedulerInstance } from "../../../protocols/instance_id.ts";
import { activation, META } from "./_memory_queue_fixtures.ts";

const SID = schedulerInstance(3);

Deno.test("errorActivation() builds a zero-duration record with the error and upstream's annotations", () => {
  const record = errorActivation(activation(1), { statusCode: 3, message: "expired" }, 5_000, META);
  assert.equal(record.activationId, activation(1).activationId);
  assert.equal(record.namespace, "guest");
  assert.equal(record.name, "hello");
  assert.equal(record.subject, "guest");
  assert.equal(record.start, 5_000);
  assert.equal(record.end, 5_000);
  assert.equal(record.duration, 0);
  assert.deepEqual(record.response, { statusCode: 3, result: { error: "expired" } });
  assert.deepEqual(
    record.annotations.map((a) => a.key),
    ["path", "waitTime", "kind", "timeout", "limits"],
  );
  assert.deepEqual(record.annotations[0], { key: "path", value: "guest/hello" });
  assert.deepEqual(record.annotations[1], { key: "waitTime", value: 4_000 }); // since transid.start
  assert.deepEqual(record.annotations[3], { key: "timeout", value: false });
});

Deno.test("errorActivation() adds causedBy for a sequence component and keeps only path without metadata", () => {
  const record = errorActivation({ ...activation(1), cause: "f".repeat(32) }, {
    statusCode: 2,
    message: "no",
  }, 1);
  assert.deepEqual(record.annotations.map((a) => a.key), ["path", "causedBy"]);
  assert.equal(record.cause, "f".repeat(32));
  assert.deepEqual(record.response, { statusCode: 2, result: { error: "no" } });
});

Deno.test("errorCompletion() acks a blocking activation with the combined message and a non-blocking one with a completion", () => {
  const blocking = errorCompletion(
    activation(1, { blocking: true }),
    { statusCode: 3, message: "x" },
    1,
    SID,
    META,
  );
  assert.equal(blocking.ack.type, "CombinedCompletionAndResultMessage");
  assert.equal(blocking.ack.isSystemError, true);
  assert.deepEqual(blocking.ack.instance, SID);
  const plain = errorCompletion(
    activation(2, { blocking: false }),
    { statusCode: 2, message: "x" },
    1,
    SID,
  );
  assert.equal(plain.ack.type, "CompletionMessage");
  assert.equal(plain.ack.isSystemError, false);
});

Deno.test("errorCompletion() produces acks a controller can decode, with the scheduler as instance (§9.2)", () => {
  const { ack } = errorCompletion(activation(1), { statusCode: 3, message: "x" }, 1, SID, META);
  const decoded = decodeAcknowledgement(JSON.stringify(encodeAcknowledgement(ack)));
  if (decoded.type !== "CombinedCompletionAndResultMessage") throw new Error(decoded.type);
  assert.deepEqual(decoded.instance, SID);
});
