import assert from "node:assert/strict";
import {
  basicAuthorization,
  DEFAULT_INTERNAL_CREDENTIAL,
  isInternalCredential,
} from "../../protocols/scheduler_admin.ts";

Deno.test("basicAuthorization() encodes uuid:key as a Basic header", () => {
  const header = basicAuthorization(DEFAULT_INTERNAL_CREDENTIAL);
  assert.equal(
    atob(header.slice("Basic ".length)),
    "789c46b1-71f6-4ed5-8c54-816aa4f8c502:abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
  );
});

Deno.test("isInternalCredential() accepts exactly the credential, with any scheme case", () => {
  const header = basicAuthorization(DEFAULT_INTERNAL_CREDENTIAL);
  assert.equal(isInternalCredential(header, DEFAULT_INTERNAL_CREDENTIAL), true);
  assert.equal(
    isInternalCredential(header.replace("Basic", "basic"), DEFAULT_INTERNAL_CREDENTIAL),
    true,
  );
  for (
    const bad of [
      null,
      undefined,
      "",
      "Basic",
      `${header}x`,
      header.slice(0, -1),
      header.replace("Basic", "Bearer"),
      basicAuthorization({ ...DEFAULT_INTERNAL_CREDENTIAL, key: "k".repeat(64) }),
    ]
  ) {
    assert.equal(isInternalCredential(bad, DEFAULT_INTERNAL_CREDENTIAL), false, String(bad));
  }
});
