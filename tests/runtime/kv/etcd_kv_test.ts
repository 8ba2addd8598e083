/**
 * Tests of the etcd adapter's error mapping (`runtime/kv/etcd_kv.ts`) that need no
 * running etcd: a closed port and a closed client. The behaviour against a real etcd is
 * in `tests/contract/kv_etcd_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { EtcdKv } from "../../../runtime/kv/etcd_kv.ts";
import { KvClosedError, KvUnavailableError } from "../../../runtime/kv/kv_errors.ts";
import { silentLogger } from "../../../runtime/log.ts";

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("EtcdKv rejects with a retryable KvUnavailableError when etcd is unreachable", async () => {
  const kv = new EtcdKv({
    endpoint: `127.0.0.1:${closedPort()}`,
    callTimeoutMs: 1_000,
    logger: silentLogger,
  });
  try {
    const error = await kv.put("k", "v").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof KvUnavailableError, `got ${error}`);
    assert.equal(error.retryable, true);
    assert.match(error.message, /etcd is unavailable/);
    await assert.rejects(kv.grantLease(2), KvUnavailableError);
    await assert.rejects(kv.watch("k", { prefix: false }, () => {}), KvUnavailableError);
  } finally {
    await kv.close();
  }
});

Deno.test("EtcdKv rejects with KvClosedError after close()", async () => {
  const kv = new EtcdKv({ endpoint: `127.0.0.1:${closedPort()}`, logger: silentLogger });
  await kv.close();
  await assert.rejects(kv.get("k"), KvClosedError);
});

Deno.test("EtcdKv.grantLease() rejects a TTL under 1 s without calling etcd", async () => {
  const kv = new EtcdKv({ endpoint: `127.0.0.1:${closedPort()}`, logger: silentLogger });
  await assert.rejects(kv.grantLease(0.5), RangeError);
  await kv.close();
});
