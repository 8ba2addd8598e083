/**
 * Protocol of the ContainerManager's invoker selection: the candidates, the creation
 * requests, the placement result, and the closed set of container-creation error
 * names. Mirrors `core/scheduler/.../container/ContainerManager.scala` (`schedule`,
 * `ScheduledPair`, `InvokerHealth`) and `ContainerCreationError` of
 * `common/.../connector/Message.scala`.
 *
 * Differences from upstream:
 * - Every `ContainerCreationError` name is written and read by one canonical spelling
 *   (upstream misspells `NonExecutableActionError` in its parser and cannot parse
 *   `ShuttingDownError` at all, reference §9.1).
 * - A creation request carries the few action facts selection needs (memory, blackbox,
 *   resource tags and policy), read from the action's metadata by the caller.
 *
 * The wire messages (`ContainerCreationMessage`, the ack) live in `container.ts`; they
 * carry `ContainerCreationError` names from here.
 *
 * This file also holds the ContainerManager's actor protocol (upstream
 * `ContainerCreation`, `ContainerDeletion`, `ReschedulingCreationJob`,
 * `SuccessfulCreationJob`, `FailedCreationJob`, `GracefulShutdown`). Differences: a
 * rescheduled job carries its whole creation message (with the new `retryCount`) rather
 * than the message's fields one by one; the watch feed of invoker and warmed keys comes
 * in as internal messages, so the manager keeps a cache and never reads etcd per batch.
 *
 * @module
 */

import type { ContainerCreationMessage } from "./container.ts";
import type { FullyQualifiedEntityName } from "./entity_name.ts";
import type { DocRevision } from "./revision.ts";
import type { WatchEndpointInserted, WatchEndpointRemoved } from "./watcher.ts";
import type { WhiskActionMetaData } from "./whisk_action.ts";

// ---------------------------------------------------------------------------
// Container creation errors
// ---------------------------------------------------------------------------

/** Every container-creation error name, in upstream's order. */
export const CONTAINER_CREATION_ERRORS = [
  "NoAvailableInvokersError",
  "NoAvailableResourceInvokersError",
  "ResourceNotEnoughError",
  "WhiskError",
  "UnknownError",
  "TimeoutError",
  "ShuttingDownError",
  "NonExecutableActionError",
  "DBFetchError",
  "BlackBoxError",
  "ZeroNamespaceLimit",
  "TooManyConcurrentRequests",
  "InvalidActionLimitError",
] as const;

/** A container-creation error name (upstream `ContainerCreationError`). */
export type ContainerCreationError = typeof CONTAINER_CREATION_ERRORS[number];

const WHISK_ERRORS: ReadonlySet<ContainerCreationError> = new Set<ContainerCreationError>([
  "NoAvailableInvokersError",
  "NoAvailableResourceInvokersError",
  "ResourceNotEnoughError",
  "WhiskError",
  "UnknownError",
  "TimeoutError",
  "ShuttingDownError",
  "ZeroNamespaceLimit",
]);

const DEFAULT_MESSAGES: Readonly<Record<ContainerCreationError, string>> = {
  NoAvailableInvokersError: "no available invoker is found",
  NoAvailableResourceInvokersError: "no available invoker with the resources is found",
  ResourceNotEnoughError: "invoker(s) have not enough resources",
  WhiskError: "whisk error(recoverable) happens",
  UnknownError: "a unknown error happens",
  TimeoutError: "a timeout error happens",
  ShuttingDownError: "shutting down error happens",
  NonExecutableActionError: "no executable found for the action",
  DBFetchError: "an error happens while fetching data from DB",
  BlackBoxError: "a blackbox error happens",
  ZeroNamespaceLimit: "the namespace has 0 limit configured",
  TooManyConcurrentRequests: "too many concurrent requests are in flight.",
  InvalidActionLimitError: "a configured action limit is invalid.",
};

const BY_UPPER_NAME: ReadonlyMap<string, ContainerCreationError> = new Map(
  CONTAINER_CREATION_ERRORS.map((name) => [name.toUpperCase(), name]),
);

/**
 * Reads a container-creation error name. Matching ignores case, as upstream's parser
 * does, and every name in {@linkcode CONTAINER_CREATION_ERRORS} parses back to itself.
 *
 * @param name The name as found on the wire (the ack's `error` field).
 * @returns The canonical error name.
 * @throws {TypeError} When `name` is not a string or names no known error.
 *
 * @example
 * ```ts
 * import { parseCreationError } from "./container_manager.ts";
 * parseCreationError("SHUTTINGDOWNERROR"); // "ShuttingDownError"
 * ```
 */
