/**
 * The FunctionPullingContainerPool's pure state: its sets of proxies (keyed by a
 * pool-local `ProxyId`), its configuration, and small copy-on-write helpers.
 *
 * Mirrors the fields of `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`
 * (`busyPool`, `inProgressPool`, `warmedPool`, `prewarmedPool`, `prewarmStartingPool`,
 * `disablingPool`, `creationMessages`, `shuttingDown`, `coldStartCount`); differences:
 * pools are keyed by an id the pure FSM allocates (the shell maps ids to refs), the
 * pending creation lives on its in-progress entry, a disabling container keeps its
 * memory counted until it is gone, `removing` remembers evicted or expired
 * proxies whose `ContainerRemoved` is still to come, and `tracked` remembers the
 * containers the keep-alive policy has been told about (see `keep_alive/`).
 *
 * @module
 */

import type { Container } from "../../protocols/container_runtime.ts";
import type { ActivationMessage } from "../../protocols/activation.ts";
import type {
  ContainerCreationAckMessage,
  ContainerCreationMessage,
} from "../../protocols/container.ts";
import type {
  FunctionPullingContainerPoolStateName,
  PrewarmConfig,
  PrewarmCreationConfig,
} from "../../protocols/function_pulling_container_pool.ts";
import type {
  FunctionPullingContainerProxyCommand,
  Initialize,
  InitializedData,
  Start,
  WarmData,
} from "../../protocols/function_pulling_container_proxy.ts";
import type { InvokerInstanceId, SchedulerInstanceId } from "../../protocols/instance_id.ts";
import type { MemoryInfo } from "../../protocols/invoker_health_manager.ts";
import type {
  AdjustPrewarmedContainer,
  CreationContainer,
  DeletionContainer,
  GetPoolState,
  PoolEnable,
  PoolGracefulShutdown,
} from "../../protocols/function_pulling_container_pool.ts";
import type { FunctionPullingContainerProxyEvent } from "../../protocols/function_pulling_container_proxy.ts";
import type { FsmEffect, StateTimeout, Step } from "../../runtime/actors/fsm.ts";
import type { WhiskAction } from "../../protocols/whisk_action.ts";
import type { ActionStats, KeepAliveContainer } from "./keep_alive/mod.ts";

/** A pool-local proxy id (`p1`, `p2`, ...), allocated by the FSM. */
export type ProxyId = string;

/** A creation the pool is answering. */
export interface PendingCreation {
  readonly msg: ContainerCreationMessage;
  readonly action: WhiskAction;
}

/** A container being created, promoted from a prewarm, or resumed. */
export interface InProgressEntry {
  readonly memoryMb: number;
  readonly via: "cold" | "prewarm" | "warm";
  /** Cleared once acked with an error (a `ContainerRemoved` then follows). */
  readonly creation?: PendingCreation;
  /** When the pool told the proxy to start (cold or prewarm), ms. */
  readonly startedAt?: number;
}

/** A container serving an action (initialized or running). */
export interface BusyEntry {
  readonly memoryMb: number;
  readonly data: InitializedData | WarmData;
  /** When it became busy (initialized or resumed), ms: the longest-serving pause first. */
  readonly since?: number;
  /** Container start to `Initialized` (cold or prewarm start, before the first run), ms. */
  readonly startupMs?: number;
}

/** A paused container (upstream `warmedPool`). */
export interface PausedEntry {
  readonly memoryMb: number;
  readonly data: WarmData;
}

/** A stem cell, ready or starting. */
export interface PrewarmEntry {
  readonly kind: string;
  readonly memoryMb: number;
  readonly expiresAt?: number;
}

/** A container told to shut down; its memory counts until it is removed. */
export interface DisablingEntry {
  readonly memoryMb: number;
}

/** A paused candidate for eviction, as the keep-alive policy sees it (`id` is the proxy id). */
export type PausedCandidate = KeepAliveContainer;

/**
 * The eviction seam: which paused containers to remove to free `neededMb` at `now`, or
 * undefined when they cannot free enough. The pool's keep-alive policy by default
 * (`ttl`: oldest `lastUsed` first, as upstream).
 */
