/**
 * The pure transition of the AlarmService: read every alarm, arm each one's next tick
 * on the clock, and on a tick claim it (one create-only key per tick, so across several
 * controllers exactly one fires), arm the following tick at once, and fire the trigger
 * when the claim was won. A one-shot alarm removes itself after its fire; a trigger
 * that is gone ends its alarm. Mirrors the scheduling of upstream's
 * `openwhisk-package-alarms` provider (`provider/lib/utils.js` `createTrigger`,
 * `fireTrigger`, `cronAlarm.js`, `dateAlarm.js`); differences: no provider leader
 * (every controller schedules every alarm, the claim picks who fires), the next tick
 * is armed before the fire is answered (a slow fire never shifts nor doubles a tick,
 * upstream's openwhisk-package-alarms#64), a tick seen too late (a stalled process) is
 * skipped rather than fired after its claim key may have expired, and ticks missed
 * while every controller was down are not replayed.
 *
 * @module
 */
import type { FsmEffect, Step } from "../../../runtime/actors/mod.ts";
import type { JsonObject } from "../../../protocols/mod.ts";
import {
  alarmClaimKey,
  alarmIdOf,
  type AlarmServiceCommand,
  type AlarmServiceInternal,
  type AlarmSpec,
  type AlarmTarget,
  type AlarmWake,
  type StoredAlarm,
  type TickClaimed,
  type TriggerFired,
} from "../../../protocols/alarm_service.ts";

/** Every message the AlarmService handles. */
export type AlarmServiceMsg = AlarmServiceCommand | AlarmServiceInternal;

/** Settings of the transition. */
export interface AlarmServiceConfig {
  /** The first tick of a spec strictly after an instant (`alarm_schedule.ts`). */
  readonly nextTick: (spec: AlarmSpec, after: number) => number | undefined;
  /** Longest single timer; a farther tick wakes early and re-arms (default 1 h). */
  readonly maxWakeMs: number;
  /** A tick handled later than this after its time is skipped (below the claim key's life). */
  readonly maxLateMs: number;
  /** Milliseconds between full rereads of the alarms (missed invalidations heal). */
  readonly resyncIntervalMs: number;
  /** Milliseconds before a failed first read is retried. */
  readonly retryIntervalMs: number;
  /** Cluster prefix of the claim keys (`whisk`). */
  readonly cluster: string;
}

/** An alarm and its armed tick (none while its last tick's claim is answered). */
export interface ScheduledAlarm {
  readonly alarm: StoredAlarm;
  readonly nextTick?: number;
}

/** The states, each with its own data. */
export type AlarmServiceState =
  | { readonly name: "Loading"; readonly loading: boolean }
  | {
    readonly name: "Running";
    readonly alarms: Readonly<Record<string, ScheduledAlarm>>;
    readonly loading: boolean;
  };

/** The effects the shell performs. */
export type AlarmServiceEffect =
  | { readonly type: "loadAll" }
  | { readonly type: "loadTrigger"; readonly target: AlarmTarget }
  | {
    readonly type: "claim";
    readonly id: string;
    readonly alarmId: string;
    readonly tick: number;
    readonly key: string;
  }
  | {
    readonly type: "fire";
    readonly id: string;
    readonly alarmId: string;
    readonly tick: number;
    readonly target: AlarmTarget;
    readonly payload: JsonObject;
  }
  /** A one-shot alarm fired: remove it from its trigger. */
  | { readonly type: "removeStored"; readonly target: AlarmTarget; readonly alarmId: string }
  | {
    readonly type: "log";
    readonly level: "debug" | "info" | "warn";
    readonly msg: string;
    readonly meta: Readonly<Record<string, unknown>>;
  };

type Effect = FsmEffect<AlarmServiceMsg> | AlarmServiceEffect;
type Out = Step<AlarmServiceState, AlarmServiceMsg, AlarmServiceEffect>;
type Running = Extract<AlarmServiceState, { name: "Running" }>;

/** The key of the periodic reread timer. */
export const RESYNC_TIMER = "resync";

/** The timer key of an alarm's tick. */
export function tickTimerKey(id: string): string {
  return `tick:${id}`;
}

/** The state at spawn and after a restart; its state timeout starts the first read. */
export function initialAlarmState(): AlarmServiceState {
  return { name: "Loading", loading: false };
}

/** `Loading` reads at once when entered (spawn, restart); no timeout in `Running`. */
export function alarmStateTimeout(state: AlarmServiceState): number | undefined {
  return state.name === "Loading" ? 0 : undefined;
}

const stay = (state: AlarmServiceState, ...effects: Effect[]): Out => ({ next: state, effects });
const log = (
  level: "debug" | "info" | "warn",
  msg: string,
  meta: Record<string, unknown>,
): Effect => ({ type: "log", level, msg, meta });

