/**
 * The FunctionPullingContainerPool protocol: what the invoker's container-message
 * consumer and root tell the pool, what it answers, its prewarm configuration and its
 * state names. The pool also receives every `FunctionPullingContainerProxyEvent` from
 * its proxies (see `function_pulling_container_proxy.ts`).
 *
 * Mirrors the messages of `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`
 * (`CreationContainer`, `DeletionContainer`, `Enable`, `GracefulShutdown`,
 * `AdjustPrewarmedContainer`, `GetState`) and `PrewarmingConfig`; differences:
 * `GetPoolState` answers a small snapshot (counts and memory) instead of
 * `TotalContainerPoolState`, and a prewarm config names its kind directly.
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { ContainerCreationMessage, ContainerDeletionMessage } from "./container.ts";
import type { FunctionPullingContainerProxyEvent } from "./function_pulling_container_proxy.ts";
import type { WhiskAction } from "./whisk_action.ts";

/** Create (or reuse) a container for `action` as the scheduler asked. */
export interface CreationContainer {
  readonly type: "CreationContainer";
  readonly msg: ContainerCreationMessage;
  /** The action document, loaded by the consumer at `msg.revision`. */
  readonly action: WhiskAction;
}

/** Shut down the containers of an action up to a revision (Flow D). */
export interface DeletionContainer {
  readonly type: "DeletionContainer";
  readonly msg: ContainerDeletionMessage;
}

/** Accept creations again after a disable. */
export interface PoolEnable {
  readonly type: "Enable";
}

/** Disable: refuse creations and drain containers in batches (Flow F). */
export interface PoolGracefulShutdown {
  readonly type: "GracefulShutdown";
}

/**
 * Expire old prewarms and backfill to the desired counts (upstream's scheduled
 * adjustment; sent by the pool's own timer with `scheduled: true`).
 */
export interface AdjustPrewarmedContainer {
  readonly type: "AdjustPrewarmedContainer";
  readonly scheduled?: boolean;
}

/** Counts and memory of one of the pool's sets. */
export interface PoolSetSummary {
  readonly count: number;
  readonly memoryMb: number;
}

/** What {@link GetPoolState} answers. Memory in MB. */
export interface PoolStateSnapshot {
  readonly type: "PoolStateSnapshot";
  readonly state: FunctionPullingContainerPoolStateName;
  readonly userMemoryMb: number;
  /** The host's usable memory last read, when known. */
  readonly hostUsableMb?: number;
  /** Free for new containers now (paused memory not included). */
  readonly freeMemoryMb: number;
  readonly busy: PoolSetSummary;
  readonly inProgress: PoolSetSummary;
  /** Paused containers (upstream `warmedPool`). */
  readonly paused: PoolSetSummary;
  readonly prewarmed: PoolSetSummary;
  readonly prewarmStarting: PoolSetSummary;
  /** Told to shut down, still alive. */
  readonly disabling: PoolSetSummary;
}

/** Ask for a {@link PoolStateSnapshot}. */
export interface GetPoolState {
  readonly type: "GetPoolState";
  readonly replyTo: Ref<PoolStateSnapshot>;
}

/** Everything other actors may send the pool (proxies send their events too). */
export type FunctionPullingContainerPoolCommand =
  | CreationContainer
  | DeletionContainer
  | PoolEnable
  | PoolGracefulShutdown
  | AdjustPrewarmedContainer
  | GetPoolState
  | FunctionPullingContainerProxyEvent;

/** The pool's states: booting (stashing), running, or draining after a disable. */
export type FunctionPullingContainerPoolStateName = "Booting" | "Running" | "ShuttingDown";

/** Reactive prewarm sizing (upstream `ReactivePrewarmingConfig`). */
export interface ReactivePrewarmConfig {
  readonly minCount: number;
  readonly maxCount: number;
  /** A prewarm unused this long is expired by the scheduled adjustment. */
  readonly ttlMs: number;
  /** Cold starts per `increment` extra prewarms. */
  readonly threshold: number;
  readonly increment: number;
}

/** One stem-cell configuration (upstream `PrewarmingConfig`). */
export interface PrewarmConfig {
  /** Runtime kind, e.g. `nodejs:20`. */
  readonly kind: string;
  readonly memoryMb: number;
  readonly initialCount: number;
  readonly reactive?: ReactivePrewarmConfig;
}

/** Pacing of prewarm starts (upstream `prewarm-container-creation-config`). */
export interface PrewarmCreationConfig {
  /** Prewarms started per tick at most. */
  readonly maxConcurrent: number;
  /** Milliseconds between ticks. */
  readonly creationDelayMs: number;
}
