/**
 * Redelivery of one record to a failing handler, shared by both bus implementations:
 * up to `maxAttempts` deliveries with a doubling backoff, then a give-up. Private to
 * `runtime/bus/`. Mirrors how OpenWhisk's `MessageFeed` holds a slot until the handler
 * reports `Processed`, except that a failure retries instead of being lost.
 *
 * @module
 */
import type { Clock } from "../actors/clock.ts";
import type { BusRecord, RecordHandler, RetryPolicy } from "./message_bus.ts";

/** How one record's delivery ended. */
export type DeliveryOutcome =
  | { readonly type: "Handled" }
  | { readonly type: "GaveUp"; readonly error: unknown; readonly attempts: number }
  | { readonly type: "Aborted" };

const MAX_BACKOFF_MS = 1000;

/** Backoff before delivery number `attempt + 1` (attempt counts from 1). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** (attempt - 1));
}

/**
 * Delivers `record` until the handler resolves, the policy is exhausted, or `aborted()`
 * turns true (the subscription closed; the record must then not be committed).
 */
export async function deliverWithRetry(
  record: BusRecord,
  handler: RecordHandler,
  policy: RetryPolicy,
  clock: Clock,
  aborted: () => boolean,
  onFailure: (error: unknown, attempt: number) => void,
): Promise<DeliveryOutcome> {
  const maxAttempts = Math.max(1, policy.maxAttempts);
  for (let attempt = 1;; attempt++) {
    if (aborted()) return { type: "Aborted" };
    try {
      await handler(record);
      return { type: "Handled" };
    } catch (error) {
      onFailure(error, attempt);
      if (attempt >= maxAttempts) return { type: "GaveUp", error, attempts: attempt };
      await new Promise<void>((resolve) => clock.setTimeout(resolve, backoffMs(policy, attempt)));
    }
  }
}
