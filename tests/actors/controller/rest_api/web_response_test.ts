/** Tests of actors/controller/rest_api/web_response.ts: each extension's rendering. */
import assert from "node:assert/strict";
import {
  renderWebResult,
  splitExtension,
  WebMessages,
  webOutcomeResponse,
} from "../../../../actors/controller/rest_api/web_response.ts";
import type { JsonValue, WhiskActivation } from "../../../../protocols/mod.ts";

const TID = "tid";
const text = async (r: Response) => [r.status, r.headers.get("content-type"), await r.text()];

Deno.test("splitExtension() strips a known extension, else defaults to .http", () => {
  assert.deepEqual(splitExtension("a.svg"), { name: "a", extension: ".svg" });
  assert.deepEqual(splitExtension("a.b"), { name: "a.b", extension: ".http" });
});

Deno.test("renderWebResult() renders .json, .html, .svg and .text", async () => {
  assert.deepEqual(await text(renderWebResult(".json", { a: 1 }, TID)), [
    200,
    "application/json",
    '{"a":1}',
  ]);
  assert.equal(renderWebResult(".json", "x", TID).status, 400);
  assert.deepEqual(await text(renderWebResult(".html", { html: "<p>" }, TID)), [
    200,
    "text/html; charset=UTF-8",
    "<p>",
  ]);
  assert.deepEqual(await text(renderWebResult(".svg", { body: "<svg/>" }, TID)), [
    200,
    "image/svg+xml",
    "<svg/>",
  ]);
  const badHtml = renderWebResult(".html", { html: 3 }, TID);
  assert.equal(JSON.parse(await badHtml.text()).error, WebMessages.invalidMedia("text/html"));
  assert.deepEqual(
    (await text(renderWebResult(".text", { text: { a: 1 } }, TID)))[2],
    '{\n  "a": 1\n}',
  );
  assert.equal(renderWebResult(".text", { other: 1 }, TID).status, 404);
});

Deno.test("renderWebResult() .http uses statusCode, headers and a base64 binary body", async () => {
  const r = renderWebResult(".http", {
    statusCode: 201,
    headers: { "x-a": [1, true], "content-type": "image/png" },
    body: btoa("\x89PNG"),
  }, TID);
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("x-a"), "1, true");
  assert.deepEqual([...new Uint8Array(await r.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(await text(renderWebResult(".http", { body: "hi" }, TID)), [
    200,
    "text/html; charset=UTF-8",
    "hi",
  ]);
  assert.deepEqual(await text(renderWebResult(".http", { body: { a: 1 } }, TID)), [
    200,
    "application/json",
    '{"a":1}',
  ]);
  assert.equal(renderWebResult(".http", {}, TID).status, 204);
  assert.equal(renderWebResult(".http", { statusCode: "nope" }, TID).status, 400);
  const mismatch = renderWebResult(".http", {
    body: { a: 1 },
    headers: { "content-type": "text/plain" },
  }, TID);
  assert.equal(JSON.parse(await mismatch.text()).error, WebMessages.httpContentTypeError);
});

function activation(statusCode: 0 | 1 | 2 | 3, result: JsonValue) {
  return {
    type: "Completed" as const,
    activation: {
      namespace: "guest",
      name: "a",
      subject: "guest",
      activationId: "a".repeat(32),
      start: 1,
      end: 2,
      response: { statusCode, result },
      logs: [],
      annotations: [],
      version: "0.0.1",
      publish: false,
    } as WhiskActivation,
  };
}

Deno.test("webOutcomeResponse() renders an application error's field, 400 for others, 202 late", async () => {
  const appError = webOutcomeResponse(
    activation(1, { error: { statusCode: 418, body: "tea" } }),
    "x",
    ".http",
    TID,
  );
  assert.deepEqual([appError.status, await appError.text()], [418, "tea"]);
  assert.equal(appError.headers.get("x-openwhisk-activation-id"), "a".repeat(32));
  const crashed = webOutcomeResponse(activation(2, { error: "x" }), "x", ".json", TID);
  assert.deepEqual([crashed.status, JSON.parse(await crashed.text()).error], [
    400,
    WebMessages.errorProcessingRequest,
  ]);
  const late = webOutcomeResponse(undefined, "b".repeat(32), ".json", TID);
  assert.deepEqual([late.status, JSON.parse(await late.text()).error], [
    202,
    "Response not yet ready.",
  ]);
});
