/** Tests of actors/controller/rest_api/web_base64.ts. */
import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "../../../../actors/controller/rest_api/web_base64.ts";

Deno.test("encodeBase64()/decodeBase64() round-trip and reject non-base64", () => {
  const bytes = new Uint8Array([0, 255, 10, 66]);
  assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  assert.equal(decodeBase64("not base64!"), undefined);
  assert.equal(decodeBase64("abc"), undefined);
});
