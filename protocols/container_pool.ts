/**
 * The classic ContainerPool protocol (the push path of lean mode): the `Run` a
 * balancer pushes in-process, the state query, the prewarm configuration, and the
 * pool's state names. The pool also receives every `ContainerProxyEvent` from its
 * proxies (see `container_proxy.ts`).
 *
 * Mirrors the messages of `core/invoker/.../containerpool/ContainerPool.scala` (`Run`,
 * `NeedWork`, `ContainerRemoved`, `RescheduleJob`) and `PrewarmingConfig`; differences:
 * `GetContainerPoolState` answers a small snapshot (counts and memory), and a prewarm
 * config has only its initial count (no reactive sizing, no expiry).
 *
 * @module
 */

import type { ContainerProxyEvent, Run } from "./container_proxy.ts";
import type { Ref } from "./ref.ts";

export type { Run } from "./container_proxy.ts";

/** Counts and memory of one of the pool's sets (memory in MB). */
export interface ContainerPoolSetSummary {
  readonly count: number;
  readonly memoryMb: number;
}

/** What {@link GetContainerPoolState} answers. Memory in MB. */
export interface ContainerPoolSnapshot {
  readonly type: "ContainerPoolSnapshot";
  readonly state: ContainerPoolStateName;
  readonly userMemoryMb: number;
  /** The host's usable memory last read, when known. */
  readonly hostUsableMb?: number;
  /** Free for a new container now, without evicting anything. */
  readonly freeMemoryMb: number;
  /** Containers bound to an action (starting, running, idle or paused). */
  readonly warm: ContainerPoolSetSummary;
  /** Of those, the ones with no activation in flight. */
  readonly idle: ContainerPoolSetSummary;
  /** Of those, the paused ones. */
  readonly paused: ContainerPoolSetSummary;
  readonly prewarmed: ContainerPoolSetSummary;
  readonly prewarmStarting: ContainerPoolSetSummary;
  /** Runs waiting for memory, oldest first. */
  readonly buffered: number;
}

/** Ask for a {@link ContainerPoolSnapshot}. */
export interface GetContainerPoolState {
  readonly type: "GetContainerPoolState";
  readonly replyTo: Ref<ContainerPoolSnapshot>;
}

/** Everything other actors may send the pool (its proxies send their events too). */
export type ContainerPoolCommand = Run | GetContainerPoolState | ContainerProxyEvent;

/** The pool's states: booting (stashing until its prewarms are asked for), running. */
export type ContainerPoolStateName = "Booting" | "Running";

/** One stem-cell configuration (upstream `PrewarmingConfig` without `reactive`). */
export interface ContainerPoolPrewarmConfig {
  /** Runtime kind, e.g. `nodejs:20`. */
  readonly kind: string;
  readonly memoryMb: number;
  /** How many ready or starting prewarms of this kind and memory to keep. */
  readonly initialCount: number;
}
