/**
 * The CreationJobManager's pure retry rules: whether a failed container creation is
 * rescheduled, after how long, and how long a creation job may wait for its ack.
 * Mirrors the ack handling of `core/scheduler/.../container/CreationJobManager.scala`
 * (reference `openwhisk-fpc.md` §2.3 steps 7 and 12, §4.8).
 *
 * Differences from upstream: every error name parses (see
 * `parseCreationError` in `protocols/container_manager.ts`), so an ack carrying
 * `NonExecutableActionError` fails at once and one carrying `ShuttingDownError` is
 * retried at once, instead of both waiting for the 20 s job timeout (reference §9.1).
 *
 * @module
 */

import { type ContainerCreationError, isWhiskError } from "../../protocols/container_manager.ts";

/** Retry limits (upstream hard-codes 5 retries and a 100 ms backoff base). */
export interface CreationRetryPolicy {
  /** A job that already failed this many times is not retried again (5). */
  readonly retryLimit: number;
  /** The first retry's delay; each later one doubles it (100 ms). */
  readonly baseDelayMs: number;
}

/** Upstream's retry policy: 5 retries after 100, 200, 400, 800 and 1600 ms. */
export const DEFAULT_CREATION_RETRY_POLICY: CreationRetryPolicy = {
  retryLimit: 5,
  baseDelayMs: 100,
};

/** What to do with a failed creation ack. */
export type CreationRetryDecision =
  /** Reschedule the same `creationId` after `delayMs`, as attempt `retryCount`. */
  | { readonly type: "retry"; readonly delayMs: number; readonly retryCount: number }
  /** Give up: fail the job and tell the queue. */
  | { readonly type: "fail"; readonly reason: "notRetryable" | "retryLimitReached" };

/**
 * Decides whether a failed creation is retried (upstream: a whisk error with
 * `retryCount < 5` waits `2^retryCount × 100 ms`, then reschedules with
 * `retryCount + 1`; anything else fails).
 *
 * @param retryCount The failed attempt's `retryCount` (0 for the first creation).
 * @param error The error the ack carried.
 * @param policy Retry limit and backoff base.
 * @throws {RangeError} When `retryCount` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { creationRetry } from "./creation_retry.ts";
 * creationRetry(2, "ResourceNotEnoughError"); // { type: "retry", delayMs: 400, retryCount: 3 }
 * creationRetry(0, "BlackBoxError"); // { type: "fail", reason: "notRetryable" }
 * ```
 */
export function creationRetry(
  retryCount: number,
  error: ContainerCreationError,
  policy: CreationRetryPolicy = DEFAULT_CREATION_RETRY_POLICY,
): CreationRetryDecision {
  if (!Number.isSafeInteger(retryCount) || retryCount < 0) {
    throw new RangeError(`Invalid retry count: expected a non-negative integer, got ${retryCount}`);
  }
  if (!isWhiskError(error)) return { type: "fail", reason: "notRetryable" };
  if (retryCount >= policy.retryLimit) return { type: "fail", reason: "retryLimitReached" };
  return {
    type: "retry",
    delayMs: 2 ** retryCount * policy.baseDelayMs,
    retryCount: retryCount + 1,
  };
}

/** Job-timeout settings; the names match `DEFAULTS.scheduling` of `runtime/config.ts`. */
export interface CreationTimeoutConfig {
  /** How long a creation job waits for its ack (20 s). */
  readonly inProgressJobRetentionMs: number;
  /** Multiplier for blackbox actions, whose images may need pulling (15). */
  readonly blackboxMultiple: number;
}

/**
 * How long a creation job waits for its ack before it fails with `TimeoutError`
 * (20 s, or 300 s for a blackbox action). The timer is not restarted by retries, so
 * every retry of one job shares this budget, as upstream.
 */
export function creationJobTimeoutMs(isBlackbox: boolean, config: CreationTimeoutConfig): number {
  return isBlackbox
    ? config.inProgressJobRetentionMs * config.blackboxMultiple
    : config.inProgressJobRetentionMs;
}

/** The reason a timed-out job reports (upstream's wording, with milliseconds). */
export function creationTimeoutReason(
  action: string,
  creationId: string,
  timeoutMs: number,
): string {
  return `[${action}] timeout waiting for the ack of ${creationId} after ${timeoutMs} ms`;
}
