/** Tests of scripts/bench/control_plane.ts: attributing key-value operations to warm invocations. */
import assert from "node:assert/strict";
import { attributeKvOps } from "../../../scripts/bench/control_plane.ts";

Deno.test("attributeKvOps() leaves out other actions' keys and the idle rate of global ones", () => {
  const a = attributeKvOps(
    {
      "keepAliveOnce 1": 8,
      "put whisk/invokers": 4,
      "del whisk/namespace [other action]": 47,
      "put whisk/warmed [other action]": 32,
    },
    { "keepAliveOnce 1": 4, "put whisk/invokers": 2 },
    4,
    2,
  );
  assert.deepEqual(a, {
    focus: 0,
    otherActions: 79,
    global: 12,
    globalBackground: 12,
    attributed: 0,
  });
});

Deno.test("attributeKvOps() counts every operation on the warm action's keys and global excess", () => {
  const a = attributeKvOps(
    { "put whisk/in-progress [focus]": 100, "put whisk/throttling": 50, "keepAliveOnce 1": 2 },
    { "keepAliveOnce 1": 2 },
    2,
    2,
  );
  assert.equal(a.attributed, 150);
});

Deno.test("attributeKvOps() never goes below the warm action's own operations", () => {
  const a = attributeKvOps({ "get whisk/queue [focus]": 3 }, { "keepAliveOnce 1": 40 }, 2, 2);
  assert.equal(a.attributed, 3);
});
