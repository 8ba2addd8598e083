/** Tests of `endActivation()`: ack and store never skip each other; order; store retries. */
import assert from "node:assert/strict";
import { endActivation, storeWithRetry } from "../../../actors/invoker/_end_activation.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import { type WhiskActivation, whiskErrorActivation } from "../../../protocols/whisk_activation.ts";
import { ManualClock } from "../../../runtime/actors/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";
import { StoreUnavailableError } from "../../../runtime/store/store_errors.ts";
import { settle } from "../../_support/settle.ts";
import { activation } from "./_proxy_fixtures.ts";

function scripted(o: { ackFails?: boolean; storeFailures?: Error[] } = {}) {
  const clock = new ManualClock(1_000);
  const calls: string[] = [];
  const stored: WhiskActivation[] = [];
  const failures = [...(o.storeFailures ?? [])];
  const logger = capturingLogger();
  return {
    clock,
    calls,
    stored,
    logger,
    deps: {
      clock,
      logger,
      invoker: invokerInstance(0),
      sendAck: (_c: unknown, ack: AcknowledgementMessage) => {
        calls.push(`ack ${ack.type}`);
        return o.ackFails ? Promise.reject(new Error("bus down")) : Promise.resolve();
      },
      storeActivation: (record: WhiskActivation) => {
        calls.push(`store@${clock.now()}`);
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        stored.push(record);
        return Promise.resolve("inserted");
      },
    },
  };
}

const msg = activation();
const record = () => whiskErrorActivation(msg, "boom", 1_000);

Deno.test("endActivation() stores first, then acks, by default (error paths)", async () => {
  const s = scripted();
  const r = await endActivation(s.deps, msg, record());
  assert.deepEqual([r.acked, r.stored], [true, true]);
  assert.deepEqual(s.calls, ["store@1000", "ack CombinedCompletionAndResultMessage"]);
});

Deno.test("endActivation() ackFirst acks, completes the record, then stores it", async () => {
  const s = scripted();
  const r = await endActivation(s.deps, msg, record(), {
    order: "ackFirst",
    complete: (rec) => (s.calls.push("logs"), Promise.resolve({ ...rec, logs: ["l1"] })),
  });
  assert.deepEqual(s.calls, ["ack CombinedCompletionAndResultMessage", "logs", "store@1000"]);
  assert.deepEqual(s.stored[0]?.logs, ["l1"]);
  assert.deepEqual(r.record.logs, ["l1"]);
});

Deno.test("endActivation() a failing ack never skips the store (either order)", async () => {
  for (const order of ["ackFirst", "storeFirst"] as const) {
    const s = scripted({ ackFails: true });
    const r = await endActivation(s.deps, msg, record(), { order });
    assert.deepEqual([r.acked, r.stored, s.stored.length], [false, true, 1], order);
  }
});

Deno.test("endActivation() without an ack sender only stores", async () => {
  const s = scripted();
  const { sendAck: _none, ...deps } = s.deps;
  const r = await endActivation(deps, msg, record());
  assert.deepEqual([r.acked, r.stored, s.calls], [false, true, ["store@1000"]]);
});

Deno.test("endActivation() a record that cannot be completed is stored as it is", async () => {
  const s = scripted();
  await endActivation(s.deps, msg, record(), {
    order: "ackFirst",
    complete: () => Promise.reject(new Error("no logs")),
  });
  assert.deepEqual(s.stored[0]?.logs, []);
});

Deno.test("storeWithRetry() retries a retryable error with a doubling backoff on the clock, then gives up", async () => {
  const s = scripted({
    storeFailures: Array.from({ length: 5 }, () => new StoreUnavailableError("locked")),
  });
  let done: boolean | undefined;
  const p = storeWithRetry(s.deps, record(), {
    attempts: 4,
    firstDelayMs: 100,
    maxDelayMs: 250,
  }).then((ok) => done = ok);
  for (let i = 0; i < 20 && done === undefined; i++) {
    await settle();
    s.clock.advance(50);
  }
  assert.equal(await p, false);
  assert.deepEqual(s.calls, ["store@1000", "store@1100", "store@1300", "store@1550"]);
  assert.equal(s.logger.entries.filter((e) => e.level === "error").length, 1);
});

Deno.test("storeWithRetry() does not retry an error that is not retryable", async () => {
  const s = scripted({ storeFailures: [new Error("constraint")] });
  assert.equal(await storeWithRetry(s.deps, record()), false);
  assert.deepEqual(s.calls, ["store@1000"]);
});
