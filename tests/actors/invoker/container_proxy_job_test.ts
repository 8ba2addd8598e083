/** Tests of the classic proxy's run job: the ack never decides whether the record is stored. */
import assert from "node:assert/strict";
import { runContainerJob } from "../../../actors/invoker/container_proxy_job.ts";
import type { AcknowledgementMessage } from "../../../protocols/activation.ts";
import { invokerInstance } from "../../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../../protocols/whisk_activation.ts";
import { ManualClock } from "../../../runtime/actors/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";
import { StoreUnavailableError } from "../../../runtime/store/store_errors.ts";
import { settle } from "../../_support/settle.ts";
import { action, activation, fakeContainer } from "./_proxy_fixtures.ts";

function deps(ackFails: boolean, storeFailures: Error[] = []) {
  const clock = new ManualClock(1_000);
  const records: WhiskActivation[] = [];
  return {
    clock,
    records,
    deps: {
      clock,
      logger: capturingLogger(),
      invoker: invokerInstance(0),
      sendAck: (_c: unknown, _a: AcknowledgementMessage) =>
        ackFails ? Promise.reject(new Error("bus down")) : Promise.resolve(),
      storeActivation: (record: WhiskActivation) => {
        const failure = storeFailures.shift();
        if (failure) return Promise.reject(failure);
        records.push(record);
        return Promise.resolve("inserted");
      },
    },
  };
}

const job = () => ({
  run: { type: "Run", msg: activation(), action: action() } as const,
  container: fakeContainer(),
  initialize: true,
  onInitialized: () => {},
});

Deno.test("runContainerJob() stores the record even when the ack fails", async () => {
  const s = deps(true);
  const outcome = await runContainerJob(job(), s.deps);
  assert.deepEqual(outcome, { type: "ok" });
  assert.deepEqual(s.records.map((r) => r.response.statusCode), [0]);
});

Deno.test("runContainerJob() retries a retryable store failure on the clock", async () => {
  const s = deps(false, [new StoreUnavailableError("locked")]);
  let done = false;
  const outcome = runContainerJob(job(), s.deps).finally(() => done = true);
  for (let i = 0; i < 100 && !done; i++) {
    await settle();
    s.clock.advance(50);
  }
  assert.deepEqual(await outcome, { type: "ok" });
  assert.equal(s.records.length, 1);
});
