/**
 * What the dev console shows about the platform besides actors and traces: invokers,
 * queues and recent activations, as plain JSON views, and the `sources` interface a
 * composition root implements to feed them (from etcd, the scheduler's queues and the
 * activation store). Plays the role of upstream's admin/health endpoints
 * (`/invokers`, `/queue/total`, `activations list`), gathered on one page.
 *
 * @module
 */

/** An invoker's health, as upstream's `InvokerState.asString` writes it. */
export type InvokerHealth = "up" | "unhealthy" | "unresponsive" | "down";

/** One invoker as the console shows it. */
export interface InvokerView {
  /** The invoker's instance id, e.g. `invoker0`. */
  readonly id: string;
  readonly status: InvokerHealth;
  /** Memory, in MB, free for new containers. */
  readonly freeMemoryMb: number;
  /** Memory, in MB, held by warm containers. */
  readonly busyMemoryMb: number;
  /** Memory, in MB, reserved by containers being created. */
  readonly inProgressMemoryMb: number;
  /** Tags the invoker was started with (upstream `tags`). */
  readonly tags?: readonly string[];
}

/** One scheduler memory queue as the console shows it. */
export interface QueueView {
  /** The namespace activations run in. */
  readonly invocationNamespace: string;
  /** The action's fully qualified name, e.g. `guest/hello`. */
  readonly action: string;
  readonly revision: string;
  /** The queue FSM's state name (`Running`, `Idle`, `Flushing`, ...). */
  readonly state: string;
  /** Activations waiting in the queue. */
  readonly size: number;
  /** Containers existing for the action, and containers being created. */
  readonly containers: { readonly existing: number; readonly creating: number };
  /**
   * Activations handed to containers and not yet completed, when the queue reports it
   * (today's `QueueStatus` does not: the page shows a dash).
   */
  readonly inProgress?: number;
  /** The latest scheduling decision, in words (e.g. `AddContainer 2`), if any. */
  readonly lastDecision?: string;
  /** When that decision was taken (epoch ms). */
  readonly lastDecisionAt?: number;
}

/** Upstream's activation status words (`ActivationResponse.messageForCode`). */
export type ActivationStatus =
  | "success"
  | "application error"
  | "action developer error"
  | "whisk internal error";

/** One recent activation as the console shows it. */
export interface ActivationView {
  readonly activationId: string;
  /** `namespace/name` (with the package, if any). */
  readonly name: string;
  readonly status: ActivationStatus;
  /** Milliseconds the action ran. */
  readonly durationMs: number;
  /** Epoch ms when it started. */
  readonly start: number;
  /** True when it needed a new container (it has an `initTime` annotation). */
  readonly cold: boolean;
  /** The action's result (or error) JSON. */
  readonly result?: unknown;
  readonly logs: readonly string[];
  /** The transaction id it ran under, when known; the waterfall follows it. */
  readonly tid?: string;
  /**
   * Which path ran it: `lean` when its record carries the annotation
   * `{key: "balancer", value: "lean"}` (the LeanBalancer's), `fpc` otherwise.
   */
  readonly path?: ActivationPath;
}

/** The balancer path of an activation: the FPC scheduler or the lean in-process pool. */
export type ActivationPath = "fpc" | "lean";

/** A process of the cluster serving `/trace`, as etcd advertises it. */
export interface ProcessView {
  /** `controller0`, `scheduler1`, ... */
  readonly name: string;
  /** `controller`, `scheduler` or `invoker`. */
  readonly role: string;
  /** Its HTTP base address, e.g. `http://127.0.0.1:3233`. */
  readonly url: string;
}

/** Where the console's `/console/api/state` reads its views from. */
export interface ConsoleSources {
  invokers(): Promise<InvokerView[]>;
  queues(): Promise<QueueView[]>;
  /** The newest `limit` activations, newest first. */
  activations(limit: number): Promise<ActivationView[]>;
  /**
   * Every process of the cluster that serves `/trace` (this one included), for the
   * merged trace; absent when the process knows no cluster (then only its own trace).
   */
  processes?(): Promise<ProcessView[]>;
}

/** Sources that report nothing: for roles that have no invokers, queues or store. */
export const emptySources: ConsoleSources = {
  invokers: () => Promise.resolve([]),
  queues: () => Promise.resolve([]),
  activations: () => Promise.resolve([]),
};
