/**
 * The InvokerHealthManager protocol: what the invoker root, the pool and container
 * proxies tell the health manager, what it answers, its states, and the health test
 * action it prepares.
 *
 * Mirrors the messages of `core/invoker/.../containerpool/v2/InvokerHealthManager.scala`
 * (`Enable`, `GracefulShutdown`, `HealthMessage`, `FailureMessage`, `MemoryInfo`,
 * `InvokerState`); differences: `GetInvokerHealth` replies with the state and the
 * enabled flag (upstream asks the reactive component), `FailureMessage` carries a
 * reason string instead of a throwable, and the prepared test action travels as
 * `HealthTestAction` (document, store revision and the `whisk.system` identity).
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { HealthMessage } from "./function_pulling_container_proxy.ts";
import type { InvokerStatus } from "./health.ts";
import type { Identity } from "./identity.ts";
import type { DocRevision } from "./revision.ts";
import type { WhiskAction } from "./whisk_action.ts";

export type { HealthMessage } from "./function_pulling_container_proxy.ts";

/** Start (or restart) the health cycle: prepare the test action, go Unhealthy, then Healthy. */
export interface Enable {
  readonly type: "Enable";
}

/** Disable the invoker: go Offline and publish `"down"`. */
export interface GracefulShutdown {
  readonly type: "GracefulShutdown";
}

/** Something failed that marks the invoker unhealthy (upstream `FailureMessage`). */
export interface FailureMessage {
  readonly type: "FailureMessage";
  readonly reason: string;
}

/** The pool's memory report, in MB (sent every memory-sync interval). */
export interface MemoryInfo {
  readonly type: "MemoryInfo";
  /** Memory free for new containers, paused containers counted as free (evictable). */
  readonly freeMemory: number;
  /** Memory of running containers. */
  readonly busyMemory: number;
  /** Memory reserved by containers still starting. */
  readonly inProgressMemory: number;
}

/** What {@link GetInvokerHealth} answers. */
export interface InvokerHealthSnapshot {
  readonly type: "InvokerHealthSnapshot";
  readonly state: InvokerHealthStateName;
  readonly status: InvokerStatus;
  /** True unless Offline. */
  readonly enabled: boolean;
  readonly memory: MemoryInfo;
}

/** Ask for the current health (for `/isEnabled` and `/health`). */
export interface GetInvokerHealth {
  readonly type: "GetInvokerHealth";
  readonly replyTo: Ref<InvokerHealthSnapshot>;
}

/** Everything other actors may send the health manager (plus the test proxy's events). */
export type InvokerHealthManagerCommand =
  | Enable
  | GracefulShutdown
  | HealthMessage
  | FailureMessage
  | MemoryInfo
  | GetInvokerHealth;

/** The health manager's states (upstream `InvokerState`; `Unresponsive` is never used in FPC). */
export type InvokerHealthStateName = "Offline" | "Unhealthy" | "Healthy";

/** The status string each state publishes. */
export const STATUS_OF_STATE: Readonly<Record<InvokerHealthStateName, InvokerStatus>> = {
  Offline: "down",
  Unhealthy: "unhealthy",
  Healthy: "up",
};

/** The prepared health test action: what `ensureTestAction()` yields. */
export interface HealthTestAction {
  /** `whisk.system/invokerHealthTestAction<id>`. */
  readonly action: WhiskAction;
  /** Its store revision. */
  readonly revision: DocRevision;
  /** The `whisk.system` identity the health activations run as. */
  readonly identity: Identity;
}
