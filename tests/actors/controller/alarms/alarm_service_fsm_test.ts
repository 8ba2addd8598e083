/**
 * The AlarmService transition by table, with croner's real schedule: loading and
 * stashing, arming, claiming and firing ticks, start and stop dates, one-shot alarms,
 * late and early wakes, rereads and a restart's reload.
 */
import assert from "node:assert/strict";
import type { AlarmSpec, StoredAlarm } from "../../../../protocols/alarm_service.ts";
import { nextTick } from "../../../../actors/controller/alarms/alarm_schedule.ts";
import {
  type AlarmServiceMsg,
  type AlarmServiceState,
  alarmServiceTransition,
  initialAlarmState,
  RESYNC_TIMER,
} from "../../../../actors/controller/alarms/alarm_service_fsm.ts";

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 500); // half a second past a whole second
const transition = alarmServiceTransition({
  nextTick,
  maxWakeMs: 3_600_000,
  maxLateMs: 30_000,
  resyncIntervalMs: 60_000,
  retryIntervalMs: 1_000,
  cluster: "whisk",
});

function alarm(
  spec: Partial<AlarmSpec> & { type: AlarmSpec["type"] },
  alarmId = "a1",
): StoredAlarm {
  const full = spec.type === "Once"
    ? { date: T0 + 10_000, payload: {}, ...spec } as AlarmSpec
    : { cron: "* * * * * *", payload: { hello: "alarm" }, ...spec } as AlarmSpec;
  return { namespace: "guest", trigger: "t1", alarmId, changedAt: T0, spec: full };
}

function running(...alarms: StoredAlarm[]): AlarmServiceState {
  return transition(initialAlarmState(), { type: "AlarmsLoaded", alarms }, T0).next;
}

/** Feeds messages in order and returns the last step's state and every effect. */
function run(state: AlarmServiceState, steps: [AlarmServiceMsg, number][]) {
  const effects: { type: string; [k: string]: unknown }[] = [];
  for (const [msg, now] of steps) {
    const step = transition(state, msg, now);
    state = step.next;
    effects.push(...(step.effects as { type: string }[]));
  }
  return { state, effects, types: effects.map((e) => e.type) };
}

const ticksOf = (state: AlarmServiceState) =>
  state.name === "Running"
    ? Object.fromEntries(Object.entries(state.alarms).map(([id, a]) => [id, a.nextTick]))
    : undefined;
const wake = (tick: number): AlarmServiceMsg => ({ type: "AlarmWake", id: "guest/t1", tick });

Deno.test("alarmServiceTransition() reads once at start and stashes commands while loading", () => {
  const { state, types } = run(initialAlarmState(), [
    [{ type: "StateTimeout" }, T0],
    [{ type: "ResyncAlarms" }, T0],
    [{ type: "AlarmSet", alarm: alarm({ type: "Cron" }) }, T0],
  ]);
  assert.deepEqual(types, ["loadAll", "stash"]);
  assert.equal(state.name, "Loading");
});

Deno.test("alarmServiceTransition() retries a failed first read after the retry interval", () => {
  const { state, effects } = run(initialAlarmState(), [
    [{ type: "StateTimeout" }, T0],
    [{ type: "AlarmsLoadFailed", error: new Error("store down") }, T0],
  ]);
  assert.deepEqual(state, { name: "Loading", loading: false });
  assert.deepEqual(effects.at(-1), {
    type: "startTimer",
    key: RESYNC_TIMER,
    msg: { type: "ResyncAlarms" },
    ms: 1_000,
  });
});

Deno.test("alarmServiceTransition() arms each alarm's next tick when loaded, then unstashes", () => {
  const step = run(initialAlarmState(), [[{
    type: "AlarmsLoaded",
    alarms: [alarm({ type: "Cron" })],
  }, T0]]);
  assert.equal(step.state.name, "Running");
  assert.deepEqual(ticksOf(step.state), { "guest/t1": T0 + 500 });
  assert.deepEqual(step.effects[0], {
    type: "startTimer",
    key: "tick:guest/t1",
    msg: { type: "AlarmWake", id: "guest/t1", tick: T0 + 500 },
    ms: 500,
  });
  assert.deepEqual(step.types.slice(1), ["startTimer", "log", "unstashAll"]);
  assert.equal(step.effects[1]!.key, RESYNC_TIMER);
});

