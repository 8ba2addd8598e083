/**
 * Reads the `type` and `tid` of any message for traces and logs, looking through the
 * private timer-tick wrapper. Private to the actor kit.
 *
 * @module
 */
import { TimerTick } from "./timers.ts";

function field(msg: unknown, name: "type" | "tid"): string | undefined {
  const inner = msg instanceof TimerTick ? msg.msg : msg;
  if (typeof inner !== "object" || inner === null) return undefined;
  const value = (inner as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** The message's `type` tag, when it has one. */
export function messageType(msg: unknown): string | undefined {
  return field(msg, "type");
}

/** The message's transaction id, when it has one. */
export function messageTid(msg: unknown): string | undefined {
  return field(msg, "tid");
}

/** `{ type, tid }` with absent fields left out (for trace events and log metadata). */
export function messageMeta(msg: unknown): { type?: string; tid?: string } {
  const type = messageType(msg);
  const tid = messageTid(msg);
  return { ...(type === undefined ? {} : { type }), ...(tid === undefined ? {} : { tid }) };
}
