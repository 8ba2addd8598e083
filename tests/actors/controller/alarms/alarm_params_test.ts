/** The alarms feed parameters read into specs: what CREATE accepts and refuses, and UPDATE's merge. */
import assert from "node:assert/strict";
import { parseAlarmParams } from "../../../../actors/controller/alarms/alarm_params.ts";

const NOW = Date.UTC(2030, 0, 1);

Deno.test("parseAlarmParams() reads a cron with dates as ISO strings or epoch ms", () => {
  const parsed = parseAlarmParams("alarm", {
    cron: "*/5 * * * * *",
    timezone: "Europe/Berlin",
    startDate: "2030-01-02T00:00:00Z",
    stopDate: NOW + 2 * 86_400_000,
    trigger_payload: '{"a":1}',
  }, NOW);
  assert.deepEqual(parsed, {
    ok: true,
    spec: {
      type: "Cron",
      cron: "*/5 * * * * *",
      timezone: "Europe/Berlin",
      startDate: NOW + 86_400_000,
      stopDate: NOW + 2 * 86_400_000,
      payload: { a: 1 },
    },
  });
});

Deno.test("parseAlarmParams() refuses what upstream's feed refuses", () => {
  const refused = [
    parseAlarmParams("alarm", {}, NOW),
    parseAlarmParams("alarm", { cron: "* * *" }, NOW),
    parseAlarmParams("alarm", { cron: "* * * * *", timezone: "Nowhere/Foo" }, NOW),
    parseAlarmParams("alarm", { cron: "* * * * *", startDate: "yesterday-ish" }, NOW),
    parseAlarmParams("alarm", { cron: "* * * * *", stopDate: NOW - 1 }, NOW),
    parseAlarmParams("alarm", { cron: "* * * * *", startDate: NOW + 2, stopDate: NOW + 1 }, NOW),
    parseAlarmParams("alarm", { cron: "* * * * *", trigger_payload: [1] }, NOW),
    parseAlarmParams("once", {}, NOW),
    parseAlarmParams("once", { date: NOW }, NOW),
  ];
  assert.deepEqual(refused.map((r) => r.ok), refused.map(() => false));
  const messages = refused.map((r) => r.ok ? "" : r.error);
  assert.equal(messages[0], "cron is a required parameter");
  assert.match(messages[5]!, /stopDate must be later than startDate/);
  assert.match(messages[8]!, /must be in the future/);
});

Deno.test("parseAlarmParams() on UPDATE keeps the fields it is not given", () => {
  const base = {
    type: "Cron",
    cron: "0 * * * *",
    startDate: NOW - 5,
    payload: { keep: true },
  } as const;
  const parsed = parseAlarmParams("alarm", { cron: "30 * * * *" }, NOW, base);
  assert.deepEqual(parsed, { ok: true, spec: { ...base, cron: "30 * * * *" } });
  const once = parseAlarmParams("once", { trigger_payload: { b: 2 } }, NOW, {
    type: "Once",
    date: NOW + 10,
    payload: {},
  });
  assert.deepEqual(once, { ok: true, spec: { type: "Once", date: NOW + 10, payload: { b: 2 } } });
});
