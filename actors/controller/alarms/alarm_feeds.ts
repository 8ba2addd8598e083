/**
 * The alarms feed of one controller, assembled: the AlarmService on the entity store
 * (alarms live in trigger documents), tick claims in the key-value store, fires through
 * the controller's own REST handler, the feed actions for the REST API's `deps.feeds`,
 * and the cache-invalidation listener that tells the service when any controller
 * changed a trigger. Mirrors the deployment of upstream's `openwhisk-package-alarms`
 * (`installCatalog.sh`: the feed actions; `provider/app.js`: the provider);
 * differences: both run inside the controller.
 *
 * @module
 */
import type { CacheInvalidationMessage } from "../../../protocols/mod.ts";
import type { AlarmServiceCommand } from "../../../protocols/alarm_service.ts";
import { type Parent, type Ref, tell } from "../../../runtime/actors/mod.ts";
import type { Clock } from "../../../runtime/actors/clock.ts";
import type { KeyValueStore } from "../../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import type { BuiltInFeeds, EntityChange } from "../rest_api/rest_api_deps.ts";
import { changeTriggerAlarm, listAlarms, readTriggerAlarm } from "./alarm_documents.ts";
import { type AlarmServiceOptions, spawnAlarmService } from "./alarm_service.ts";
import { createAlarmFeeds } from "./feed_lifecycle.ts";
import { createTickClaims } from "./tick_claims.ts";
import { fireThroughApi, type RestHandler } from "./trigger_firing.ts";

/** What the alarms feed stands on. */
export interface AlarmFeedsDeps {
  /** Where the service is spawned (the controller's group). */
  readonly parent: Parent;
  readonly kv: KeyValueStore;
  readonly store: EntityStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Announces a trigger write on `cacheInvalidation`. */
  announceChange(change: EntityChange): void | Promise<void>;
  /** The controller's REST handler; called only once the service fires. */
  readonly rest: RestHandler;
}

/** Settings of the alarms feed. */
export interface AlarmFeedsOptions {
  /** Who claims ticks (`controller0`). */
  readonly owner: string;
  /** Cluster prefix of the claim keys (default `whisk`). */
  readonly cluster?: string;
  /** TTL of the claim leases (default 60 s; ticks later than half of it are skipped). */
  readonly claimTtlSeconds?: number;
  readonly service?: Omit<AlarmServiceOptions, "cluster" | "maxLateMs">;
}

/** A running alarms feed. */
export interface AlarmFeeds {
  /** For the REST API's `deps.feeds`. */
  readonly feeds: BuiltInFeeds;
  readonly service: Ref<AlarmServiceCommand>;
  /** Hand every cache invalidation here: trigger changes make the service reread. */
  onInvalidation(message: CacheInvalidationMessage): void;
}

/** Starts the alarms feed; the service reads every alarm at once. */
export function startAlarmFeeds(deps: AlarmFeedsDeps, options: AlarmFeedsOptions): AlarmFeeds {
  const { store, clock, logger } = deps;
  const ttl = options.claimTtlSeconds ?? 60;
  const service = spawnAlarmService(deps.parent, {
    loadAll: () => listAlarms(store),
    loadTrigger: async (target) => (await readTriggerAlarm(store, target))?.alarm,
    claims: createTickClaims(deps.kv, clock, { owner: options.owner, leaseTtlSeconds: ttl }),
    fire: fireThroughApi((request) => deps.rest(request), store, logger),
    removeStored: async (target, alarmId) => {
      const changed = await changeTriggerAlarm(
        store,
        target,
        (current) =>
          current?.alarm?.alarmId === alarmId
            ? { type: "Write", alarm: undefined }
            : { type: "Refuse", error: "replaced" },
        clock.now(),
      );
      if (changed.type === "Written") {
        await deps.announceChange({
          entityType: "trigger",
          mainId: `${target.namespace}/${target.trigger}`,
          secondaryId: changed.revision,
        });
      }
    },
  }, {
    ...options.service,
    cluster: options.cluster ?? "whisk",
    maxLateMs: (ttl * 1000) / 2,
  });
  const notify = (command: AlarmServiceCommand) => tell(service, service, command);
  return {
    feeds: createAlarmFeeds({ store, clock, announceChange: deps.announceChange, notify }),
    service,
    onInvalidation(message) {
      if (message.entityType !== "trigger") return;
      const slash = message.mainId.indexOf("/");
      if (slash <= 0) return;
      notify({
        type: "TriggerChanged",
        namespace: message.mainId.slice(0, slash),
        trigger: message.mainId.slice(slash + 1),
      });
    },
  };
}
