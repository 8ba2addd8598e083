/** Tests of actors/controller/rest_api/auth.ts: Basic credentials and upstream's 401s. */
import assert from "node:assert/strict";
import { authenticate, parseBasicAuth } from "../../../../actors/controller/rest_api/auth.ts";
import { ApiError, Messages } from "../../../../actors/controller/rest_api/errors.ts";

const uuid = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502";
const key = "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
const basic = (s: string) => `Basic ${btoa(s)}`;

Deno.test("parseBasicAuth() reads the guest key", () => {
  assert.deepEqual(parseBasicAuth(basic(`${uuid}:${key}`)), { uuid, key });
  assert.equal(parseBasicAuth(null), undefined);
});

Deno.test("parseBasicAuth() rejects malformed headers and keys that are not 64 characters", () => {
  for (
    const header of [
      "Bearer abc",
      "Basic !!!",
      basic("nocolon"),
      basic(`${uuid}:short`),
      basic(`:${key}`),
    ]
  ) {
    assert.throws(
      () => parseBasicAuth(header),
      (e: unknown) =>
        e instanceof ApiError && e.status === 401 && e.message === Messages.authenticationInvalid &&
        e.headers["www-authenticate"] === 'Basic realm="OpenWhisk secure realm"',
      header,
    );
  }
});

Deno.test("authenticate() answers 401 missing, 401 invalid, or the identity", async () => {
  const lookup = (c: { uuid: string; key: string }) =>
    Promise.resolve(c.uuid === uuid && c.key === key ? { namespace: "guest" } : undefined);
  await assert.rejects(
    authenticate(null, lookup),
    (e: unknown) => e instanceof ApiError && e.message === Messages.authenticationMissing,
  );
  await assert.rejects(
    authenticate(basic(`${uuid}:${"x".repeat(64)}`), lookup),
    (e: unknown) => e instanceof ApiError && e.message === Messages.authenticationInvalid,
  );
  assert.deepEqual(await authenticate(basic(`${uuid}:${key}`), lookup), { namespace: "guest" });
});
