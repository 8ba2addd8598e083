/** Tests of actors/controller/rest_api/web_request.ts: the arguments of a web action. */
import assert from "node:assert/strict";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import { webActionArguments } from "../../../../actors/controller/rest_api/web_request.ts";

const URL_ = "http://localhost/api/v1/web/guest/default/a.json/x?q=1";
const plain = { raw: false, path: "/x", maxBytes: 1024 };

Deno.test("webActionArguments() merges query and a JSON body under the __ow_ context", async () => {
  const args = await webActionArguments(
    new Request(URL_, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"b":2}',
    }),
    { ...plain, user: "guest" },
  );
  assert.deepEqual(args, {
    __ow_method: "post",
    __ow_headers: { "content-type": "application/json" },
    __ow_path: "/x",
    __ow_user: "guest",
    q: "1",
    b: 2,
  });
});

Deno.test("webActionArguments() reads forms, text and binary bodies", async () => {
  const form = await webActionArguments(
    new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=1&b=x",
    }),
    plain,
  );
  assert.deepEqual([form.a, form.b], ["1", "x"]);
  const textBody = await webActionArguments(
    new Request(URL_, { method: "PUT", headers: { "content-type": "text/plain" }, body: "hello" }),
    plain,
  );
  assert.equal(textBody.__ow_body, "hello");
  const binary = await webActionArguments(
    new Request(URL_, {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: new Uint8Array([1, 2]),
    }),
    plain,
  );
  assert.equal(binary.__ow_body, "AQI=");
});

Deno.test("webActionArguments() passes a raw request unparsed", async () => {
  const args = await webActionArguments(
    new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"b":2}',
    }),
    { ...plain, raw: true },
  );
  assert.equal(args.__ow_query, "q=1");
  assert.equal(args.__ow_body, btoa('{"b":2}'));
  assert.equal(args.b, undefined);
  const empty = await webActionArguments(new Request(URL_), { ...plain, raw: true });
  assert.equal(empty.__ow_body, "");
});

Deno.test("webActionArguments() refuses a query or body that sets a reserved name", async () => {
  await assert.rejects(
    () => webActionArguments(new Request(`${URL_}&__ow_user=me`), plain),
    (e: unknown) => e instanceof ApiError && e.status === 400,
  );
});
