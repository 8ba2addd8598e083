/**
 * The ContainerManager's pure transition: it keeps a watch-fed cache of invokers and
 * warmed containers, places creation batches (warm reuse first, then invoker
 * selection), registers each placed job with the CreationJobManager before sending
 * the creation to `invoker<N>`, fails unplaceable ones, and sends deletions to the
 * invokers holding old containers. Mirrors
 * `core/scheduler/.../container/ContainerManager.scala` (reference `openwhisk-fpc.md`
 * §2.3 steps 3–7, §2.5 step 4, §2.6, §4.7).
 *
 * Differences from upstream:
 * - No etcd read per batch: the cache is read once when the manager starts (state
 *   `Loading`, whose 0 ms state timeout starts the read, so a restart reloads too) and
 *   kept current by watch events. While the read fails (`Unavailable`) creations fail
 *   with `NoAvailableInvokersError`, as upstream does for a failed read, and the read
 *   is retried every `reloadIntervalMs`.
 * - A rescheduled job that finds no invoker is failed through the CreationJobManager,
 *   which ends the job and deletes its in-progress key at once (upstream left both
 *   until the job timeout, while the queue had already been told).
 * - Warm-up messages carry the `sid_warmUp` transaction and a `warmUp<N>` creation id.
 *
 * @module
 */

