import assert from "node:assert/strict";
import {
  CONTAINER_CREATION_ERRORS,
  type ContainerCreationAckMessage,
  decodeContainerCreationAckMessage,
  decodeContainerCreationMessage,
  decodeInvokerMessage,
  decodeWire,
  encodeContainerCreationAckMessage,
  encodeWire,
  isWhiskError,
} from "../../protocols/mod.ts";
import { ACK_FAILURE_JSON, ACK_SUCCESS_JSON, CREATION_JSON, DELETION_JSON } from "./_fixtures.ts";

Deno.test("decodeContainerCreationAckMessage() tells success from failure", () => {
  const ok = decodeContainerCreationAckMessage(ACK_SUCCESS_JSON);
  assert.equal(ok.success, true);
  const failed = decodeContainerCreationAckMessage(ACK_FAILURE_JSON);
  assert.equal(failed.success, false);
  if (!failed.success) {
    assert.equal(failed.error, "ResourceNotEnoughError");
    assert.equal(failed.reason, "invoker(s) have not enough resources");
    assert.equal(failed.retryCount, 2);
  }
  const json = encodeContainerCreationAckMessage(ok);
  assert.equal("error" in json || "reason" in json, false);
});

Deno.test("decodeContainerCreationAckMessage() round-trips every error name", () => {
  const base = decodeContainerCreationAckMessage(ACK_SUCCESS_JSON);
  for (const error of CONTAINER_CREATION_ERRORS) {
    const ack: ContainerCreationAckMessage = {
      ...base,
      success: false,
      error,
      reason: `r ${error}`,
    };
    const wire = encodeWire(ack);
    assert.equal(JSON.parse(wire.value).error, error);
    assert.deepEqual(decodeWire(wire.type, wire.value), ack, error);
  }
});

Deno.test("decodeContainerCreationAckMessage() fills a missing reason with the default message", () => {
  const json = ACK_SUCCESS_JSON.replace(
    `"retryCount":0}`,
    `"retryCount":0,"error":"TimeoutError"}`,
  );
  const ack = decodeContainerCreationAckMessage(json);
  assert.equal(!ack.success && ack.reason, "a timeout error happens");
  assert.equal(isWhiskError("TimeoutError"), true);
  assert.equal(isWhiskError("InvalidActionLimitError"), false);
});

Deno.test("decodeContainerCreationAckMessage() rejects an unknown error name", () => {
  const json = ACK_SUCCESS_JSON.replace(`"retryCount":0}`, `"retryCount":0,"error":"Oops"}`);
  assert.throws(() => decodeContainerCreationAckMessage(json), {
    name: "TypeError",
    message:
      'Cannot decode ContainerCreationAckMessage: "error" must be a container creation error name, got "Oops"',
  });
});

Deno.test("decodeInvokerMessage() tells creation from deletion by creationId, as upstream", () => {
  assert.equal(decodeInvokerMessage(CREATION_JSON).type, "ContainerCreationMessage");
  assert.equal(decodeInvokerMessage(DELETION_JSON).type, "ContainerDeletionMessage");
});

Deno.test("decodeContainerCreationMessage() reads the metadata and scheduler id", () => {
  const m = decodeContainerCreationMessage(CREATION_JSON);
  assert.equal(m.whiskActionMetaData.exec.kind, "nodejs:20");
  assert.deepEqual(m.rootSchedulerIndex, { instanceType: "scheduler", asString: "0" });
  assert.throws(
    () =>
      decodeContainerCreationMessage(
        CREATION_JSON.replace(`{"asString":"0"}`, `{"asString":"0","instanceType":"controller"}`),
      ),
    {
      name: "TypeError",
      message: /"rootSchedulerIndex.instanceType" must be absent, got "controller"/,
    },
  );
});
