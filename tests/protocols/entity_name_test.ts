import assert from "node:assert/strict";
import {
  decodeFqnAt,
  encodeFqn,
  fqn,
  fqnAsString,
  fqnString,
  fqnWithLeadingSlash,
  isValidEntityName,
  parseFqn,
  rootNamespace,
} from "../../protocols/mod.ts";
import { FQN_JSON } from "./_fixtures.ts";

const at = { what: "T", path: "action" };

Deno.test("decodeFqnAt() decodes the reference's fqn object and round-trips", () => {
  const f = decodeFqnAt(JSON.parse(FQN_JSON), at);
  assert.deepEqual(f, { path: "ns/pkg", name: "act", version: "0.0.1", binding: "ns2/pkg" });
  assert.deepEqual(encodeFqn(f), JSON.parse(FQN_JSON));
});

Deno.test("decodeFqnAt() accepts a doc id string and rejects a bad name", () => {
  assert.deepEqual(decodeFqnAt("guest/pkg/hello", at), { path: "guest/pkg", name: "hello" });
  assert.throws(() => decodeFqnAt({ path: "guest", name: "a/b" }, at), {
    name: "TypeError",
    message: 'Cannot decode T: "action.name" is not a valid entity name',
  });
  assert.throws(() => decodeFqnAt("hello", at), TypeError);
});

Deno.test("fqn string forms: etcd/doc id, asString with version, leading slash", () => {
  const f = fqn("guest/pkg", "hello", "0.0.3");
  assert.equal(fqnString(f), "guest/pkg/hello");
  assert.equal(fqnAsString(f), "guest/pkg/hello@0.0.3");
  assert.equal(fqnWithLeadingSlash(f), "/guest/pkg/hello");
  assert.equal(rootNamespace(f), "guest");
  assert.deepEqual(parseFqn("/guest/hello"), { path: "guest", name: "hello" });
  assert.equal(parseFqn("/a/b/c/d"), undefined);
});

Deno.test("isValidEntityName() follows upstream's pattern", () => {
  for (const ok of ["a", "hello", "whisk.system", "a b", "x@y&z-1", "n".repeat(256)]) {
    assert.ok(isValidEntityName(ok), ok);
  }
  for (const bad of ["", " a", "a ", "a/b", "-a", "n".repeat(257), "ü"]) {
    assert.ok(!isValidEntityName(bad), bad);
  }
});
