/** Tests of the envelope carried in Kafka record headers. */
import assert from "node:assert/strict";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "../../../runtime/bus/mod.ts";

Deno.test("encodeEnvelope() uses the binding header names", () => {
  const envelope: Envelope = {
    type: "ActivationMessage",
    to: "queue-manager",
    tid: "#tid_1",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    replyTo: "completed0",
    correlationId: "c1",
    forwardedFrom: "scheduler1",
  };
  assert.deepEqual(Object.keys(encodeEnvelope(envelope)).sort(), [
    "correlation-id",
    "forwarded-from",
    "reply-to",
    "tid",
    "to",
    "traceparent",
    "type",
  ]);
  assert.deepEqual(decodeEnvelope(encodeEnvelope(envelope)), envelope);
});

Deno.test("decodeEnvelope() ignores unknown headers and keeps absent fields absent", () => {
  assert.deepEqual(decodeEnvelope({ type: "Ping", to: "x", other: "y" }), {
    type: "Ping",
    to: "x",
  });
});

Deno.test("decodeEnvelope() throws TypeError naming a missing or empty header", () => {
  assert.throws(() => decodeEnvelope({ to: "x" }), /missing header "type"/);
  assert.throws(() => decodeEnvelope({ type: "Ping", to: "" }), TypeError);
});
