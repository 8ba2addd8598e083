/**
 * Bridge interceptors that carry a transaction across processes: every outgoing
 * message gets the `tid` header (from its `transid`) and a W3C `traceparent` whose
 * trace id is derived from the tid, so the same activation has the same trace id in
 * every process; both directions are recorded on the process's tracer, so `/trace?tid=`
 * of each process shows its part and `deno task trace` merges them. Mirrors the role of
 * upstream's `TransactionId` propagation in `Message.serialize` plus its
 * OpenTracing `traceContext`; differences: the context travels in Kafka headers, not in
 * the message body.
 *
 * @module
 */
import type { Tracer } from "../../runtime/actors/mod.ts";
import type { InboundInterceptor, OutboundInterceptor } from "../../runtime/bus/mod.ts";

/** The transaction id of a wire message: its `transid.id`, or a `tid` field. */
export function tidOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { transid, tid } = message as { transid?: unknown; tid?: unknown };
  if (typeof transid === "object" && transid !== null) {
    const id = (transid as { id?: unknown }).id;
    if (typeof id === "string") return id;
  }
  return typeof tid === "string" ? tid : undefined;
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A W3C `traceparent` for transaction `tid`: version 00, a 32-hex trace id that is a
 * pure function of the tid, a fresh span id, sampled.
 *
 * @example
 * ```ts
 * import { traceparentFor } from "./wire_tracing.ts";
 * const a = traceparentFor("abc"), b = traceparentFor("abc");
 * console.assert(a.split("-")[1] === b.split("-")[1]);
 * console.assert(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(a));
 * ```
 */
export function traceparentFor(tid: string): string {
  const traceId = [0x811c9dc5, 0x01234567, 0x89abcdef, 0x0badc0de]
    .map((seed) => fnv1a(tid, seed)).join("");
  return `00-${traceId}-${randomHex(8)}-01`;
}

/** Interceptors for one process named `processName` (e.g. `scheduler0`). */
export function wireTracing(
  tracer: Tracer,
  processName: string,
  now: () => number = Date.now,
): { outbound: OutboundInterceptor; inbound: InboundInterceptor } {
  const outbound: OutboundInterceptor = (call, next) => {
    const tid = call.envelope.tid ?? tidOf(call.message);
    const envelope = tid === undefined ? call.envelope : {
      ...call.envelope,
      tid,
      traceparent: call.envelope.traceparent ?? traceparentFor(tid),
    };
    if (tracer.active) {
      tracer.emit({
        kind: "message",
        ts: now(),
        from: processName,
        to: `kafka:${call.topic}/${envelope.to}`,
        type: envelope.type,
        ...(tid === undefined ? {} : { tid }),
      });
    }
    return next({ ...call, envelope });
  };
  const inbound: InboundInterceptor = (call, next) => {
    if (tracer.active) {
      const tid = call.envelope.tid ?? tidOf(call.message);
      tracer.emit({
        kind: "message",
        ts: now(),
        from: "kafka",
        to: `${processName}/${call.envelope.to}`,
        type: call.envelope.type,
        ...(tid === undefined ? {} : { tid }),
      });
    }
    return next(call);
  };
  return { outbound, inbound };
}
