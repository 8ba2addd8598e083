import assert from "node:assert/strict";
import {
  type HealthInput,
  type HealthState,
  healthTransition,
  initialHealthState,
} from "../../../actors/invoker/invoker_health_manager_fsm.ts";
import { healthTestActionDocument } from "../../../actors/invoker/invoker_health_manager_client.ts";
import type { HealthTestAction } from "../../../protocols/invoker_health_manager.ts";
import { USER } from "./_pool_fixtures.ts";

const CONFIG = {
  bufferSize: 10,
  failureTolerance: 3,
  tags: ["t"],
  dedicatedNamespaces: [],
  prepareRetryMs: 1_000,
};
const TEST: HealthTestAction = {
  action: healthTestActionDocument(0),
  revision: "1-x",
  identity: USER,
};

type Eff = { type: string; [k: string]: unknown };

/** Drives the pure health manager, collecting effect types and published statuses. */
class Driver {
  state: HealthState = initialHealthState(1024);
  readonly published: string[] = [];
  readonly #t = healthTransition(CONFIG);

  send(msg: HealthInput): Eff[] {
    const step = this.#t(this.state, msg, 0);
    this.state = step.next;
    const effects = step.effects as Eff[];
    for (const e of effects) {
      if (e.type === "Publish") this.published.push((e.value as { status: string }).status);
    }
    return effects;
  }

  /** Enable and hand the prepared test action back; returns the effects of the latter. */
  enable(): Eff[] {
    this.send({ type: "Enable" });
    return this.send({ type: "TestActionPrepared", testAction: TEST });
  }
}

Deno.test("healthTransition() goes Offline → Unhealthy → Healthy on Enable and a successful health message", () => {
  const d = new Driver();
  const enable = d.send({ type: "Enable" });
  assert.deepEqual(enable.map((e) => e.type), ["PrepareTestAction", "Publish"]);
  assert.equal(d.state.name, "Unhealthy");
  const started = d.send({ type: "TestActionPrepared", testAction: TEST });
  assert.deepEqual(started, [{ type: "StartTestAction", run: 1, testAction: TEST }]);
  const healthy = d.send({ type: "HealthMessage", ok: true });
  assert.equal(d.state.name, "Healthy");
  assert.deepEqual(healthy.map((e) => e.type), ["StopTestAction", "Publish"]);
  assert.deepEqual(d.published, ["unhealthy", "up"]);
});

Deno.test("healthTransition() turns Unhealthy after 3 failures in the buffer and restarts the test action", () => {
  const d = new Driver();
  d.enable();
  d.send({ type: "HealthMessage", ok: true });
  d.send({ type: "HealthMessage", ok: false });
  d.send({ type: "HealthMessage", ok: false });
  assert.equal(d.state.name, "Healthy");
  const third = d.send({ type: "HealthMessage", ok: false });
  assert.equal(d.state.name, "Unhealthy");
  assert.deepEqual(third.map((e) => e.type), ["StartTestAction", "Publish"]);
  assert.equal(third[0]?.run, 2);
  // The failures roll out of the 10-entry buffer after enough successes.
  for (let i = 0; i < 7; i++) d.send({ type: "HealthMessage", ok: true });
  assert.equal(d.state.name, "Unhealthy");
  d.send({ type: "HealthMessage", ok: true });
  assert.equal(d.state.name, "Healthy");
  assert.deepEqual(d.published, ["unhealthy", "up", "unhealthy", "up"]);
});

Deno.test("healthTransition() republishes only memory that changed", () => {
  const d = new Driver();
  const mem = {
    type: "MemoryInfo" as const,
    freeMemory: 512,
    busyMemory: 512,
    inProgressMemory: 0,
  };
  assert.deepEqual(d.send(mem).map((e) => e.type), ["Publish"]);
  assert.deepEqual(d.send(mem), []);
  assert.deepEqual(d.send({ ...mem, freeMemory: 256 }).map((e) => e.type), ["Publish"]);
  assert.deepEqual(d.published, ["down", "down"]);
});

Deno.test("healthTransition() goes Offline on GracefulShutdown, ignores health messages, still publishes memory", () => {
  const d = new Driver();
  d.enable();
  d.send({ type: "HealthMessage", ok: true });
  const off = d.send({ type: "GracefulShutdown" });
  assert.equal(d.state.name, "Offline");
  assert.ok(
    off.some((e) => e.type === "Publish" && (e.value as { status: string }).status === "down"),
  );
  assert.deepEqual(d.send({ type: "HealthMessage", ok: true }), []);
  assert.equal(d.state.name, "Offline");
  const mem = d.send({ type: "MemoryInfo", freeMemory: 1, busyMemory: 2, inProgressMemory: 3 });
  assert.deepEqual(mem.map((e) => e.type), ["Publish"]);
});

Deno.test("healthTransition() restarts the cycle on Enable after a disable, with a fresh buffer", () => {
  const d = new Driver();
  d.enable();
  for (let i = 0; i < 3; i++) d.send({ type: "HealthMessage", ok: false });
  d.send({ type: "GracefulShutdown" });
  d.enable();
  assert.equal(d.state.name, "Unhealthy");
  d.send({ type: "HealthMessage", ok: true });
  assert.equal(d.state.name, "Healthy");
  assert.deepEqual(d.published, ["unhealthy", "up", "unhealthy", "down", "unhealthy", "up"]);
});

Deno.test("healthTransition() starts a new test action when the current test proxy dies while unhealthy", () => {
  const d = new Driver();
  d.enable();
  const removed = { type: "ContainerRemoved", replacePrewarm: true, heldActivations: [] } as never;
  assert.deepEqual(d.send({ type: "TestProxyEvent", run: 99, event: removed }), []);
  const restarted = d.send({ type: "TestProxyEvent", run: 1, event: removed });
  assert.deepEqual(restarted.map((e) => [e.type, e.run]), [["StartTestAction", 2]]);
  const failed = { type: "ContainerCreationFailed", reason: "Unknown", message: "x" } as never;
  assert.deepEqual(d.send({ type: "TestProxyEvent", run: 2, event: failed }), []);
  assert.equal(d.state.name, "Unhealthy");
});

Deno.test("healthTransition() retries a failed preparation and a FailureMessage makes Healthy unhealthy", () => {
  const d = new Driver();
  d.send({ type: "Enable" });
  const retry = d.send({ type: "TestActionPreparationFailed", error: "db down" });
  assert.deepEqual(retry.map((e) => [e.type, e.key]), [["startTimer", "prepare-retry"]]);
  assert.deepEqual(d.send({ type: "RetryPreparation" }).map((e) => e.type), ["PrepareTestAction"]);
  d.send({ type: "TestActionPrepared", testAction: TEST });
  d.send({ type: "HealthMessage", ok: true });
  const failure = d.send({ type: "FailureMessage", reason: "x" });
  assert.equal(d.state.name, "Unhealthy");
  assert.deepEqual(failure.map((e) => e.type), ["StartTestAction", "Publish"]);
});
