/**
 * The FunctionPullingContainerProxy protocol: what the pool (or the invoker health
 * manager, for its test action) tells a container proxy, what the proxy reports back
 * to that parent, what it tells the health manager, its state names and its data.
 *
 * Mirrors the header of `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`
 * (received, sent, states, data); differences:
 * - every event carries the proxy's own `Ref`, so the pool keys its maps without `sender`;
 * - `Initialize` carries the action's store `revision` (upstream reads it from the
 *   document's `DocInfo`) and the `creationId` it answers;
 * - `ContainerRemoved` lists the activations the proxy still held and, after a crash,
 *   the container the pool must destroy (ARCHITECTURE, Supervision);
 * - `ContainerCreationFailed` carries a classified reason instead of a throwable.
 *
 * The data carries the container handle (`Container`) and the client's `Ref`, as
 * upstream's data does.
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { Container } from "./container_runtime.ts";
import type { ActivationMessage } from "./activation.ts";
import type { ActivationClientProxyCommand } from "./activation_client_proxy.ts";
import type { DocRevision } from "./revision.ts";
import type { TransactionMetadata } from "./transaction_id.ts";
import type { WhiskAction, WhiskActionMetaData } from "./whisk_action.ts";

// ---- Received -------------------------------------------------------------------------

/** Create a prewarm ("stem cell") container of `kind` and `memoryMb`. */
export interface Start {
  readonly type: "Start";
  /** Runtime kind, e.g. `nodejs:20`. */
  readonly kind: string;
  readonly memoryMb: number;
  /** Expire the prewarm after this many ms (reported in `PreWarmData.expiresAt`). */
  readonly ttlMs?: number;
}

/**
 * Serve `action` for `invocationNamespace` from the queue at `schedulerHost:rpcPort`:
 * a cold start from Uninitialized, a prewarm promotion from ContainerCreated, or a warm
 * reuse (resume) from Paused.
 */
export interface Initialize {
  readonly type: "Initialize";
  readonly invocationNamespace: string;
  /** The action (metadata is enough: the code is read per activation, cached). */
  readonly action: WhiskActionMetaData | WhiskAction;
  /** The store revision of the action (the queue's revision). */
  readonly revision: DocRevision;
  readonly schedulerHost: string;
  readonly rpcPort: number;
  readonly tid: TransactionMetadata;
  /** The `ContainerCreationMessage` this answers, when there is one. */
  readonly creationId?: string;
}

/** Remove the container (an unused prewarm, an evicted paused container). */
export interface Remove {
  readonly type: "Remove";
}

/**
 * Stop serving: delete the existing-container key first (so schedulers can provision a
 * replacement early), stop the client, finish running activations, then clean up.
 */
export interface GracefulShutdown {
  readonly type: "GracefulShutdown";
}

/**
 * Memory is short: pause at the next empty fetch instead of after the pause grace, so a
 * creation waiting for memory gets it within a long poll. A proxy that is not pulling
 * ignores it; an activation that arrives first cancels it. Ours, not upstream's: there a
 * full invoker waits out the pause grace, as only paused containers can be evicted.
 */
export interface PauseWhenIdle {
  readonly type: "PauseWhenIdle";
}

/** Everything a FunctionPullingContainerProxy accepts from its parent. */
export type FunctionPullingContainerProxyCommand =
  | Start
  | Initialize
  | Remove
  | GracefulShutdown
  | PauseWhenIdle;

// ---- Data -----------------------------------------------------------------------------------

/** The proxy ref every event carries. */
export type ProxyRef = Ref<FunctionPullingContainerProxyCommand>;

/** No container yet. */
export interface NonexistentData {
  readonly type: "NonexistentData";
}

/** A ready prewarm container. */
export interface PreWarmData {
  readonly type: "PreWarmData";
  readonly container: Container;
  readonly kind: string;
  readonly memoryMb: number;
  /** Epoch ms after which the pool may expire the prewarm. */
  readonly expiresAt?: number;
}

/** A container bound to an action, its client connected, not yet initialized. */
export interface InitializedData {
  readonly type: "InitializedData";
  readonly container: Container;
  readonly invocationNamespace: string;
  readonly action: WhiskActionMetaData | WhiskAction;
  readonly revision: DocRevision;
  readonly clientProxy: Ref<ActivationClientProxyCommand>;
}

/** An initialized container (running, pausing or paused). */
export interface WarmData {
  readonly type: "WarmData";
  readonly container: Container;
  readonly invocationNamespace: string;
  readonly action: WhiskActionMetaData | WhiskAction;
  readonly revision: DocRevision;
  /** Epoch ms of the last activation start (the pool evicts the oldest first). */
  readonly lastUsed: number;
  readonly clientProxy: Ref<ActivationClientProxyCommand>;
}

