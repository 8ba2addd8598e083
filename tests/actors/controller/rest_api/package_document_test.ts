/** Tests of actors/controller/rest_api/package_document.ts: PUT rules and JSON forms. */
import assert from "node:assert/strict";
import { ApiError } from "../../../../actors/controller/rest_api/errors.ts";
import {
  apiPackage,
  buildPackageForPut,
  packageSummary,
  parseBinding,
} from "../../../../actors/controller/rest_api/package_document.ts";

const base = { namespace: "guest", name: "p", now: 5, maxParameterBytes: 100 };

Deno.test("parseBinding() treats {} and absence as none and resolves _", () => {
  assert.equal(parseBinding({}, "guest"), undefined);
  assert.equal(parseBinding(undefined, "guest"), undefined);
  assert.deepEqual(parseBinding({ namespace: "_", name: "lib" }, "guest"), {
    namespace: "guest",
    name: "lib",
  });
  assert.throws(() => parseBinding({ namespace: 1 }, "guest"), ApiError);
});

Deno.test("buildPackageForPut() keeps unsent fields, bumps the patch, sets the binding annotation", () => {
  const first = buildPackageForPut({
    ...base,
    body: {
      binding: { namespace: "other", name: "lib" },
      annotations: [{ key: "binding", value: 1 }],
    },
  });
  assert.deepEqual(first.annotations, [{
    key: "binding",
    value: { namespace: "other", name: "lib" },
  }]);
  const second = buildPackageForPut({ ...base, body: { publish: true }, existing: first });
  assert.deepEqual([second.version, second.publish, second.binding], [
    "0.0.2",
    true,
    first.binding,
  ]);
  assert.deepEqual(apiPackage(buildPackageForPut({ ...base, body: {} })).binding, {});
  assert.equal(packageSummary(second).binding !== false, true);
  assert.equal(packageSummary(buildPackageForPut({ ...base, body: {} })).binding, false);
});

Deno.test("buildPackageForPut() answers 413 for parameters past the limit", () => {
  assert.throws(
    () =>
      buildPackageForPut({ ...base, body: { parameters: [{ key: "k", value: "x".repeat(200) }] } }),
    (e: unknown) => e instanceof ApiError && e.status === 413,
  );
});
