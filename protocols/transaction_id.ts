/**
 * Transaction ids: the branded id string that tags logs, traces and Kafka headers,
 * and the transaction metadata (id, start, extra logging, parent) that travels in
 * every wire message as upstream's `transid`.
 *
 * Mirrors `common/scala/.../common/TransactionId.scala` (`TransactionMetadata`, the
 * `sid_` system ids, `childOf`, the JSON array form); differences: time is passed in
 * (no clock inside protocols), and the parent chain is capped at
 * {@link MAX_TRANSID_DEPTH} when decoding so hostile input cannot blow the stack.
 *
 * @module
 */

import { type At, child, fail, invalid, parseInput, root } from "./_decode.ts";

declare const transactionIdBrand: unique symbol;

/** A transaction id string (32 random alphanumerics, or a `sid_...` system id). */
export type TransactionId = string & { readonly [transactionIdBrand]: true };

/** Upstream's `TransactionMetadata`: who started the transaction, when, and its parent. */
export interface TransactionMetadata {
  /** The id, as logged and sent in the `tid` header. */
  readonly id: TransactionId;
  /** Epoch milliseconds when the transaction started (used for scheduling-age checks). */
  readonly start: number;
  /** Whether extra logging is on for this transaction. */
  readonly extraLogging: boolean;
  /** The enclosing transaction, for child transactions. */
  readonly parent?: TransactionMetadata;
}

/**
 * Wire form of a transid: `[id, start]`, `[id, start, true]`, `[id, start, parent]`
 * or `[id, start, extraLogging, parent]`.
 */
export type TransidJson =
  | readonly [string, number]
  | readonly [string, number, boolean]
  | readonly [string, number, TransidJson]
  | readonly [string, number, boolean, TransidJson];

/** Prefix of system transaction ids. */
export const SYSTEM_PREFIX = "sid_";

/** Brands a string as a transaction id (no validation: any non-empty string is accepted upstream). */
export function transactionId(id: string): TransactionId {
  return id as TransactionId;
}

/** System id: unknown origin. */
export const sid_unknown: TransactionId = transactionId("sid_unknown");
/** System id: unit tests. */
export const sid_testing: TransactionId = transactionId("sid_testing");
/** System id: invoker startup and shutdown. */
export const sid_invoker: TransactionId = transactionId("sid_invoker");
/** System id: the invoker health manager. */
export const sid_invokerHealthManager: TransactionId = transactionId("sid_invokerHealthManager");
/** System id: invoker health test activations. */
export const sid_invokerHealthActivation: TransactionId = transactionId(
  "sid_invokerHealthActivation",
);
/** System id: invoker warm-up (prewarm containers, scheduler warm-up). */
export const sid_invokerWarmup: TransactionId = transactionId("sid_invokerWarmup");
/** System id: invoker cold starts. */
export const sid_invokerColdstart: TransactionId = transactionId("sid_invokerColdstart");
/** System id: invoker supervision of health. */
export const sid_invokerHealth: TransactionId = transactionId("sid_invokerHealth");
/** System id: Kafka message dispatch. */
export const sid_dispatcher: TransactionId = transactionId("sid_dispatcher");
/** System id: the pool balancer. */
export const sid_loadbalancer: TransactionId = transactionId("sid_loadbalancer");
/** System id: controller startup. */
export const sid_controller: TransactionId = transactionId("sid_controller");
/** System id: the scheduler. */
export const sid_scheduler: TransactionId = transactionId("sid_scheduler");
/** System id: action health pings. */
export const sid_actionHealth: TransactionId = transactionId("sid_actionHealth");
/** System id: scheduler-initiated container creation. */
export const sid_containerCreation: TransactionId = transactionId("sid_containerCreation");
/** System id: scheduler-initiated container deletion. */
export const sid_containerDeletion: TransactionId = transactionId("sid_containerDeletion");
/** System id: warm-up messages. */
export const sid_warmUp: TransactionId = transactionId("sid_warmUp");

