/**
 * The pure transition of the Watcher. Mirrors upstream's
 * `common/.../core/service/WatcherService.scala`: subscribers identified by (watch key,
 * name) with exact or prefix matching and PUT and/or DELETE interest, notified with
 * `WatchEndpointInserted`/`WatchEndpointRemoved`, `UnwatchEndpoint` with optional
 * `WatcherClosed` feedback. Differences (reference §9.16): one store watch per distinct
 * (key, isPrefix), opened with its first subscriber and closed with its last, instead of
 * one watch over the whole keyspace scanned for every event; a store watch that fails
 * to open is retried after the retry interval; subscriptions are remembered outside the
 * state (the `remember` effect) so a restarted Watcher re-opens every watch.
 *
 * @module
 */
import type { FsmEffect, Step } from "../../runtime/actors/mod.ts";
import { send } from "../../runtime/actors/mod.ts";
import type {
  StoreWatchEvent,
  WatchEndpoint,
  WatcherCommand,
  WatcherInternal,
} from "../../protocols/watcher.ts";
import { assertNever } from "../../protocols/_assert_never.ts";

/** Every message the Watcher handles. */
export type WatcherMsg = WatcherCommand | WatcherInternal;

/** One store watch and the subscriptions it serves, by subscriber name. */
export interface Stream {
  readonly key: string;
  readonly isPrefix: boolean;
  /** Which opening of the store watch is current; events of other ones are stale. */
  readonly generation: number;
  readonly open: boolean;
  readonly subscribers: ReadonlyMap<string, WatchEndpoint>;
}

/** The states: waiting for the remembered subscriptions, then watching. */
export type WatcherState =
  | { readonly name: "Starting"; readonly restoring: boolean }
  | {
    readonly name: "Watching";
    readonly streams: ReadonlyMap<string, Stream>;
    readonly nextGeneration: number;
  };

/** The effects the shell performs with the key-value store. */
export type WatcherEffect =
  | {
    readonly type: "openWatch";
    readonly key: string;
    readonly isPrefix: boolean;
    readonly generation: number;
  }
  | {
    readonly type: "closeWatch";
    readonly key: string;
    readonly isPrefix: boolean;
    readonly generation: number;
  }
  /** Keep these subscriptions for the next incarnation. */
  | { readonly type: "remember"; readonly subscriptions: readonly WatchEndpoint[] }
  /** Close every store watch of earlier incarnations and send back the remembered list. */
  | { readonly type: "restore" };

type Effect = FsmEffect<WatcherMsg> | WatcherEffect;
type Out = Step<WatcherState, WatcherMsg, WatcherEffect>;
type Watching = Extract<WatcherState, { name: "Watching" }>;

/** The state at spawn and after a restart. */
export const initialWatcherState: WatcherState = { name: "Starting", restoring: false };

/** `Starting` times out at once: that is how a restarted incarnation starts. */
export function watcherStateTimeout(state: WatcherState): number | undefined {
  return state.name === "Starting" ? 0 : undefined;
}

/** The identity of a store watch. */
export function streamId(key: string, isPrefix: boolean): string {
  return `${isPrefix ? "prefix" : "key"}:${key}`;
}

/** The timer key of a store watch's reopening. */
export function reopenTimer(key: string, isPrefix: boolean): string {
  return `reopen:${streamId(key, isPrefix)}`;
}

/**
 * Builds the transition; `retryIntervalMs` spaces attempts to open a failed store watch.
 *
 * @example
 * ```ts
 * import { watcherTransition } from "./watcher_fsm.ts";
 * const transition = watcherTransition(1000);
 * const { next, effects } = transition(
 *   { name: "Watching", streams: new Map(), nextGeneration: 1 },
 *   { type: "UnwatchEndpoint", key: "k", isPrefix: false, name: "n", needFeedback: false },
 *   0,
 * );
 * console.assert(next.name === "Watching" && effects.length === 1); // remember
 * ```
 */
export function watcherTransition(retryIntervalMs: number) {
  return (state: WatcherState, msg: WatcherMsg, _now: number): Out => {
    switch (state.name) {
      case "Starting":
        return starting(state, msg);
      case "Watching":
        return watching(state, msg, retryIntervalMs);
      default:
        return assertNever(state, "Watcher state");
    }
  };
}

function starting(state: Extract<WatcherState, { name: "Starting" }>, msg: WatcherMsg): Out {
  switch (msg.type) {
    case "Start":
    case "StateTimeout":
      return state.restoring
        ? { next: state, effects: [] }
        : { next: { name: "Starting", restoring: true }, effects: [{ type: "restore" }] };
    case "WatcherRestored": {
      let next: Watching = { name: "Watching", streams: new Map(), nextGeneration: 1 };
      const effects: Effect[] = [];
      for (const sub of msg.subscriptions) {
        const step = subscribe(next, sub);
        next = step.next;
        effects.push(...step.effects);
      }
      return { next, effects: [...effects, { type: "unstashAll" }] };
    }
    case "WatchEndpoint":
    case "UnwatchEndpoint":
      return { next: state, effects: [{ type: "stash" }] };
    default: // results of an earlier incarnation
      return { next: state, effects: [] };
  }
}