Deno.test("alarmServiceTransition() claims a due tick under its key and arms the next at once", () => {
  const tick = T0 + 500;
  const { state, effects } = run(running(alarm({ type: "Cron" })), [[wake(tick), tick]]);
  assert.deepEqual(effects, [
    { type: "claim", id: "guest/t1", alarmId: "a1", tick, key: `whisk/alarms/guest/t1/${tick}` },
    {
      type: "startTimer",
      key: "tick:guest/t1",
      msg: { type: "AlarmWake", id: "guest/t1", tick: tick + 1_000 },
      ms: 1_000,
    },
  ]);
  assert.deepEqual(ticksOf(state), { "guest/t1": tick + 1_000 });
});

Deno.test("alarmServiceTransition() fires only a claim it won, with the alarm's payload", () => {
  const tick = T0 + 500;
  const claimed = (won: boolean, alarmId = "a1"): AlarmServiceMsg => ({
    type: "TickClaimed",
    id: "guest/t1",
    alarmId,
    tick,
    won,
  });
  const start = run(running(alarm({ type: "Cron" })), [[wake(tick), tick]]).state;
  const won = run(start, [[claimed(true), tick + 3]]);
  assert.deepEqual(won.effects, [{
    type: "fire",
    id: "guest/t1",
    alarmId: "a1",
    tick,
    target: { namespace: "guest", trigger: "t1" },
    payload: { hello: "alarm" },
  }]);
  assert.deepEqual(run(start, [[claimed(false), tick + 3]]).types, ["log"]);
  assert.deepEqual(run(start, [[claimed(true, "replaced"), tick + 3]]).types, ["log"]);
});

Deno.test("alarmServiceTransition() drops stale wakes and re-arms early ones", () => {
  const far = alarm({ type: "Cron", cron: "0 0 1 1 *" }); // yearly: beyond one timer
  const start = running(far);
  const [tick] = Object.values(ticksOf(start)!) as [number];
  assert.equal(tick, Date.UTC(2031, 0, 1));
  const early = run(start, [[wake(tick), T0 + 3_600_000]]);
  assert.deepEqual(early.effects, [{
    type: "startTimer",
    key: "tick:guest/t1",
    msg: { type: "AlarmWake", id: "guest/t1", tick },
    ms: 3_600_000,
  }]);
  assert.deepEqual(run(start, [[wake(tick - 1), tick]]).effects, []);
});

Deno.test("alarmServiceTransition() skips a tick seen later than maxLateMs and rearms from now", () => {
  const tick = T0 + 500;
  const now = tick + 30_001;
  const { effects, state } = run(running(alarm({ type: "Cron" })), [[wake(tick), now]]);
  assert.deepEqual(effects.map((e) => e.type), ["log", "startTimer"]);
  assert.equal(effects[0]!.msg, "alarm tick skipped: seen too late");
  assert.deepEqual(ticksOf(state), { "guest/t1": Math.ceil(now / 1000) * 1000 });
});

Deno.test("alarmServiceTransition() respects startDate and ends after stopDate's last tick", () => {
  const startDate = T0 + 4_500; // whole seconds: both dates are ticks, and inclusive
  const stopDate = T0 + 6_500;
  const start = running(alarm({ type: "Cron", startDate, stopDate }));
  assert.deepEqual(ticksOf(start), { "guest/t1": startDate });
  const second = run(start, [[wake(startDate), startDate]]);
  assert.deepEqual(ticksOf(second.state), { "guest/t1": startDate + 1_000 });
  const third = run(second.state, [[wake(startDate + 1_000), startDate + 1_000]]);
  assert.deepEqual(ticksOf(third.state), { "guest/t1": stopDate });
  const last = run(third.state, [[wake(stopDate), stopDate]]);
  assert.deepEqual(last.types, ["claim"]); // no tick after the stop date
  const done = run(last.state, [[{
    type: "TickClaimed",
    id: "guest/t1",
    alarmId: "a1",
    tick: stopDate,
    won: true,
  }, stopDate + 1]]);
  assert.deepEqual(done.types, ["fire"]);
  assert.deepEqual(ticksOf(done.state), {});
});

