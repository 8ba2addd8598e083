/**
 * The feed parameters of the alarms package read into an {@link AlarmSpec}, pure:
 * `cron` (checked by croner), `timezone`, `startDate`, `stopDate` for
 * `/whisk.system/alarms/alarm`; `date` for `/whisk.system/alarms/once`; `minutes`,
 * `startDate`, `stopDate` for `/whisk.system/alarms/interval`; `trigger_payload` for
 * all. Dates are epoch milliseconds or anything `Date.parse` reads. Mirrors the
 * parameter checks of upstream's `openwhisk-package-alarms` `action/lib/common.js`
 * (`validateDate`, cron validation) and `alarmWebAction.js`; differences: our own
 * messages; UPDATE merges the given parameters over the current spec here rather than
 * in the provider; an interval records the anchor its ticks count from.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../../../protocols/mod.ts";
import type {
  AlarmSpec,
  CronAlarmSpec,
  IntervalAlarmSpec,
} from "../../../protocols/alarm_service.ts";
import { assertNever } from "../../../protocols/_assert_never.ts";
import { cronError, MINUTE_MS } from "./alarm_schedule.ts";

/** The built-in feeds, by the action name inside `/whisk.system/alarms/`. */
export type AlarmFeedName = "alarm" | "once" | "interval";

/** The feed an alarm was created with. */
export function feedOfSpec(spec: AlarmSpec): AlarmFeedName {
  switch (spec.type) {
    case "Cron":
      return "alarm";
    case "Once":
      return "once";
    case "Interval":
      return "interval";
    default:
      return assertNever(spec, "AlarmSpec");
  }
}

/** The spec, or the `error` the feed action answers. */
export type ParsedAlarm =
  | { readonly ok: true; readonly spec: AlarmSpec }
  | { readonly ok: false; readonly error: string };

const fail = (error: string): ParsedAlarm => ({ ok: false, error });

/** A date parameter as epoch ms; undefined when absent; NaN when unreadable. */
function dateOf(value: JsonValue | undefined): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number") return value;
  if (typeof value !== "string") return NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function payloadOf(value: JsonValue | undefined): JsonObject | string {
  if (value === undefined || value === null) return {};
  if (typeof value === "object" && !Array.isArray(value)) return value as JsonObject;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return parsed as JsonObject;
      }
    } catch { /* reported below */ }
  }
  return "trigger_payload must be a JSON object";
}

function futureDate(
  name: string,
  value: JsonValue | undefined,
  now: number,
): number | string | undefined {
  const date = dateOf(value);
  if (date === undefined) return undefined;
  if (Number.isNaN(date)) return `${name} parameter '${String(value)}' is not a valid date`;
  if (date <= now) return `${name} parameter '${String(value)}' must be in the future`;
  return date;
}

/** The start date, stop date and payload of a recurring alarm (cron or interval). */
interface PeriodicFields {
  readonly startDate: number | undefined;
  readonly stopDate: number | undefined;
  readonly payload: JsonObject;
}

/** Reads {@link PeriodicFields} over `base`; a string says what is wrong. */
function periodicFields(
  params: JsonObject,
  now: number,
  base?: CronAlarmSpec | IntervalAlarmSpec,
): PeriodicFields | string {
  const startDate = "startDate" in params
    ? futureDate("startDate", params.startDate, now)
    : base?.startDate;
  if (typeof startDate === "string") return startDate;
  const stopDate = "stopDate" in params
    ? futureDate("stopDate", params.stopDate, now)
    : base?.stopDate;
  if (typeof stopDate === "string") return stopDate;
  if (startDate !== undefined && stopDate !== undefined && stopDate <= startDate) {
    return "stopDate must be later than startDate";
  }
  const payload = "trigger_payload" in params
    ? payloadOf(params.trigger_payload)
    : base?.payload ?? {};
  return typeof payload === "string" ? payload : { startDate, stopDate, payload };
}

