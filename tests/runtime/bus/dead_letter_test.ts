/** Tests of the dead-letter record format. */
import assert from "node:assert/strict";
import { deadLetterRecord, decodeDeadLetter } from "../../../runtime/bus/mod.ts";

Deno.test("deadLetterRecord() keeps the reason, position, headers and original bytes", () => {
  const value = new Uint8Array([0, 1, 254, 255]);
  const out = deadLetterRecord("bad", {
    topic: "invoker0",
    partition: 2,
    offset: "41",
    value,
    headers: { type: "X" },
  }, 1234);
  const letter = decodeDeadLetter(out.value as string);
  assert.deepEqual(
    { ...letter, valueBase64: undefined },
    {
      type: "DeadLetter",
      reason: "bad",
      originalTopic: "invoker0",
      originalPartition: 2,
      originalOffset: "41",
      headers: { type: "X" },
      valueBase64: undefined,
      at: 1234,
    },
  );
  assert.deepEqual([...Uint8Array.from(atob(letter.valueBase64), (c) => c.charCodeAt(0))], [
    ...value,
  ]);
  assert.equal(out.headers?.type, "DeadLetter");
});

Deno.test("decodeDeadLetter() throws SyntaxError on bad JSON and TypeError on a bad shape", () => {
  assert.throws(() => decodeDeadLetter("{"), SyntaxError);
  assert.throws(() => decodeDeadLetter('{"reason":1}'), TypeError);
  assert.throws(() => decodeDeadLetter("null"), TypeError);
});