/** A container that died with an activation to hand back to the queue. */
export interface ReschedulingData {
  readonly type: "ReschedulingData";
  readonly container: Container;
  readonly invocationNamespace: string;
  readonly action: WhiskActionMetaData | WhiskAction;
  readonly revision: DocRevision;
  readonly clientProxy: Ref<ActivationClientProxyCommand>;
  /** The activation being handed back. */
  readonly resumeRun: ActivationMessage;
}

/** Every data shape, tagged by `type`. */
export type ProxyData =
  | NonexistentData
  | PreWarmData
  | InitializedData
  | WarmData
  | ReschedulingData;

// ---- Sent to the parent (the pool, or the health manager for its test proxy) -----------------

/** A prewarm container is ready. */
export interface ReadyToWork {
  readonly type: "ReadyToWork";
  readonly proxy: ProxyRef;
  readonly data: PreWarmData;
}

/** The container is bound and its client connected (success ack for `creationId`). */
export interface Initialized {
  readonly type: "Initialized";
  readonly proxy: ProxyRef;
  readonly data: InitializedData;
  readonly creationId?: string;
}

/** A paused container resumed for `Initialize` (success ack for `creationId`). */
export interface Resumed {
  readonly type: "Resumed";
  readonly proxy: ProxyRef;
  readonly data: WarmData;
  readonly creationId?: string;
}

/** A paused container could not resume; the pool retries the creation elsewhere. */
export interface ResumeFailed {
  readonly type: "ResumeFailed";
  readonly proxy: ProxyRef;
  readonly data: WarmData;
  readonly creationId?: string;
}

/** Why a container could not be created (the pool maps it to the ack's error). */
export type ContainerStartupFailure =
  /** Our runtime failed to start: `WhiskError`, retryable. */
  | "WhiskContainerStartupError"
  /** A blackbox image failed: `BlackBoxError`. */
  | "BlackboxStartupError"
  /** Anything else: `WhiskError` "resource provision error". */
  | "Unknown";

/** Cold start: the container could not be created. A `ContainerRemoved` follows. */
export interface ContainerCreationFailed {
  readonly type: "ContainerCreationFailed";
  readonly proxy: ProxyRef;
  readonly reason: ContainerStartupFailure;
  readonly message: string;
  readonly creationId?: string;
}

/**
 * What a container did between its start (or resume) and its pause: what the pool's
 * keep-alive policy learns cold and warm times and frequency from.
 */
export interface ContainerUsage {
  /** Activations finished since the container started or resumed. */
  readonly runs: number;
  /** The run that initialized the action (init plus run), ms; only after a start. */
  readonly coldRunMs?: number;
  /** Mean time of the other runs (no init), ms; absent when there were none. */
  readonly warmRunMs?: number;
}

/** The container is paused (its warmed key is written). */
export interface ContainerIsPaused {
  readonly type: "ContainerIsPaused";
  readonly proxy: ProxyRef;
  readonly data: WarmData;
  /** Runs since the container started or resumed (for the keep-alive policy). */
  readonly usage?: ContainerUsage;
}

/** The container is gone (or going); the proxy stops soon after. */
export interface ContainerRemoved {
  readonly type: "ContainerRemoved";
  readonly proxy: ProxyRef;
  /** Whether the pool should start a replacement prewarm. */
  readonly replacePrewarm: boolean;
  /** Activations accepted but not acknowledged: the pool writes their records. */
  readonly heldActivations: readonly ActivationMessage[];
  /** Set when the proxy crashed: the pool must destroy this container itself. */
  readonly crashedWith?: { readonly container?: Container; readonly error: string };
}

/** Everything a proxy sends to its parent. */
export type FunctionPullingContainerProxyEvent =
  | ReadyToWork
  | Initialized
  | Resumed
  | ResumeFailed
  | ContainerCreationFailed
  | ContainerIsPaused
  | ContainerRemoved;

// ---- Sent to the invoker health manager -------------------------------------------------------

/** One health sample: false on a whisk error, a client failure or a resume failure. */
export interface HealthMessage {
  readonly type: "HealthMessage";
  readonly ok: boolean;
}

// ---- States -----------------------------------------------------------------------------------

/** The proxy's states (upstream's `LeaseStart` was never used and is left out). */
export type FunctionPullingContainerProxyStateName =
  | "Uninitialized"
  | "CreatingContainer"
  | "ContainerCreated"
  | "CreatingClient"
  | "ClientCreated"
  | "Running"
  | "Rescheduling"
  | "Pausing"
  | "Paused"
  | "Removing";
