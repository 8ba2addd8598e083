/** The alarms feed parameters read into specs: what CREATE accepts and refuses, and UPDATE's merge. */
import assert from "node:assert/strict";
import type { JsonObject } from "../../../../protocols/mod.ts";
import type { IntervalAlarmSpec } from "../../../../protocols/alarm_service.ts";
import { parseAlarmParams } from "../../../../actors/controller/alarms/alarm_params.ts";

const NOW = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

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

Deno.test("parseAlarmParams() reads an interval, anchored at its start date or at creation", () => {
  const start = "2030-01-02T00:00:00Z";
  const table: [JsonObject, IntervalAlarmSpec][] = [
    [{ minutes: 5 }, { type: "Interval", minutes: 5, anchor: NOW, payload: {} }],
    [{ minutes: "15" }, { type: "Interval", minutes: 15, anchor: NOW, payload: {} }],
    [
      { minutes: 1, startDate: start, stopDate: NOW + 2 * DAY, trigger_payload: { a: 1 } },
      {
        type: "Interval",
        minutes: 1,
        anchor: NOW + DAY,
        startDate: NOW + DAY,
        stopDate: NOW + 2 * DAY,
        payload: { a: 1 },
      },
    ],
    [
      { minutes: 60, stopDate: NOW + DAY },
      { type: "Interval", minutes: 60, anchor: NOW, stopDate: NOW + DAY, payload: {} },
    ],
  ];
  for (const [params, spec] of table) {
    assert.deepEqual(
      parseAlarmParams("interval", params, NOW),
      { ok: true, spec },
      JSON.stringify(params),
    );
  }
});

Deno.test("parseAlarmParams() refuses an interval without a whole number of minutes or with bad dates", () => {
  const table: [JsonObject, RegExp][] = [
    [{}, /^minutes is a required parameter$/],
    [{ minutes: null }, /^minutes is a required parameter$/],
    [{ minutes: "" }, /^minutes is a required parameter$/],
    [{ minutes: 0 }, /^minutes must be an integer of at least 1/],
    [{ minutes: -3 }, /^minutes must be an integer of at least 1/],
    [{ minutes: 1.5 }, /^minutes must be an integer of at least 1/],
    [{ minutes: "1.5" }, /^minutes must be an integer of at least 1/],
    [{ minutes: "five" }, /^minutes must be an integer of at least 1, not 'five'$/],
    [{ minutes: true }, /^minutes must be an integer of at least 1/],
    [{ minutes: 1e300 }, /^minutes must be an integer of at least 1/],
    [{ minutes: 5, startDate: NOW }, /^startDate parameter '\d+' must be in the future$/],
    [{ minutes: 5, startDate: "soon" }, /^startDate parameter 'soon' is not a valid date$/],
    [{ minutes: 5, stopDate: NOW - 1 }, /^stopDate parameter '\d+' must be in the future$/],
    [{ minutes: 5, startDate: NOW + 2, stopDate: NOW + 1 }, /^stopDate must be later than/],
    [{ minutes: 5, trigger_payload: "[1]" }, /^trigger_payload must be a JSON object$/],
  ];
  for (const [params, message] of table) {
    const parsed = parseAlarmParams("interval", params, NOW);
    assert.ok(!parsed.ok, JSON.stringify(params));
    assert.match(parsed.error, message, JSON.stringify(params));
  }
});

Deno.test("parseAlarmParams() on an interval's UPDATE keeps its anchor unless the start date changes", () => {
  const created = NOW - DAY;
  const base: IntervalAlarmSpec = {
    type: "Interval",
    minutes: 5,
    anchor: created,
    stopDate: NOW + DAY,
    payload: { keep: true },
  };
  const started: IntervalAlarmSpec = { ...base, anchor: NOW - 60_000, startDate: NOW - 60_000 };
  const table: [string, JsonObject, IntervalAlarmSpec, IntervalAlarmSpec][] = [
    ["a new period keeps the phase", { minutes: 10 }, base, { ...base, minutes: 10 }],
    ["a payload alone", { trigger_payload: { b: 2 } }, base, { ...base, payload: { b: 2 } }],
    [
      "a start date moves the anchor",
      { startDate: NOW + DAY / 2 },
      base,
      { ...base, startDate: NOW + DAY / 2, anchor: NOW + DAY / 2 },
    ],
    ["a kept start date stays the anchor", { minutes: 7 }, started, { ...started, minutes: 7 }],
    [
      "a dropped start date counts from now",
      { startDate: null },
      started,
      { type: "Interval", minutes: 5, anchor: NOW, stopDate: NOW + DAY, payload: { keep: true } },
    ],
    [
      "a dropped stop date",
      { stopDate: "" },
      base,
      { type: "Interval", minutes: 5, anchor: created, payload: { keep: true } },
    ],
  ];
  for (const [name, params, current, spec] of table) {
    assert.deepEqual(parseAlarmParams("interval", params, NOW, current), { ok: true, spec }, name);
  }
  const refused = parseAlarmParams("interval", { minutes: 0 }, NOW, base);
  assert.ok(!refused.ok && /minutes must be an integer of at least 1/.test(refused.error));
  const fromCron = parseAlarmParams("interval", {}, NOW, {
    type: "Cron",
    cron: "* * * * *",
    payload: {},
  });
  assert.ok(!fromCron.ok && fromCron.error === "minutes is a required parameter");
});
