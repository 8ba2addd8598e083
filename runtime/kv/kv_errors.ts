/**
 * The failures a {@link KeyValueStore} reports, whichever implementation serves it.
 * Mirrors the failure cases upstream's `core/etcd/EtcdClient.scala` callers handle
 * (`EtcdWorker` retries on unavailability and re-grants on "lease not found");
 * differences: no etcd3/gRPC error type escapes the adapter, callers branch on these
 * classes and on `retryable`.
 *
 * @module
 */

/** Options common to every key-value error. */
export interface KvErrorOptions {
  readonly cause?: unknown;
}

/** Base class of every key-value store failure. */
export class KvError extends Error {
  override readonly name: string = "KvError";
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean = false;

  constructor(message: string, options: KvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The store cannot be reached right now (connection refused, deadline, restart). */
export class KvUnavailableError extends KvError {
  override readonly name = "KvUnavailableError";
  override readonly retryable = true;
}

/** The lease does not exist any more (expired or revoked); grant a new one. */
export class LeaseLostError extends KvError {
  override readonly name = "LeaseLostError";
  /** The lease that is gone. */
  readonly leaseId: string;

  constructor(leaseId: string, options: KvErrorOptions = {}) {
    super(`Lease ${leaseId} is not found: it expired or was revoked`, options);
    this.leaseId = leaseId;
  }
}

/** The store was closed by its owner; no further call can succeed. */
export class KvClosedError extends KvError {
  override readonly name = "KvClosedError";

  constructor(options: KvErrorOptions = {}) {
    super("The key-value store is closed", options);
  }
}
