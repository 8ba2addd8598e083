import assert from "node:assert/strict";
import {
  createKeepAlivePolicy,
  KEEP_ALIVE_POLICY_NAMES,
  parseKeepAlivePolicyName,
} from "../../../../actors/invoker/keep_alive/mod.ts";

Deno.test("parseKeepAlivePolicyName() accepts each configured name", () => {
  for (const name of ["ttl", "lru", "greedy-dual"]) {
    assert.equal(parseKeepAlivePolicyName(name), name);
  }
});

Deno.test("parseKeepAlivePolicyName() throws TypeError on anything else", () => {
  for (const bad of ["TTL", "gd", "", 3, undefined, null]) {
    assert.throws(() => parseKeepAlivePolicyName(bad), TypeError);
  }
});

Deno.test("createKeepAlivePolicy() builds the policy its name says", () => {
  for (const name of KEEP_ALIVE_POLICY_NAMES) {
    assert.equal(createKeepAlivePolicy(name).name, name);
  }
});

Deno.test("createKeepAlivePolicy() passes ttlMs to the ttl policy", () => {
  const ttl = createKeepAlivePolicy("ttl", { ttlMs: 5_000 });
  assert.equal(ttl.keepAliveFor({ id: "c", action: "a", memoryMb: 1, lastUsed: 0 }, 0), 5_000);
});
