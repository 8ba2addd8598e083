/**
 * Runs the key-value contract against a real etcd (`WSK_ETCD`, default
 * 127.0.0.1:2379) through `runtime/kv/etcd_kv.ts`, plus a real-only case: a watch
 * resumes without loss or duplicates after its etcd is killed and restarted. Set
 * `WSK_SKIP_REAL=1` to skip.
 *
 * @module
 */
import assert from "node:assert/strict";
import { EtcdKv } from "../../runtime/kv/etcd_kv.ts";
import type { WatchEvent } from "../../runtime/kv/key_value_store.ts";
import { KvUnavailableError } from "../../runtime/kv/kv_errors.ts";
import { capturingLogger } from "../../runtime/log.ts";
import { etcdDown, etcdUp } from "../../scripts/services/etcd.ts";
import { runKvContract, uniquePrefix, waitFor } from "./kv_contract.ts";

const ENDPOINT = Deno.env.get("WSK_ETCD") ?? "127.0.0.1:2379";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";

async function assertReachable(endpoint: string): Promise<void> {
  try {
    const res = await fetch(`http://${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    if (res.ok) return;
  } catch {
    // reported below
  }
  throw new Error(
    `etcd is not reachable at ${endpoint} (WSK_ETCD): start it with ` +
      "`deno run -A scripts/services/etcd.ts up`, or set WSK_SKIP_REAL=1 to skip real-service tests",
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

runKvContract("EtcdKv", async () => {
  await assertReachable(ENDPOINT);
  const store = new EtcdKv({ endpoint: ENDPOINT });
  return { store, advance: sleep, close: () => store.close() };
}, { ignore: SKIP });

/** Retries a call while etcd is coming back (bounded). */
async function whenBack<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KvUnavailableError) || Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

Deno.test({
  name: "EtcdKv.watch() resumes after etcd restarts, losing and repeating nothing",
  ignore: SKIP,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "wsk-etcd-restart-" });
    const port = 23799;
    const ports = { dataDir, port, peerPort: 23800, quiet: true };
    const logger = capturingLogger();
    let store: EtcdKv | undefined;
    try {
      await etcdUp(ports);
      store = new EtcdKv({ endpoint: `127.0.0.1:${port}`, callTimeoutMs: 1_000, logger });
      const p = uniquePrefix();
      const seen: WatchEvent[] = [];
      await store.watch(p, { prefix: true }, (e) => seen.push(e));
      await store.put(`${p}before`, "1");
      await waitFor("the event before the restart", () => seen.length === 1);

      await etcdDown(dataDir, { signal: "SIGKILL" });
      await assert.rejects(store.put(`${p}down`, "x"), KvUnavailableError);
      await etcdUp(ports);
      const kv = store;
      await whenBack(() => kv.put(`${p}after`, "2"));
      await kv.put(`${p}after`, "3");
      await kv.del(`${p}before`);

      await waitFor("the events after the restart", () => seen.length >= 4, 15_000);
      await sleep(200); // a duplicate would arrive right behind
      assert.deepEqual(seen.map((e) => [e.type, e.key.slice(p.length), e.prevValue]), [
        ["put", "before", undefined],
        ["put", "after", undefined],
        ["put", "after", "2"],
        ["delete", "before", "1"],
      ]);
      const resumed = logger.entries.filter((e) => e.msg === "etcd watch disconnected, resuming");
      assert.ok(resumed.length >= 1, "the watch saw the outage");
    } finally {
      await store?.close();
      await etcdDown(dataDir);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
