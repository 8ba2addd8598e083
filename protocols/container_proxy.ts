/**
 * The classic ContainerProxy protocol (the push path of lean mode): what the
 * ContainerPool tells a proxy, what the proxy reports back, its state names and its
 * data. The proxy's private messages (`PreWarmCompleted`, `InitCompleted`,
 * `RunCompleted`, ...) live with its transition in `actors/invoker/container_proxy_fsm.ts`.
 *
 * Mirrors the header of `core/invoker/.../containerpool/ContainerProxy.scala` (received,
 * sent, states, data); differences:
 * - every event carries the proxy's own `Ref`, so the pool keys its maps without `sender`;
 * - `RescheduleJob` carries the jobs it hands back (upstream re-sends each `Run` to the
 *   parent separately), and an empty list when the pool only has to forget the proxy;
 * - `ContainerPaused` is also told to the pool (upstream keeps it internal), so the
 *   pool's snapshot can count paused containers;
 * - `ContainerRemoved` lists the jobs a crashed proxy held and its container, so the
 *   pool can destroy it and write their records (ARCHITECTURE, Supervision);
 * - `HealthPingEnabled` switches the liveness check of an idle prewarm (upstream: the
 *   TCP ping of the container's port; here: whether the runtime process still lives).
 *
 * @module
 */

import type { ActivationMessage } from "./activation.ts";
import type { Container } from "./container_runtime.ts";
import type { Ref } from "./ref.ts";
import type { DocRevision } from "./revision.ts";
import type { WhiskAction } from "./whisk_action.ts";

// ---- Received -------------------------------------------------------------------------

/** Create a prewarm ("stem cell") container of `kind` and `memoryMb`. */
export interface Start {
  readonly type: "Start";
  /** Runtime kind, e.g. `nodejs:20`. */
  readonly kind: string;
  readonly memoryMb: number;
}

/**
 * Run one activation of `action` (the full document, code included). Also what the
 * pool accepts from a balancer pushing work in-process.
 */
export interface Run {
  readonly type: "Run";
  readonly action: WhiskAction;
  readonly msg: ActivationMessage;
}

/** Remove the container (an unused prewarm, an evicted idle container). */
export interface Remove {
  readonly type: "Remove";
}

/** Switch the liveness check of an idle prewarm container on or off. */
export interface HealthPingEnabled {
  readonly type: "HealthPingEnabled";
  readonly enabled: boolean;
}

/** Everything a ContainerProxy accepts from its parent. */
export type ContainerProxyCommand = Start | Run | Remove | HealthPingEnabled;

// ---- Data -----------------------------------------------------------------------------------

/** No container and no action yet. */
export interface NoData {
  readonly type: "NoData";
}

/** Memory reserved for a container still being created (no action bound yet). */
export interface MemoryData {
  readonly type: "MemoryData";
  readonly memoryMb: number;
}

/** A ready stem cell: a started runtime with no code. */
export interface PreWarmedData {
  readonly type: "PreWarmedData";
  readonly container: Container;
  readonly kind: string;
  readonly memoryMb: number;
}

/** Fields of the data bound to an action. */
interface ActionBound {
  /** The invoking namespace (`msg.user.namespace.name`). */
  readonly invocationNamespace: string;
  readonly action: WhiskAction;
  /** The action's store revision (`msg.revision`). */
  readonly revision: DocRevision;
  /** Epoch ms of the last use (the pool evicts the oldest first). */
  readonly lastUsed: number;
}

/** A prewarm container being initialized with an action's code. */
export interface WarmingData extends ActionBound {
  readonly type: "WarmingData";
  readonly container: Container;
}

/** A cold start in progress: the container does not exist yet. */
export interface WarmingColdData extends ActionBound {
  readonly type: "WarmingColdData";
}

/** An initialized container. */
export interface WarmedData extends ActionBound {
  readonly type: "WarmedData";
  readonly container: Container;
  /** The run that woke the container from Ready or Paused, handed back if it cannot run. */
  readonly resumeRun?: Run;
}

/** Every data shape, tagged by `type`. */
export type ContainerData =
  | NoData
  | MemoryData
  | PreWarmedData
  | WarmingData
  | WarmingColdData
  | WarmedData;

// ---- Sent to the parent (the pool) --------------------------------------------------------------

/** The proxy ref every event carries. */
export type ContainerProxyRef = Ref<ContainerProxyCommand>;

/**
 * A prewarm is ready (`PreWarmedData`), or one run ended successfully and its slot is
 * free (`WarmedData`): the pool counts one activation less for this container.
 */
export interface NeedWork {
  readonly type: "NeedWork";
  readonly proxy: ContainerProxyRef;
  readonly data: PreWarmedData | WarmedData;
}

/** The container was paused after `pause-grace` without work. */
export interface ContainerPaused {
  readonly type: "ContainerPaused";
  readonly proxy: ContainerProxyRef;
  readonly data: WarmedData;
}

/** The container is going away; the pool forgets it and frees its memory. */
export interface ContainerRemoved {
  readonly type: "ContainerRemoved";
  readonly proxy: ContainerProxyRef;
  /** Whether the pool should backfill its prewarms. */
  readonly replacePrewarm: boolean;
  /** Set when the proxy crashed: the jobs it held, to end with whisk-error records. */
  readonly heldJobs?: readonly Run[];
  /** Set when the proxy crashed: the pool must destroy this container itself. */
  readonly crashedWith?: { readonly container?: Container; readonly error: string };
}

/**
 * The proxy is going away (a failed resume, an idle paused container, a removal) and
 * hands `jobs` back to be placed elsewhere; the pool forgets the proxy without
 * backfilling prewarms. A proxy already removing also uses it to return a late `Run`.
 */
export interface RescheduleJob {
  readonly type: "RescheduleJob";
  readonly proxy: ContainerProxyRef;
  readonly jobs: readonly Run[];
}

/** Everything a proxy sends to its parent. */
export type ContainerProxyEvent = NeedWork | ContainerPaused | ContainerRemoved | RescheduleJob;

// ---- States ------------------------------------------------------------------------------------

/** The proxy's states, upstream's names. */
export type ContainerProxyStateName =
  | "Uninitialized"
  | "Starting"
  | "Started"
  | "Running"
  | "Ready"
  | "Pausing"
  | "Paused"
  | "Removing";

/** Upstream `Messages.resourceProvisionError`. */
export const RESOURCE_PROVISION_ERROR = "Failed to provision resources to run the action.";
