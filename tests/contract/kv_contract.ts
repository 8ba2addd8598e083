/**
 * The contract every `KeyValueStore` keeps, run against the in-memory twin
 * (`kv_memory_test.ts`) and a real etcd (`kv_etcd_test.ts`): plain operations,
 * compare-and-put, leases and ordered watches. Mirrors the behaviours upstream's
 * `EtcdClient`, `LeaseKeepAliveService` and `WatcherService` rely on.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { KeyValueStore, WatchEvent } from "../../runtime/kv/key_value_store.ts";
import { KvError, LeaseLostError } from "../../runtime/kv/kv_errors.ts";

/** A store under test and the way lease time passes for it. */
export interface KvHarness {
  readonly store: KeyValueStore;
  /** Lets `ms` of lease time pass: a manual clock for the twin, a real wait for etcd. */
  advance(ms: number): Promise<void>;
  /** Releases the store. */
  close(): Promise<void>;
}

/** Options of {@link runKvContract}. */
export interface KvContractOptions {
  /** Skip every case (a real service the environment asks to skip). */
  readonly ignore?: boolean;
  /** Deno's op/resource sanitizers (off when a client keeps sockets between tests). */
  readonly sanitize?: boolean;
}

/** Waits (polling, bounded) until `check` holds; fails with `what` otherwise. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A key prefix no other test (or helper sharing the same etcd) uses. */
export function uniquePrefix(): string {
  return `wsk-test/${crypto.randomUUID()}/`;
}

type Case = (h: KvHarness, p: string) => Promise<void>;

