/**
 * Private helpers of `etcd_kv.ts`: the etcd3 fault-handling policies we install, and
 * the mapping of etcd3 events and errors to ours, so that no etcd3 type leaves the
 * adapter. Mirrors the error handling of upstream's `core/etcd/EtcdWorker.scala`
 * (unavailable → retry, "lease not found" → new lease).
 *
 * @module
 */
import {
  castGrpcError,
  ClientClosedError,
  EtcdLeaseInvalidError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  type IEvent,
  type IOptions,
  isRecoverableError,
} from "etcd3";
import type { LeaseId, WatchEvent } from "./key_value_store.ts";
import { KvClosedError, KvError, KvUnavailableError, LeaseLostError } from "./kv_errors.ts";

type FaultHandling = NonNullable<IOptions["faultHandling"]>;
type Policy = ReturnType<NonNullable<FaultHandling["host"]>>;
type Backoff = NonNullable<FaultHandling["watchBackoff"]>;

/** Runs each call once: retrying is the caller's decision, and no circuit breaker hides etcd. */
export const passThrough = {
  execute: (fn: (ctx: { signal: AbortSignal }) => unknown, signal?: AbortSignal) =>
    Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
  onSuccess: () => ({ dispose() {} }),
  onFailure: () => ({ dispose() {} }),
} as unknown as Policy;

/**
 * Watch reconnection delays: 100 ms doubling up to 2 s, or 0 while `idle()` holds (no
 * watch left), so the pointless reconnect timer etcd3 arms when the stream of the last
 * watch ends fires at once rather than outliving `close()`.
 */
export function watchBackoff(idle: () => boolean, ms = 100): Backoff {
  return {
    get duration() {
      return idle() ? 0 : ms;
    },
    next: () => watchBackoff(idle, Math.min(ms * 2, 2_000)),
  } as Backoff;
}

/** Rejects with `KvUnavailableError` when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KvUnavailableError(`${what} timed out (${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps an etcd3 watch event to ours. */
export function toWatchEvent(ev: IEvent): WatchEvent {
  const key = ev.kv.key.toString();
  const prev = ev.prev_kv ? { prevValue: ev.prev_kv.value.toString() } : {};
  return ev.type === "Delete"
    ? { type: "delete", key, ...prev }
    : { type: "put", key, value: ev.kv.value.toString(), ...prev };
}

/** Maps an etcd3 (gRPC) failure to our classes; ours and RangeErrors pass through. */
export function toKvError(raw: unknown, leaseId: LeaseId | undefined): Error {
  if (raw instanceof KvError || raw instanceof RangeError) return raw;
  const error = raw instanceof Error ? castGrpcError(raw) : raw;
  if (error instanceof EtcdLeaseInvalidError) {
    return new LeaseLostError(leaseId ?? "?", { cause: error });
  }
  if (error instanceof ClientClosedError) return new KvClosedError({ cause: error });
  const message = error instanceof Error ? error.message : String(error);
  const transient = error instanceof GRPCDeadlineExceededError ||
    error instanceof GRPCCancelledError ||
    (error instanceof Error && isRecoverableError(error));
  return transient
    ? new KvUnavailableError(`etcd is unavailable: ${message}`, { cause: error })
    : new KvError(`etcd call failed: ${message}`, { cause: error });
}
