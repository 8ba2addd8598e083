/**
 * The Watcher: fans key-value watch events out to subscribers. The thin shell over
 * `watcher_fsm.ts`; mirrors upstream's `common/.../core/service/WatcherService.scala`
 * with one store watch per distinct watched key or prefix (reference §9.16).
 *
 * Supervision: `restart`. The subscriptions are remembered by the shell after every
 * change (the `remember` effect); a restarted incarnation closes the old store watches,
 * gets the remembered subscriptions back (`WatcherRestored`) and re-opens one watch per
 * key or prefix. Events between the crash and the re-opening are not replayed.
 *
 * @module
 */
import {
  type ActorContext,
  type Parent,
  type Ref,
  spawnFsm,
  type SupervisionPolicy,
  tell,
} from "../../runtime/actors/mod.ts";
import type { KeyValueStore, Watch, WatchEvent } from "../../runtime/kv/key_value_store.ts";
import type { WatchEndpoint, WatcherCommand } from "../../protocols/watcher.ts";
import {
  initialWatcherState,
  streamId,
  type WatcherEffect,
  type WatcherMsg,
  type WatcherState,
  watcherStateTimeout,
  watcherTransition,
} from "./watcher_fsm.ts";
import { createIncarnation } from "./incarnation.ts";

/** What the Watcher needs from outside. */
export interface WatcherDeps {
  readonly kv: KeyValueStore;
}

/** Options of {@link spawnWatcher}. */
export interface WatcherOptions {
  /** Actor name (default `watcher`). */
  readonly name?: string;
  /** Milliseconds before a store watch that failed to open is tried again (default 1000). */
  readonly retryIntervalMs?: number;
  /** Supervision policy (default `restart`). */
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns the Watcher under `parent`.
 *
 * @returns its ref, typed to the public protocol
 * @example
 * ```ts
 * import { startSystem, stopSystem, tell } from "../../runtime/actors/mod.ts";
 * import { MemoryKv } from "../../runtime/kv/memory_kv.ts";
 * import { silentLogger } from "../../runtime/log.ts";
 * import { spawnWatcher } from "./watcher.ts";
 * const kv = new MemoryKv();
 * const system = startSystem({ logger: silentLogger });
 * const watcher = spawnWatcher(system, { kv });
 * console.assert(watcher.path.endsWith("/watcher"));
 * await stopSystem(system);
 * await kv.close();
 * ```
 */
export function spawnWatcher(
  parent: Parent,
  deps: WatcherDeps,
  options: WatcherOptions = {},
): Ref<WatcherCommand> {
  const ref = spawnFsm<WatcherState, WatcherMsg, WatcherEffect>(parent, {
    name: options.name ?? "watcher",
    initialState: initialWatcherState,
    transition: watcherTransition(options.retryIntervalMs ?? 1_000),
    perform: watcherEffects(deps.kv),
    stateTimeout: watcherStateTimeout,
    supervision: options.supervision ?? "restart",
  });
  tell(ref, ref, { type: "Start" });
  return ref;
}

function toProtocolEvent(event: WatchEvent) {
  return event.type === "put" ? { type: "put" as const, key: event.key, value: event.value } : {
    type: "delete" as const,
    key: event.key,
    ...(event.prevValue === undefined ? {} : { prevValue: event.prevValue }),
  };
}

/** The interpreter of the store effects, with the open store watches and the memory. */
function watcherEffects(kv: KeyValueStore) {
  const incarnation = createIncarnation();
  const handles = new Map<string, Promise<Watch | undefined>>();
  let remembered: readonly WatchEndpoint[] = [];
  const close = (handle: string) => {
    const watch = handles.get(handle);
    handles.delete(handle);
    void watch?.then((w) => w?.close()).catch(() => {});
  };

  return (effect: WatcherEffect, ctx: ActorContext<WatcherMsg>) => {
    switch (effect.type) {
      case "openWatch": {
        const { key, isPrefix, generation } = effect;
        const handle = `${streamId(key, isPrefix)}#${generation}`;
        const onEvent = incarnation.guard((event: WatchEvent) =>
          ctx.tell(ctx.self, {
            type: "StoreWatchEvent",
            key,
            isPrefix,
            generation,
            event: toProtocolEvent(event),
          })
        );
        const opening = kv.watch(key, { prefix: isPrefix }, onEvent);
        handles.set(handle, opening.catch(() => undefined));
        return incarnation.piper(ctx)(
          opening,
          () => ({ type: "StoreWatchOpened", key, isPrefix, generation }),
          (error) => {
            ctx.logger.warn("store watch failed to open", { key, isPrefix, error });
            handles.delete(handle);
            return { type: "StoreWatchFailed", key, isPrefix, generation, error };
          },
        );
      }
      case "closeWatch":
        return close(`${streamId(effect.key, effect.isPrefix)}#${effect.generation}`);
      case "remember":
        remembered = effect.subscriptions;
        return;
      case "restore":
        incarnation.bump();
        for (const handle of [...handles.keys()]) close(handle);
        return ctx.tell(ctx.self, { type: "WatcherRestored", subscriptions: remembered });
    }
  };
}
