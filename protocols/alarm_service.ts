/**
 * Protocol of the AlarmService, the controller's built-in alarms feed provider: the
 * alarm specs (`/whisk.system/alarms/alarm`: a cron with optional start and stop dates;
 * `/whisk.system/alarms/once`: one date; `/whisk.system/alarms/interval`: every so many
 * minutes), the commands the service accepts, the messages it sends itself and the key
 * each tick is claimed under. Mirrors upstream's `openwhisk-package-alarms` provider
 * (`provider/lib/utils.js`, `cronAlarm.js`, `dateAlarm.js`, `intervalAlarm.js`) and its
 * feed parameters (`cron`, `timezone`, `startDate`, `stopDate`, `date`, `minutes`,
 * `trigger_payload`); differences: the provider runs inside every controller (no
 * separate service, no CouchDB of its own: the spec lives in the trigger's document),
 * and several controllers agree on one fire per tick through a create-only key in etcd
 * instead of a single provider leader.
 *
 * @module
 */
import type { JsonObject } from "./_decode.ts";

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

/** A recurring alarm: fire on every tick of `cron` between the start and stop dates. */
export interface CronAlarmSpec {
  readonly type: "Cron";
  /** Five fields, or six with seconds first (croner's syntax). */
  readonly cron: string;
  /** IANA time zone the cron is read in (default UTC, as upstream). */
  readonly timezone?: string;
  /** Epoch ms; no tick before it (inclusive). */
  readonly startDate?: number;
  /** Epoch ms; no tick after it (inclusive). */
  readonly stopDate?: number;
  /** The parameters every fire carries (`trigger_payload`). */
  readonly payload: JsonObject;
}

/** A one-shot alarm: fire once at `date`, then remove itself. */
export interface OnceAlarmSpec {
  readonly type: "Once";
  /** Epoch ms. */
  readonly date: number;
  readonly payload: JsonObject;
}

/**
 * A periodic alarm: fire every `minutes` minutes, at `anchor + k × minutes`, from the
 * start date (inclusive) or else one interval after the anchor, until the stop date.
 */
export interface IntervalAlarmSpec {
  readonly type: "Interval";
  /** The period, a whole number of minutes (at least 1). */
  readonly minutes: number;
  /**
   * Epoch ms the intervals count from: the start date when one is given, else the time
   * the alarm was created. Stored, so a restart never shifts the ticks.
   */
  readonly anchor: number;
  /** Epoch ms; the first tick (inclusive). */
  readonly startDate?: number;
  /** Epoch ms; no tick after it (inclusive). */
  readonly stopDate?: number;
  readonly payload: JsonObject;
}

/** What an alarm does. */
export type AlarmSpec = CronAlarmSpec | OnceAlarmSpec | IntervalAlarmSpec;

/** The trigger an alarm fires. */
export interface AlarmTarget {
  /** The trigger's root namespace, `guest`. */
  readonly namespace: string;
  readonly trigger: string;
}

/** An alarm as stored with its trigger. */
export interface StoredAlarm extends AlarmTarget {
  /** Changes on every create and update, so a reload can tell "same alarm" from "new". */
  readonly alarmId: string;
  /** Epoch ms of the last create or update (upstream's `dateChanged`). */
  readonly changedAt: number;
  readonly spec: AlarmSpec;
}

/** How firing a trigger ended (the answer of `POST .../triggers/{name}`). */
export type FireOutcome =
  /** 202: at least one active rule; the trigger's activation id. */
  | { readonly type: "Fired"; readonly activationId: string }
  /** 204: no active rule. */
  | { readonly type: "NoActiveRule" }
  /** 404: the trigger (or its owner) is gone; the alarm ends. */
  | { readonly type: "TriggerGone" }
  /** Any other answer (429 past the fire rate, 503...). */
  | { readonly type: "Refused"; readonly status: number; readonly message: string };

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** Schedules (or reschedules, when its `alarmId` changed) an alarm. */
export interface AlarmSet {
  readonly type: "AlarmSet";
  readonly alarm: StoredAlarm;
}