export type EvictionPolicy = (
  paused: readonly PausedCandidate[],
  neededMb: number,
  now: number,
) => readonly ProxyId[] | undefined;

/** A container the keep-alive policy was told about (by `onMiss`). */
export interface TrackedContainer {
  /** The policy's action key (see `actionKeyOf`). */
  readonly action: string;
  readonly memoryMb: number;
}

/** One call on the pool's keep-alive policy, performed by the shell after the step. */
export type KeepAliveCall =
  | { readonly type: "onMiss"; readonly stats: ActionStats }
  /** `count` warm runs served by `container`. */
  | { readonly type: "onHit"; readonly container: KeepAliveContainer; readonly count: number }
  | { readonly type: "onRemoved"; readonly container: KeepAliveContainer };

/** Everything the pure pool needs to know besides its state. */
export interface PoolConfig {
  readonly invoker: InvokerInstanceId;
  readonly userMemoryMb: number;
  readonly memorySyncIntervalMs: number;
  readonly hostMemoryIntervalMs: number;
  readonly batchDeletionSize: number;
  readonly drainIntervalMs: number;
  readonly prewarm: readonly PrewarmConfig[];
  readonly prewarmPromotion: boolean;
  readonly prewarmMaxRetryLimit: number;
  readonly prewarmExpirationCheckInitDelayMs: number;
  readonly prewarmExpirationCheckIntervalMs: number;
  readonly prewarmExpirationCheckVarianceMs: number;
  readonly prewarmExpirationLimit: number;
  readonly prewarmCreation?: PrewarmCreationConfig;
  readonly chooseVictims: EvictionPolicy;
  /** Uniform [0, 1), for the adjustment variance (deterministic in tests). */
  readonly random: () => number;
}

/** The pool's state. */
export interface PoolState {
  readonly name: FunctionPullingContainerPoolStateName;
  readonly nextId: number;
  readonly inProgress: Readonly<Record<ProxyId, InProgressEntry>>;
  readonly busy: Readonly<Record<ProxyId, BusyEntry>>;
  readonly paused: Readonly<Record<ProxyId, PausedEntry>>;
  readonly prewarmed: Readonly<Record<ProxyId, PrewarmEntry>>;
  readonly prewarmStarting: Readonly<Record<ProxyId, PrewarmEntry>>;
  readonly disabling: Readonly<Record<ProxyId, DisablingEntry>>;
  /** Evicted or expired proxies; their memory is already released. */
  readonly removing: Readonly<Record<ProxyId, true>>;
  /** Containers the keep-alive policy knows (told `onMiss`, not yet `onRemoved`). */
  readonly tracked: Readonly<Record<ProxyId, TrackedContainer>>;
  /** Prewarms waiting for a creation tick (with a creation config). */
  readonly prewarmQueue: readonly PrewarmEntry[];
  readonly prewarmFailures: number;
  /** Cold starts since the last adjustment, by {@link prewarmKey}. */
  readonly coldStarts: Readonly<Record<string, number>>;
  /** The host's usable memory at the last read. */
  readonly hostUsableMb?: number;
}

/** The state a pool boots in (and restarts in after a crash). */
export const initialPoolState: PoolState = {
  name: "Booting",
  nextId: 1,
  inProgress: {},
  busy: {},
  paused: {},
  prewarmed: {},
  prewarmStarting: {},
  disabling: {},
  removing: {},
  tracked: {},
  prewarmQueue: [],
  prewarmFailures: 0,
  coldStarts: {},
};

/** The key of a (kind, memory) pair. */
export function prewarmKey(kind: string, memoryMb: number): string {
  return `${kind}|${memoryMb}`;
}

/** A copy of `record` without `id`. */
export function without<T>(
  record: Readonly<Record<ProxyId, T>>,
  id: ProxyId,
): Readonly<Record<ProxyId, T>> {
  if (!(id in record)) return record;
  const { [id]: _gone, ...rest } = record;
  return rest;
}

