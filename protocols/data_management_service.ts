/**
 * Protocol of DataManagementService, the single entry point for etcd writes that must
 * eventually succeed. Mirrors upstream's `common/.../core/service/DataManagementService.scala`
 * and `core/etcd/EtcdWorker.scala` (`ElectLeader`, `ElectionResult`, `RegisterData`,
 * `RegisterInitialData`, `InitialDataStorageResults`, `UnregisterData`,
 * `UpdateDataOnChange`, `FinishWork`); differences: the EtcdWorker is an effect of the
 * service rather than a pool of child actors, so `FinishWork` is the internal
 * `WorkDone` carrying the outcome; the election result is a plain boolean.
 *
 * Sections: received, sent, internal (STYLE practice 5).
 *
 * @module
 */
import type { Ref } from "./ref.ts";
import type { Lease, LeaseChanged } from "./lease_keep_alive.ts";
import type { WatcherEvent } from "./watcher.ts";

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** Create-only put of `key` under the process lease; answered with {@link ElectionResult}. */
export interface ElectLeader {
  readonly type: "ElectLeader";
  readonly key: string;
  readonly value: string;
  readonly replyTo: Ref<ElectionResult>;
}

/**
 * Put of `key` under the process lease. With `failoverEnabled` (the default), a
 * deletion of the key re-creates it with its last value.
 */
export interface RegisterData {
  readonly type: "RegisterData";
  readonly key: string;
  readonly value: string;
  readonly failoverEnabled?: boolean;
}

/**
 * Create-only put of `key` under the process lease; answered with
 * {@link InitialDataStorageResults} when `replyTo` is given.
 */
export interface RegisterInitialData {
  readonly type: "RegisterInitialData";
  readonly key: string;
  readonly value: string;
  readonly failoverEnabled?: boolean;
  readonly replyTo?: Ref<InitialDataStorageResults>;
}

/** Stops the failover watch of `key`, then deletes it. */
export interface UnregisterData {
  readonly type: "UnregisterData";
  readonly key: string;
}

/**
 * Puts `key` only when `value` differs from the last value written this way: the first
 * write with failover, later ones without (the watch already exists).
 */
export interface UpdateDataOnChange {
  readonly type: "UpdateDataOnChange";
  readonly key: string;
  readonly value: string;
}

/** What DataManagementService accepts from other actors. */
export type DataManagementCommand =
  | ElectLeader
  | RegisterData
  | RegisterInitialData
  | UnregisterData
  | UpdateDataOnChange;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** Whether the {@link ElectLeader} requester created `key` (is the leader). */
export interface ElectionResult {
  readonly type: "ElectionResult";
  readonly key: string;
  readonly leader: boolean;
}

/** Outcome of a {@link RegisterInitialData}: created, or the key existed already. */
export interface InitialDataStorageResults {
  readonly type: "InitialDataStorageResults";
  readonly key: string;
  readonly result: "Done" | "AlreadyExist";
}

/** What DataManagementService sends to requesters. */
export type DataManagementEvent = ElectionResult | InitialDataStorageResults;

// ---------------------------------------------------------------------------
// Internal
// ---------------------------------------------------------------------------

/** One etcd write, as the worker performs it. */
export type EtcdOperation =
  | {
    readonly kind: "elect";
    readonly key: string;
    readonly value: string;
    readonly replyTo: Ref<ElectionResult>;
  }
  | { readonly kind: "put"; readonly key: string; readonly value: string }
  | {
    readonly kind: "putInitial";
    readonly key: string;
    readonly value: string;
    readonly replyTo?: Ref<InitialDataStorageResults>;
  }
  | { readonly kind: "delete"; readonly key: string };

/** How an etcd write ended (upstream's worker replies plus its failure cases). */
export type EtcdOutcome =
  /** Done; `created` tells whether a create-only put created the key. */
  | { readonly type: "done"; readonly created: boolean }
  /** The lease named in the write is gone: drop it and ask for a new one. */
  | { readonly type: "leaseLost"; readonly leaseId: string }
  /** Any other failure: retry after the retry interval. */
  | { readonly type: "failed"; readonly error: unknown };

/** The worker finished the operation of `key` started as `attempt` (upstream's `FinishWork`). */
export interface WorkDone {
  readonly type: "WorkDone";
  readonly key: string;
  readonly attempt: number;
  readonly outcome: EtcdOutcome;
}

/** Timer: run the operation of `key` again. */
export interface RetryWork {
  readonly type: "RetryWork";
  readonly key: string;
}

/** Sent to itself at spawn (and delivered as the state timeout after a restart). */
export interface DataManagementStart {
  readonly type: "Start";
}

/** The `Starting` state timeout (0 ms): how a restarted incarnation starts. */
export interface DataManagementStateTimeout {
  readonly type: "StateTimeout";
}

/** Messages DataManagementService handles besides its commands. */
export type DataManagementInternal =
  | WorkDone
  | RetryWork
  | DataManagementStart
  | DataManagementStateTimeout
  | Lease
  | LeaseChanged
  | WatcherEvent;
