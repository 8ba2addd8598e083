/**
 * The controller's built-in alarms feed (`/whisk.system/alarms/alarm` with a cron and
 * optional start and stop dates, `/whisk.system/alarms/once` with one date,
 * `/whisk.system/alarms/interval` every so many minutes): the feed actions served
 * in-process, the AlarmService that fires each trigger on schedule (croner computes the
 * cron ticks, the injected clock arms them, one create-only etcd key per tick lets
 * exactly one controller fire it), and the alarms stored in their triggers' documents
 * so they survive restarts. Mirrors upstream's
 * `openwhisk-package-alarms` (feed actions and provider).
 *
 * @module
 */
export {
  type AlarmFeeds,
  type AlarmFeedsDeps,
  type AlarmFeedsOptions,
  startAlarmFeeds,
} from "./alarm_feeds.ts";
export {
  type AlarmServiceDeps,
  type AlarmServiceOptions,
  spawnAlarmService,
} from "./alarm_service.ts";
export {
  type AlarmServiceConfig,
  type AlarmServiceEffect,
  type AlarmServiceMsg,
  type AlarmServiceState,
  alarmServiceTransition,
  initialAlarmState,
} from "./alarm_service_fsm.ts";
export { cronError, MINUTE_MS, nextTick } from "./alarm_schedule.ts";
export {
  type AlarmFeedName,
  feedOfSpec,
  parseAlarmParams,
  type ParsedAlarm,
} from "./alarm_params.ts";
export {
  ALARM_ANNOTATION,
  alarmOfTrigger,
  encodeAlarm,
  FEED_ANNOTATION,
  listAlarms,
  readTriggerAlarm,
} from "./alarm_documents.ts";
export { createAlarmFeeds, FEEDS_NAMESPACE } from "./feed_lifecycle.ts";
export { createTickClaims, type TickClaims } from "./tick_claims.ts";
export { fireThroughApi } from "./trigger_firing.ts";
