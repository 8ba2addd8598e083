import assert from "node:assert/strict";
import {
  compareRevisions,
  decodeRevisionAt,
  encodeRevision,
  nextRevision,
  parseRevision,
} from "../../protocols/mod.ts";

const ORDER_TABLE: ReadonlyArray<[string, string, number]> = [
  ["", "", 0],
  ["", "1-a", -1],
  ["1-a", "", 1],
  ["1-a", "2-a", -1],
  ["2-b", "10-a", -1], // numeric, not lexicographic
  ["10-a", "9-z", 1],
  ["3-abc", "3-xyz", 0], // same generation compares equal, as upstream
  ["3-a-b", "3-c", 0], // only the integer before the first "-" counts
  ["x-1", "1-a", -1], // a malformed generation counts as 0
  ["x-1", "", 1], // ...but still after the empty revision
];

for (const [a, b, expected] of ORDER_TABLE) {
  Deno.test(`compareRevisions() orders "${a}" vs "${b}" as ${expected}`, () => {
    assert.equal(compareRevisions(a, b), expected);
  });
}

Deno.test("compareRevisions() sorts empty first, then by generation", () => {
  assert.deepEqual(["10-a", "", "2-b", "1-c"].sort(compareRevisions), ["", "1-c", "2-b", "10-a"]);
});

Deno.test("parseRevision() splits at the first dash", () => {
  assert.deepEqual(parseRevision("12-9f0c-1"), { generation: 12, hash: "9f0c-1" });
  assert.deepEqual(parseRevision(""), { generation: 0, hash: "" });
  assert.deepEqual(parseRevision("7"), { generation: 7, hash: "" });
});

Deno.test("nextRevision() bumps the generation and hashes the content (MD5 hex)", () => {
  const first = nextRevision("", "{}");
  assert.equal(first, "1-99914b932bd37a50b983c5e7c90ae93b");
  assert.match(nextRevision(first, "x"), /^2-[0-9a-f]{32}$/);
  assert.equal(nextRevision("9-a", "same"), nextRevision("9-b", "same"));
  assert.notEqual(nextRevision("9-a", "one"), nextRevision("9-a", "two"));
  assert.ok(compareRevisions(nextRevision(first, "x"), first) > 0);
});

Deno.test("encodeRevision() writes null for the empty revision and decodes it back", () => {
  const at = { what: "T", path: "revision" };
  assert.equal(encodeRevision(""), null);
  assert.equal(decodeRevisionAt(null, at), "");
  assert.equal(decodeRevisionAt("3-a", at), "3-a");
  assert.throws(() => decodeRevisionAt(undefined, at), {
    name: "TypeError",
    message: 'Cannot decode T: "revision" must be a string or null, got undefined',
  });
});