import type { FsmEffect, FsmState, Step } from "../../runtime/actors/mod.ts";
import type { LogLevel } from "../../runtime/log.ts";
import type { ContainerCreationMessage, InvokerMessage } from "../../protocols/container.ts";
import {
  type ContainerCreation,
  type ContainerManagerMessage,
  creationErrorMessage,
  type DeletionKeysListed,
  type FailedCreationJob,
  type InvokerSelectionConfig,
} from "../../protocols/container_manager.ts";
import type { CreationJobManagerCommand } from "../../protocols/creation_job_manager.ts";
import { DEFAULT_ACTION_LIMITS } from "../../protocols/action_limits.ts";
import { invokersPrefix } from "../../protocols/etcd_keys.ts";
import type { SchedulerInstanceId } from "../../protocols/instance_id.ts";
import {
  sid_containerDeletion,
  sid_warmUp,
  startTransaction,
} from "../../protocols/transaction_id.ts";
import type { WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import {
  hasInvoker,
  type InvokerCache,
  isWarmedKey,
  readInvoker,
  withInvoker,
  withoutKey,
} from "./container_manager_cache.ts";
import { deletionInvokers, placeCreations } from "./container_manager_placement.ts";

/** The ContainerManager's settings. */
export interface ContainerManagerConfig {
  /** The etcd key prefix (`whisk`). */
  readonly cluster: string;
  /** This scheduler (the warm-up messages' `rootSchedulerIndex`). */
  readonly sid: SchedulerInstanceId;
  /** Partition fractions, minimum memory and the random source of invoker selection. */
  readonly selection: InvokerSelectionConfig;
  /** Delay before reading the cache again after a failed read. */
  readonly reloadIntervalMs: number;
}

/** The ContainerManager's state. */
export interface ContainerManagerState extends FsmState {
  readonly name: "Loading" | "Running" | "Unavailable" | "ShuttingDown";
  readonly invokers: InvokerCache;
  readonly warmed: ReadonlySet<string>;
  /** Warmed keys reserved by a creation in progress, by creation id. */
  readonly reservations: ReadonlyMap<string, string>;
}

/** The ContainerManager's own effects, performed by its shell. */
export type ContainerManagerEffect =
  /** Publish on `invoker<invokerId>`. */
  | { readonly type: "sendToInvoker"; readonly invokerId: number; readonly msg: InvokerMessage }
  /** Tell the leader queue of the message's action. */
  | { readonly type: "toQueue"; readonly msg: FailedCreationJob }
  | { readonly type: "toJobManager"; readonly msg: CreationJobManagerCommand }
  /** Read the invoker and warmed keys (after the watches are up): `CacheLoaded`/`CacheLoadFailed`. */
  | { readonly type: "loadCache" }
  /** Read the action's existing and warmed container keys: `DeletionKeysListed`. */
  | { readonly type: "listDeletionKeys"; readonly deletion: DeletionKeysListed["deletion"] }
  | { readonly type: "closeWatches" }
  | {
    readonly type: "log";
    readonly level: LogLevel;
    readonly msg: string;
    readonly meta: Readonly<Record<string, unknown>>;
  };

type Effect = FsmEffect<ContainerManagerMessage> | ContainerManagerEffect;
type CmStep = Step<ContainerManagerState, ContainerManagerMessage, ContainerManagerEffect>;

/** A manager that has read nothing yet. */
export const INITIAL_CONTAINER_MANAGER_STATE: ContainerManagerState = {
  name: "Loading",
  invokers: new Map(),
  warmed: new Set(),
  reservations: new Map(),
};

/** Milliseconds before `StateTimeout`: at once in `Loading`, the reload delay in `Unavailable`. */
export function containerManagerStateTimeout(config: ContainerManagerConfig) {
  return (state: ContainerManagerState): number | undefined =>
    state.name === "Loading"
      ? 0
      : state.name === "Unavailable"
      ? config.reloadIntervalMs
      : undefined;
}

/** The transition function for `spawnFsm`. */
export function containerManagerTransition(config: ContainerManagerConfig) {
  return (state: ContainerManagerState, msg: ContainerManagerMessage, now: number): CmStep => {
    const stay = (...effects: Effect[]): CmStep => ({ next: state, effects });
    if (state.name === "Loading") {
      switch (msg.type) {
        case "StateTimeout":
          return stay({ type: "loadCache" });
        case "CacheLoaded":
          return cacheLoaded(state, msg, config, now);
        case "CacheLoadFailed":
          return {
            next: { ...state, name: "Unavailable" },
            effects: [
              log("error", "cannot read invokers; creations fail until a reload", {
                error: msg.error,
              }),
              { type: "unstashAll" },
            ],
          };
        default:
          return stay({ type: "stash" });
      }
    }
    switch (msg.type) {
      case "StateTimeout":
        return state.name === "Unavailable"
          ? { next: { ...state, name: "Loading" }, effects: [] }
          : stay({ type: "unhandled" });
      case "CacheLoaded":
      case "CacheLoadFailed":
        return stay({ type: "unhandled" });
      case "WatchEndpointInserted":
        return keyPut(state, msg.key, msg.value, config, now);
      case "WatchEndpointRemoved":
        return {
          next: {
            ...state,
            invokers: withoutKey(state.invokers, msg.key),
            warmed: withoutSetKey(state.warmed, msg.key),
          },
          effects: [],
        };
      case "ContainerCreation":
        return create(state, msg, config);
      case "ReschedulingCreationJob":
        return create(
          { ...state, reservations: withoutKey(state.reservations, msg.msg.creationId) },
          {
            type: "ContainerCreation",
            msgs: [msg.msg],
            actionMemoryMb: msg.msg.whiskActionMetaData.limits.memory,
            invocationNamespace: msg.msg.invocationNamespace,
          },
          config,
        );
      case "SuccessfulCreationJob":
      case "FailedCreationJob":
        return {
          next: { ...state, reservations: withoutKey(state.reservations, msg.creationId) },
          effects: [],
        };
      case "ContainerDeletion":
        return stay({ type: "listDeletionKeys", deletion: msg });
      case "DeletionKeysListed":
        return stay(...deletions(state, msg, config, now));
      case "GracefulShutdown":
        return {
          next: { ...state, name: "ShuttingDown" },
          effects: [{ type: "closeWatches" }, {
            type: "toJobManager",
            msg: { type: "GracefulShutdown" },
          }],
        };
    }
  };
}

function log(level: LogLevel, msg: string, meta: Record<string, unknown>): ContainerManagerEffect {
  return { type: "log", level, msg, meta };
}

function withoutSetKey(set: ReadonlySet<string>, key: string): ReadonlySet<string> {
  if (!set.has(key)) return set;
  const next = new Set(set);
  next.delete(key);
  return next;
}

function cacheLoaded(
  state: ContainerManagerState,
  msg: Extract<ContainerManagerMessage, { type: "CacheLoaded" }>,
  config: ContainerManagerConfig,
  now: number,
): CmStep {
  let next: ContainerManagerState = {
    ...state,
    name: "Running",
    invokers: new Map(),
    warmed: new Set(msg.warmed.filter((key) => isWarmedKey(key, config.cluster))),
  };
  const effects: Effect[] = [];
  const before = state.invokers;
  for (const { key, value } of msg.invokers) {
    const step = keyPut(next, key, value, config, now, before);
    next = step.next;
    effects.push(...step.effects);
  }
  return { next, effects: [...effects, { type: "unstashAll" }] };
}

/**
 * An invoker or warmed key was put. A new invoker id (not in `known`) gets a warm-up
 * message; an invoker value that does not decode drops that invoker and is logged.
 */
function keyPut(
  state: ContainerManagerState,
  key: string,
  value: string,
  config: ContainerManagerConfig,
  now: number,
  known: InvokerCache = state.invokers,
): CmStep {
  if (key.startsWith(invokersPrefix(config.cluster))) {
    const read = readInvoker(key, value, config.cluster);
    if (read.type === "invalid") {
      return {
        next: { ...state, invokers: withoutKey(state.invokers, key) },
        effects: [log("warn", "skipping an invoker whose value does not parse", {
          key,
          reason: read.reason,
        })],
      };
    }
    if (read.type === "invoker") {
      const id = read.candidate.id;
      const effects: Effect[] = hasInvoker(known, id) ? [] : [{
        type: "sendToInvoker",
        invokerId: id,
        msg: warmUpMessage(id, config.sid, now),
      }];
      return {
        next: { ...state, invokers: withInvoker(state.invokers, key, read.candidate) },
        effects,
      };
    }
  }
  if (isWarmedKey(key, config.cluster)) {
    return { next: { ...state, warmed: new Set(state.warmed).add(key) }, effects: [] };
  }
  return { next: state, effects: [] };
}

function create(
  state: ContainerManagerState,
  msg: ContainerCreation,
  config: ContainerManagerConfig,
): CmStep {
  const placement = state.name === "Unavailable"
    ? {
      placed: [],
      failed: msg.msgs.map((m) => ({ msg: m, error: "NoAvailableInvokersError" as const })),
    }
    : placeCreations({
      msgs: msg.msgs,
      actionMemoryMb: msg.actionMemoryMb,
      invocationNamespace: msg.invocationNamespace,
      invokers: [...state.invokers.values()],
      warmed: state.warmed,
      reserved: new Set(state.reservations.values()),
      cluster: config.cluster,
      selection: config.selection,
    });
  const reservations = new Map(state.reservations);
  const effects: Effect[] = [];
  for (const p of placement.placed) {
    if (p.warmedKey !== undefined) reservations.set(p.msg.creationId, p.warmedKey);
    effects.push(
      { type: "toJobManager", msg: { type: "RegisterCreationJob", msg: p.msg } },
      { type: "sendToInvoker", invokerId: p.invokerId, msg: p.msg },
    );
  }
  for (const f of placement.failed) {
    const failure = failedJob(f.msg, f.error);
    // A first attempt has no job yet; a retry's job ends through the job manager.
    effects.push(
      f.msg.retryCount === 0
        ? { type: "toQueue", msg: failure }
        : { type: "toJobManager", msg: failure },
    );
  }
  return { next: { ...state, reservations }, effects };
}

function failedJob(
  msg: ContainerCreationMessage,
  error: FailedCreationJob["error"],
): FailedCreationJob {
  return {
    type: "FailedCreationJob",
    creationId: msg.creationId,
    invocationNamespace: msg.invocationNamespace,
    action: msg.action,
    revision: msg.revision,
    error,
    reason: creationErrorMessage(error),
  };
}

function deletions(
  state: ContainerManagerState,
  msg: DeletionKeysListed,
  config: ContainerManagerConfig,
  now: number,
): Effect[] {
  const effects: Effect[] = [];
  let keys = msg.keys;
  if (msg.error !== undefined) {
    effects.push(log("error", "cannot list containers to delete; using the warmed cache", {
      error: msg.error,
    }));
    keys = [...state.warmed];
  }
  const d = msg.deletion;
  for (const invokerId of deletionInvokers(keys, d, config.cluster)) {
    effects.push({
      type: "sendToInvoker",
      invokerId,
      msg: {
        type: "ContainerDeletionMessage",
        transid: startTransaction(sid_containerDeletion, now),
        invocationNamespace: d.invocationNamespace,
        action: d.action,
        revision: d.revision,
        whiskActionMetaData: d.whiskActionMetaData,
      },
    });
  }
  return effects;
}

/** The metadata of upstream's warm-up action `whisk.system/warmUp` (`nodejs:default`). */
export const WARM_UP_ACTION: WhiskActionMetaData = {
  namespace: "whisk.system",
  name: "warmUp",
  parameters: [],
  limits: DEFAULT_ACTION_LIMITS,
  version: "0.0.1",
  publish: false,
  annotations: [],
  exec: { kind: "nodejs:20", binary: false },
};

/**
 * The warm-up creation sent once to each invoker (at start and when it appears): the
 * invoker drops it; it only primes the invoker's topic (reference §4.7).
 */
export function warmUpMessage(
  invokerId: number,
  sid: SchedulerInstanceId,
  now: number,
): ContainerCreationMessage {
  return {
    type: "ContainerCreationMessage",
    transid: startTransaction(sid_warmUp, now),
    invocationNamespace: "whisk.system",
    action: { path: "whisk.system", name: "warmUp", version: "0.0.1" },
    revision: "",
    whiskActionMetaData: WARM_UP_ACTION,
    rootSchedulerIndex: sid,
    schedulerHost: "",
    rpcPort: 0,
    retryCount: 0,
    creationId: `warmUp${invokerId}`,
  };
}
