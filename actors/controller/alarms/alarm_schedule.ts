/**
 * When an alarm ticks: the next tick of a spec after a given instant, with the cron
 * read by `croner` (never a hand-written parser) in the spec's time zone (UTC by
 * default, as upstream's alarms provider), bounded by the start and stop dates; an
 * interval's ticks are plain arithmetic from its stored anchor. Mirrors the role of
 * `cron` (node-cron) in upstream's `openwhisk-package-alarms` `provider/lib/cronAlarm.js`
 * and of the timers of `intervalAlarm.js`; differences: the next tick is computed,
 * never scheduled, by the library, so the timers stay on the service's injected clock.
 *
 * The one import of `croner` in the project (pinned in deno.json).
 *
 * @module
 */
import { Cron } from "croner";
import type {
  AlarmSpec,
  CronAlarmSpec,
  IntervalAlarmSpec,
} from "../../../protocols/alarm_service.ts";
import { assertNever } from "../../../protocols/_assert_never.ts";

/** Upstream's alarms read crons in UTC unless a time zone is given. */
export const DEFAULT_TIMEZONE = "UTC";

function cronOf(spec: Pick<CronAlarmSpec, "cron" | "timezone">): Cron {
  // `paused` and no callback: croner computes only, it never arms a timer of its own.
  return new Cron(spec.cron, { paused: true, timezone: spec.timezone ?? DEFAULT_TIMEZONE });
}

/**
 * Checks a cron and a time zone with croner's own validation.
 *
 * @returns undefined when valid, else croner's message
 *
 * @example
 * ```ts
 * import { cronError } from "./alarm_schedule.ts";
 * console.assert(cronError({ cron: "*\/5 * * * * *" }) === undefined);
 * console.assert(cronError({ cron: "61 * * * *" }) !== undefined);
 * ```
 */
export function cronError(spec: Pick<CronAlarmSpec, "cron" | "timezone">): string | undefined {
  try {
    // The time zone is only checked when a date is converted.
    cronOf(spec).nextRun(new Date(0));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Milliseconds in a minute, an interval's unit. */
export const MINUTE_MS = 60_000;

const withinStop = (tick: number | undefined, stopDate: number | undefined) =>
  tick !== undefined && stopDate !== undefined && tick > stopDate ? undefined : tick;

function nextCronTick(spec: CronAlarmSpec, after: number): number | undefined {
  // The start date is inclusive: look from just before it.
  const from = spec.startDate === undefined ? after : Math.max(after, spec.startDate - 1);
  return withinStop(cronOf(spec).nextRun(new Date(from))?.getTime(), spec.stopDate);
}

function nextIntervalTick(spec: IntervalAlarmSpec, after: number): number {
  const period = spec.minutes * MINUTE_MS;
  // Without a start date the anchor (the creation time) itself is not a tick.
  const first = spec.startDate ?? spec.anchor + period;
  const from = Math.max(after + 1, first);
  // The least anchor + k × period at or after `from`.
  return spec.anchor + Math.ceil((from - spec.anchor) / period) * period;
}

/**
 * The first tick of `spec` strictly after `after` (epoch ms), or undefined when there
 * is none (past the stop date, a one-shot date already passed, a cron that never
 * matches again).
 *
 * @example
 * ```ts
 * import { nextTick } from "./alarm_schedule.ts";
 * const spec = { type: "Cron", cron: "*\/2 * * * * *", payload: {} } as const;
 * console.assert(nextTick(spec, 1_000) === 2_000);
 * console.assert(nextTick({ ...spec, stopDate: 3_000 }, 2_000) === undefined);
 * const every2 = { type: "Interval", minutes: 2, anchor: 0, payload: {} } as const;
 * console.assert(nextTick(every2, 0) === 120_000 && nextTick(every2, 120_000) === 240_000);
 * ```
 */
export function nextTick(spec: AlarmSpec, after: number): number | undefined {
  switch (spec.type) {
    case "Once":
      return spec.date > after ? spec.date : undefined;
    case "Cron":
      return nextCronTick(spec, after);
    case "Interval":
      return withinStop(nextIntervalTick(spec, after), spec.stopDate);
    default:
      return assertNever(spec, "AlarmSpec");
  }
}
