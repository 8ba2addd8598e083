/**
 * The completions actor's pure transition: one entry per accepted activation, from
 * `RegisterActivation` until its completion ack (or the forced completion), with the
 * blocking waiter answered on the result, on the end of its wait, or never twice.
 *
 * Mirrors the activation bookkeeping of `core/controller/.../loadBalancer/FPCPoolBalancer.scala`
 * (`setupActivation`, `processAcknowledgement`: a result resolves the waiter, a
 * completion frees the slot, the combined message does both; `processCompletion` with
 * the forced timeout of max(action timeout, 1 min) × 2 + 1 min); differences: the forced
 * completion stores a "whisk internal error" record (insert-if-absent: if the real record
 * is already there, it stays) so every accepted activation ends with a record, and a
 * failed store is retried with backoff ({@link RECORD_STORE_RETRY}) until the store
 * answers inserted or exists; an ack after the forced completion finds no entry and
 * changes nothing; a waiter still waiting at its completion is told the record is stored.
 *
 * @module
 */
import {
  ackActivationId,
  type AcknowledgementMessage,
  type WhiskActivation,
} from "../../protocols/mod.ts";
import type {
  CompletionsCommand,
  RegisterActivation,
  WaiterOutcome,
} from "../../protocols/completions.ts";
import type { FsmEffect, Ref, Step } from "../../runtime/actors/mod.ts";

/** One tracked activation. */
export interface CompletionEntry {
  readonly activationId: string;
  readonly namespace: string;
  readonly leaderKey: string;
  /** Epoch ms of the forced completion. */
  readonly forcedAt: number;
  readonly forcedRecord: WhiskActivation;
  /** The blocking waiter still waiting, and until when. */
  readonly waiter?: { readonly replyTo: Ref<WaiterOutcome>; readonly until: number };
}

/** A forced-completion record the store has not confirmed yet. */
export interface UnstoredRecord {
  readonly record: WhiskActivation;
  /** Store attempts made so far (the one in flight included). */
  readonly attempts: number;
}

/** The completions actor's state. */
export interface CompletionsState {
  readonly name: "Starting" | "Running";
  readonly entries: ReadonlyMap<string, CompletionEntry>;
  /** Forced-completion records being stored or waiting for their next attempt, by id. */
  readonly unstored: ReadonlyMap<string, UnstoredRecord>;
}

/**
 * How a failed store of a forced-completion record is retried: `attempts` in all, the
 * n-th retry after `min(maxDelayMs, baseDelayMs × 2^(n-1))` (1, 2, 4, ... 30 s: about
 * 2.5 minutes in all before giving up with an error log).
 */
export const RECORD_STORE_RETRY = { attempts: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 } as const;

/** Why an entry ended. */
export type SlotFreedReason = "Completed" | "Forced" | "Unregistered";

/** Messages the completions actor sends itself. */
export type CompletionsInternal =
  /** The entries and unstored records of the previous incarnation (none at first start). */
  | {
    readonly type: "Restored";
    readonly entries: readonly CompletionEntry[];
    readonly unstored?: readonly UnstoredRecord[];
  }
  /** The backoff after a failed store elapsed: store the record again. */
  | { readonly type: "RetryStoreRecord"; readonly activationId: string }
  | { readonly type: "WaitExpired"; readonly activationId: string }
  | { readonly type: "ForcedCompletion"; readonly activationId: string }
  | {
    readonly type: "RecordStored";
    readonly activationId: string;
    readonly outcome: "inserted" | "exists";
  }
  | { readonly type: "RecordStoreFailed"; readonly activationId: string; readonly error: unknown };

/** Everything the transition handles. */
export type CompletionsMsg = CompletionsCommand | CompletionsInternal;

/** The completions actor's own effects. */
export type CompletionsEffect =
  | { readonly type: "StoreRecord"; readonly record: WhiskActivation }
  | {
    readonly type: "SlotFreed";
    readonly entry: CompletionEntry;
    readonly reason: SlotFreedReason;
  }
  | {
    readonly type: "Log";
    readonly level: "debug" | "info" | "warn" | "error";
    readonly msg: string;
    readonly meta: Readonly<Record<string, unknown>>;
  };

type CStep = Step<CompletionsState, CompletionsMsg, CompletionsEffect>;
type Effect = FsmEffect<CompletionsMsg> | CompletionsEffect;

/** The state at spawn and after a restart: waits for `Restored`. */
export const initialCompletionsState: CompletionsState = {
  name: "Starting",
  entries: new Map(),
  unstored: new Map(),
};

