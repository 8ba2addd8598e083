import assert from "node:assert/strict";
import {
  decodeInstanceIdAt,
  encodeInstanceId,
  instanceString,
  invokerInstance,
} from "../../protocols/mod.ts";
import {
  CONTROLLER_INSTANCE_JSON,
  INVOKER_INSTANCE_JSON,
  SCHEDULER_INSTANCE_JSON,
} from "./_fixtures.ts";

const at = { what: "T", path: "instance" };

Deno.test("decodeInstanceIdAt() decodes the reference's three forms and writes them back", () => {
  for (const json of [CONTROLLER_INSTANCE_JSON, SCHEDULER_INSTANCE_JSON, INVOKER_INSTANCE_JSON]) {
    assert.deepEqual(encodeInstanceId(decodeInstanceIdAt(JSON.parse(json), at)), JSON.parse(json));
  }
});

Deno.test("instanceString() is upstream's toString", () => {
  assert.equal(
    instanceString(decodeInstanceIdAt(JSON.parse(CONTROLLER_INSTANCE_JSON), at)),
    "controller0",
  );
  assert.equal(
    instanceString(decodeInstanceIdAt(JSON.parse(SCHEDULER_INSTANCE_JSON), at)),
    "scheduler0",
  );
  assert.equal(
    instanceString(decodeInstanceIdAt(JSON.parse(INVOKER_INSTANCE_JSON), at)),
    "invoker0/u0/d0",
  );
  assert.equal(instanceString(invokerInstance(4)), "invoker4");
});

Deno.test("decodeInstanceIdAt() rejects an unknown instanceType", () => {
  assert.throws(() => decodeInstanceIdAt({ asString: "0", instanceType: "robot" }, at), TypeError);
});
