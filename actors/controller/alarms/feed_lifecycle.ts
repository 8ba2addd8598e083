/**
 * The built-in feed actions `/whisk.system/alarms/alarm`, `/whisk.system/alarms/once`
 * and `/whisk.system/alarms/interval`: the lifecycle events the `openwhisk` client and
 * `wsk` send (`CREATE`, `READ`, `UPDATE`, `DELETE`, with `triggerName: "/_/t1"` and the
 * feed's parameters) applied to the trigger's document (`alarm_documents.ts`),
 * announced on `cacheInvalidation` (every controller's AlarmService rereads the
 * trigger) and told to the local service at once. Answers are action results: `{}`,
 * READ's `{config, status}`, or `{error}` (502). Mirrors upstream's
 * `openwhisk-package-alarms` `action/alarm.js` (installed as all three feeds),
 * `action/alarmOnce.js` and `action/alarmWebAction.js` (`CREATE`/`READ`/`UPDATE`/
 * `DELETE`); differences: no web action hop, the trigger must belong to the caller's
 * namespace (the caller is already authenticated, so `authKey` is not used), no
 * `PAUSE`/`UNPAUSE`, `once`'s `deleteAfterFire` is not supported (the alarm, never
 * the trigger, is removed after its fire), and interval ticks are `anchor + k × minutes`:
 * the first at `startDate`, as upstream's documentation says (its provider only starts
 * the interval there, so its first fire comes one interval later), or without one, one
 * interval after creation (upstream records `startDate` = creation + 30 s), so READ
 * shows no `startDate` for it.
 *
 * @module
 */
import { type Identity, isValidEntityName, type JsonObject } from "../../../protocols/mod.ts";
import type {
  AlarmServiceCommand,
  AlarmTarget,
  StoredAlarm,
} from "../../../protocols/alarm_service.ts";
import type { Clock } from "../../../runtime/actors/clock.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import type { BuiltInFeeds, EntityChange } from "../rest_api/rest_api_deps.ts";
import {
  type AlarmChange,
  changeTriggerAlarm,
  encodeAlarm,
  readTriggerAlarm,
} from "./alarm_documents.ts";
import { type AlarmFeedName, feedOfSpec, parseAlarmParams } from "./alarm_params.ts";
import { nextTick } from "./alarm_schedule.ts";

/** The namespace of the built-in feeds and the package holding them. */
export const FEEDS_NAMESPACE = "whisk.system";
const FEEDS: Readonly<Record<string, AlarmFeedName>> = {
  "alarms/alarm": "alarm",
  "alarms/once": "once",
  "alarms/interval": "interval",
};

/** What the feed actions need. */
export interface AlarmFeedDeps {
  readonly store: EntityStore;
  readonly clock: Clock;
  /** Announces a trigger write on `cacheInvalidation` (as the REST API does). */
  announceChange(change: EntityChange): void | Promise<void>;
  /** Tells the local AlarmService. */
  notify(command: AlarmServiceCommand): void;
}

const refuse = (error: string): JsonObject => ({ error });
const LIFECYCLE_FIELDS = new Set(["lifecycleEvent", "authKey", "triggerName"]);

/** The trigger a `triggerName` names for a caller of `namespace` (`/_/t`, `/ns/t`, `t`). */
export function triggerTarget(raw: unknown, namespace: string): AlarmTarget | string {
  if (typeof raw !== "string") return "triggerName is a required parameter";
  const parts = raw.replace(/^\//, "").split("/");
  const [ns, trigger] = parts.length === 1 ? ["_", parts[0]!] : parts;
  if (parts.length > 2 || trigger === undefined || !isValidEntityName(trigger)) {
    return `triggerName '${raw}' is not a valid trigger name`;
  }
  if (ns !== "_" && ns !== namespace) return `not authorized for trigger '${raw}'`;
  return { namespace, trigger };
}

function feedParams(params: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !LIFECYCLE_FIELDS.has(k)));
}

