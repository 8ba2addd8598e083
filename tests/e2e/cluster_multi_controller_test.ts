/**
 * Two controllers of one cluster (separate processes on the real etcd and Kafka): an
 * action updated through one is invoked at its new revision through the other within
 * a second, because the update's `cacheInvalidation` message drops the other's cached
 * copy.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  client,
  CLUSTER_TEST,
  type Doc,
  SKIP_REAL,
  traceEvent,
  withCluster,
} from "./_cluster_harness.ts";

const version = (v: number) => `function main() { return { v: ${v} }; }`;

Deno.test({
  name: "an update through one controller is invoked at its new revision through the other",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({ baseId: 7, controllers: 2, schedulers: 1, invokers: 1 }, async (cluster) => {
      const [first, second] = cluster.of("controller");
      const writer = client(first!.url);
      const reader = client(second!.url);
      await writer.actions.create({
        name: "versioned",
        action: version(1),
        kind: "nodejs:default",
      });
      // The second controller caches revision 1 by invoking it.
      for (let i = 0; i < 2; i++) {
        const result: Doc = await reader.actions.invoke({
          name: "versioned",
          blocking: true,
          result: true,
        });
        assert.deepEqual(result, { v: 1 });
      }

      await writer.actions.update({
        name: "versioned",
        action: version(2),
        kind: "nodejs:default",
      });
      const updatedAt = performance.now();
      let seenAfterMs: number | undefined;
      while (seenAfterMs === undefined) {
        const issuedAfterMs = performance.now() - updatedAt;
        const result: Doc = await reader.actions.invoke({
          name: "versioned",
          blocking: true,
          result: true,
        });
        if (result.v === 2) seenAfterMs = Math.round(issuedAfterMs);
        else {
          assert.deepEqual(result, { v: 1 });
          assert.ok(issuedAfterMs < 1_000, "the old revision was still invoked after 1 s");
        }
      }
      console.log(
        `the other controller invoked the new revision ${seenAfterMs} ms after the update`,
      );
      assert.ok(seenAfterMs <= 1_000);
      const received = await traceEvent(`${second!.url}/trace?type=CacheInvalidationMessage`);
      assert.equal(
        received.from,
        "kafka",
        "the invalidation reached the other controller over Kafka",
      );
    }),
});
