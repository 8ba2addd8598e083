/**
 * How the invoker ends one activation: the acknowledgement to the controller and the
 * activation record, where neither failure may skip the other. Every site that ends an
 * activation (a finished run, an activation the proxy refuses or cannot run, one a lost
 * container held) goes through {@link endActivation}.
 *
 * Mirrors the `sendActiveAck` / `storeActivation` pair of
 * `core/invoker/.../containerpool/v2/FunctionPullingContainerProxy.scala`; differences:
 * the store is always attempted, even when the ack fails; a retryable store error
 * (`StoreUnavailableError`, `retryable: true`) is retried a few times with a doubling
 * backoff on the injected clock; and on error paths the record is stored before the ack
 * is sent, so that a controller woken by the ack finds the record (ARCHITECTURE
 * "Entities and records": every accepted activation ends with exactly one record).
 *
 * @module
 */

import type { AcknowledgementMessage, ActivationMessage } from "../../protocols/activation.ts";
import type { ControllerInstanceId, InvokerInstanceId } from "../../protocols/instance_id.ts";
import type { WhiskActivation } from "../../protocols/whisk_activation.ts";
import type { Clock } from "../../runtime/actors/mod.ts";
import type { Logger } from "../../runtime/log.ts";
import { buildAck } from "./_activation_run.ts";

/** What ending an activation needs. */
export interface EndActivationDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly invoker: InvokerInstanceId;
  /** Insert-if-absent by activation id. */
  storeActivation(record: WhiskActivation): Promise<unknown>;
  /** Publishes to `completed<controller>`; absent when no controller waits for an ack. */
  sendAck?(controller: ControllerInstanceId, ack: AcknowledgementMessage): Promise<void>;
}

/** How often and how patiently a retryable store error is retried. */
export interface StoreRetry {
  /** Attempts in all, the first included (default 4). */
  readonly attempts: number;
  /** Wait before the second attempt, doubled after each failure (default 100 ms). */
  readonly firstDelayMs: number;
  /** Upper bound of one wait (default 2 s). */
  readonly maxDelayMs: number;
}

/** The default retry of a retryable store error: 100, 200, 400 ms (four attempts). */
export const STORE_RETRY: StoreRetry = { attempts: 4, firstDelayMs: 100, maxDelayMs: 2_000 };

/** Options of {@link endActivation}. */
export interface EndActivationOptions {
  /**
   * `ackFirst` on a normal end (the blocking caller gets its result before the logs are
   * read); `storeFirst` (default) on error paths.
   */
  readonly order?: "ackFirst" | "storeFirst";
  /** Completes the record between the ack and the store (the logs); a throw keeps it as is. */
  readonly complete?: (record: WhiskActivation) => Promise<WhiskActivation>;
  readonly retry?: StoreRetry;
}

/** What happened: whether the ack went out and the record is stored (or was already). */
export interface EndActivationResult {
  readonly acked: boolean;
  readonly stored: boolean;
  /** The record as stored (completed). */
  readonly record: WhiskActivation;
}

function isRetryable(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { retryable?: unknown }).retryable === true;
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Stores `record`, retrying a retryable error with a doubling backoff on `deps.clock`.
 *
 * @returns true once stored (or already stored), false when it gave up (logged)
 */
export async function storeWithRetry(
  deps: Pick<EndActivationDeps, "clock" | "logger" | "storeActivation">,
  record: WhiskActivation,
  retry: StoreRetry = STORE_RETRY,
): Promise<boolean> {
  let delay = retry.firstDelayMs;
  for (let attempt = 1;; attempt++) {
    try {
      await deps.storeActivation(record);
      return true;
    } catch (error) {
      const again = isRetryable(error) && attempt < retry.attempts;
      deps.logger[again ? "warn" : "error"]("failed to store an activation record", {
        activationId: record.activationId,
        attempt,
        retrying: again,
        error,
      });
      if (!again) return false;
      await sleep(deps.clock, delay);
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
  }
}

async function ack(
  deps: EndActivationDeps,
  msg: ActivationMessage,
  record: WhiskActivation,
): Promise<boolean> {
  if (!deps.sendAck) return false;
  try {
    await deps.sendAck(msg.rootControllerIndex, buildAck(msg, record, deps.invoker));
    return true;
  } catch (error) {
    deps.logger.error("failed to acknowledge an activation", {
      activationId: msg.activationId,
      error,
    });
    return false;
  }
}

async function completed(
  deps: EndActivationDeps,
  record: WhiskActivation,
  complete: EndActivationOptions["complete"],
): Promise<WhiskActivation> {
  if (!complete) return record;
  try {
    return await complete(record);
  } catch (error) {
    deps.logger.warn("could not complete an activation record", {
      activationId: record.activationId,
      error,
    });
    return record;
  }
}

/**
 * Ends `msg` with `record`: acks it and stores it (insert-if-absent), in the order
 * asked; never throws, and a failing ack never skips the store.
 *
 * @param deps clock, logger, invoker id, store and (optional) ack sender
 * @param msg the activation being ended (its controller receives the ack)
 * @param record its record
 * @param options order, record completion (logs), store retry
 * @returns whether the ack went out and the record is stored
 *
 * @example
 * ```ts ignore
 * await endActivation(deps, msg, whiskErrorActivation(msg, "abnormal run", now, action));
 * ```
 */
export async function endActivation(
  deps: EndActivationDeps,
  msg: ActivationMessage,
  record: WhiskActivation,
  options: EndActivationOptions = {},
): Promise<EndActivationResult> {
  const retry = options.retry ?? STORE_RETRY;
  if (options.order === "ackFirst") {
    const acked = await ack(deps, msg, record);
    const full = await completed(deps, record, options.complete);
    return { acked, stored: await storeWithRetry(deps, full, retry), record: full };
  }
  const full = await completed(deps, record, options.complete);
  const stored = await storeWithRetry(deps, full, retry);
  return { acked: await ack(deps, msg, full), stored, record: full };
}
