/**
 * Type-level tests: messages that do not match their protocol do not compile
 * (each `@ts-expect-error` fails the type check if the line below it compiles).
 */
import assert from "node:assert/strict";
import {
  assertNever,
  type CompletionMessage,
  type ContainerCreationAckMessage,
  type ExecKind,
  type FetchResponse,
  type TransactionId,
  transactionId,
  type WireMessage,
} from "../../protocols/mod.ts";
import { WIRE_SAMPLES } from "./_fixtures.ts";

const base = WIRE_SAMPLES.find((m) => m.type === "ContainerCreationAckMessage") as
  & ContainerCreationAckMessage
  & { success: false };

Deno.test("invalid protocol values do not compile", () => {
  // @ts-expect-error a failed ack must carry an error and a reason
  const _noError: ContainerCreationAckMessage = { ...base, success: false, error: undefined };
  // @ts-expect-error error names are a closed union
  const _badError: ContainerCreationAckMessage = { ...base, error: "Oops" };
  // @ts-expect-error only our kinds exist
  const _kind: ExecKind = "nodejs:18";
  // @ts-expect-error the fetch answers are a closed union
  const _fetch: FetchResponse = { type: "Later" };
  // @ts-expect-error an Activation answer needs its activation
  const _noActivation: FetchResponse = { type: "Activation" };
  // @ts-expect-error a plain string is not a TransactionId
  const _tid: TransactionId = "abc";
  // @ts-expect-error an unknown wire message type
  const _wire: WireMessage = { type: "Nope" };
  // @ts-expect-error a CompletionMessage needs its activationId
  const _completion: CompletionMessage = {
    type: "CompletionMessage",
    transid: base.transid,
    instance: base.rootInvokerIndex,
  };
  assert.equal(transactionId("abc"), "abc");
});

Deno.test("assertNever() makes a switch over WireMessage exhaustive", () => {
  const count = (m: WireMessage): number => {
    switch (m.type) {
      case "ActivationMessage":
      case "CreateQueue":
      case "CreateQueueResponse":
      case "ContainerCreationMessage":
      case "ContainerDeletionMessage":
      case "ContainerCreationAckMessage":
      case "CombinedCompletionAndResultMessage":
      case "CompletionMessage":
      case "ResultMessage":
      case "CacheInvalidationMessage":
      case "DeadLetter":
        return 1;
      default:
        return assertNever(m);
    }
  };
  assert.equal(WIRE_SAMPLES.map(count).length, WIRE_SAMPLES.length);
  assert.throws(() => assertNever({ type: "X" } as never), {
    name: "TypeError",
    message: /Unexpected value/,
  });
});
