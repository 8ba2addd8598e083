/**
 * Runs the key-value contract against the in-memory twin (`runtime/kv/memory_kv.ts`),
 * with lease time on a manual clock: no case sleeps.
 *
 * @module
 */
import { ManualClock } from "../../runtime/actors/clock.ts";
import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
import { runKvContract } from "./kv_contract.ts";

runKvContract("MemoryKv", () => {
  const clock = new ManualClock(1_000_000);
  const store = new MemoryKv({ clock });
  return Promise.resolve({
    store,
    advance: (ms: number) => Promise.resolve(clock.advance(ms)),
    close: () => store.close(),
  });
});
