/**
 * Tests of the function-pulling proxy's run job: the ack never decides whether the
 * record is stored, and a retryable store failure is retried on the injected clock.
 */
import assert from "node:assert/strict";
import { runActivationJob } from "../../../actors/invoker/function_pulling_container_proxy_job.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { ManualClock } from "../../../runtime/actors/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";
import { StoreUnavailableError } from "../../../runtime/store/store_errors.ts";
import { settle } from "../../_support/settle.ts";
import { action, activation, fakeContainer } from "./_proxy_fixtures.ts";

/** Deps whose ack and store fail as scripted; every call is recorded. */
function scripted(script: { ackFails?: boolean; storeFailures?: Error[] } = {}) {
  const clock = new ManualClock(1_000);
  const acks: AcknowledgementMessage[] = [];
  const records: WhiskActivation[] = [];
  const attempts: number[] = [];
  const failures = [...(script.storeFailures ?? [])];
  return {
    clock,
    acks,
    records,
    attempts,
    deps: {
      clock,
      logger: capturingLogger(),
      invoker: invokerInstance(0),
      sendAck: (_c: unknown, ack: AcknowledgementMessage) => {
        if (script.ackFails) return Promise.reject(new Error("bus down"));
        acks.push(ack);
        return Promise.resolve();
      },
      storeActivation: (record: WhiskActivation) => {
        attempts.push(clock.now());
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        records.push(record);
        return Promise.resolve("inserted");
      },
    },
  };
}

const job = () => ({
  msg: activation(),
  action: action(),
  container: fakeContainer(),
  initialize: true,
  onInitialized: () => {},
});

/** Resolves `p` while advancing the manual clock in `stepMs` steps. */
async function driving<T>(p: Promise<T>, clock: ManualClock, stepMs = 50): Promise<T> {
  let done = false;
  const out = p.finally(() => done = true);
  for (let i = 0; i < 200 && !done; i++) {
    await settle();
    clock.advance(stepMs);
  }
  return await out;
}

Deno.test("runActivationJob() stores the record even when the ack fails", async () => {
  const s = scripted({ ackFails: true });
  const done = await runActivationJob(job(), s.deps);
  assert.equal(done.outcome, "ok");
  assert.deepEqual(s.records.map((r) => [r.activationId, r.response.statusCode]), [[
    activation().activationId,
    0,
  ]]);
});

Deno.test("runActivationJob() retries a retryable store failure with backoff on the clock", async () => {
  const s = scripted({
    storeFailures: [new StoreUnavailableError("locked"), new StoreUnavailableError("locked")],
  });
  const done = await driving(runActivationJob(job(), s.deps), s.clock);
  assert.equal(done.outcome, "ok");
  assert.equal(s.acks.length, 1);
  assert.equal(s.records.length, 1);
  assert.equal(s.attempts.length, 3);
  const gaps = s.attempts.slice(1).map((t, i) => t - s.attempts[i]!);
  assert.ok(gaps[0]! >= 100 && gaps[1]! >= 200, `backoff doubles: ${gaps}`);
});

Deno.test("runActivationJob() does not retry a store failure that is not retryable", async () => {
  const s = scripted({ storeFailures: [new TypeError("bad record")] });
  const done = await runActivationJob(job(), s.deps);
  assert.equal(done.outcome, "ok");
  assert.deepEqual([s.attempts.length, s.records.length, s.acks.length], [1, 0, 1]);
});

Deno.test("runActivationJob() a container that throws ends the activation with a whisk error, stored before the ack", async () => {
  const s = scripted();
  const order: string[] = [];
  const deps = {
    ...s.deps,
    sendAck: (c: unknown, a: AcknowledgementMessage) => (order.push("ack"), s.deps.sendAck(c, a)),
    storeActivation: (r: WhiskActivation) => (order.push("store"), s.deps.storeActivation(r)),
  };
  const broken = {
    ...job(),
    container: { ...fakeContainer(), run: () => Promise.reject(new Error("gone")) },
  };
  const done = await runActivationJob(broken, deps);
  assert.deepEqual([done.outcome, done.whiskError], ["ActivationUnsuccessful", true]);
  assert.deepEqual(order, ["store", "ack"]);
  assert.deepEqual(s.records[0]?.response.result, {
    error: "Failed to run container with action.",
  });
});