function readResult(alarm: StoredAlarm, now: number): JsonObject {
  // The config is what the feed was given; an interval's anchor is bookkeeping.
  const { alarmId: _id, dateChanged: _at, feed: _feed, anchor: _anchor, ...config } = encodeAlarm(
    alarm,
  );
  return {
    config: { name: alarm.trigger, namespace: alarm.namespace, ...config },
    status: {
      active: nextTick(alarm.spec, now) !== undefined,
      dateChanged: alarm.changedAt,
      dateChangedISO: new Date(alarm.changedAt).toISOString(),
    },
  };
}

/**
 * Creates the built-in feeds for the REST API's `deps.feeds`.
 *
 * @example
 * ```ts ignore
 * const feeds = createAlarmFeeds({ store, clock, announceChange, notify: (c) => tell(svc, svc, c) });
 * await feeds.invoke(identity, "alarms/alarm", { lifecycleEvent: "CREATE", triggerName: "/_/t", cron: "* * * * *" });
 * ```
 */
export function createAlarmFeeds(deps: AlarmFeedDeps): BuiltInFeeds {
  const write = async (target: AlarmTarget, decide: (current?: StoredAlarm) => AlarmChange) => {
    const now = deps.clock.now();
    const changed = await changeTriggerAlarm(
      deps.store,
      target,
      (current) =>
        current ? decide(current.alarm) : {
          type: "Refuse",
          error: `trigger '/${target.namespace}/${target.trigger}' does not exist`,
        },
      now,
    );
    if (changed.type === "Refused") return refuse(changed.error);
    await Promise.resolve(deps.announceChange({
      entityType: "trigger",
      mainId: `${target.namespace}/${target.trigger}`,
      secondaryId: changed.revision,
    })).catch(() => {}); // every controller also rereads on its periodic resync
    deps.notify(
      changed.alarm
        ? { type: "AlarmSet", alarm: changed.alarm }
        : { type: "AlarmRemoved", ...target },
    );
    return {};
  };

  const lifecycle = (
    feed: AlarmFeedName,
    target: AlarmTarget,
    event: string,
    params: JsonObject,
  ) => {
    const now = deps.clock.now();
    const named = `trigger '/${target.namespace}/${target.trigger}'`;
    const fresh = (spec: StoredAlarm["spec"]): AlarmChange => ({
      type: "Write",
      alarm: { ...target, alarmId: crypto.randomUUID(), changedAt: now, spec },
    });
    const mismatch = (alarm: StoredAlarm) =>
      feedOfSpec(alarm.spec) !== feed ? `${named} has an alarm of another feed` : undefined;
    switch (event) {
      case "CREATE":
        return write(target, (current) => {
          if (current) return { type: "Refuse", error: `${named} already has an alarm` };
          const parsed = parseAlarmParams(feed, params, now);
          return parsed.ok ? fresh(parsed.spec) : { type: "Refuse", error: parsed.error };
        });
      case "UPDATE":
        return write(target, (current) => {
          if (!current) return { type: "Refuse", error: `${named} has no alarm` };
          const other = mismatch(current);
          if (other) return { type: "Refuse", error: other };
          const parsed = parseAlarmParams(feed, params, now, current.spec);
          return parsed.ok ? fresh(parsed.spec) : { type: "Refuse", error: parsed.error };
        });
      case "DELETE":
        return write(
          target,
          (current) =>
            current
              ? { type: "Write", alarm: undefined }
              : { type: "Refuse", error: `${named} has no alarm` },
        );
      default:
        return Promise.resolve(refuse(`unsupported lifecycleEvent '${event}'`));
    }
  };

  return {
    serves: (namespace, name) => namespace === FEEDS_NAMESPACE && name in FEEDS,
    async invoke(identity: Identity, name: string, params: JsonObject): Promise<JsonObject> {
      const feed = FEEDS[name];
      if (!feed) return refuse(`no built-in feed '${name}'`);
      const target = triggerTarget(params.triggerName, identity.namespace.name);
      if (typeof target === "string") return refuse(target);
      const event = String(params.lifecycleEvent ?? "").toUpperCase();
      if (event !== "READ") return await lifecycle(feed, target, event, feedParams(params));
      const current = await readTriggerAlarm(deps.store, target);
      return current?.alarm
        ? readResult(current.alarm, deps.clock.now())
        : refuse(`trigger '/${target.namespace}/${target.trigger}' has no alarm`);
    },
  };
}