const CASES: Record<string, Case> = {
  "get() / put() / del() read, replace and delete one key": async ({ store }, p) => {
    assert.equal(await store.get(`${p}a`), undefined);
    await store.put(`${p}a`, "1");
    await store.put(`${p}a`, "2");
    assert.equal(await store.get(`${p}a`), "2");
    await store.del(`${p}a`);
    await store.del(`${p}absent`);
    assert.equal(await store.get(`${p}a`), undefined);
  },

  "getPrefix() / countPrefix() / delPrefix() cover exactly the prefix, sorted by key": async (
    { store },
    p,
  ) => {
    for (const k of ["b", "a/2", "a/1", "c"]) await store.put(`${p}${k}`, `v-${k}`);
    await store.put(`${p.slice(0, -1)}-sibling`, "outside");
    assert.deepEqual(await store.getPrefix(`${p}a/`), [
      { key: `${p}a/1`, value: "v-a/1" },
      { key: `${p}a/2`, value: "v-a/2" },
    ]);
    assert.deepEqual((await store.getPrefix(p)).map((kv) => kv.key.slice(p.length)), [
      "a/1",
      "a/2",
      "b",
      "c",
    ]);
    assert.equal(await store.countPrefix(p), 4);
    await store.delPrefix(`${p}a/`);
    assert.equal(await store.countPrefix(p), 2);
    assert.equal(await store.get(`${p.slice(0, -1)}-sibling`), "outside");
    await store.del(`${p.slice(0, -1)}-sibling`);
  },

  "putIfVersion() puts only when the key's version matches (0: absent)": async ({ store }, p) => {
    const k = `${p}leader`;
    assert.equal(await store.putIfVersion(k, "s0", 0), true);
    assert.equal(await store.putIfVersion(k, "s1", 0), false);
    assert.equal(await store.get(k), "s0");
    assert.equal(await store.putIfVersion(k, "s0'", 2), false);
    assert.equal(await store.putIfVersion(k, "s0'", 1), true);
    assert.equal(await store.get(k), "s0'");
    await store.del(k);
    assert.equal(await store.putIfVersion(k, "s2", 0), true, "version restarts after delete");
  },

  "putIfVersion() lets exactly one of 10 concurrent creators win": async ({ store }, p) => {
    const k = `${p}leader`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.putIfVersion(k, `s${i}`, 0)),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    assert.equal(winners.length, 1, `winners: ${winners.join(",")}`);
    assert.equal(await store.get(k), `s${winners[0]}`);
  },

  "watch() on a prefix sees 100 puts in order, with previous values": async ({ store }, p) => {
    const seen: WatchEvent[] = [];
    const watch = await store.watch(p, { prefix: true }, (e) => seen.push(e));
    await store.put(`${p.slice(0, -1)}-sibling`, "not mine");
    for (let i = 0; i < 100; i++) await store.put(`${p}k${i % 10}`, String(i));
    await waitFor("100 watch events", () => seen.length >= 100);
    assert.equal(seen.length, 100);
    seen.forEach((e, i) => {
      assert.equal(e.type, "put");
      assert.equal(e.key, `${p}k${i % 10}`);
      assert.equal(e.type === "put" && e.value, String(i));
      assert.equal(e.prevValue, i < 10 ? undefined : String(i - 10));
    });
    await watch.close();
    await store.del(`${p.slice(0, -1)}-sibling`);
  },

  "watch() on one key ignores other keys and stops after close()": async ({ store }, p) => {
    const seen: WatchEvent[] = [];
    const watch = await store.watch(`${p}x`, { prefix: false }, (e) => seen.push(e));
    await store.put(`${p}xy`, "other");
    await store.put(`${p}x`, "1");
    await store.del(`${p}x`);
    await waitFor("put and delete of the key", () => seen.length >= 2);
    assert.deepEqual(seen, [
      { type: "put", key: `${p}x`, value: "1" },
      { type: "delete", key: `${p}x`, prevValue: "1" },
    ]);
    await watch.close();
    await watch.close();
    await store.put(`${p}x`, "2");
    await store.put(`${p}marker`, "m");
    assert.equal(await store.get(`${p}marker`), "m");
    assert.equal(seen.length, 2);
  },

  "a lease expiry deletes its keys and fires delete events": async (h, p) => {
    const { store } = h;
    const lease = await store.grantLease(2);
    await store.put(`${p}leased`, "v", { lease });
    await store.put(`${p}kept`, "v");
    const seen: WatchEvent[] = [];
    const watch = await store.watch(p, { prefix: true }, (e) => seen.push(e));
    await h.advance(2_000);
    await waitFor("the leased key's delete event", () => seen.length >= 1, 6_000);
    assert.deepEqual(seen, [{ type: "delete", key: `${p}leased`, prevValue: "v" }]);
    assert.equal(await store.get(`${p}leased`), undefined);
    assert.equal(await store.get(`${p}kept`), "v");
    await assert.rejects(store.keepAliveOnce(lease), LeaseLostError);
    await watch.close();
  },

  "keepAliveOnce() holds a leased key past several TTLs": async (h, p) => {
    const lease = await h.store.grantLease(2);
    await h.store.put(`${p}alive`, "v", { lease });
    for (let i = 0; i < 6; i++) {
      await h.advance(1_000);
      await h.store.keepAliveOnce(lease);
    }
    assert.equal(await h.store.get(`${p}alive`), "v");
    await h.store.revokeLease(lease);
  },

  "revokeLease() removes the lease's keys and then keepAliveOnce() rejects": async (
    { store },
    p,
  ) => {
    const lease = await store.grantLease(10);
    await store.put(`${p}a`, "1", { lease });
    await store.put(`${p}b`, "2", { lease });
    const seen: WatchEvent[] = [];
    const watch = await store.watch(p, { prefix: true }, (e) => seen.push(e));
    await store.revokeLease(lease);
    assert.equal(await store.countPrefix(p), 0);
    await waitFor("two delete events", () => seen.length >= 2);
    assert.deepEqual(seen.map((e) => `${e.type} ${e.key.slice(p.length)}`), [
      "delete a",
      "delete b",
    ]);
    const lost = await store.keepAliveOnce(lease).then(() => undefined, (e: unknown) => e);
    assert.ok(lost instanceof LeaseLostError, `expected LeaseLostError, got ${lost}`);
    assert.equal(lost.leaseId, lease);
    assert.equal(lost.retryable, false);
    await assert.rejects(store.put(`${p}c`, "3", { lease }), LeaseLostError);
    await store.revokeLease(lease); // revoking again is fine
    await watch.close();
  },

  "grantLease() rejects a TTL under 1 s with a RangeError": async ({ store }) => {
    await assert.rejects(store.grantLease(0), RangeError);
    const lease = await store.grantLease(5);
    assert.match(lease, /^[0-9]+$/);
    await store.revokeLease(lease);
  },
};

/**
 * Registers the contract's cases as `Deno.test`s named `<name>: <case>`.
 *
 * @param makeStore builds a fresh harness per case
 */
export function runKvContract(
  name: string,
  makeStore: () => Promise<KvHarness>,
  options: KvContractOptions = {},
): void {
  for (const [title, body] of Object.entries(CASES)) {
    Deno.test({
      name: `${name}: ${title}`,
      ignore: options.ignore ?? false,
      sanitizeOps: options.sanitize ?? true,
      sanitizeResources: options.sanitize ?? true,
      fn: async () => {
        const h = await makeStore();
        const prefix = uniquePrefix();
        try {
          await body(h, prefix);
        } finally {
          await h.store.delPrefix(prefix).catch((e: unknown) => {
            if (!(e instanceof KvError)) throw e;
          });
          await h.close();
        }
      },
    });
  }
}