export function parseCreationError(name: unknown): ContainerCreationError {
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot parse container creation error: expected a string, got ${typeof name}`,
    );
  }
  const found = BY_UPPER_NAME.get(name.toUpperCase());
  if (found === undefined) {
    throw new TypeError(`Cannot parse container creation error: unknown name "${name}"`);
  }
  return found;
}

/**
 * Whether an error is a "whisk error": recoverable, so creation is retried and the
 * queue keeps its activations (reference §6.4).
 */
export function isWhiskError(error: ContainerCreationError): boolean {
  return WHISK_ERRORS.has(error);
}

/** Upstream's default message for an error name. */
export function creationErrorMessage(error: ContainerCreationError): string {
  return DEFAULT_MESSAGES[error];
}

// ---------------------------------------------------------------------------
// Invoker selection: inputs
// ---------------------------------------------------------------------------

/** An invoker's health as written under `whisk/invokers/<id>` (upstream `InvokerState.asString`). */
export type InvokerCandidateStatus = "up" | "unhealthy" | "unresponsive" | "down";

/** One invoker as selection sees it (upstream `InvokerHealth` with its resource message). */
export interface InvokerCandidate {
  /** The invoker's instance number (`invoker<id>` topic). */
  readonly id: number;
  /** Only `"up"` invokers receive work. */
  readonly status: InvokerCandidateStatus;
  /** Memory still free for new containers, in MB. */
  readonly freeMemoryMb: number;
  /** Memory in use, in MB, when known. */
  readonly busyMemoryMb?: number;
  /** Resource tags (`whisk.invoker.resource.tags`); empty for an untagged invoker. */
  readonly tags: readonly string[];
  /** Namespaces this invoker serves exclusively; empty serves every namespace. */
  readonly dedicatedNamespaces: readonly string[];
}

/** One container to place (the selection-relevant part of a `ContainerCreationMessage`). */
export interface CreationRequest {
  /** The creation job id (32 hex characters). */
  readonly creationId: string;
  /** The namespace the activations run in. */
  readonly invocationNamespace: string;
  /** The fully qualified action name, for logs and failures. */
  readonly action: string;
  /** The action's memory limit, in MB. */
  readonly memoryMb: number;
  /** True for a blackbox (`exec.pull`) action: it goes to the blackbox partition. */
  readonly isBlackbox: boolean;
  /** The `invoker-resources` annotation; empty when the action has none. */
  readonly resourceTags: readonly string[];
  /** The `invoker-resources-strict-policy` annotation (default true). */
  readonly strictTags: boolean;
}

/**
 * Selection settings; the fraction names match `DEFAULTS.scheduling` of
 * `runtime/config.ts`.
 */
export interface InvokerSelectionConfig {
  /** Share of untagged invokers that run managed (non-blackbox) actions (0.9). */
  readonly managedFraction: number;
  /** Share of untagged invokers that run blackbox actions (0.1). */
  readonly blackboxFraction: number;
  /** An invoker left with less free memory than this is dropped from the batch (128 MB). */
  readonly minMemoryMb: number;
  /** Uniform random number in [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
}

// ---------------------------------------------------------------------------
// Invoker selection: outputs
// ---------------------------------------------------------------------------

/** The errors invoker selection itself can produce. */
export type SelectionError = Extract<
  ContainerCreationError,
  "NoAvailableInvokersError" | "NoAvailableResourceInvokersError"
>;

/** A request placed on an invoker (upstream `ScheduledPair` with an invoker). */
export interface Placement {
  readonly request: CreationRequest;
  readonly invokerId: number;
}

/** A request that could not be placed (upstream `ScheduledPair` with an error). */
export interface PlacementFailure {
  readonly request: CreationRequest;
  readonly error: SelectionError;
}

/** The outcome of placing one batch of requests. */
export interface SelectionResult {
  /** Placed requests, in request order. */
  readonly placed: readonly Placement[];
  /** Unplaced requests, in request order. */
  readonly failed: readonly PlacementFailure[];
  /** The candidates after every placement's memory was deducted (full invokers dropped). */
  readonly remaining: readonly InvokerCandidate[];
}

// ---------------------------------------------------------------------------
// ContainerManager actor protocol
// ---------------------------------------------------------------------------

/**
 * A queue asks for containers (upstream `ContainerCreation(msgs, memory, invNs)`).
 * Every message has a fresh `creationId`, `retryCount = 0`, and the scheduler's
 * endpoints.
 */
export interface ContainerCreation {
  readonly type: "ContainerCreation";
  readonly msgs: readonly ContainerCreationMessage[];
  /** The action's memory limit in MB (every message is for the same action). */
  readonly actionMemoryMb: number;
  readonly invocationNamespace: string;
}

/**
 * An outdated queue asks to remove the containers of its action up to `revision`
 * (upstream `ContainerDeletion(invNs, fqn, rev, meta)`).
 */
export interface ContainerDeletion {
  readonly type: "ContainerDeletion";
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  /** The old revision: containers of this revision or older are removed. */
  readonly revision: DocRevision;
  readonly whiskActionMetaData: WhiskActionMetaData;
}

/**
 * The CreationJobManager retries a failed creation (upstream
 * `ReschedulingCreationJob`): `msg` keeps its `creationId` and carries the new
 * `retryCount`.
 */
export interface ReschedulingCreationJob {
  readonly type: "ReschedulingCreationJob";
  readonly msg: ContainerCreationMessage;
}

/**
 * A container was created (upstream `SuccessfulCreationJob`). Sent by the
 * CreationJobManager to the leader queue (which drops `creationId` from its creations
 * in progress) and to the ContainerManager (which frees a warm reservation).
 */
export interface SuccessfulCreationJob {
  readonly type: "SuccessfulCreationJob";
  readonly creationId: string;
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
}

/**
 * A creation failed for good (upstream `FailedCreationJob`). Sent to the leader queue
 * (by the ContainerManager when no invoker can take it, by the CreationJobManager on a
 * final error or a timeout) and to the ContainerManager.
 */
export interface FailedCreationJob {
  readonly type: "FailedCreationJob";
  readonly creationId: string;
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly error: ContainerCreationError;
  /** A human-readable reason (the error's default message unless more is known). */
  readonly reason: string;
}

/** The outcome of one creation job, as queues receive it. */
export type CreationJobResult = SuccessfulCreationJob | FailedCreationJob;

/**
 * The scheduler is shutting down: the ContainerManager stops its watches and passes
 * this on to the CreationJobManager, which stops the ack feed.
 */
export interface ContainerManagerShutdown {
  readonly type: "GracefulShutdown";
}

/** Everything other actors may send the ContainerManager. */
export type ContainerManagerCommand =
  | ContainerCreation
  | ContainerDeletion
  | ReschedulingCreationJob
  | CreationJobResult
  | ContainerManagerShutdown;

/**
 * The invoker and warmed-container keys read once at start (and after a restart),
 * after the watches were established: the base the watch events apply to.
 */
export interface CacheLoaded {
  readonly type: "CacheLoaded";
  readonly invokers: readonly { readonly key: string; readonly value: string }[];
  readonly warmed: readonly string[];
}

/** The start-up read failed; the manager fails creations until a reload succeeds. */
export interface CacheLoadFailed {
  readonly type: "CacheLoadFailed";
  readonly error: string;
}

/**
 * The state timeout: in `Loading` (0 ms, so a fresh or restarted manager reads its
 * cache at once) and in `Unavailable` (read again after a failed load).
 */
export interface ContainerManagerStateTimeout {
  readonly type: "StateTimeout";
}

/**
 * The keys a deletion looked up (existing and warmed container keys of the action,
 * every revision) came back; `error` when the read failed.
 */
export interface DeletionKeysListed {
  readonly type: "DeletionKeysListed";
  readonly deletion: ContainerDeletion;
  readonly keys: readonly string[];
  readonly error?: string;
}

/**
 * The ContainerManager's own messages: the watch feed of `whisk/invokers/` and
 * `whisk/warmed/` (the Watcher's event types, so either a store watch or the shared
 * Watcher can feed it) and I/O results. Never handed out to other actors.
 */
export type ContainerManagerInternal =
  | WatchEndpointInserted
  | WatchEndpointRemoved
  | CacheLoaded
  | CacheLoadFailed
  | ContainerManagerStateTimeout
  | DeletionKeysListed;

/** Every message the ContainerManager handles. */
export type ContainerManagerMessage = ContainerManagerCommand | ContainerManagerInternal;
