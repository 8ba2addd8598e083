import assert from "node:assert/strict";
import {
  DEFAULT_ACTION_LIMITS,
  DEFAULT_LIMIT_BOUNDS,
  validateActionLimits,
} from "../../protocols/mod.ts";

Deno.test("DEFAULT_ACTION_LIMITS and DEFAULT_LIMIT_BOUNDS are upstream's", () => {
  assert.deepEqual(DEFAULT_ACTION_LIMITS, {
    timeout: 60000,
    memory: 256,
    logs: 10,
    concurrency: 1,
  });
  assert.deepEqual(DEFAULT_LIMIT_BOUNDS, {
    timeout: { min: 100, max: 300000 },
    memory: { min: 128, max: 512 },
    logs: { min: 0, max: 10 },
    concurrency: { min: 1, max: 1 },
  });
});

const ACCEPTED: ReadonlyArray<[unknown, object]> = [
  [undefined, DEFAULT_ACTION_LIMITS],
  [{}, DEFAULT_ACTION_LIMITS],
  [{ timeout: 100, memory: 128, logs: 0 }, { timeout: 100, memory: 128, logs: 0, concurrency: 1 }],
  [{ timeout: 300000, memory: 512, logs: 10, concurrency: 1 }, {
    timeout: 300000,
    memory: 512,
    logs: 10,
    concurrency: 1,
  }],
  [{ memory: 128, instances: 5 }, { ...DEFAULT_ACTION_LIMITS, memory: 128, instances: 5 }],
];

for (const [input, limits] of ACCEPTED) {
  Deno.test(`validateActionLimits() accepts ${JSON.stringify(input)}`, () => {
    assert.deepEqual(validateActionLimits(input, { namespaceConcurrency: 30 }), {
      ok: true,
      limits,
    });
  });
}

const REJECTED: ReadonlyArray<[unknown, string]> = [
  [{ timeout: 99 }, "duration 99 milliseconds below allowed threshold of 100 milliseconds"],
  [
    { timeout: 300001 },
    "duration 300001 milliseconds exceeds allowed threshold of 300000 milliseconds",
  ],
  [{ memory: 127 }, "memory size 127 MB below allowed threshold of 128 MB"],
  [{ memory: 1024 }, "memory size 1024 MB exceeds allowed threshold of 512 MB"],
  [{ logs: -1 }, "log size -1 MB below allowed threshold of 0 MB"],
  [{ logs: 11 }, "log size 11 MB exceeds allowed threshold of 10 MB"],
  [{ concurrency: 0 }, "concurrency 0 below allowed threshold of 1"],
  [{ concurrency: 2 }, "concurrency 2 exceeds allowed threshold of 1"],
  [{ instances: 0 }, "Action container concurrency must be greater than or equal to 1."],
  [
    { instances: 31 },
    "Max action instance concurrency must not exceed your namespace concurrency of 30.",
  ],
  [{ memory: 256.5 }, "memory limit must be whole number"],
  [{ timeout: "1000" }, "time limit malformed"],
  [[1], "no valid json object passed"],
];

for (const [input, message] of REJECTED) {
  Deno.test(`validateActionLimits() rejects ${JSON.stringify(input)} with upstream's message`, () => {
    assert.deepEqual(validateActionLimits(input, { namespaceConcurrency: 30 }), {
      ok: false,
      message,
    });
  });
}

Deno.test("validateActionLimits() fills missing fields from the base (update)", () => {
  const base = { timeout: 1000, memory: 128, logs: 1, concurrency: 1, instances: 2 };
  assert.deepEqual(validateActionLimits({ memory: 256 }, { base }), {
    ok: true,
    limits: { ...base, memory: 256 },
  });
});

Deno.test("validateActionLimits() honours wider bounds", () => {
  const bounds = { ...DEFAULT_LIMIT_BOUNDS, concurrency: { min: 1, max: 500 } };
  const r = validateActionLimits({ concurrency: 200 }, { bounds });
  assert.equal(r.ok && r.limits.concurrency, 200);
});
