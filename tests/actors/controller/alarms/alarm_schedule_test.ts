/** Ticks computed by croner: seconds, time zones, start and stop dates, one-shot dates. */
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
