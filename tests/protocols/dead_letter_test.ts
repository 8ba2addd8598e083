import assert from "node:assert/strict";
import { decodeDeadLetter, encodeDeadLetter, fromBase64, toBase64 } from "../../protocols/mod.ts";

Deno.test("toBase64() and fromBase64() keep arbitrary bytes", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.equal(toBase64("42"), "NDI=");
  assert.throws(() => fromBase64("!!"), TypeError);
});

Deno.test("decodeDeadLetter() round-trips a record with the original bytes", () => {
  const d = {
    type: "DeadLetter" as const,
    reason: "bad",
    originalTopic: "invoker0",
    headers: { type: "X" },
    valueBase64: toBase64(new Uint8Array([0xff, 0x00])),
  };
  assert.deepEqual(decodeDeadLetter(JSON.stringify(encodeDeadLetter(d))), d);
  assert.throws(() => decodeDeadLetter({ ...d, headers: { a: 1 } }), {
    name: "TypeError",
    message: 'Cannot decode DeadLetter: "headers.a" must be a string, got number',
  });
});
