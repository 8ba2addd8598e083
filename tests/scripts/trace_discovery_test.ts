import assert from "node:assert/strict";
import { processKey } from "../../protocols/mod.ts";
import { ManualClock } from "../../runtime/actors/mod.ts";
import { MemoryKv } from "../../runtime/kv/mod.ts";
import { capturingLogger, silentLogger } from "../../runtime/log.ts";
import {
  advertiseProcess,
  decodeProcessEndpoint,
  discoverProcesses,
  encodeProcessEndpoint,
} from "../../scripts/trace_discovery.ts";

const CONTROLLER = { name: "controller0", role: "controller", url: "http://127.0.0.1:3233" };
const INVOKER = { name: "invoker1", role: "invoker", url: "http://127.0.0.1:12002" };

/** Lets the kv's promises and the renewal chained on them run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

Deno.test("processKey() names a process under whisk/processes/", () => {
  assert.equal(processKey("invoker1"), "whisk/processes/invoker1");
  assert.equal(processKey("scheduler0", "c7"), "c7/processes/scheduler0");
});

Deno.test("decodeProcessEndpoint() round-trips and rejects bad shapes", () => {
  assert.deepEqual(decodeProcessEndpoint(encodeProcessEndpoint(INVOKER)), INVOKER);
  assert.throws(() => decodeProcessEndpoint("{"), SyntaxError);
  assert.throws(() => decodeProcessEndpoint("[]"), { name: "TypeError" });
  assert.throws(
    () => decodeProcessEndpoint({ ...INVOKER, role: 3 }),
    {
      name: "TypeError",
      message: 'Cannot decode ProcessEndpoint: "role" must be a non-empty string',
    },
  );
  assert.throws(() => decodeProcessEndpoint({ ...INVOKER, url: "ftp://x" }), /must be http/);
});

Deno.test("advertiseProcess() keeps its key alive past the lease TTL and revokes it on close", async () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKv({ clock, logger: silentLogger });
  try {
    const ad = await advertiseProcess(kv, CONTROLLER, {
      cluster: "c1",
      ttlSeconds: 3,
      logger: silentLogger,
      clock,
    });
    assert.equal(ad.key, "c1/processes/controller0");
    for (let t = 0; t < 10; t++) {
      clock.advance(1_000);
      await flush();
    }
    assert.deepEqual(await discoverProcesses(kv, "c1"), [CONTROLLER]);
    await ad.close();
    assert.deepEqual(await discoverProcesses(kv, "c1"), []);
    clock.advance(10_000); // no renewal after close
    await flush();
    assert.deepEqual(await discoverProcesses(kv, "c1"), []);
  } finally {
    await kv.close();
  }
});

Deno.test("advertiseProcess() writes its key again under a new lease when the lease is lost", async () => {
  const clock = new ManualClock(0);
  const kv = new MemoryKv({ clock, logger: silentLogger });
  const logger = capturingLogger();
  try {
    const ad = await advertiseProcess(kv, INVOKER, { ttlSeconds: 3, logger, clock });
    assert.deepEqual(await discoverProcesses(kv), [INVOKER]);
    // The lease vanishes (etcd restarted): the key goes with it.
    clock.advance(999);
    await flush();
    for (const id of kv.leases().map((l) => l.id)) await kv.revokeLease(id);
    assert.deepEqual(await discoverProcesses(kv), []);
    clock.advance(1);
    await flush();
    assert.deepEqual(await discoverProcesses(kv), [INVOKER]);
    assert.equal(logger.entries.filter((e) => e.msg.includes("new lease")).length, 1);
    await ad.close();
  } finally {
    await kv.close();
  }
});

Deno.test("discoverProcesses() lists one cluster's processes by name, skipping bad values", async () => {
  const kv = new MemoryKv({ logger: silentLogger });
  try {
    await kv.put(processKey("invoker1", "c2"), encodeProcessEndpoint(INVOKER));
    await kv.put(processKey("controller0", "c2"), encodeProcessEndpoint(CONTROLLER));
    await kv.put(processKey("broken", "c2"), "{not json");
    await kv.put(processKey("scheduler0", "other"), encodeProcessEndpoint(CONTROLLER));
    assert.deepEqual(await discoverProcesses(kv, "c2"), [CONTROLLER, INVOKER]);
  } finally {
    await kv.close();
  }
});
