/**
 * Protocol of the Watcher, which fans key-value watch events out to subscribers.
 * Mirrors upstream's `common/.../core/service/WatcherService.scala` (`WatchEndpoint`,
 * `UnwatchEndpoint`, `WatchEndpointInserted`, `WatchEndpointRemoved`, `WatcherClosed`);
 * differences: one store watch per distinct watched key or prefix, shared by its
 * subscribers, instead of one watch over the whole keyspace (reference §9.16); the
 * subscriber's address and the feedback address travel in the messages (`replyTo`).
 *
 * Sections: received, sent, internal (STYLE practice 5).
 *
 * @module
 */
import type { Ref } from "./ref.ts";

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/**
 * Subscribes `replyTo` under `name` to changes of `key` (or of every key starting with
 * it when `isPrefix`): puts when `put`, deletions when `del`. A subscription is
 * identified by (key, isPrefix, name): registering it again replaces it.
 */
export interface WatchEndpoint {
  readonly type: "WatchEndpoint";
  readonly key: string;
  readonly isPrefix: boolean;
  readonly name: string;
  readonly put: boolean;
  readonly del: boolean;
  readonly replyTo: Ref<WatcherEvent>;
}

/**
 * Removes the subscription (key, isPrefix, name). With `needFeedback`, answers
 * {@link WatcherClosed} to `replyTo` (or, without one, to the subscriber), whether or
 * not the subscription existed.
 */
export interface UnwatchEndpoint {
  readonly type: "UnwatchEndpoint";
  readonly key: string;
  readonly isPrefix: boolean;
  readonly name: string;
  readonly needFeedback: boolean;
  readonly replyTo?: Ref<WatcherClosed>;
}

/** What the Watcher accepts. */
export type WatcherCommand = WatchEndpoint | UnwatchEndpoint;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** `key` (matched by the subscription `watchKey`) was put with `value`. */
export interface WatchEndpointInserted {
  readonly type: "WatchEndpointInserted";
  readonly watchKey: string;
  readonly key: string;
  readonly value: string;
  readonly isPrefix: boolean;
}

/** `key` (matched by the subscription `watchKey`) was deleted; it held `prevValue`. */
export interface WatchEndpointRemoved {
  readonly type: "WatchEndpointRemoved";
  readonly watchKey: string;
  readonly key: string;
  readonly prevValue: string;
  readonly isPrefix: boolean;
}

/** Feedback to {@link UnwatchEndpoint} with `needFeedback`. */
export interface WatcherClosed {
  readonly type: "WatcherClosed";
  readonly key: string;
  readonly isPrefix: boolean;
}

/** What subscribers receive. */
export type WatcherEvent = WatchEndpointInserted | WatchEndpointRemoved | WatcherClosed;

// ---------------------------------------------------------------------------
// Internal (told by the actor to itself; never handed out)
// ---------------------------------------------------------------------------

/** One change seen by the store watch `generation` of (key, isPrefix). */
export interface StoreWatchEvent {
  readonly type: "StoreWatchEvent";
  readonly key: string;
  readonly isPrefix: boolean;
  readonly generation: number;
  readonly event:
    | { readonly type: "put"; readonly key: string; readonly value: string }
    | { readonly type: "delete"; readonly key: string; readonly prevValue?: string };
}

/** The store watch `generation` of (key, isPrefix) is established. */
export interface StoreWatchOpened {
  readonly type: "StoreWatchOpened";
  readonly key: string;
  readonly isPrefix: boolean;
  readonly generation: number;
}

/** Opening the store watch `generation` of (key, isPrefix) failed. */
export interface StoreWatchFailed {
  readonly type: "StoreWatchFailed";
  readonly key: string;
  readonly isPrefix: boolean;
  readonly generation: number;
  readonly error: unknown;
}

/** Timer: try opening the store watch of (key, isPrefix) again. */
export interface ReopenStoreWatch {
  readonly type: "ReopenStoreWatch";
  readonly key: string;
  readonly isPrefix: boolean;
}

/** Subscriptions remembered across a restart, given back to the new incarnation. */
export interface WatcherRestored {
  readonly type: "WatcherRestored";
  readonly subscriptions: readonly WatchEndpoint[];
}

/** Sent to itself at spawn: restore the subscriptions and leave `Starting`. */
export interface WatcherStart {
  readonly type: "Start";
}

/** The `Starting` state timeout (0 ms): how a restarted incarnation starts. */
export interface WatcherStateTimeout {
  readonly type: "StateTimeout";
}

/** Messages the Watcher sends itself. */
export type WatcherInternal =
  | StoreWatchEvent
  | StoreWatchOpened
  | StoreWatchFailed
  | ReopenStoreWatch
  | WatcherRestored
  | WatcherStart
  | WatcherStateTimeout;
