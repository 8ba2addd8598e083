/** Tests of runtime/http/body.ts: size limits, empty bodies, malformed JSON. */
import assert from "node:assert/strict";
import { readJsonBody, readJsonObject } from "../../../runtime/http/body.ts";
import { HttpError } from "../../../runtime/http/http_error.ts";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/x", { method: "POST", body, headers });

Deno.test("readJsonBody() reads an empty body as {} and parses JSON", async () => {
  assert.deepEqual(await readJsonBody(post(null), 10), {});
  assert.deepEqual(await readJsonBody(post("  "), 10), {});
  assert.deepEqual(await readJsonBody(post('{"a":[1]}'), 100), { a: [1] });
});

Deno.test("readJsonBody() answers 413 past the limit, from the header or the stream", async () => {
  await assert.rejects(
    readJsonBody(post("x".repeat(50), { "content-length": "50" }), 10),
    (e: unknown) => e instanceof HttpError && e.status === 413 && e.message.includes("50 bytes"),
  );
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(8));
      controller.close();
    },
  });
  await assert.rejects(
    readJsonBody(post(stream), 20),
    (e: unknown) => e instanceof HttpError && e.status === 413,
  );
});

Deno.test("readJsonBody() answers 400 on malformed JSON and bad UTF-8", async () => {
  await assert.rejects(
    readJsonBody(post("{nope"), 100),
    (e: unknown) => e instanceof HttpError && e.status === 400,
  );
  await assert.rejects(
    readJsonBody(post(new Uint8Array([0xff, 0xfe])), 100),
    (e: unknown) => e instanceof HttpError && e.status === 400,
  );
});

Deno.test("readJsonObject() answers 400 for arrays and scalars", async () => {
  for (const body of ["[1]", "3", '"s"', "null"]) {
    await assert.rejects(
      readJsonObject(post(body), 100),
      (e: unknown) => e instanceof HttpError && e.status === 400,
      body,
    );
  }
  assert.deepEqual(await readJsonObject(post('{"k":1}'), 100), { k: 1 });
});
