/**
 * The `ActivationClient` seam: how a container's ActivationClientProxy talks to the
 * ActivationService of the scheduler that holds its action's queue (fetch the next
 * activation, hand one back), and the few named errors every adapter maps its
 * failures to.
 *
 * Mirrors the gRPC `ActivationServiceClient` used by
 * `core/invoker/.../containerpool/v2/ActivationClientProxy.scala`; differences: JSON
 * over HTTP (or an in-process call in standalone) instead of gRPC, and the failure
 * kinds upstream reads from `StatusRuntimeException` / `ParsingException` /
 * `ClientClosedException` are our own error classes, each with `retryable`.
 *
 * @module
 */

import type {
  FetchRequest,
  FetchResponse,
  RescheduleRequest,
  RescheduleResponse,
} from "./activation_service.ts";
import type { SchedulerEndpoints } from "./health.ts";

/** One connection to one scheduler's ActivationService. */
export interface ActivationClient {
  /** The scheduler this client talks to. */
  readonly endpoint: SchedulerEndpoints;
  /**
   * Long-polls for the next activation (the service answers within about 1 s).
   *
   * @throws {ActivationClientClosedError} after `close()`
   * @throws {ActivationServiceUnavailableError} on a network failure or a 5xx
   * @throws {ActivationResponseParseError} when the answer does not decode
   * @throws {ActivationServiceRejectedError} on any other non-200 answer (e.g. 401)
   */
  fetch(request: FetchRequest): Promise<FetchResponse>;
  /** Hands an activation back to its queue; same errors as {@link fetch}. */
  reschedule(request: RescheduleRequest): Promise<RescheduleResponse>;
  /** Closes the connection; later calls throw {@link ActivationClientClosedError}. Idempotent. */
  close(): Promise<void>;
}

/** Options shared by the error classes below. */
export interface ActivationClientErrorOptions {
  readonly cause?: unknown;
}

/** The client was closed (upstream `ClientClosedException`): the proxy must close too. */
export class ActivationClientClosedError extends Error {
  override readonly name = "ActivationClientClosedError";
  /** Never worth retrying on this client. */
  readonly retryable = false;
  constructor(
    message = "the activation client is closed",
    options: ActivationClientErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * The service could not be reached or failed (a connection error, a 5xx; upstream's
 * `StatusRuntimeException`). `retryable` is false only when the host cannot be
 * resolved at all (upstream: "Unable to resolve host"), where a retry cannot help.
 */
export class ActivationServiceUnavailableError extends Error {
  override readonly name = "ActivationServiceUnavailableError";
  readonly retryable: boolean;
  constructor(
    message: string,
    options: ActivationClientErrorOptions & { retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? true;
  }
}

/** The service answered something that does not decode (upstream `ParsingException`). */
export class ActivationResponseParseError extends Error {
  override readonly name = "ActivationResponseParseError";
  /** The next poll may well decode. */
  readonly retryable = true;
  constructor(message: string, options: ActivationClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The service refused the call (4xx, e.g. 401 without the internal credential). */
export class ActivationServiceRejectedError extends Error {
  override readonly name = "ActivationServiceRejectedError";
  readonly retryable = false;
  /** The HTTP status. */
  readonly status: number;
  constructor(status: number, message: string, options: ActivationClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
  }
}

/** Every error an {@link ActivationClient} throws. */
export type ActivationClientError =
  | ActivationClientClosedError
  | ActivationServiceUnavailableError
  | ActivationResponseParseError
  | ActivationServiceRejectedError;
