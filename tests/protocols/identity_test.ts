import assert from "node:assert/strict";
import {
  authKeyString,
  decodeIdentityAt,
  encodeIdentity,
  namespaceConcurrencyLimit,
  parseAuthKey,
} from "../../protocols/mod.ts";
import { USER } from "./_fixtures.ts";

const at = { what: "T", path: "user" };

Deno.test("encodeIdentity() writes the key as api_key and decodeIdentityAt() reads it back", () => {
  const json = encodeIdentity(USER);
  assert.deepEqual(json.authkey, { api_key: authKeyString(USER.authkey) });
  assert.deepEqual(decodeIdentityAt(JSON.parse(JSON.stringify(json)), at), USER);
});

Deno.test("decodeIdentityAt() also accepts {uuid, key} and defaults rights and limits", () => {
  const id = decodeIdentityAt({
    subject: "s",
    namespace: { name: "n", uuid: "u" },
    authkey: { uuid: "u", key: "k" },
  }, at);
  assert.deepEqual([id.rights, id.limits, id.authkey], [[], {}, { uuid: "u", key: "k" }]);
  assert.throws(() => decodeIdentityAt({ ...id, rights: ["FLY"] }, at), {
    name: "TypeError",
    message: /"user.rights\[0\]" must be one of/,
  });
});

Deno.test("namespaceConcurrencyLimit() prefers the namespace's own limit", () => {
  assert.equal(namespaceConcurrencyLimit(USER, 100), 30);
  assert.equal(namespaceConcurrencyLimit({ ...USER, limits: {} }, 100), 100);
  assert.deepEqual(parseAuthKey("a:b:c"), { uuid: "a", key: "b:c" });
  assert.equal(parseAuthKey("nocolon"), undefined);
});