function parseCron(params: JsonObject, now: number, base?: CronAlarmSpec): ParsedAlarm {
  const cron = params.cron ?? base?.cron;
  if (typeof cron !== "string" || cron.trim() === "") return fail("cron is a required parameter");
  const timezone = params.timezone ?? base?.timezone;
  if (timezone !== undefined && typeof timezone !== "string") {
    return fail("timezone must be a string");
  }
  const invalid = cronError({ cron, ...(timezone === undefined ? {} : { timezone }) });
  if (invalid !== undefined) return fail(`cron pattern '${cron}' is not valid: ${invalid}`);
  const common = periodicFields(params, now, base);
  if (typeof common === "string") return fail(common);
  const { startDate, stopDate, payload } = common;
  return {
    ok: true,
    spec: {
      type: "Cron",
      cron,
      ...(timezone === undefined ? {} : { timezone }),
      ...(startDate === undefined ? {} : { startDate }),
      ...(stopDate === undefined ? {} : { stopDate }),
      payload,
    },
  };
}

function parseOnce(params: JsonObject, now: number, base?: AlarmSpec): ParsedAlarm {
  const previous = base?.type === "Once" ? base : undefined;
  const date = "date" in params ? futureDate("date", params.date, now) : previous?.date;
  if (date === undefined) return fail("date is a required parameter");
  if (typeof date === "string") return fail(date);
  const payload = "trigger_payload" in params
    ? payloadOf(params.trigger_payload)
    : previous?.payload ?? {};
  if (typeof payload === "string") return fail(payload);
  return { ok: true, spec: { type: "Once", date, payload } };
}

/** `minutes` as a whole number of at least 1 (a number or its decimal digits). */
function minutesOf(value: JsonValue | undefined): number | string {
  if (value === undefined || value === null || value === "") {
    return "minutes is a required parameter";
  }
  const minutes = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  const valid = typeof minutes === "number" && Number.isInteger(minutes) && minutes >= 1 &&
    Number.isSafeInteger(minutes * MINUTE_MS);
  return valid ? minutes : `minutes must be an integer of at least 1, not '${String(value)}'`;
}

function parseInterval(params: JsonObject, now: number, base?: IntervalAlarmSpec): ParsedAlarm {
  const minutes = "minutes" in params || !base ? minutesOf(params.minutes) : base.minutes;
  if (typeof minutes === "string") return fail(minutes);
  const common = periodicFields(params, now, base);
  if (typeof common === "string") return fail(common);
  const { startDate, stopDate, payload } = common;
  // Count from the start date; without one, keep counting from the creation (or from
  // now when this UPDATE drops the start date), so changing the period keeps the phase.
  const anchor = startDate ??
    (base !== undefined && base.startDate === undefined ? base.anchor : now);
  return {
    ok: true,
    spec: {
      type: "Interval",
      minutes,
      anchor,
      ...(startDate === undefined ? {} : { startDate }),
      ...(stopDate === undefined ? {} : { stopDate }),
      payload,
    },
  };
}

/**
 * Reads the parameters of a CREATE (no `base`) or an UPDATE (over `base`).
 *
 * @param feed which feed action was invoked
 * @param params the invocation's parameters (lifecycle fields included or not)
 * @param now the current time: start, stop and one-shot dates must lie after it; an
 *   interval without a start date counts from it
 * @param base the current spec, for UPDATE (ignored when it belongs to another feed)
 *
 * @example
 * ```ts
 * import { parseAlarmParams } from "./alarm_params.ts";
 * const parsed = parseAlarmParams("alarm", { cron: "0 * * * *" }, 0);
 * console.assert(parsed.ok && parsed.spec.type === "Cron");
 * console.assert(!parseAlarmParams("once", { date: -1 }, 0).ok);
 * const every5 = parseAlarmParams("interval", { minutes: 5 }, 1_000);
 * console.assert(every5.ok && every5.spec.type === "Interval" && every5.spec.anchor === 1_000);
 * ```
 */
export function parseAlarmParams(
  feed: AlarmFeedName,
  params: JsonObject,
  now: number,
  base?: AlarmSpec,
): ParsedAlarm {
  switch (feed) {
    case "alarm":
      return parseCron(params, now, base?.type === "Cron" ? base : undefined);
    case "once":
      return parseOnce(params, now, base);
    case "interval":
      return parseInterval(params, now, base?.type === "Interval" ? base : undefined);
    default:
      return assertNever(feed, "AlarmFeedName");
  }
}
