/**
 * The FunctionPullingContainerPool's pure transition: boot (timers, initial prewarms),
 * creation requests and proxy events (delegated to the `_create` and `_events`
 * modules), revision-aware deletions, batched drain on disable, memory reports, host
 * memory reads and the prewarm timers. No I/O: every side effect is a returned effect.
 *
 * Mirrors `receive` of `core/invoker/.../containerpool/v2/FunctionPullingContainerPool.scala`;
 * differences: `DeletionContainer` compares revisions for initializing containers too
 * (reference §9.4: upstream shuts them down whatever their revision, killing a new
 * revision's fresh container), a resume failure or a shutdown keeps the container's
 * memory counted until it is removed, a lost container's held activations get records,
 * and in-progress containers keep the drain timer alive.
 *
 * @module
 */

import type {
  AdjustPrewarmedContainer,
  DeletionContainer,
  PoolStateSnapshot,
} from "../../protocols/function_pulling_container_pool.ts";
import { compareRevisions } from "../../protocols/revision.ts";
import { create } from "./function_pulling_container_pool_create.ts";
import { proxyEvent } from "./function_pulling_container_pool_events.ts";
import { freeMemory, memoryInfo, sameAction } from "./function_pulling_container_pool_memory.ts";
import {
  adjustPrewarms,
  hasReactiveConfig,
  increasePrewarms,
  startQueuedPrewarms,
} from "./function_pulling_container_pool_prewarm.ts";
import {
  type Effects,
  type PoolConfig,
  type PoolInput,
  type PoolState,
  type PoolTransitionStep,
  type ProxyId,
  stay,
  withEntry,
  without,
} from "./function_pulling_container_pool_state.ts";

export type {
  PoolInput,
  PoolInternal,
  PoolTransitionStep,
  ProxyEvent,
} from "./function_pulling_container_pool_state.ts";
export { PROXY_INIT_FAILED } from "./function_pulling_container_pool_state.ts";

/** Builds the transition for `config`. */
export function poolTransition(config: PoolConfig) {
  return (state: PoolState, msg: PoolInput, now: number): PoolTransitionStep => {
    if (state.name === "Booting") {
      return msg.type === "StateTimeout" ? boot(state, config) : stay(state, [{ type: "stash" }]);
    }
    switch (msg.type) {
      case "CreationContainer":
        return create(state, { msg: msg.msg, action: msg.action }, config, now);
      case "DeletionContainer":
        return deletion(state, msg);
      case "GracefulShutdown":
        return drain({ ...state, name: "ShuttingDown" }, config, [
          {
            type: "startTimer",
            key: "drain",
            msg: { type: "DrainTick" },
            ms: config.drainIntervalMs,
            repeat: true,
          },
        ]);
      case "Enable":
        return stay({ ...state, name: "Running" }, [{ type: "cancelTimer", key: "drain" }]);
      case "DrainTick":
        return drainTick(state, config);
      case "ProxyEvent":
        return proxyEvent(state, msg.id, msg.event, config, now);
      case "SyncMemory":
        return stay(state, [{
          type: "ReportMemory",
          info: memoryInfo(state, config.userMemoryMb),
        }]);
      case "ReadHostMemoryTick":
        return stay(state, [{ type: "ReadHostMemory" }]);
      case "HostMemoryRead":
        return stay({ ...state, hostUsableMb: msg.usableMb });
      case "HostMemoryReadFailed":
        return stay(state);
      case "PrewarmTick": {
        const step = startQueuedPrewarms<PoolInput>(state, config);
        return stay(step.state, [...step.effects]);
      }
      case "AdjustPrewarmedContainer":
        return adjust(state, config, now, msg.scheduled === true);
      case "GetPoolState":
        return stay(state, [{ type: "send", to: msg.replyTo, msg: snapshot(state, config) }]);
      case "StateTimeout":
        return stay(state, [{ type: "unhandled" }]);
    }
  };
}