function arm(id: string, tick: number, now: number, config: AlarmServiceConfig): Effect {
  const msg: AlarmWake = { type: "AlarmWake", id, tick };
  return {
    type: "startTimer",
    key: tickTimerKey(id),
    msg,
    ms: Math.min(Math.max(0, tick - now), config.maxWakeMs),
  };
}

function without(alarms: Running["alarms"], id: string): Running["alarms"] {
  const { [id]: _gone, ...rest } = alarms;
  return rest;
}

/** Schedules `alarm` unless the same alarm (same `alarmId`) is already scheduled. */
function setAlarm(state: Running, alarm: StoredAlarm, now: number, config: AlarmServiceConfig) {
  const id = alarmIdOf(alarm);
  if (state.alarms[id]?.alarm.alarmId === alarm.alarmId) return stay(state);
  const tick = config.nextTick(alarm.spec, now);
  if (tick === undefined) {
    return stay(
      { ...state, alarms: without(state.alarms, id) },
      { type: "cancelTimer", key: tickTimerKey(id) },
      log("info", "alarm has no tick left", { alarm: id }),
    );
  }
  return stay(
    { ...state, alarms: { ...state.alarms, [id]: { alarm, nextTick: tick } } },
    arm(id, tick, now, config),
  );
}

function removeAlarm(state: Running, target: AlarmTarget): Out {
  const id = alarmIdOf(target);
  if (!state.alarms[id]) return stay(state);
  return stay(
    { ...state, alarms: without(state.alarms, id) },
    { type: "cancelTimer", key: tickTimerKey(id) },
  );
}

/** Applies a full reread: alarms gone are removed, the others set. */
function merge(state: Running, alarms: readonly StoredAlarm[], now: number, c: AlarmServiceConfig) {
  const read = new Set(alarms.map(alarmIdOf));
  const effects: Effect[] = [];
  let next: Running = { ...state, loading: false };
  for (const id of Object.keys(state.alarms).filter((id) => !read.has(id))) {
    next = { ...next, alarms: without(next.alarms, id) };
    effects.push({ type: "cancelTimer", key: tickTimerKey(id) });
  }
  for (const alarm of alarms) {
    const step = setAlarm(next, alarm, now, c);
    next = step.next as Running;
    effects.push(...step.effects);
  }
  return stay(next, ...effects);
}

function loading(
  state: Extract<AlarmServiceState, { name: "Loading" }>,
  msg: AlarmServiceMsg,
  now: number,
  config: AlarmServiceConfig,
): Out {
  switch (msg.type) {
    case "ResyncAlarms":
    case "StateTimeout":
      return state.loading ? stay(state) : stay({ ...state, loading: true }, { type: "loadAll" });
    case "AlarmsLoaded": {
      const started = merge(
        { name: "Running", alarms: {}, loading: false },
        msg.alarms,
        now,
        config,
      );
      return stay(
        started.next,
        ...started.effects,
        {
          type: "startTimer",
          key: RESYNC_TIMER,
          msg: { type: "ResyncAlarms" },
          ms: config.resyncIntervalMs,
          repeat: true,
        },
        log("info", "alarms loaded", { count: msg.alarms.length }),
        { type: "unstashAll" },
      );
    }
    case "AlarmsLoadFailed":
      return stay(
        { ...state, loading: false },
        log("warn", "alarms not loaded; retrying", { error: msg.error }),
        {
          type: "startTimer",
          key: RESYNC_TIMER,
          msg: { type: "ResyncAlarms" },
          ms: config.retryIntervalMs,
        },
      );
    case "AlarmSet":
    case "AlarmRemoved":
    case "TriggerChanged":
      return stay(state, { type: "stash" });
    default:
      return stay(state);
  }
}

/** A tick is due: claim it and arm the next one; a tick seen too late is skipped. */
function wake(state: Running, msg: AlarmWake, now: number, config: AlarmServiceConfig): Out {
  const entry = state.alarms[msg.id];
  if (!entry || entry.nextTick !== msg.tick) return stay(state);
  if (now < msg.tick) return stay(state, arm(msg.id, msg.tick, now, config));
  const { alarm } = entry;
  const late = now - msg.tick > config.maxLateMs;
  const nextTick = config.nextTick(alarm.spec, late ? now : msg.tick);
  const effects: Effect[] = late
    ? [log("warn", "alarm tick skipped: seen too late", { alarm: msg.id, tick: msg.tick, now })]
    : [{
      type: "claim",
      id: msg.id,
      alarmId: alarm.alarmId,
      tick: msg.tick,
      key: alarmClaimKey(alarm, msg.tick, config.cluster),
    }];
  if (nextTick !== undefined) {
    effects.push(arm(msg.id, nextTick, now, config));
    return stay(
      { ...state, alarms: { ...state.alarms, [msg.id]: { alarm, nextTick } } },
      ...effects,
    );
  }
  // No tick left: wait for the claim's answer (`settle`), or end now when nothing is claimed.
  const alarms = late ? without(state.alarms, msg.id) : { ...state.alarms, [msg.id]: { alarm } };
  return stay({ ...state, alarms }, ...effects);
}

