/**
 * The bus's small failure hierarchy, in the way of Temporal's `ApplicationFailure` with a
 * `retryable` flag. Adapters translate client errors (kafkajs) into these, so no client
 * error type escapes `runtime/bus/`. Mirrors the role of the exceptions OpenWhisk's
 * `KafkaProducerConnector` and `KafkaConsumerConnector` catch and retry on.
 *
 * @module
 */

/** Any failure of the message bus; `retryable` tells whether trying again may succeed. */
export class BusError extends Error {
  override name = "BusError";
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** The broker cannot be reached or did not answer in time; retryable. */
export class BusUnavailableError extends BusError {
  override name = "BusUnavailableError";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** The bus, a subscription or a bridge was used after `close()`. */
export class BusClosedError extends BusError {
  override name = "BusClosedError";
}

/** An ask got no reply within its timeout. */
export class AskTimeoutError extends BusError {
  override name = "AskTimeoutError";

  constructor(message: string) {
    super(message, { retryable: true });
  }
}
