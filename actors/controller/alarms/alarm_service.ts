/**
 * AlarmService: the controller's built-in alarms feed provider, the thin shell over
 * `alarm_service_fsm.ts`. Every store, key-value and fire call starts here and its
 * outcome comes back as a message; timers run on the system's clock. Mirrors
 * upstream's `openwhisk-package-alarms` provider (`provider/app.js`,
 * `provider/lib/utils.js`); differences: see the FSM.
 *
 * Supervision: `restart`. A restarted incarnation drops the results of the old one's
 * I/O, reads every alarm again and rearms each next tick; a tick claimed by the old
 * incarnation and not yet fired is lost (at most one fire per tick, never two).
 *
 * @module
 */
import {
  type ActorContext,
  type Parent,
  type Ref,
  spawnFsm,
  type SupervisionPolicy,
} from "../../../runtime/actors/mod.ts";
import type { JsonObject } from "../../../protocols/mod.ts";
import type {
  AlarmServiceCommand,
  AlarmSpec,
  AlarmTarget,
  FireOutcome,
  StoredAlarm,
} from "../../../protocols/alarm_service.ts";
import { nextTick as cronNextTick } from "./alarm_schedule.ts";
import {
  type AlarmServiceEffect,
  type AlarmServiceMsg,
  type AlarmServiceState,
  alarmServiceTransition,
  alarmStateTimeout,
  initialAlarmState,
} from "./alarm_service_fsm.ts";
import type { TickClaims } from "./tick_claims.ts";

/** What the AlarmService needs from outside. */
export interface AlarmServiceDeps {
  /** Reads every alarm (at start and on every resync). */
  loadAll(): Promise<readonly StoredAlarm[]>;
  /** Reads one trigger's alarm; undefined when it has none or the trigger is gone. */
  loadTrigger(target: AlarmTarget): Promise<StoredAlarm | undefined>;
  /** Claims ticks (`tick_claims.ts`). */
  readonly claims: TickClaims;
  /** Fires the trigger as `POST .../triggers/{name}` does. */
  fire(target: AlarmTarget, payload: JsonObject): Promise<FireOutcome>;
  /** Removes a fired one-shot alarm from its trigger, if it is still `alarmId`. */
  removeStored(target: AlarmTarget, alarmId: string): Promise<void>;
}

/** Options of {@link spawnAlarmService}; every field has a default. */
export interface AlarmServiceOptions {
  /** Actor name (default `alarm-service`). */
  readonly name?: string;
  /** Cluster prefix of the claim keys (default `whisk`). */
  readonly cluster?: string;
  /** A tick handled later than this is skipped (default 30 s; keep ≤ half the claim TTL). */
  readonly maxLateMs?: number;
  /** Longest single timer (default 1 h). */
  readonly maxWakeMs?: number;
  /** Milliseconds between full rereads (default 60 s). */
  readonly resyncIntervalMs?: number;
  /** Milliseconds before a failed first read is retried (default 1 s). */
  readonly retryIntervalMs?: number;
  /** The schedule (default croner's, `alarm_schedule.ts`). */
  readonly nextTick?: (spec: AlarmSpec, after: number) => number | undefined;
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns the AlarmService under `parent`; it reads every alarm at once.
 *
 * @returns its ref, typed to the public protocol
 * @example
 * ```ts
 * import { startSystem, stopSystem } from "../../../runtime/actors/mod.ts";
 * import { silentLogger } from "../../../runtime/log.ts";
 * import { spawnAlarmService } from "./alarm_service.ts";
 * const system = startSystem({ logger: silentLogger });
 * spawnAlarmService(system, {
 *   loadAll: () => Promise.resolve([]),
 *   loadTrigger: () => Promise.resolve(undefined),
 *   claims: { claim: () => Promise.resolve(true) },
 *   fire: () => Promise.resolve({ type: "NoActiveRule" }),
 *   removeStored: () => Promise.resolve(),
 * });
 * await stopSystem(system);
 * ```
 */
export function spawnAlarmService(
  parent: Parent,
  deps: AlarmServiceDeps,
  options: AlarmServiceOptions = {},
): Ref<AlarmServiceCommand> {
  const transition = alarmServiceTransition({
    nextTick: options.nextTick ?? cronNextTick,
    maxWakeMs: options.maxWakeMs ?? 3_600_000,
    maxLateMs: options.maxLateMs ?? 30_000,
    resyncIntervalMs: options.resyncIntervalMs ?? 60_000,
    retryIntervalMs: options.retryIntervalMs ?? 1_000,
    cluster: options.cluster ?? "whisk",
  });
  return spawnFsm<AlarmServiceState, AlarmServiceMsg, AlarmServiceEffect>(parent, {
    name: options.name ?? "alarm-service",
    initialState: initialAlarmState(),
    transition,
    perform: alarmEffects(deps),
    stateTimeout: alarmStateTimeout,
    supervision: options.supervision ?? "restart",
  });
}

/** The interpreter of the service's own effects. */
function alarmEffects(deps: AlarmServiceDeps) {
  return (effect: AlarmServiceEffect, ctx: ActorContext<AlarmServiceMsg>) => {
    // A restarted incarnation starts in `Loading`, which ignores an old one's results.
    const pipe = <T>(
      p: Promise<T>,
      ok: (v: T) => AlarmServiceMsg,
      no: (e: unknown) => AlarmServiceMsg,
    ) => ctx.pipeToSelf(p, ok, no);
    switch (effect.type) {
      case "loadAll":
        return pipe(
          deps.loadAll(),
          (alarms) => ({ type: "AlarmsLoaded", alarms }),
          (error) => ({ type: "AlarmsLoadFailed", error }),
        );
      case "loadTrigger": {
        const { target } = effect;
        return pipe(
          deps.loadTrigger(target),
          (alarm) => ({ type: "TriggerAlarmLoaded", ...target, ...(alarm ? { alarm } : {}) }),
          (error) => {
            ctx.logger.warn("trigger alarm not reread", { ...target, error });
            return { type: "ResyncAlarms" };
          },
        );
      }
      case "claim": {
        const { id, alarmId, tick } = effect;
        return pipe(
          deps.claims.claim(effect.key),
          (won) => ({ type: "TickClaimed", id, alarmId, tick, won }),
          (error) => ({ type: "TickClaimFailed", id, alarmId, tick, error }),
        );
      }
      case "fire": {
        const { id, alarmId, tick } = effect;
        return pipe(
          deps.fire(effect.target, effect.payload),
          (outcome) => ({ type: "TriggerFired", id, alarmId, tick, outcome }),
          (error) => ({
            type: "TriggerFired",
            id,
            alarmId,
            tick,
            outcome: { type: "Refused", status: 503, message: String(error) },
          }),
        );
      }
      case "removeStored":
        return void deps.removeStored(effect.target, effect.alarmId).catch((error: unknown) =>
          ctx.logger.warn("fired one-shot alarm not removed", { ...effect.target, error })
        );
      case "log":
        return ctx.logger[effect.level](effect.msg, { ...effect.meta });
    }
  };
}
