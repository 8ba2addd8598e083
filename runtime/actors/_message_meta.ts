/**
 * Reads the `type`, transaction id and activation id of any message for traces and
 * logs, looking through the private timer-tick wrapper. Private to the actor kit.
 *
 * The transaction id is a plain `tid` string (kit tests, edges), or the `id` of a
 * `TransactionMetadata` held as `tid` or upstream's `transid`; the activation id is an
 * `activationId` string. Both are looked up on the message itself, then one level down
 * in the fields that carry an activation or an ack (`activation`, `msg`, `ack`,
 * `message`), so `PublishActivation`, the queue's `Activation` answer, the proxy's
 * `RunActivation` and the controller's `AckReceived` are traced under the transaction
 * of the activation they carry. The lookup is bounded: a fixed set of fields, one level.
 *
 * @module
 */
import { TimerTick } from "./timers.ts";

type Fields = Readonly<Record<string, unknown>>;

/** Fields of a message that carry an activation message or an ack. */
const CARRIERS = ["activation", "msg", "ack", "message"] as const;

function asObject(value: unknown): Fields | undefined {
  return typeof value === "object" && value !== null ? value as Fields : undefined;
}

function unwrap(msg: unknown): Fields | undefined {
  return asObject(msg instanceof TimerTick ? msg.msg : msg);
}

/** A transaction id as a string, from a string or a `TransactionMetadata` (`{id}`). */
function tidValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const id = asObject(value)?.id;
  return typeof id === "string" ? id : undefined;
}

function ownTid(fields: Fields): string | undefined {
  return tidValue(fields.tid) ?? tidValue(fields.transid);
}

function ownActivationId(fields: Fields): string | undefined {
  const id = fields.activationId;
  return typeof id === "string" ? id : undefined;
}

/** Applies `read` to the fields, then to each carrier field, until one answers. */
function lookUpIn(fields: Fields, read: (fields: Fields) => string | undefined) {
  const own = read(fields);
  if (own !== undefined) return own;
  for (const name of CARRIERS) {
    const inner = asObject(fields[name]);
    const found = inner === undefined ? undefined : read(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Applies `read` to the message, then to each carrier field, until one answers. */
function lookUp(msg: unknown, read: (fields: Fields) => string | undefined) {
  const fields = unwrap(msg);
  return fields === undefined ? undefined : lookUpIn(fields, read);
}

/** The message's `type` tag, when it has one. */
export function messageType(msg: unknown): string | undefined {
  const type = unwrap(msg)?.type;
  return typeof type === "string" ? type : undefined;
}

/** The message's transaction id (its own, or that of the activation it carries). */
export function messageTid(msg: unknown): string | undefined {
  return lookUp(msg, ownTid);
}

/** The id of the activation the message is about, when it names one. */
export function messageActivationId(msg: unknown): string | undefined {
  return lookUp(msg, ownActivationId);
}

/** What {@link messageMeta} reads. */
export interface MessageMeta {
  type?: string;
  tid?: string;
  activationId?: string;
}

/**
 * Adds the message's `type`, `tid` and `activationId` to `target` (absent ones left
 * out) and returns it: one object per trace event instead of a meta object spread into
 * it. `target` must be a fresh object the caller owns.
 */
export function addMessageMeta<T extends object>(target: T, msg: unknown): T & MessageMeta {
  const out = target as T & MessageMeta;
  const fields = unwrap(msg);
  if (fields === undefined) return out;
  const type = fields.type;
  if (typeof type === "string") out.type = type;
  const tid = lookUpIn(fields, ownTid);
  if (tid !== undefined) out.tid = tid;
  const activationId = lookUpIn(fields, ownActivationId);
  if (activationId !== undefined) out.activationId = activationId;
  return out;
}

/**
 * `{ type, tid, activationId }` with absent fields left out (for trace events and log
 * metadata).
 */
export function messageMeta(msg: unknown): MessageMeta {
  return addMessageMeta({}, msg);
}
