/**
 * The ContainerManager's shell: runs {@link containerManagerTransition} under
 * `spawnFsm`, watches `whisk/invokers/` and `whisk/warmed/` in the key-value store
 * (watch first, then one read, so no change falls between them), and performs the
 * effects through `deps`. Mirrors `core/scheduler/.../container/ContainerManager.scala`
 * (the actor); differences are listed in `container_manager_fsm.ts`, and the
 * CreationJobManager is its sibling under the scheduler's root (upstream: its child),
 * handed in as `deps.jobManager`.
 *
 * Supervision: restart (ARCHITECTURE): a restarted manager is back in `Loading` and
 * rebuilds its cache from etcd; the watches stay open across restarts. Its sibling
 * CreationJobManager is untouched by the restart (a child would be stopped with it),
 * so the jobs in flight and the ack feed keep working.
 *
 * @module
 */

import {
  type Parent,
  type Ref,
  spawnFsm,
  type SupervisionPolicy,
  tell,
} from "../../runtime/actors/mod.ts";
import type { KeyValueStore, Watch, WatchEvent } from "../../runtime/kv/key_value_store.ts";
import type { InvokerMessage } from "../../protocols/container.ts";
import type {
  ContainerDeletion,
  ContainerManagerCommand,
  ContainerManagerMessage,
  CreationJobResult,
} from "../../protocols/container_manager.ts";
import type { CreationJobManagerCommand } from "../../protocols/creation_job_manager.ts";
import {
  existingContainerActionPrefix,
  invokersPrefix,
  warmedContainerActionPrefix,
  warmedPrefix,
} from "../../protocols/etcd_keys.ts";
import {
  type ContainerManagerConfig,
  type ContainerManagerEffect,
  type ContainerManagerState,
  containerManagerStateTimeout,
  containerManagerTransition,
  INITIAL_CONTAINER_MANAGER_STATE,
} from "./container_manager_fsm.ts";

/** What the ContainerManager needs from the world. */
export interface ContainerManagerDeps {
  /** Watches the invoker and warmed prefixes; reads container keys for deletions. */
  readonly kv: Pick<KeyValueStore, "getPrefix" | "watch">;
  /** Publishes a creation or deletion message on `invoker<invokerId>` (the bus). */
  sendToInvoker(invokerId: number, msg: InvokerMessage): void;
  /** Tells the leader queue of the job's action (through the QueueManager's pool). */
  sendToQueue(msg: CreationJobResult): void;
  /** The CreationJobManager (a sibling): placed jobs are registered with it. */
  readonly jobManager: Ref<CreationJobManagerCommand>;
}

/** Options of {@link spawnContainerManager}. */
export interface ContainerManagerOptions extends ContainerManagerConfig {
  /** The actor name (`container-manager`). */
  readonly name?: string;
  readonly supervision?: SupervisionPolicy;
}

/**
 * Spawns the ContainerManager.
 *
 * @returns its ref, typed to its public commands
 */
export function spawnContainerManager(
  parent: Parent,
  deps: ContainerManagerDeps,
  options: ContainerManagerOptions,
): Ref<ContainerManagerCommand> {
  let watches: Promise<Watch[]> | undefined;
  const cluster = options.cluster;

  const ref: Ref<ContainerManagerMessage> = spawnFsm<
    ContainerManagerState,
    ContainerManagerMessage,
    ContainerManagerEffect
  >(parent, {
    name: options.name ?? "container-manager",
    initialState: INITIAL_CONTAINER_MANAGER_STATE,
    transition: containerManagerTransition(options),
    stateTimeout: containerManagerStateTimeout(options),
    supervision: options.supervision ?? "restart",
    perform: (effect, ctx) => {
      switch (effect.type) {
        case "sendToInvoker":
          return deps.sendToInvoker(effect.invokerId, effect.msg);
        case "toQueue":
          return deps.sendToQueue(effect.msg);
        case "toJobManager":
          return ctx.tell(deps.jobManager, effect.msg);
        case "loadCache":
          return ctx.pipeToSelf(
            loadCache(),
            (loaded) => loaded,
            (error) => {
              watches = undefined; // open them again on the next attempt
              return { type: "CacheLoadFailed", error: describe(error) };
            },
          );
        case "listDeletionKeys":
          return ctx.pipeToSelf(
            listDeletionKeys(effect.deletion),
            (keys) => ({ type: "DeletionKeysListed", deletion: effect.deletion, keys }),
            (error) => ({
              type: "DeletionKeysListed",
              deletion: effect.deletion,
              keys: [],
              error: describe(error),
            }),
          );
        case "closeWatches": {
          const open = watches;
          watches = undefined;
          void open?.then((ws) => Promise.all(ws.map((w) => w.close()))).catch(() => {});
          return;
        }
        case "log":
          return ctx.logger.log(effect.level, effect.msg, effect.meta);
      }
    },
  });

  const onEvent = (event: WatchEvent) =>
    tell(
      ref,
      ref,
      event.type === "put"
        ? {
          type: "WatchEndpointInserted",
          watchKey: event.key,
          key: event.key,
          value: event.value,
          isPrefix: true,
        }
        : {
          type: "WatchEndpointRemoved",
          watchKey: event.key,
          key: event.key,
          prevValue: event.prevValue ?? "",
          isPrefix: true,
        },
    );

  const openWatches = () =>
    Promise.all([
      deps.kv.watch(invokersPrefix(cluster), { prefix: true }, onEvent),
      deps.kv.watch(warmedPrefix(cluster), { prefix: true }, onEvent),
    ]);

  const loadCache = async () => {
    watches ??= openWatches();
    await watches;
    const [invokers, warmed] = await Promise.all([
      deps.kv.getPrefix(invokersPrefix(cluster)),
      deps.kv.getPrefix(warmedPrefix(cluster)),
    ]);
    return { type: "CacheLoaded" as const, invokers, warmed: warmed.map((kv) => kv.key) };
  };

  const listDeletionKeys = async (d: ContainerDeletion) => {
    const lists = await Promise.all([
      deps.kv.getPrefix(existingContainerActionPrefix(d.invocationNamespace, d.action, cluster)),
      deps.kv.getPrefix(warmedContainerActionPrefix(d.invocationNamespace, d.action, cluster)),
    ]);
    return lists.flat().map((kv) => kv.key);
  };

  return ref;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
