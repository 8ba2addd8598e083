/**
 * Error completion: the record and the acknowledgement the scheduler writes for an
 * activation it refuses, expires or cannot place, so that every accepted activation ends
 * with exactly one record (ARCHITECTURE "Entities and records"). Mirrors
 * `completeErrorActivation` of upstream `MemoryQueue.scala` and `QueueManager.scala`
 * (reference §4.1 "Error completion"); differences:
 * - The ack's `instance` is this scheduler's own `SchedulerInstanceId`, which our
 *   decoders read, instead of upstream's placeholder `InvokerInstanceId(0)` (§9.2).
 * - Without the action's metadata (the QueueManager's refusals) the record carries the
 *   `path` annotation only.
 *
 * @module
 */

import type {
  ActivationMessage,
  CombinedCompletionAndResultMessage,
  CompletionMessage,
} from "../../protocols/activation.ts";
import type { SchedulerInstanceId } from "../../protocols/instance_id.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import {
  errorResponse,
  type WhiskActivation,
  whiskErrorActivation,
} from "../../protocols/whisk_activation.ts";

/** How the scheduler ends an activation: developer (2) or whisk internal (3) error. */
export interface ErrorOutcome {
  readonly statusCode: 2 | 3;
  readonly message: string;
}

/** The record, its ack, and the activation they end. */
export interface ErrorCompletion {
  readonly activation: ActivationMessage;
  readonly record: WhiskActivation;
  readonly ack: CombinedCompletionAndResultMessage | CompletionMessage;
}

/**
 * Builds the fallback record of an activation the scheduler ends with the one
 * whisk-error builder, {@link whiskErrorActivation}: duration 0, the error as the
 * response, upstream's annotations (`waitTime`, `kind`, `timeout: false` and `limits`
 * when the metadata is known). A developer error (2) keeps that record with its own
 * status code (the builder always writes 3).
 *
 * @param msg the activation being ended
 * @param outcome its status code and error message
 * @param now the injected clock's time (start and end)
 * @param meta the action's metadata, when known
 *
 * @example
 * ```ts ignore
 * const record = errorActivation(msg, { statusCode: 3, message: "too old" }, clock.now());
 * ```
 */
export function errorActivation(
  msg: ActivationMessage,
  outcome: ErrorOutcome,
  now: number,
  meta?: WhiskActionMetaData,
): WhiskActivation {
  const record = whiskErrorActivation(msg, outcome.message, now, meta);
  return outcome.statusCode === 3
    ? record
    : { ...record, response: errorResponse(outcome.statusCode, outcome.message) };
}

/**
 * Builds the record and the ack (combined for a blocking activation, completion only
 * otherwise) for an activation the scheduler ends. A whisk error is a system error.
 */
export function errorCompletion(
  msg: ActivationMessage,
  outcome: ErrorOutcome,
  now: number,
  instance: SchedulerInstanceId,
  meta?: WhiskActionMetaData,
): ErrorCompletion {
  const record = errorActivation(msg, outcome, now, meta);
  const isSystemError = outcome.statusCode === 3;
  const ack = msg.blocking
    ? {
      type: "CombinedCompletionAndResultMessage" as const,
      transid: msg.transid,
      response: record,
      isSystemError,
      instance,
    }
    : {
      type: "CompletionMessage" as const,
      transid: msg.transid,
      activationId: msg.activationId,
      isSystemError,
      instance,
    };
  return { activation: msg, record, ack };
}
