import assert from "node:assert/strict";
import {
  messageActivationId,
  messageMeta,
  messageTid,
  messageType,
} from "../../../runtime/actors/_message_meta.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";

const transid = { id: "tx-1", start: 5, extraLogging: false };
const activation = { type: "ActivationMessage", activationId: "a1", transid };

Deno.test("messageTid() reads a tid string, a TransactionMetadata tid and upstream's transid", () => {
  assert.equal(messageTid({ type: "Hello", tid: "plain" }), "plain");
  assert.equal(messageTid({ type: "Initialize", tid: transid }), "tx-1");
  assert.equal(messageTid(activation), "tx-1");
  assert.equal(messageTid({ type: "Hello" }), undefined);
  assert.equal(messageTid({ type: "Hello", tid: 7 }), undefined);
  assert.equal(messageTid("text"), undefined);
  assert.equal(messageTid(null), undefined);
});

Deno.test("messageTid() and messageActivationId() look one level into carried activations and acks", () => {
  for (const field of ["activation", "msg", "ack", "message"]) {
    const msg = { type: "Carrier", [field]: activation };
    assert.equal(messageTid(msg), "tx-1", field);
    assert.equal(messageActivationId(msg), "a1", field);
  }
  const deep = { type: "Deep", wrapper: { activation } };
  assert.equal(messageTid(deep), undefined, "only the named carriers, one level");
  assert.equal(messageTid({ type: "Own", tid: "mine", activation }), "mine", "own tid wins");
});

Deno.test("messageMeta() leaves absent fields out", () => {
  assert.deepEqual(messageMeta({ type: "Tick" }), { type: "Tick" });
  assert.deepEqual(messageMeta({ type: "RegisterActivation", activationId: "a2" }), {
    type: "RegisterActivation",
    activationId: "a2",
  });
  assert.deepEqual(messageMeta(activation), {
    type: "ActivationMessage",
    tid: "tx-1",
    activationId: "a1",
  });
  assert.equal(messageType({ type: 3 }), undefined);
});

Deno.test("tell() traces the transaction and activation of an activation it carries", async () => {
  await using h = actorHarness();
  const probe = createProbe<{ type: string }>(h.system);
  tell(h.system, probe.ref, { type: "PublishActivation", activation });
  await probe.expectMessageType("PublishActivation");
  const [event] = h.tracer.recent({ kind: "message" });
  assert.equal(event?.kind === "message" && event.tid, "tx-1");
  assert.equal(event?.kind === "message" && event.activationId, "a1");
});
