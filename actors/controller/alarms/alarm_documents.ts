/**
 * Where an alarm lives: in its trigger's document, as two annotations — upstream's
 * `feed` (`/whisk.system/alarms/alarm`, what `wsk trigger create --feed` writes) and
 * `alarm` (the spec, with upstream's parameter names). Reading and writing them over
 * the entity store, with a compare-and-set on the trigger's revision so a rule linked
 * at the same time is never lost. Mirrors the trigger documents of upstream's
 * `openwhisk-package-alarms` provider database (`provider/lib/utils.js`); differences:
 * no database of its own. Why the trigger document: it is durable in every store
 * (SQLite, PostgreSQL), so alarms survive restarts of every controller; deleting the
 * trigger deletes its alarm with it (no fire after delete); and every write is
 * already announced on `cacheInvalidation`, which tells every controller's service to
 * reread it. The cost: a trigger update that replaces the annotations drops the alarm.
 * An interval's `anchor` is stored there too, so no restart shifts its ticks.
 *
 * @module
 */
import type { JsonObject, JsonValue, KeyValue } from "../../../protocols/mod.ts";
import type { AlarmSpec, AlarmTarget, StoredAlarm } from "../../../protocols/alarm_service.ts";
import { ConflictError, type EntityStore } from "../../../runtime/store/mod.ts";
import { apiTrigger, storedTrigger, type WhiskTrigger } from "../rest_api/trigger_document.ts";
import { type AlarmFeedName, feedOfSpec } from "./alarm_params.ts";

/** The annotation holding the spec. */
export const ALARM_ANNOTATION = "alarm";
/** Upstream's annotation naming a trigger's feed action. */
export const FEED_ANNOTATION = "feed";

/** The fully qualified name of a built-in alarms feed. */
export function feedActionName(feed: AlarmFeedName): string {
  return `/whisk.system/alarms/${feed}`;
}

/** The start and stop dates that are set. */
function datesOf(
  dates: { readonly startDate?: number | undefined; readonly stopDate?: number | undefined },
): { startDate?: number; stopDate?: number } {
  return {
    ...(dates.startDate === undefined ? {} : { startDate: dates.startDate }),
    ...(dates.stopDate === undefined ? {} : { stopDate: dates.stopDate }),
  };
}

/** The annotation value of an alarm, with upstream's parameter names. */
export function encodeAlarm(alarm: StoredAlarm): JsonObject {
  const { spec } = alarm;
  const common = { feed: feedOfSpec(spec), alarmId: alarm.alarmId, dateChanged: alarm.changedAt };
  switch (spec.type) {
    case "Once":
      return { ...common, date: spec.date, trigger_payload: spec.payload };
    case "Interval":
      return {
        ...common,
        minutes: spec.minutes,
        anchor: spec.anchor,
        ...datesOf(spec),
        trigger_payload: spec.payload,
      };
    case "Cron":
      return {
        ...common,
        cron: spec.cron,
        ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }),
        ...datesOf(spec),
        trigger_payload: spec.payload,
      };
  }
}

const num = (v: JsonValue | undefined) => typeof v === "number" ? v : undefined;

function specOf(rec: JsonObject): AlarmSpec | undefined {
  const payload = rec.trigger_payload;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as JsonObject;
  if (rec.feed === "once") {
    const date = num(rec.date);
    return date === undefined ? undefined : { type: "Once", date, payload: p };
  }
  const dates = datesOf({ startDate: num(rec.startDate), stopDate: num(rec.stopDate) });
  if (rec.feed === "interval") {
    const minutes = num(rec.minutes);
    const anchor = num(rec.anchor) ?? dates.startDate;
    if (minutes === undefined || !Number.isInteger(minutes) || minutes < 1) return undefined;
    if (anchor === undefined) return undefined;
    return { type: "Interval", minutes, anchor, ...dates, payload: p };
  }
  if (rec.feed !== "alarm" || typeof rec.cron !== "string") return undefined;
  return {
    type: "Cron",
    cron: rec.cron,
    ...(typeof rec.timezone === "string" ? { timezone: rec.timezone } : {}),
    ...dates,
    payload: p,
  };
}

