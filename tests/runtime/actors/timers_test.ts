import assert from "node:assert/strict";
import { ManualClock, type Ref, spawnActor, tell } from "../../../runtime/actors/mod.ts";
import { createTimers, type TimerTick } from "../../../runtime/actors/timers.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { createProbe } from "../../_support/probe.ts";

Deno.test("createTimers() accepts a single tick once and retires the key", () => {
  const clock = new ManualClock();
  const ticks: TimerTick<string>[] = [];
  const timers = createTimers<string>(clock, (t) => ticks.push(t));
  timers.startSingleTimer("k", "go", 10);
  clock.advance(9);
  assert.equal(ticks.length, 0);
  clock.advance(1);
  assert.equal(ticks.length, 1);
  assert.equal(timers.isTimerActive("k"), true);
  assert.equal(timers.accept(ticks[0]!), true);
  assert.equal(timers.isTimerActive("k"), false);
  assert.equal(timers.accept(ticks[0]!), false);
});

Deno.test("createTimers() repeats a periodic timer until cancelled", () => {
  const clock = new ManualClock();
  const ticks: TimerTick<string>[] = [];
  const timers = createTimers<string>(clock, (t) => ticks.push(t));
  timers.startPeriodicTimer("p", "beat", 10);
  clock.advance(35);
  assert.equal(ticks.length, 3);
  assert.ok(ticks.every((t) => timers.accept(t)));
  timers.cancelTimer("p");
  clock.advance(100);
  assert.equal(ticks.length, 3);
  assert.equal(clock.pendingCount, 0);
});

Deno.test("createTimers() cancelAll() clears every key and its clock callback", () => {
  const clock = new ManualClock();
  const timers = createTimers<string>(clock, () => assert.fail("no tick expected"));
  timers.startSingleTimer("a", "x", 5);
  timers.startPeriodicTimer("b", "y", 5);
  timers.cancelAll();
  assert.equal(clock.pendingCount, 0);
  assert.equal(timers.isTimerActive("a") || timers.isTimerActive("b"), false);
  clock.advance(50);
});

type TimerMsg =
  | { readonly type: "Arm"; readonly label: string; readonly ms: number }
  | { readonly type: "Disarm" }
  | { readonly type: "Fired"; readonly label: string }
  | { readonly type: "IsActive"; readonly replyTo: Ref<boolean> };

function spawnTimerUser(h: ReturnType<typeof actorHarness>, probe: Ref<{ label: string }>) {
  return spawnActor(h.system, {
    name: "timer-user",
    initialState: null,
    supervision: "restart",
    handle: (s: null, msg: TimerMsg, ctx) => {
      switch (msg.type) {
        case "Arm":
          ctx.timers.startSingleTimer("k", { type: "Fired", label: msg.label }, msg.ms);
          break;
        case "Disarm":
          ctx.timers.cancelTimer("k");
          break;
        case "Fired":
          ctx.tell(probe, { label: msg.label });
          break;
        case "IsActive":
          ctx.tell(msg.replyTo, ctx.timers.isTimerActive("k"));
          break;
      }
      return s;
    },
  });
}

Deno.test("ctx.timers drops a stale tick already in the mailbox when the key is restarted", async () => {
  await using h = actorHarness();
  const probe = createProbe<{ label: string }>(h.system);
  const actor = spawnTimerUser(h, probe.ref);
  tell(h.system, actor, { type: "Arm", label: "old", ms: 100 });
  await probe.expectNoMessage();

  tell(h.system, actor, { type: "Arm", label: "new", ms: 100 }); // queued first
  h.clock.advance(100); // the "old" tick lands in the mailbox behind it
  await probe.expectNoMessage();
  h.clock.advance(100);
  await probe.expectMessage({ label: "new" });
  await probe.expectNoMessage();
});

Deno.test("ctx.timers drops a tick already in the mailbox when the key is cancelled", async () => {
  await using h = actorHarness();
  const probe = createProbe<{ label: string }>(h.system);
  const active = createProbe<boolean>(h.system);
  const actor = spawnTimerUser(h, probe.ref);
  tell(h.system, actor, { type: "Arm", label: "doomed", ms: 50 });
  tell(h.system, actor, { type: "IsActive", replyTo: active.ref });
  await active.expectMessage(true);

  tell(h.system, actor, { type: "Disarm" });
  h.clock.advance(50);
  tell(h.system, actor, { type: "IsActive", replyTo: active.ref });
  await active.expectMessage(false);
  await probe.expectNoMessage();
  assert.equal(h.clock.pendingCount, 0);
});
