/** Tests of the shared redelivery loop of the bus implementations. */
import assert from "node:assert/strict";
import { systemClock } from "../../../runtime/actors/clock.ts";
import { backoffMs, deliverWithRetry } from "../../../runtime/bus/_redelivery.ts";
import type { BusRecord } from "../../../runtime/bus/mod.ts";

const record: BusRecord = {
  topic: "t",
  partition: 0,
  offset: "0",
  value: new Uint8Array(),
  headers: {},
};
const policy = { maxAttempts: 3, backoffMs: 1 };

Deno.test("backoffMs() doubles per attempt and stops at one second", () => {
  const p = { maxAttempts: 20, backoffMs: 100 };
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffMs(p, a)), [100, 200, 400, 800, 1000]);
});

Deno.test("deliverWithRetry() gives up after maxAttempts with the last error", async () => {
  const failures: number[] = [];
  let n = 0;
  const outcome = await deliverWithRetry(
    record,
    () => Promise.reject(new Error(`fail ${++n}`)),
    policy,
    systemClock,
    () => false,
    (_e, attempt) => failures.push(attempt),
  );
  assert.equal(outcome.type, "GaveUp");
  assert.equal(outcome.type === "GaveUp" && (outcome.error as Error).message, "fail 3");
  assert.deepEqual(failures, [1, 2, 3]);
});

Deno.test("deliverWithRetry() stops without success when aborted between attempts", async () => {
  let aborted = false;
  const outcome = await deliverWithRetry(
    record,
    () => ((aborted = true), Promise.reject(new Error("x"))),
    policy,
    systemClock,
    () => aborted,
    () => {},
  );
  assert.deepEqual(outcome, { type: "Aborted" });
});

Deno.test("deliverWithRetry() reports Handled after a failure then success", async () => {
  let n = 0;
  const outcome = await deliverWithRetry(
    record,
    () => (++n === 1 ? Promise.reject(new Error("once")) : Promise.resolve()),
    policy,
    systemClock,
    () => false,
    () => {},
  );
  assert.deepEqual(outcome, { type: "Handled" });
  assert.equal(n, 2);
});