/** Whether `id` is a system id (`sid_` prefix). */
export function isSystemTransactionId(id: string): boolean {
  return id.startsWith(SYSTEM_PREFIX);
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Generates a fresh random id of 32 alphanumerics, as upstream does.
 *
 * @param random source of uniform numbers in [0, 1), injectable for tests
 * @returns a new transaction id
 * @example
 * ```ts
 * import { generateTransactionId } from "./mod.ts";
 * generateTransactionId().length; // 32
 * ```
 */
export function generateTransactionId(random: () => number = Math.random): TransactionId {
  let s = "";
  for (let i = 0; i < 32; i++) s += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
  return transactionId(s);
}

/**
 * Starts a transaction with a given id (a system id, or an incoming `X-Request-ID`).
 *
 * @param id the transaction id
 * @param now epoch milliseconds of the start
 * @param extraLogging whether to log extra detail
 */
export function startTransaction(
  id: TransactionId,
  now: number,
  extraLogging = false,
): TransactionMetadata {
  return { id, start: now, extraLogging };
}

/**
 * A child transaction of `parent`: a fresh id, started `now`, inheriting extra logging.
 *
 * @example
 * ```ts
 * import { childOf, sid_invokerWarmup, startTransaction } from "./mod.ts";
 * const child = childOf(startTransaction(sid_invokerWarmup, 1000), 1005);
 * child.parent?.id; // "sid_invokerWarmup"
 * ```
 */
export function childOf(
  parent: TransactionMetadata,
  now: number,
  id: TransactionId = generateTransactionId(),
): TransactionMetadata {
  return { id, start: now, extraLogging: parent.extraLogging, parent };
}

/** The root of a transaction's parent chain. */
export function rootOf(t: TransactionMetadata): TransactionMetadata {
  let cur = t;
  while (cur.parent !== undefined) cur = cur.parent;
  return cur;
}

/** Encodes upstream's array form (extra logging only when true, parent only when present). */
export function encodeTransid(t: TransactionMetadata): TransidJson {
  if (t.parent === undefined) return t.extraLogging ? [t.id, t.start, true] : [t.id, t.start];
  const parent = encodeTransid(t.parent);
  return t.extraLogging ? [t.id, t.start, true, parent] : [t.id, t.start, parent];
}

/** Longest parent chain a decoder accepts. */
export const MAX_TRANSID_DEPTH = 32;

/**
 * Decodes a transid at `at` inside a larger message.
 *
 * @throws {TypeError} when the value is not one of the four array forms
 */
export function decodeTransidAt(value: unknown, at: At, depth = 0): TransactionMetadata {
  if (!Array.isArray(value)) return fail(at, "an array [id, start, extraLogging?, parent?]", value);
  if (depth >= MAX_TRANSID_DEPTH) {
    return invalid(at, `nests more than ${MAX_TRANSID_DEPTH} parents`);
  }
  if (value.length < 2 || value.length > 4) {
    return invalid(at, `must have 2 to 4 elements, got ${value.length}`);
  }
  const [id, start, third, fourth] = value as unknown[];
  if (typeof id !== "string") return fail(child(at, 0), "a string", id);
  if (typeof start !== "number" || !Number.isSafeInteger(start)) {
    return fail(child(at, 1), "an integer (epoch ms)", start);
  }
  const base = { id: transactionId(id), start };
  if (value.length === 2) return { ...base, extraLogging: false };
  if (value.length === 3) {
    if (typeof third === "boolean") return { ...base, extraLogging: third };
    return {
      ...base,
      extraLogging: false,
      parent: decodeTransidAt(third, child(at, 2), depth + 1),
    };
  }
  if (typeof third !== "boolean") return fail(child(at, 2), "a boolean", third);
  return { ...base, extraLogging: third, parent: decodeTransidAt(fourth, child(at, 3), depth + 1) };
}

/**
 * Decodes a transid from its JSON text, bytes or parsed value.
 *
 * @example
 * ```ts
 * import { decodeTransid } from "./mod.ts";
 * decodeTransid('["abc",1700000000000]').start; // 1700000000000
 * ```
 */
export function decodeTransid(input: unknown): TransactionMetadata {
  return decodeTransidAt(parseInput("TransactionId", input), root("TransactionId"));
}