/** A copy of `record` with `id` set to `value`. */
export function withEntry<T>(
  record: Readonly<Record<ProxyId, T>>,
  id: ProxyId,
  value: T,
): Readonly<Record<ProxyId, T>> {
  return { ...record, [id]: value };
}

/** Removes `id` from every set (the caller tells the policy, see `untrack`). */
export function forget(state: PoolState, id: ProxyId): PoolState {
  return {
    ...state,
    inProgress: without(state.inProgress, id),
    busy: without(state.busy, id),
    paused: without(state.paused, id),
    prewarmed: without(state.prewarmed, id),
    prewarmStarting: without(state.prewarmStarting, id),
    disabling: without(state.disabling, id),
    removing: without(state.removing, id),
    tracked: without(state.tracked, id),
  };
}

/** Allocates the next proxy id. */
export function allocateId(state: PoolState): [ProxyId, PoolState] {
  return [`p${state.nextId}`, { ...state, nextId: state.nextId + 1 }];
}

/** Whether `id` is in any set. */
export function isKnown(state: PoolState, id: ProxyId): boolean {
  return id in state.inProgress || id in state.busy || id in state.paused ||
    id in state.prewarmed || id in state.prewarmStarting || id in state.disabling ||
    id in state.removing;
}

/** The pool's own effects (the shell performs them through its deps). */
export type PoolEffect =
  /** Spawn a proxy for `id` through the injected factory and send it `command`. */
  | { readonly type: "SpawnProxy"; readonly id: ProxyId; readonly command: Start | Initialize }
  | {
    readonly type: "TellProxy";
    readonly id: ProxyId;
    readonly command: FunctionPullingContainerProxyCommand;
  }
  | {
    readonly type: "SendAck";
    readonly schedulerIndex: SchedulerInstanceId;
    readonly ack: ContainerCreationAckMessage;
  }
  | { readonly type: "ReportMemory"; readonly info: MemoryInfo }
  | { readonly type: "ReadHostMemory" }
  /** Write "whisk internal error" records for activations a lost container held. */
  | {
    readonly type: "StoreRecords";
    readonly activations: readonly ActivationMessage[];
    readonly reason: string;
  }
  /** Destroy the container of a crashed proxy. */
  | { readonly type: "DestroyContainer"; readonly id: ProxyId; readonly container: Container }
  /** Tell the keep-alive policy what happened, at `now`. */
  | { readonly type: "KeepAlive"; readonly call: KeepAliveCall; readonly now: number };

// ---- Transition input and step ---------------------------------------------------------

/** A proxy event, with the sender mapped to its pool-local id by the shell. */
export interface ProxyEvent {
  readonly type: "ProxyEvent";
  readonly id: ProxyId;
  readonly event: FunctionPullingContainerProxyEvent;
}

/** The pool's private messages (its timers and piped I/O results). */
export type PoolInternal =
  | ProxyEvent
  | StateTimeout
  | { readonly type: "SyncMemory" }
  | { readonly type: "ReadHostMemoryTick" }
  | { readonly type: "HostMemoryRead"; readonly usableMb: number }
  | { readonly type: "HostMemoryReadFailed"; readonly error: string }
  | { readonly type: "DrainTick" }
  | { readonly type: "PrewarmTick" };

/** What the pure transition handles. */
export type PoolInput =
  | CreationContainer
  | DeletionContainer
  | PoolEnable
  | PoolGracefulShutdown
  | AdjustPrewarmedContainer
  | GetPoolState
  | PoolInternal;

/** One step of the pool. */
export type PoolTransitionStep = Step<PoolState, PoolInput, PoolEffect>;

export type Effects = (PoolEffect | FsmEffect<PoolInput>)[];
export type ReadonlyEffects = readonly (PoolEffect | FsmEffect<PoolInput>)[];

/** The message upstream acks a creation with when its proxy died before answering. */
export const PROXY_INIT_FAILED = "ContainerProxy init failed.";

/** No state change besides `state`, with `effects`. */
export const stay = (state: PoolState, effects: ReadonlyEffects = []): PoolTransitionStep => ({
  next: state,
  effects,
});