const stay = (state: CompletionsState, ...effects: Effect[]): CStep => ({ next: state, effects });
const waitKey = (id: string) => `wait:${id}`;
const forcedKey = (id: string) => `forced:${id}`;
const storeKey = (id: string) => `store:${id}`;

function withEntry(state: CompletionsState, entry: CompletionEntry): CompletionsState {
  return { ...state, entries: new Map(state.entries).set(entry.activationId, entry) };
}

function without(state: CompletionsState, id: string): CompletionsState {
  const entries = new Map(state.entries);
  entries.delete(id);
  return { ...state, entries };
}

function answer(entry: CompletionEntry, outcome: WaiterOutcome): Effect[] {
  if (entry.waiter === undefined) return [];
  return [
    { type: "cancelTimer", key: waitKey(entry.activationId) },
    { type: "send", to: entry.waiter.replyTo, msg: outcome },
  ];
}

/** The pure transition of the completions actor. */
export function completionsTransition(
  state: CompletionsState,
  msg: CompletionsMsg,
  now: number,
): CStep {
  if (state.name === "Starting") {
    return msg.type === "Restored"
      ? restored(msg.entries, msg.unstored ?? [], now)
      : stay(state, { type: "stash" });
  }
  switch (msg.type) {
    case "Restored":
      return stay(state, { type: "unhandled" });
    case "RegisterActivation":
      return register(state, msg, now);
    case "UnregisterActivation":
      return end(state, msg.activationId, "Unregistered", {
        type: "Cancelled",
        activationId: msg.activationId,
      });
    case "AckReceived":
      return acknowledged(state, msg.ack);
    case "WaitExpired":
      return waitExpired(state, msg.activationId);
    case "ForcedCompletion":
      return forced(state, msg.activationId, now);
    case "RecordStored":
      return stay(withoutUnstored(state, msg.activationId), {
        type: "Log",
        level: msg.outcome === "exists" ? "info" : "debug",
        msg: msg.outcome === "exists"
          ? "forced completion found the activation's record already stored; kept it"
          : "forced completion stored a whisk internal error record",
        meta: { activationId: msg.activationId },
      });
    case "RecordStoreFailed":
      return storeFailed(state, msg.activationId, msg.error);
    case "RetryStoreRecord":
      return retryStore(state, msg.activationId);
    case "GetCompletionsStatus": {
      const waiting = [...state.entries.values()].filter((e) => e.waiter !== undefined).length;
      return stay(state, {
        type: "send",
        to: msg.replyTo,
        msg: { type: "CompletionsStatus", inFlight: state.entries.size, waiting },
      });
    }
  }
}

function timersOf(entry: CompletionEntry, now: number): Effect[] {
  const id = entry.activationId;
  const effects: Effect[] = [{
    type: "startTimer",
    key: forcedKey(id),
    msg: { type: "ForcedCompletion", activationId: id },
    ms: Math.max(0, entry.forcedAt - now),
  }];
  if (entry.waiter !== undefined) {
    effects.push({
      type: "startTimer",
      key: waitKey(id),
      msg: { type: "WaitExpired", activationId: id },
      ms: Math.max(0, entry.waiter.until - now),
    });
  }
  return effects;
}

function restored(
  entries: readonly CompletionEntry[],
  unstored: readonly UnstoredRecord[],
  now: number,
): CStep {
  const state: CompletionsState = {
    name: "Running",
    entries: new Map(entries.map((e) => [e.activationId, e])),
    unstored: new Map(unstored.map((u) => [u.record.activationId, u])),
  };
  // A store in flight when the actor crashed may never answer: try each one again now.
  const retries: Effect[] = unstored.map((u) => retryTimer(u.record.activationId, 0));
  const logs: Effect[] = entries.length === 0 ? [] : [{
    type: "Log",
    level: "warn",
    msg: "completions restarted; tracking the activations in flight again",
    meta: { inFlight: entries.length },
  }];
  return stay(
    state,
    ...logs,
    ...entries.flatMap((e) => timersOf(e, now)),
    ...retries,
    { type: "unstashAll" },
  );
}

function register(state: CompletionsState, msg: RegisterActivation, now: number): CStep {
  if (state.entries.has(msg.activationId)) {
    const meta = { activationId: msg.activationId };
    return stay(state, {
      type: "Log",
      level: "warn",
      msg: "activation registered twice; ignored",
      meta,
    });
  }
  const entry: CompletionEntry = {
    activationId: msg.activationId,
    namespace: msg.namespace,
    leaderKey: msg.leaderKey,
    forcedAt: now + msg.forcedAfterMs,
    forcedRecord: msg.forcedRecord,
    ...(msg.waiter === undefined
      ? {}
      : { waiter: { replyTo: msg.waiter.replyTo, until: now + msg.waiter.waitMs } }),
  };
  return stay(withEntry(state, entry), ...timersOf(entry, now));
}