function watching(state: Watching, msg: WatcherMsg, retryIntervalMs: number): Out {
  switch (msg.type) {
    case "WatchEndpoint":
      return remembering(subscribe(state, msg));
    case "UnwatchEndpoint":
      return remembering(unsubscribe(state, msg));
    case "StoreWatchEvent":
      return { next: state, effects: notify(state, msg) };
    case "StoreWatchOpened":
      return current(state, msg)
        ? { next: withStream(state, { ...current(state, msg)!, open: true }), effects: [] }
        : { next: state, effects: [] };
    case "StoreWatchFailed":
      return current(state, msg)
        ? {
          next: state,
          effects: [{
            type: "startTimer",
            key: reopenTimer(msg.key, msg.isPrefix),
            msg: { type: "ReopenStoreWatch", key: msg.key, isPrefix: msg.isPrefix },
            ms: retryIntervalMs,
          }],
        }
        : { next: state, effects: [] };
    case "ReopenStoreWatch": {
      const stream = state.streams.get(streamId(msg.key, msg.isPrefix));
      if (!stream) return { next: state, effects: [] };
      const generation = state.nextGeneration;
      return {
        next: withStream({ ...state, nextGeneration: generation + 1 }, {
          ...stream,
          generation,
          open: false,
        }),
        effects: [{ type: "openWatch", key: msg.key, isPrefix: msg.isPrefix, generation }],
      };
    }
    case "Start":
    case "StateTimeout":
    case "WatcherRestored":
      return { next: state, effects: [] };
    default:
      return assertNever(msg, "Watcher message");
  }
}

/** The stream `msg` belongs to, when `msg` is of its current generation. */
function current(
  state: Watching,
  msg: { key: string; isPrefix: boolean; generation: number },
): Stream | undefined {
  const stream = state.streams.get(streamId(msg.key, msg.isPrefix));
  return stream?.generation === msg.generation ? stream : undefined;
}

function withStream(state: Watching, stream: Stream): Watching {
  const streams = new Map(state.streams);
  streams.set(streamId(stream.key, stream.isPrefix), stream);
  return { ...state, streams };
}

function subscribe(state: Watching, msg: WatchEndpoint): { next: Watching; effects: Effect[] } {
  const existing = state.streams.get(streamId(msg.key, msg.isPrefix));
  const subscribers = new Map(existing?.subscribers);
  subscribers.set(msg.name, msg); // the same name again replaces it (upstream collapses)
  if (existing) return { next: withStream(state, { ...existing, subscribers }), effects: [] };
  const generation = state.nextGeneration;
  const stream: Stream = {
    key: msg.key,
    isPrefix: msg.isPrefix,
    generation,
    open: false,
    subscribers,
  };
  return {
    next: withStream({ ...state, nextGeneration: generation + 1 }, stream),
    effects: [{ type: "openWatch", key: msg.key, isPrefix: msg.isPrefix, generation }],
  };
}

function unsubscribe(
  state: Watching,
  msg: Extract<WatcherMsg, { type: "UnwatchEndpoint" }>,
): { next: Watching; effects: Effect[] } {
  const id = streamId(msg.key, msg.isPrefix);
  const existing = state.streams.get(id);
  const removed = existing?.subscribers.get(msg.name);
  const feedbackTo = msg.replyTo ?? removed?.replyTo;
  const feedback: Effect[] = msg.needFeedback && feedbackTo
    ? [send(feedbackTo, { type: "WatcherClosed", key: msg.key, isPrefix: msg.isPrefix })]
    : [];
  if (!existing || !removed) return { next: state, effects: feedback };
  const subscribers = new Map(existing.subscribers);
  subscribers.delete(msg.name);
  if (subscribers.size > 0) {
    return { next: withStream(state, { ...existing, subscribers }), effects: feedback };
  }
  const streams = new Map(state.streams);
  streams.delete(id);
  const { key, isPrefix, generation } = existing;
  return {
    next: { ...state, streams },
    effects: [
      { type: "closeWatch", key, isPrefix, generation },
      { type: "cancelTimer", key: reopenTimer(key, isPrefix) },
      ...feedback,
    ],
  };
}

/** Adds the `remember` effect with every subscription of the next state. */
function remembering(step: { next: Watching; effects: Effect[] }): Out {
  const subscriptions = [...step.next.streams.values()].flatMap((s) => [...s.subscribers.values()]);
  return { next: step.next, effects: [...step.effects, { type: "remember", subscriptions }] };
}

function notify(state: Watching, msg: StoreWatchEvent): Effect[] {
  const stream = current(state, msg);
  if (!stream) return [];
  const { event } = msg;
  const effects: Effect[] = [];
  for (const sub of stream.subscribers.values()) {
    if (event.type === "put" && sub.put) {
      effects.push(send(sub.replyTo, {
        type: "WatchEndpointInserted",
        watchKey: stream.key,
        key: event.key,
        value: event.value,
        isPrefix: stream.isPrefix,
      }));
    } else if (event.type === "delete" && sub.del) {
      effects.push(send(sub.replyTo, {
        type: "WatchEndpointRemoved",
        watchKey: stream.key,
        key: event.key,
        prevValue: event.prevValue ?? "",
        isPrefix: stream.isPrefix,
      }));
    }
  }
  return effects;
}