/** Stops an alarm. */
export interface AlarmRemoved extends AlarmTarget {
  readonly type: "AlarmRemoved";
}

/** A trigger document changed somewhere (a cache invalidation): reread its alarm. */
export interface TriggerChanged extends AlarmTarget {
  readonly type: "TriggerChanged";
}

/** Rereads every alarm from the store (at start, then periodically). */
export interface ResyncAlarms {
  readonly type: "ResyncAlarms";
}

/** What the AlarmService accepts from other actors and the feed lifecycle. */
export type AlarmServiceCommand = AlarmSet | AlarmRemoved | TriggerChanged | ResyncAlarms;

// ---------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------

/**
 * - `Loading`: the first read of every alarm is in flight or waiting to be retried;
 *   commands are stashed;
 * - `Running`: every alarm has its next tick armed.
 */
export type AlarmServiceStateName = "Loading" | "Running";

// ---------------------------------------------------------------------------
// Internal (told by the service to itself; never handed out)
// ---------------------------------------------------------------------------

/** Every alarm was read. */
export interface AlarmsLoaded {
  readonly type: "AlarmsLoaded";
  readonly alarms: readonly StoredAlarm[];
}

/** Reading every alarm failed. */
export interface AlarmsLoadFailed {
  readonly type: "AlarmsLoadFailed";
  readonly error: unknown;
}

/** One trigger's alarm was reread (`alarm` absent: it has none any more). */
export interface TriggerAlarmLoaded extends AlarmTarget {
  readonly type: "TriggerAlarmLoaded";
  readonly alarm?: StoredAlarm;
}

/** The timer of an alarm's next tick (it may wake early when the tick is far away). */
export interface AlarmWake {
  readonly type: "AlarmWake";
  readonly id: string;
  readonly tick: number;
}

/** The claim of a tick was answered: `won` when this controller fires it. */
export interface TickClaimed {
  readonly type: "TickClaimed";
  readonly id: string;
  readonly alarmId: string;
  readonly tick: number;
  readonly won: boolean;
}

/** The claim of a tick failed (the key-value store is unreachable). */
export interface TickClaimFailed {
  readonly type: "TickClaimFailed";
  readonly id: string;
  readonly alarmId: string;
  readonly tick: number;
  readonly error: unknown;
}

/** A fire was answered. */
export interface TriggerFired {
  readonly type: "TriggerFired";
  readonly id: string;
  readonly alarmId: string;
  readonly tick: number;
  readonly outcome: FireOutcome;
}

/** The state timeout of `Loading` (the kit's message): retry the read. */
export interface AlarmStateTimeout {
  readonly type: "StateTimeout";
}

/** Messages the AlarmService sends itself. */
export type AlarmServiceInternal =
  | AlarmsLoaded
  | AlarmsLoadFailed
  | TriggerAlarmLoaded
  | AlarmWake
  | TickClaimed
  | TickClaimFailed
  | TriggerFired
  | AlarmStateTimeout;

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/** The map key of an alarm inside the service: `guest/t1`. */
export function alarmIdOf(target: AlarmTarget): string {
  return `${target.namespace}/${target.trigger}`;
}

/**
 * The etcd key a tick is claimed under: whoever creates it fires the tick.
 *
 * @example
 * ```ts
 * import { alarmClaimKey } from "./alarm_service.ts";
 * const key = alarmClaimKey({ namespace: "guest", trigger: "t1" }, 60_000);
 * console.assert(key === "whisk/alarms/guest/t1/60000");
 * ```
 */
export function alarmClaimKey(target: AlarmTarget, tick: number, cluster = "whisk"): string {
  return `${cluster}/alarms/${target.namespace}/${target.trigger}/${tick}`;
}