function end(
  state: CompletionsState,
  activationId: string,
  reason: SlotFreedReason,
  outcome: WaiterOutcome,
  ...more: Effect[]
): CStep {
  const entry = state.entries.get(activationId);
  if (entry === undefined) return stay(state);
  return stay(
    without(state, activationId),
    { type: "cancelTimer", key: forcedKey(activationId) },
    ...answer(entry, outcome),
    ...more,
    { type: "SlotFreed", entry, reason },
  );
}

function acknowledged(state: CompletionsState, ack: AcknowledgementMessage): CStep {
  const activationId = ackActivationId(ack);
  const entry = state.entries.get(activationId);
  if (entry === undefined) {
    const meta = { activationId, ack: ack.type };
    return stay(state, {
      type: "Log",
      level: "debug",
      msg: "ack for an activation no longer tracked",
      meta,
    });
  }
  const stored: WaiterOutcome = { type: "ResultStored", activationId };
  const result: WaiterOutcome | undefined = ack.type === "CompletionMessage"
    ? undefined
    : typeof ack.response === "string"
    ? stored
    : { type: "ResultReady", activation: ack.response };
  if (ack.type === "ResultMessage") {
    const { waiter: _answered, ...rest } = entry;
    return stay(withEntry(state, rest), ...answer(entry, result ?? stored));
  }
  return end(state, activationId, "Completed", result ?? stored);
}

function waitExpired(state: CompletionsState, activationId: string): CStep {
  const entry = state.entries.get(activationId);
  if (entry?.waiter === undefined) return stay(state);
  const { waiter, ...rest } = entry;
  return stay(withEntry(state, rest), {
    type: "send",
    to: waiter.replyTo,
    msg: { type: "WaitExpired", activationId },
  });
}

function forced(state: CompletionsState, activationId: string, now: number): CStep {
  const entry = state.entries.get(activationId);
  if (entry === undefined) return stay(state);
  const start = entry.forcedRecord.start;
  const record: WhiskActivation = {
    ...entry.forcedRecord,
    end: now,
    duration: Math.max(0, now - start),
  };
  const unstored = new Map(state.unstored).set(activationId, { record, attempts: 1 });
  return end(
    { ...state, unstored },
    activationId,
    "Forced",
    { type: "ResultReady", activation: record },
    {
      type: "Log",
      level: "warn",
      msg: "no completion arrived in time; forcing completion",
      meta: { activationId, namespace: entry.namespace },
    },
    { type: "StoreRecord", record },
  );
}

function withoutUnstored(state: CompletionsState, id: string): CompletionsState {
  if (!state.unstored.has(id)) return state;
  const unstored = new Map(state.unstored);
  unstored.delete(id);
  return { ...state, unstored };
}

function retryTimer(activationId: string, ms: number): Effect {
  return {
    type: "startTimer",
    key: storeKey(activationId),
    msg: { type: "RetryStoreRecord", activationId },
    ms,
  };
}

/** The delay before the retry that follows attempt `attempts` (1-based). */
export function recordStoreBackoffMs(attempts: number): number {
  const { baseDelayMs, maxDelayMs } = RECORD_STORE_RETRY;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
}

/** A store failed: keep the record and retry after the backoff, or give up at the limit. */
function storeFailed(state: CompletionsState, activationId: string, error: unknown): CStep {
  const pending = state.unstored.get(activationId);
  if (pending === undefined) return stay(state); // answered already (a retry after a restart)
  const meta = { activationId, attempts: pending.attempts, error };
  if (pending.attempts >= RECORD_STORE_RETRY.attempts) {
    return stay(withoutUnstored(state, activationId), {
      type: "Log",
      level: "error",
      msg: "storing the forced-completion record failed; giving up",
      meta,
    });
  }
  const delayMs = recordStoreBackoffMs(pending.attempts);
  return stay(
    state,
    {
      type: "Log",
      level: "warn",
      msg: "storing the forced-completion record failed; retrying",
      meta: { ...meta, delayMs },
    },
    retryTimer(activationId, delayMs),
  );
}

function retryStore(state: CompletionsState, activationId: string): CStep {
  const pending = state.unstored.get(activationId);
  if (pending === undefined) return stay(state);
  const next = { record: pending.record, attempts: pending.attempts + 1 };
  return stay(
    { ...state, unstored: new Map(state.unstored).set(activationId, next) },
    { type: "StoreRecord", record: pending.record },
  );
}
