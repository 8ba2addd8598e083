import assert from "node:assert/strict";
import {
  decodeExecAt,
  execMetaData,
  isBinaryCode,
  resolveKind,
  unsupportedKindMessage,
} from "../../protocols/mod.ts";

const at = { what: "WhiskAction", path: "exec" };

Deno.test("resolveKind() maps each :default alias to its concrete kind", () => {
  assert.equal(resolveKind("nodejs:default"), "nodejs:20");
  assert.equal(resolveKind("python:default"), "python:3");
  assert.equal(resolveKind("deno:default"), "deno:2");
});

Deno.test("resolveKind() keeps concrete kinds, blackbox and sequence", () => {
  for (const k of ["nodejs:20", "python:3", "deno:2", "blackbox", "sequence"]) {
    assert.equal(resolveKind(k), k);
  }
});

Deno.test("resolveKind() rejects unknown kinds", () => {
  for (const k of ["nodejs:18", "python:3.10", "go:default", "", "toString", "__proto__"]) {
    assert.equal(resolveKind(k), undefined, k);
  }
});

Deno.test("unsupportedKindMessage() is upstream's 400 text", () => {
  assert.equal(
    unsupportedKindMessage("nodejs:18"),
    "The specified runtime 'nodejs:18' is not supported by this platform. Valid values are: " +
      "'blackbox', 'deno:2', 'deno:default', 'nodejs:20', 'nodejs:default', 'python:3', " +
      "'python:default', 'sequence'.",
  );
});

Deno.test("decodeExecAt() stores the concrete kind for an alias", () => {
  assert.deepEqual(decodeExecAt({ kind: "nodejs:default", code: "function main(){}" }, at), {
    kind: "nodejs:20",
    code: "function main(){}",
    binary: false,
  });
});

Deno.test("decodeExecAt() rejects an unknown kind with a TypeError naming the field", () => {
  assert.throws(() => decodeExecAt({ kind: "nodejs:18", code: "" }, at), {
    name: "TypeError",
    message: 'Cannot decode WhiskAction: "exec.kind" must be a supported kind, got "nodejs:18"',
  });
});

Deno.test("decodeExecAt() decodes blackbox and sequence execs", () => {
  assert.deepEqual(decodeExecAt({ kind: "blackbox", image: "img" }, at), {
    kind: "blackbox",
    image: "img",
    binary: false,
  });
  assert.deepEqual(decodeExecAt({ kind: "sequence", components: ["/guest/a"] }, at), {
    kind: "sequence",
    components: ["/guest/a"],
  });
});

Deno.test("isBinaryCode() follows upstream's base64 guess", () => {
  assert.equal(isBinaryCode("UEsDBA=="), true);
  assert.equal(isBinaryCode("abcd"), true); // the known misdetection of tiny text
  assert.equal(isBinaryCode("function main(){}"), false);
  assert.equal(isBinaryCode("   "), false);
});

Deno.test("execMetaData() drops the code", () => {
  assert.deepEqual(execMetaData({ kind: "python:3", code: "x", binary: false, main: "m" }), {
    kind: "python:3",
    binary: false,
    main: "m",
  });
});
