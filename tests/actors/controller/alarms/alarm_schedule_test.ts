/** Ticks computed by croner (seconds, time zones, start and stop dates), one-shot dates and intervals. */
import assert from "node:assert/strict";
import { cronError, nextTick } from "../../../../actors/controller/alarms/alarm_schedule.ts";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 250);

Deno.test("nextTick() gives the first tick strictly after the instant, in UTC by default", () => {
  const spec = { type: "Cron", cron: "0 13 * * *", payload: {} } as const;
  assert.equal(nextTick(spec, NOW), Date.UTC(2030, 0, 1, 13));
  assert.equal(nextTick(spec, Date.UTC(2030, 0, 1, 13)), Date.UTC(2030, 0, 2, 13));
  assert.equal(nextTick({ ...spec, timezone: "Europe/Berlin" }, NOW), Date.UTC(2030, 0, 2, 12));
});

Deno.test("nextTick() keeps ticks within the start and stop dates, both inclusive", () => {
  const spec = { type: "Cron", cron: "* * * * * *", payload: {} } as const;
  const startDate = Date.UTC(2030, 0, 1, 12, 0, 10);
  assert.equal(nextTick({ ...spec, startDate }, NOW), startDate);
  assert.equal(nextTick({ ...spec, stopDate: NOW + 750 }, NOW), NOW + 750);
  assert.equal(nextTick({ ...spec, stopDate: NOW + 749 }, NOW), undefined);
});

Deno.test("nextTick() gives a one-shot date only while it is ahead", () => {
  const spec = { type: "Once", date: NOW + 5, payload: {} } as const;
  assert.equal(nextTick(spec, NOW), NOW + 5);
  assert.equal(nextTick(spec, NOW + 5), undefined);
});

Deno.test("cronError() reports croner's own validation", () => {
  assert.equal(cronError({ cron: "*/15 * * * * *" }), undefined);
  assert.match(cronError({ cron: "* * 32 * *" }) ?? "", /day/i);
  assert.match(cronError({ cron: "* * * * *", timezone: "Nowhere/Foo" }) ?? "", /timezone/i);
});

const MIN = 60_000;
const EVERY_2_MIN = { type: "Interval", minutes: 2, anchor: NOW, payload: {} } as const;

Deno.test("nextTick() of an interval without a start date counts from its anchor, the anchor excluded", () => {
  const table: [after: number, tick: number][] = [
    [NOW - 5 * MIN, NOW + 2 * MIN], // a clock behind the creator's never ticks before it
    [NOW, NOW + 2 * MIN],
    [NOW + 1, NOW + 2 * MIN],
    [NOW + 2 * MIN - 1, NOW + 2 * MIN],
    [NOW + 2 * MIN, NOW + 4 * MIN], // strictly after
    [NOW + 3 * MIN, NOW + 4 * MIN],
    [NOW + 1_000 * MIN + 1, NOW + 1_002 * MIN],
  ];
  for (const [after, tick] of table) {
    assert.equal(nextTick(EVERY_2_MIN, after), tick, `after +${after - NOW} ms`);
  }
});

Deno.test("nextTick() of an interval with a start date fires at it, then every interval", () => {
  const startDate = NOW + 90 * MIN + 7;
  const spec = { ...EVERY_2_MIN, anchor: startDate, startDate };
  assert.equal(nextTick(spec, NOW), startDate);
  assert.equal(nextTick(spec, startDate - 1), startDate);
  assert.equal(nextTick(spec, startDate), startDate + 2 * MIN);
  assert.equal(nextTick(spec, startDate + 5 * MIN), startDate + 6 * MIN);
});

Deno.test("nextTick() of an interval stops at its stop date, inclusive", () => {
  const spec = { ...EVERY_2_MIN, stopDate: NOW + 4 * MIN };
  assert.equal(nextTick(spec, NOW + 2 * MIN), NOW + 4 * MIN);
  assert.equal(nextTick(spec, NOW + 4 * MIN), undefined);
  assert.equal(nextTick({ ...spec, stopDate: NOW + 4 * MIN - 1 }, NOW + 2 * MIN), undefined);
  assert.equal(nextTick({ ...spec, stopDate: NOW + MIN }, NOW), undefined, "none before it");
});