function boot(state: PoolState, config: PoolConfig): PoolTransitionStep {
  const timers: Effects = [
    {
      type: "startTimer",
      key: "sync-memory",
      msg: { type: "SyncMemory" },
      ms: config.memorySyncIntervalMs,
      repeat: true,
    },
    {
      type: "startTimer",
      key: "host-memory",
      msg: { type: "ReadHostMemoryTick" },
      ms: config.hostMemoryIntervalMs,
      repeat: true,
    },
    { type: "ReadHostMemory" },
  ];
  if (config.prewarmCreation) {
    const ms = config.prewarmCreation.creationDelayMs;
    timers.push({
      type: "startTimer",
      key: "prewarm-creation",
      msg: { type: "PrewarmTick" },
      ms,
      repeat: true,
    });
  }
  if (hasReactiveConfig(config)) {
    const msg: AdjustPrewarmedContainer = { type: "AdjustPrewarmedContainer", scheduled: true };
    timers.push({
      type: "startTimer",
      key: "prewarm-adjust",
      msg,
      ms: config.prewarmExpirationCheckInitDelayMs,
    });
  }
  const step = increasePrewarms<PoolInput>({ ...state, name: "Running" }, config, "init");
  return stay(step.state, [...timers, ...step.effects, { type: "unstashAll" }]);
}

function adjust(
  state: PoolState,
  config: PoolConfig,
  now: number,
  scheduled: boolean,
): PoolTransitionStep {
  const step = adjustPrewarms<PoolInput>(state, config, now, scheduled);
  if (!scheduled) return stay(step.state, [...step.effects]);
  const variance = Math.floor(config.random() * config.prewarmExpirationCheckVarianceMs);
  const msg: AdjustPrewarmedContainer = { type: "AdjustPrewarmedContainer", scheduled: true };
  const ms = config.prewarmExpirationCheckIntervalMs + variance;
  return stay(step.state, [...step.effects, {
    type: "startTimer",
    key: "prewarm-adjust",
    msg,
    ms,
  }]);
}

// ---- Deletion and drain -----------------------------------------------------------------------

function deletion(state: PoolState, { msg }: DeletionContainer): PoolTransitionStep {
  const outdated = (
    data: {
      invocationNamespace: string;
      action: { namespace: string; name: string };
      revision: string;
    },
  ) => sameAction(data, msg) && compareRevisions(data.revision, msg.revision) <= 0;
  const ids = [
    ...Object.entries(state.paused).filter(([, e]) => outdated(e.data)).map(([id]) => id),
    ...Object.entries(state.busy).filter(([, e]) => outdated(e.data)).map(([id]) => id),
  ];
  return shutDown(state, ids);
}

function shutDown(state: PoolState, ids: readonly ProxyId[]): PoolTransitionStep {
  let next = state;
  const effects: Effects = [];
  for (const id of ids) {
    const memoryMb = (next.busy[id] ?? next.paused[id])?.memoryMb ?? 0;
    next = {
      ...next,
      busy: without(next.busy, id),
      paused: without(next.paused, id),
      disabling: withEntry(next.disabling, id, { memoryMb }),
    };
    effects.push({ type: "TellProxy", id, command: { type: "GracefulShutdown" } });
  }
  return { next, effects };
}

function drain(state: PoolState, config: PoolConfig, effects: Effects = []): PoolTransitionStep {
  const batch = [...Object.keys(state.busy), ...Object.keys(state.paused)].slice(
    0,
    config.batchDeletionSize,
  );
  const step = shutDown(state, batch);
  return stay(step.next, [...effects, ...step.effects]);
}

function drainTick(state: PoolState, config: PoolConfig): PoolTransitionStep {
  const remaining = Object.keys(state.busy).length + Object.keys(state.paused).length +
    Object.keys(state.inProgress).length;
  if (state.name !== "ShuttingDown" || remaining === 0) {
    return stay(state, [{ type: "cancelTimer", key: "drain" }]);
  }
  return drain(state, config);
}

// ---- State ------------------------------------------------------------------------------------------

function summary(record: Readonly<Record<string, { readonly memoryMb: number }>>) {
  const entries = Object.values(record);
  return { count: entries.length, memoryMb: entries.reduce((s, e) => s + e.memoryMb, 0) };
}

/** The snapshot `GetPoolState` answers. */
export function snapshot(state: PoolState, config: PoolConfig): PoolStateSnapshot {
  return {
    type: "PoolStateSnapshot",
    state: state.name,
    userMemoryMb: config.userMemoryMb,
    ...(state.hostUsableMb === undefined ? {} : { hostUsableMb: state.hostUsableMb }),
    freeMemoryMb: freeMemory(state, config.userMemoryMb),
    busy: summary(state.busy),
    inProgress: summary(state.inProgress),
    paused: summary(state.paused),
    prewarmed: summary(state.prewarmed),
    prewarmStarting: summary(state.prewarmStarting),
    disabling: summary(state.disabling),
  };
}
