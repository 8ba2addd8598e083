/** Tests of the free-memory figures the pool bounds its user memory with. */

import assert from "node:assert/strict";
import {
  cgroupHeadroomMb,
  hostMemoryOf,
  parseMemAvailableMb,
  readHostMemory,
} from "../../../runtime/containers/host_memory.ts";

Deno.test("parseMemAvailableMb() reads MemAvailable in MB", () => {
  const text = "MemTotal:       24683520 kB\nMemFree:  1 kB\nMemAvailable:   2097152 kB\n";
  assert.equal(parseMemAvailableMb(text), 2048);
  assert.throws(() => parseMemAvailableMb("MemTotal: 1 kB\n"), TypeError);
});

Deno.test("cgroupHeadroomMb() ignores the v1 'unlimited' value and never goes negative", () => {
  assert.equal(cgroupHeadroomMb(9223372036854771712, 0), undefined);
  assert.equal(cgroupHeadroomMb(512 * 1024 * 1024, 128 * 1024 * 1024), 384);
  assert.equal(cgroupHeadroomMb(100, 200), 0);
});

Deno.test("hostMemoryOf() takes the smaller of host and cgroup figures", () => {
  assert.deepEqual(hostMemoryOf(4096, 1024), {
    availableMb: 4096,
    cgroupHeadroomMb: 1024,
    usableMb: 1024,
  });
  assert.deepEqual(hostMemoryOf(4096), { availableMb: 4096, usableMb: 4096 });
});

Deno.test("readHostMemory() reports a positive usable figure on this host", async () => {
  const m = await readHostMemory();
  assert.ok(m.usableMb > 0 && m.usableMb <= m.availableMb, JSON.stringify(m));
});
