import assert from "node:assert/strict";
import { activationFilterName, summarizeActivation } from "../../../runtime/store/mod.ts";

const base = { activationId: "a".repeat(32), namespace: "guest", name: "hello", start: 100 };
const path = (value: string) => ({ key: "path", value });

Deno.test("activationFilterName() is the plain name for an unpackaged action", () => {
  assert.equal(activationFilterName({ ...base, annotations: [path("guest/hello")] }), "hello");
  assert.equal(activationFilterName(base), "hello");
});

Deno.test("activationFilterName() is pkg/name for a packaged action or a binding", () => {
  assert.equal(
    activationFilterName({ ...base, annotations: [path("guest/pkg/hello")] }),
    "pkg/hello",
  );
  const viaBinding = [path("whisk.system/utils/hello"), { key: "binding", value: "guest/b" }];
  assert.equal(activationFilterName({ ...base, annotations: viaBinding }), "b/hello");
});

Deno.test("summarizeActivation() keeps list fields and the stored statusCode of an ended one", () => {
  const doc = {
    ...base,
    end: 130,
    cause: "c".repeat(32),
    response: { statusCode: 2, result: { error: "x" } },
    logs: ["l"],
    version: "0.0.2",
    publish: false,
    annotations: [path("guest/hello")],
    subject: "guest",
  };
  assert.deepEqual(summarizeActivation(doc), {
    namespace: "guest",
    name: "hello",
    version: "0.0.2",
    publish: false,
    annotations: [path("guest/hello")],
    activationId: base.activationId,
    start: 100,
    end: 130,
    duration: 30,
    cause: "c".repeat(32),
    statusCode: 2,
  });
  assert.deepEqual(Object.keys(summarizeActivation(doc)).slice(-3), [
    "duration",
    "cause",
    "statusCode",
  ]);
});

Deno.test("summarizeActivation() leaves out end, duration and statusCode when end is 0", () => {
  const summary = summarizeActivation({ ...base, end: 0, response: { statusCode: 0 } } as never);
  assert.deepEqual(summary, { ...base });
});