Deno.test("alarmServiceTransition() fires a one-shot alarm once, then removes it", () => {
  const date = T0 + 10_000;
  const start = running(alarm({ type: "Once", date }));
  assert.deepEqual(ticksOf(start), { "guest/t1": date });
  const woke = run(start, [[wake(date), date]]);
  assert.deepEqual(woke.types, ["claim"]);
  const fired = run(woke.state, [[{
    type: "TickClaimed",
    id: "guest/t1",
    alarmId: "a1",
    tick: date,
    won: true,
  }, date + 2]]);
  assert.deepEqual(fired.types, ["fire", "removeStored"]);
  assert.deepEqual(fired.effects[1], {
    type: "removeStored",
    target: { namespace: "guest", trigger: "t1" },
    alarmId: "a1",
  });
  assert.deepEqual(ticksOf(fired.state), {});
  const lost = run(woke.state, [[{
    type: "TickClaimed",
    id: "guest/t1",
    alarmId: "a1",
    tick: date,
    won: false,
  }, date + 2]]);
  assert.deepEqual([lost.types, ticksOf(lost.state)], [["log"], {}]);
});

Deno.test("alarmServiceTransition() does not schedule a one-shot date already passed", () => {
  const { state, types } = run(running(), [[
    { type: "AlarmSet", alarm: alarm({ type: "Once", date: T0 - 1 }) },
    T0,
  ]]);
  assert.deepEqual([types, ticksOf(state)], [["cancelTimer", "log"], {}]);
});

Deno.test("alarmServiceTransition() keeps the schedule of the same alarm and replaces a new one", () => {
  const start = running(alarm({ type: "Cron" }));
  assert.deepEqual(
    run(start, [[{ type: "AlarmSet", alarm: alarm({ type: "Cron" }) }, T0 + 1]]).effects,
    [],
  );
  const replaced = run(start, [[{
    type: "AlarmSet",
    alarm: alarm({ type: "Cron", cron: "*/10 * * * * *" }, "a2"),
  }, T0 + 1]]);
  assert.deepEqual(ticksOf(replaced.state), { "guest/t1": T0 + 9_500 });
});

Deno.test("alarmServiceTransition() rereads a changed trigger and removes what is gone", () => {
  const start = running(alarm({ type: "Cron" }));
  const changed = run(start, [[{ type: "TriggerChanged", namespace: "guest", trigger: "t1" }, T0]]);
  assert.deepEqual(changed.effects, [{
    type: "loadTrigger",
    target: { namespace: "guest", trigger: "t1" },
  }]);
  const gone = run(start, [[
    { type: "TriggerAlarmLoaded", namespace: "guest", trigger: "t1" },
    T0,
  ]]);
  assert.deepEqual([gone.effects, ticksOf(gone.state)], [[{
    type: "cancelTimer",
    key: "tick:guest/t1",
  }], {}]);
  const resync = run(start, [
    [{ type: "ResyncAlarms" }, T0],
    [{ type: "AlarmsLoaded", alarms: [] }, T0],
  ]);
  assert.deepEqual(resync.types, ["loadAll", "cancelTimer"]);
  const fireGone = run(start, [[{
    type: "TriggerFired",
    id: "guest/t1",
    alarmId: "a1",
    tick: T0 + 500,
    outcome: { type: "TriggerGone" },
  }, T0 + 501]]);
  assert.deepEqual([fireGone.types, ticksOf(fireGone.state)], [["cancelTimer", "log"], {}]);
});

Deno.test("alarmServiceTransition() after a restart schedules from the reload's time", () => {
  const later = T0 + 86_400_000 + 250;
  const restarted = run(initialAlarmState(), [
    [{ type: "StateTimeout" }, later],
    [{ type: "AlarmsLoaded", alarms: [alarm({ type: "Cron", cron: "0 * * * * *" })] }, later],
  ]);
  assert.deepEqual(ticksOf(restarted.state), { "guest/t1": Math.ceil(later / 60_000) * 60_000 });
});
