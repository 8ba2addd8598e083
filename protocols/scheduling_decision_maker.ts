/**
 * Protocol of the SchedulingDecisionMaker: the queue snapshot it reads and the
 * decision it returns. Mirrors `core/scheduler/.../queue/SchedulingDecisionMaker.scala`
 * (`QueueSnapshot`, `DecisionResults`) and the queue states of `MemoryQueue.scala`.
 *
 * Differences from upstream:
 * - The decision maker is a pure function, not an actor, so the snapshot has no
 *   `recipient`: the MemoryQueue calls `decide()` on its own tick and applies the result.
 * - `DecisionResults` is one union tagged by `type`; the kinds that create containers
 *   always carry `num ≥ 1` where upstream could send `AddContainer(0)` (§9.6), and
 *   `Skip`/`Pausing` carry no count at all.
 * - `EnableActionThrottling`/`DisableActionThrottling` are left out: upstream defines
 *   them but never produces them (action throttling is driven by the queue length).
 *
 * @module
 */

/** The MemoryQueue states (upstream `MemoryQueueState` names). */
export type QueueStateName =
  | "Uninitialized"
  | "Running"
  | "Idle"
  | "Flushing"
  | "Removing"
  | "Removed"
  | "ActionThrottled"
  | "NamespaceThrottled";

/** Every queue state name, in upstream's order. */
export const QUEUE_STATE_NAMES: readonly QueueStateName[] = [
  "Uninitialized",
  "Running",
  "Idle",
  "Flushing",
  "Removing",
  "Removed",
  "ActionThrottled",
  "NamespaceThrottled",
];

/**
 * What one queue tells the decision maker on each `check-interval` tick (upstream
 * `QueueSnapshot`, minus `recipient`). Every count is a non-negative integer.
 * Everything that depends on the clock (`staleActivationNum`) is computed by the
 * queue before the call, so `decide()` never reads a clock.
 */
export interface QueueSnapshot {
  /** True once an `AddInitialContainer` has been acted on. */
  readonly initialized: boolean;
  /** Activations being handled right now, not yet in the queue (usually 0). */
  readonly incomingMsgCount: number;
  /** Queue length. */
  readonly currentMsgCount: number;
  /** Containers of this action (revision) that exist. */
  readonly existingContainerCount: number;
  /** Containers of this action (revision) being created. */
  readonly inProgressContainerCount: number;
  /** Activations, counted from the head, at least `staleThresholdMs` old. */
  readonly staleActivationNum: number;
  /** Existing containers of the whole invocation namespace (includes this action's). */
  readonly existingContainerCountInNamespace: number;
  /** Containers being created in the whole invocation namespace (includes this action's). */
  readonly inProgressContainerCountInNamespace: number;
  /** Average run duration in ms from recent fetches or a historical seed; `null` when unknown. */
  readonly averageDurationMs: number | null;
  /** The namespace's concurrent-invocation limit (containers). */
  readonly namespaceLimit: number;
  /** `min(action instances limit, namespaceLimit)`, or `namespaceLimit` when the action has none. */
  readonly actionLimit: number;
  /** Intra-container concurrency of the action (`limits.concurrency`), at least 1. */
  readonly maxActionConcurrency: number;
  /** The queue's current state. */
  readonly stateName: QueueStateName;
}

/**
 * The decision maker's settings (upstream `whisk.scheduler.scheduling`); the field
 * names match `DEFAULTS.scheduling` of `runtime/config.ts`, so that object can be
 * passed as is.
 */
export interface SchedulingDecisionConfig {
  /** Age at which an activation counts as stale, and the throughput window (100 ms). */
  readonly staleThresholdMs: number;
  /** Let a queue with no container create one while the namespace is over its limit (false). */
  readonly allowOverProvisionBeforeThrottle: boolean;
  /** How far over the namespace limit that first container may go (1.5). */
  readonly namespaceOverProvisionBeforeThrottleRatio: number;
}

/**
 * The answer of `decide()` (upstream `DecisionResults(kind, num)`), tagged by `type`.
 * `num` is how many containers the queue should create.
 */
export type DecisionResults =
  /** Create the first container of a new (or flushing) queue; sets `initialized`. */
  | { readonly type: "AddInitialContainer"; readonly num: number }
  /** Create `num ≥ 1` more containers. */
  | { readonly type: "AddContainer"; readonly num: number }
  /** The namespace limit binds: create `num ≥ 0` containers and throttle; drop queued ones if `dropMsg`. */
  | { readonly type: "EnableNamespaceThrottling"; readonly dropMsg: boolean; readonly num: number }
  /** Capacity is back: leave NamespaceThrottled (upstream always sends `num = 0`). */
  | { readonly type: "DisableNamespaceThrottling"; readonly num: number }
  /** A limit is ≤ 0: the queue fails a void creation with `ZeroNamespaceLimit` (→ Flushing). */
  | { readonly type: "Pausing" }
  /** Nothing to do; never sent to the queue. */
  | { readonly type: "Skip" };

/** The tag of each decision kind. */
export type DecisionKind = DecisionResults["type"];

/**
 * The creation id of the void creation the queue fails itself with on `Pausing`
 * (upstream `CreationId("cid_void")`).
 */
export const PAUSING_CREATION_ID = "cid_void";

/** The reason the queue records when it fails itself on `Pausing`. */
export const PAUSING_REASON = "The namespace limit is less than or equal to 0.";