/** After a claim's answer: an alarm without a next tick is finished. */
function settle(state: Running, id: string): Running {
  const entry = state.alarms[id];
  return entry && entry.nextTick === undefined
    ? { ...state, alarms: without(state.alarms, id) }
    : state;
}

function claimed(state: Running, msg: TickClaimed): Out {
  const entry = state.alarms[msg.id];
  if (entry?.alarm.alarmId !== msg.alarmId) {
    return stay(state, log("debug", "tick of a replaced alarm dropped", { alarm: msg.id }));
  }
  const next = settle(state, msg.id);
  if (!msg.won) {
    return stay(next, log("debug", "tick claimed elsewhere", { alarm: msg.id, tick: msg.tick }));
  }
  const { alarm } = entry;
  const target = { namespace: alarm.namespace, trigger: alarm.trigger };
  const fire: Effect = {
    type: "fire",
    id: msg.id,
    alarmId: msg.alarmId,
    tick: msg.tick,
    target,
    payload: alarm.spec.payload,
  };
  return alarm.spec.type === "Once"
    ? stay(next, fire, { type: "removeStored", target, alarmId: alarm.alarmId })
    : stay(next, fire);
}

function fired(state: Running, msg: TriggerFired): Out {
  const meta = { alarm: msg.id, tick: msg.tick };
  switch (msg.outcome.type) {
    case "Fired":
      return stay(
        state,
        log("info", "alarm fired", { ...meta, activationId: msg.outcome.activationId }),
      );
    case "NoActiveRule":
      return stay(state, log("debug", "alarm fired; no active rule", meta));
    case "TriggerGone": {
      const entry = state.alarms[msg.id];
      const gone = entry?.alarm.alarmId === msg.alarmId
        ? removeAlarm(state, entry.alarm)
        : stay(state);
      return stay(gone.next, ...gone.effects, log("info", "alarm ended: trigger gone", meta));
    }
    case "Refused":
      return stay(
        state,
        log("warn", "alarm fire refused", {
          ...meta,
          status: msg.outcome.status,
          message: msg.outcome.message,
        }),
      );
  }
}

function running(state: Running, msg: AlarmServiceMsg, now: number, c: AlarmServiceConfig): Out {
  switch (msg.type) {
    case "AlarmSet":
      return setAlarm(state, msg.alarm, now, c);
    case "AlarmRemoved":
      return removeAlarm(state, msg);
    case "TriggerChanged":
      return stay(state, {
        type: "loadTrigger",
        target: { namespace: msg.namespace, trigger: msg.trigger },
      });
    case "TriggerAlarmLoaded":
      return msg.alarm ? setAlarm(state, msg.alarm, now, c) : removeAlarm(state, msg);
    case "ResyncAlarms":
      return state.loading ? stay(state) : stay({ ...state, loading: true }, { type: "loadAll" });
    case "AlarmsLoaded":
      return merge(state, msg.alarms, now, c);
    case "AlarmsLoadFailed":
      return stay(
        { ...state, loading: false },
        log("warn", "alarms not reread", { error: msg.error }),
      );
    case "AlarmWake":
      return wake(state, msg, now, c);
    case "TickClaimed":
      return claimed(state, msg);
    case "TickClaimFailed":
      return stay(
        settle(state, msg.id),
        log("warn", "alarm tick not claimed", { alarm: msg.id, tick: msg.tick, error: msg.error }),
      );
    case "TriggerFired":
      return fired(state, msg);
    case "StateTimeout":
      return stay(state);
  }
}

/**
 * Builds the transition for `config`.
 *
 * @example
 * ```ts
 * import { alarmServiceTransition, initialAlarmState } from "./alarm_service_fsm.ts";
 * const transition = alarmServiceTransition({
 *   nextTick: () => undefined, maxWakeMs: 3_600_000, maxLateMs: 30_000,
 *   resyncIntervalMs: 60_000, retryIntervalMs: 1_000, cluster: "whisk",
 * });
 * const { next, effects } = transition(initialAlarmState(), { type: "ResyncAlarms" }, 0);
 * console.assert(next.name === "Loading" && effects[0]?.type === "loadAll");
 * ```
 */
export function alarmServiceTransition(config: AlarmServiceConfig) {
  return (state: AlarmServiceState, msg: AlarmServiceMsg, now: number): Out =>
    state.name === "Loading" ? loading(state, msg, now, config) : running(state, msg, now, config);
}
