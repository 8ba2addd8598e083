/**
 * Role settings read from the one typed configuration, shared by every composition
 * root (standalone, lean standalone, the role processes) so a setting reaches each
 * role the same way wherever it runs.
 *
 * @module
 */
import type { ControllerRoleOptions } from "../actors/controller/controller_role.ts";
import type { Config } from "../runtime/config.ts";

/** The controller role's options for controller `controllerId`. */
export function controllerRoleOptions(config: Config, controllerId: number): ControllerRoleOptions {
  const c = config.controller;
  return {
    controllerId,
    cluster: config.cluster.name,
    concurrentInvocations: c.concurrentInvocations,
    invocationsPerMinute: c.invocationsPerMinute,
    usePerMinThrottles: c.usePerMinThrottles,
    timeoutFactor: c.timeoutFactor,
    forcedCompletionFloorMs: c.forcedCompletionFloorMs,
    forcedCompletionExtraMs: c.forcedCompletionExtraMs,
    queueRetentionMs: config.queue.maxRetentionMs,
    blackboxQueueRetentionMs: config.queue.maxBlackboxRetentionMs,
    creationJobTimeoutMs: config.scheduling.inProgressJobRetentionMs,
    blackboxMultiple: config.scheduling.blackboxMultiple,
    createQueueTimeoutMs: c.createQueueAskTimeoutMs,
    createQueueAttempts: c.createQueueRetries + 1,
    rest: {
      maxBlockingWaitMs: c.blockingWaitMs,
      maxRequestBytes: c.maxRequestBytes,
      concurrentInvocations: c.concurrentInvocations,
      invocationsPerMinute: c.invocationsPerMinute,
      firesPerMinute: c.firesPerMinute,
    },
  };
}