/** The alarm of a trigger, or undefined when it has none (or a malformed one). */
export function alarmOfTrigger(
  target: AlarmTarget,
  trigger: WhiskTrigger,
): StoredAlarm | undefined {
  const raw = trigger.annotations.find((kv) => kv.key === ALARM_ANNOTATION)?.value;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const rec = raw as JsonObject;
  const spec = specOf(rec);
  const changedAt = num(rec.dateChanged);
  if (!spec || typeof rec.alarmId !== "string" || changedAt === undefined) return undefined;
  return { ...target, alarmId: rec.alarmId, changedAt, spec };
}

/** The trigger with `alarm` set (and `feed` naming its feed), or without both when undefined. */
export function withAlarm(trigger: WhiskTrigger, alarm: StoredAlarm | undefined): WhiskTrigger {
  const kept = trigger.annotations.filter((kv) =>
    kv.key !== ALARM_ANNOTATION &&
    !(kv.key === FEED_ANNOTATION && String(kv.value).startsWith("/whisk.system/alarms/"))
  );
  const added: KeyValue[] = alarm === undefined ? [] : [
    { key: FEED_ANNOTATION, value: feedActionName(feedOfSpec(alarm.spec)) },
    { key: ALARM_ANNOTATION, value: encodeAlarm(alarm) },
  ];
  return { ...trigger, annotations: [...kept, ...added] };
}

/** A trigger as read for an alarm change. */
export interface TriggerWithAlarm {
  readonly trigger: WhiskTrigger;
  readonly revision: string;
  readonly alarm?: StoredAlarm;
}

/** Reads trigger `target` and its alarm; undefined when the trigger does not exist. */
export async function readTriggerAlarm(
  store: EntityStore,
  target: AlarmTarget,
): Promise<TriggerWithAlarm | undefined> {
  const entity = await store.getEntity("triggers", target.namespace, target.trigger);
  const trigger = entity && storedTrigger(entity);
  if (!entity || !trigger) return undefined;
  const alarm = alarmOfTrigger(target, trigger);
  return { trigger, revision: entity.revision, ...(alarm ? { alarm } : {}) };
}

/** Every alarm of every namespace (every subject's triggers are read). */
export async function listAlarms(store: EntityStore): Promise<StoredAlarm[]> {
  const namespaces = (await store.listSubjects()).flatMap((s) => s.namespaces.map((n) => n.name));
  const alarms: StoredAlarm[] = [];
  for (const namespace of new Set(namespaces)) {
    for (const entity of await store.listEntities("triggers", namespace)) {
      const trigger = storedTrigger(entity);
      const alarm = trigger && alarmOfTrigger({ namespace, trigger: entity.name }, trigger);
      if (alarm) alarms.push(alarm);
    }
  }
  return alarms;
}

/** What a change of a trigger's alarm decided: the new alarm (or none), or a refusal. */
export type AlarmChange =
  | { readonly type: "Write"; readonly alarm: StoredAlarm | undefined }
  | { readonly type: "Refuse"; readonly error: string };

/** How {@link changeTriggerAlarm} ended. */
export type AlarmChangeResult =
  | { readonly type: "Written"; readonly revision: string; readonly alarm: StoredAlarm | undefined }
  | { readonly type: "Refused"; readonly error: string };

/**
 * Rewrites trigger `target` with the alarm `decide` picks from the current one,
 * retrying when the trigger changed in between (a rule linked meanwhile).
 *
 * @throws the store's errors other than a revision conflict after `attempts`
 */
export async function changeTriggerAlarm(
  store: EntityStore,
  target: AlarmTarget,
  decide: (current: TriggerWithAlarm | undefined) => AlarmChange,
  now: number,
  attempts = 3,
): Promise<AlarmChangeResult> {
  for (let attempt = 1;; attempt++) {
    const current = await readTriggerAlarm(store, target);
    const change = decide(current);
    if (change.type === "Refuse") return { type: "Refused", error: change.error };
    if (!current) return { type: "Refused", error: "trigger does not exist" };
    const doc = apiTrigger({ ...withAlarm(current.trigger, change.alarm), updated: now });
    try {
      const revision = await store.putEntity("triggers", target.namespace, target.trigger, doc, {
        expectRevision: current.revision,
        updated: now,
      });
      return { type: "Written", revision, alarm: change.alarm };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
    }
  }
}
