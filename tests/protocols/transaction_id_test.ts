import assert from "node:assert/strict";
import {
  childOf,
  decodeTransid,
  encodeTransid,
  generateTransactionId,
  isSystemTransactionId,
  MAX_TRANSID_DEPTH,
  rootOf,
  sid_invokerHealth,
  sid_invokerWarmup,
  startTransaction,
} from "../../protocols/mod.ts";
import { TRANSID_JSONS } from "./_fixtures.ts";

Deno.test("decodeTransid() reads upstream's four array forms and encodeTransid() writes them back", () => {
  for (const json of TRANSID_JSONS) {
    assert.deepEqual(encodeTransid(decodeTransid(json)), JSON.parse(json), json);
  }
  assert.deepEqual(decodeTransid('["a",5,false]'), { id: "a", start: 5, extraLogging: false });
});

Deno.test("childOf() nests a fresh id under the parent and keeps extra logging", () => {
  const parent = startTransaction(sid_invokerWarmup, 1000, true);
  const child = childOf(parent, 1005);
  assert.equal(child.parent, parent);
  assert.equal(child.start, 1005);
  assert.equal(child.extraLogging, true);
  assert.match(child.id, /^[A-Za-z0-9]{32}$/);
  assert.equal(rootOf(childOf(child, 1006)), parent);
  assert.deepEqual(decodeTransid(encodeTransid(child)), child);
});

Deno.test("system ids carry the sid_ prefix", () => {
  assert.equal(sid_invokerHealth, "sid_invokerHealth");
  assert.ok(isSystemTransactionId(sid_invokerWarmup));
  assert.ok(!isSystemTransactionId(generateTransactionId()));
});

Deno.test("decodeTransid() caps the parent chain instead of overflowing the stack", () => {
  let deep: unknown = ["root", 1];
  for (let i = 0; i < 10_000; i++) deep = ["x", 1, deep];
  assert.throws(() => decodeTransid(deep), {
    name: "TypeError",
    message: new RegExp(`nests more than ${MAX_TRANSID_DEPTH} parents`),
  });
  assert.throws(() => decodeTransid('["a","b"]'), {
    name: "TypeError",
    message: 'Cannot decode TransactionId: "[1]" must be an integer (epoch ms), got string',
  });
});
