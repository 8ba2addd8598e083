/**
 * The classic ContainerPool's pure transition: boot (host-memory timer, initial
 * prewarms), pushed runs (placed, or buffered FIFO while memory is short), proxy events
 * (a slot freed, a prewarm ready, a container paused, removed or handing jobs back), the
 * host-memory reads and the state query. No I/O: every side effect is a returned effect.
 *
 * Mirrors `receive` of `core/invoker/.../containerpool/ContainerPool.scala`
 * (`Run`, `NeedWork`, `ContainerRemoved`, `RescheduleJob`, `processBufferOrFeed`);
 * differences: the buffer is drained in one step while its head fits (upstream resends
 * the head to itself), rescheduled jobs go to the front of the buffer, a run that can
 * never fit (more memory than the pool has) ends at once with a whisk error, and a
 * crashed proxy's container is destroyed and its jobs end with whisk-error records.
 *
 * @module
 */

import type {
  ContainerPoolSetSummary,
  ContainerPoolSnapshot,
  GetContainerPoolState,
} from "../../protocols/container_pool.ts";
import type {
  ContainerProxyCommand,
  ContainerProxyEvent,
  Run,
} from "../../protocols/container_proxy.ts";
import type { Container } from "../../protocols/container_runtime.ts";
import type { FsmEffect, StateTimeout, Step } from "../../runtime/actors/mod.ts";
import {
  type ContainerPoolConfig,
  type ContainerPoolState,
  forget,
  freeMemory,
  type Placement,
  placeRun,
  prewarmEntry,
  type ProxyId,
  without,
} from "./container_pool_state.ts";

/** Private messages: the host-memory timer and reads. */
export type ContainerPoolInternal =
  | { readonly type: "HostMemoryTick" }
  | { readonly type: "HostMemoryRead"; readonly usableMb: number }
  | { readonly type: "HostMemoryReadFailed"; readonly error: string }
  | StateTimeout;

/** What the pure transition receives: proxy events come keyed by the proxy's id. */
export type PoolInput =
  | Run
  | GetContainerPoolState
  | { readonly type: "ProxyEvent"; readonly id: ProxyId; readonly event: ContainerProxyEvent }
  | ContainerPoolInternal;

/** Effects the shell performs with its deps. */
export type ContainerPoolEffect =
  | {
    readonly type: "SpawnProxy";
    readonly id: ProxyId;
    readonly command: Extract<ContainerProxyCommand, { type: "Start" | "Run" }>;
  }
  | { readonly type: "TellProxy"; readonly id: ProxyId; readonly command: ContainerProxyCommand }
  /** Ack and record each job as a whisk internal error with `message`. */
  | { readonly type: "EndJobs"; readonly jobs: readonly Run[]; readonly message: string }
  | { readonly type: "DestroyContainer"; readonly container: Container }
  | { readonly type: "ReadHostMemory" }
  /** The shell forgets the proxy's ref. */
  | { readonly type: "ForgetProxy"; readonly id: ProxyId };

/** Any effect of a step. */
export type Effect = FsmEffect<ContainerPoolInternal> | ContainerPoolEffect;

/** What a transition returns. */
export type PoolStep = Step<ContainerPoolState, ContainerPoolInternal, ContainerPoolEffect>;

/** The message of a run that can never fit in this pool. */
export function tooLargeMessage(memoryMb: number, userMemoryMb: number): string {
  return `The action needs ${memoryMb} MB but this invoker has ${userMemoryMb} MB of user memory.`;
}

/** The message of a job a crashed proxy held. */
export function crashedProxyMessage(error: string): string {
  return `The container proxy failed: ${error}`;
}

const stay = (state: ContainerPoolState, effects: readonly Effect[] = []): PoolStep => ({
  next: state,
  effects,
});

/** Builds the transition for `config`. */
export function poolTransition(config: ContainerPoolConfig) {
  return (state: ContainerPoolState, msg: PoolInput, now: number): PoolStep => {
    if (state.name === "Booting") {
      return msg.type === "StateTimeout" ? boot(state, config) : stay(state, [{ type: "stash" }]);
    }
    switch (msg.type) {
      case "Run":
        return run(state, msg, config, now);
      case "ProxyEvent":
        return proxyEvent(state, msg.id, msg.event, config, now);
      case "HostMemoryTick":
        return stay(state, [{ type: "ReadHostMemory" }]);
      case "HostMemoryRead":
        return drain({ ...state, hostUsableMb: msg.usableMb }, config, now);
      case "HostMemoryReadFailed":
        return stay(state);
      case "GetContainerPoolState":
        return stay(state, [{ type: "send", to: msg.replyTo, msg: snapshot(state, config) }]);
      case "StateTimeout":
        return stay(state, [{ type: "unhandled" }]);
    }
  };
}

function boot(state: ContainerPoolState, config: ContainerPoolConfig): PoolStep {
  const filled = backfill({ ...state, name: "Running" }, config);
  return stay(filled.next, [
    {
      type: "startTimer",
      key: "host-memory",
      msg: { type: "HostMemoryTick" },
      ms: config.hostMemoryIntervalMs,
      repeat: true,
    },
    { type: "ReadHostMemory" },
    ...filled.effects,
    { type: "unstashAll" },
  ]);
}

function run(state: ContainerPoolState, job: Run, config: ContainerPoolConfig, now: number) {
  const memoryMb = job.action.limits.memory;
  if (memoryMb > config.userMemoryMb) {
    const message = tooLargeMessage(memoryMb, config.userMemoryMb);
    return stay(state, [{ type: "EndJobs", jobs: [job], message }]);
  }
  if (state.buffer.length > 0) return stay({ ...state, buffer: [...state.buffer, job] });
  return drain({ ...state, buffer: [job] }, config, now);
}

/** Applies a placement: the run is sent, the state counts it. */
function apply(
  state: ContainerPoolState,
  job: Run,
  placement: Placement,
  now: number,
): { next: ContainerPoolState; effects: Effect[] } {
  const bound = {
    invocationNamespace: job.msg.user.namespace.name,
    action: job.action,
    revision: job.msg.revision,
    lastUsed: now,
  };
  switch (placement.via) {
    case "warm": {
      const entry = state.warm[placement.id];
      if (!entry) return { next: state, effects: [] };
      const data = { ...entry.data, lastUsed: now };
      const warm = { ...state.warm, [placement.id]: { ...entry, data, active: entry.active + 1 } };
      return {
        next: { ...state, warm },
        effects: [{ type: "TellProxy", id: placement.id, command: job }],
      };
    }
    case "prewarm": {
      const stem = state.prewarmed[placement.id];
      if (!stem?.container) return { next: state, effects: [] };
      const entry = {
        data: { type: "WarmingData", container: stem.container, ...bound },
        memoryMb: stem.memoryMb,
        active: 1,
        paused: false,
      } as const;
      return {
        next: {
          ...state,
          prewarmed: without(state.prewarmed, placement.id),
          warm: { ...state.warm, [placement.id]: entry },
        },
        effects: [{ type: "TellProxy", id: placement.id, command: job }],
      };
    }
    case "cold": {
      let next = state;
      const effects: Effect[] = [];
      for (const victim of placement.evict) {
        next = forget(next, victim);
        effects.push({ type: "TellProxy", id: victim, command: { type: "Remove" } });
      }
      const id = `p${next.nextId}`;
      const entry = {
        data: { type: "WarmingColdData", ...bound },
        memoryMb: job.action.limits.memory,
        active: 1,
        paused: false,
      } as const;
      next = { ...next, nextId: next.nextId + 1, warm: { ...next.warm, [id]: entry } };
      effects.push({ type: "SpawnProxy", id, command: job });
      return { next, effects };
    }
  }
}

/**
 * Places buffered runs, oldest first, while the head fits (upstream
 * `processBufferOrFeed`); backfills prewarms when a prewarm was taken and nothing waits.
 */
function drain(state: ContainerPoolState, config: ContainerPoolConfig, now: number): PoolStep {
  let next = state;
  const effects: Effect[] = [];
  let tookPrewarm = false;
  for (let head = next.buffer[0]; head !== undefined; head = next.buffer[0]) {
    const placement = placeRun(next, head, config);
    if (!placement) break;
    tookPrewarm ||= placement.via === "prewarm";
    const applied = apply({ ...next, buffer: next.buffer.slice(1) }, head, placement, now);
    next = applied.next;
    effects.push(...applied.effects);
  }
  if (!tookPrewarm) return stay(next, effects);
  const filled = backfill(next, config);
  return stay(filled.next, [...effects, ...filled.effects]);
}

/**
 * Starts prewarms up to each config's `initialCount`, while free memory allows, no run
 * waits and prewarms have not failed too often.
 */
function backfill(state: ContainerPoolState, config: ContainerPoolConfig): PoolStep {
  if (state.buffer.length > 0 || state.prewarmFailures > config.prewarmMaxRetryLimit) {
    return stay(state);
  }
  let next = state;
  const effects: Effect[] = [];
  for (const { kind, memoryMb, initialCount } of config.prewarm) {
    const same = (p: { kind: string; memoryMb: number }) =>
      p.kind === kind && p.memoryMb === memoryMb;
    const have = Object.values(next.prewarmed).filter(same).length +
      Object.values(next.prewarmStarting).filter(same).length;
    for (let n = have; n < initialCount && memoryMb <= freeMemory(next, config); n++) {
      const id = `p${next.nextId}`;
      next = {
        ...next,
        nextId: next.nextId + 1,
        prewarmStarting: { ...next.prewarmStarting, [id]: { kind, memoryMb } },
      };
      effects.push({ type: "SpawnProxy", id, command: { type: "Start", kind, memoryMb } });
    }
  }
  return stay(next, effects);
}

function proxyEvent(
  state: ContainerPoolState,
  id: ProxyId,
  event: ContainerProxyEvent,
  config: ContainerPoolConfig,
  now: number,
): PoolStep {
  switch (event.type) {
    case "NeedWork": {
      if (event.data.type === "PreWarmedData") {
        if (!(id in state.prewarmStarting)) return stay(state, [{ type: "unhandled" }]);
        const next = {
          ...state,
          prewarmStarting: without(state.prewarmStarting, id),
          prewarmed: { ...state.prewarmed, [id]: prewarmEntry(event.data) },
          prewarmFailures: 0,
        };
        return drain(next, config, now);
      }
      const entry = state.warm[id];
      if (!entry) return stay(state);
      const data = { ...event.data, lastUsed: Math.max(event.data.lastUsed, entry.data.lastUsed) };
      const updated = { ...entry, data, active: Math.max(0, entry.active - 1), paused: false };
      return drain({ ...state, warm: { ...state.warm, [id]: updated } }, config, now);
    }
    case "ContainerPaused": {
      const entry = state.warm[id];
      if (!entry) return stay(state);
      return stay({ ...state, warm: { ...state.warm, [id]: { ...entry, paused: true } } });
    }
    case "ContainerRemoved":
      return removed(state, id, event, config, now);
    case "RescheduleJob": {
      const next = { ...forget(state, id), buffer: [...event.jobs, ...state.buffer] };
      return withForget(drain(next, config, now), id);
    }
  }
}

function withForget(step: PoolStep, id: ProxyId): PoolStep {
  return stay(step.next, [{ type: "ForgetProxy", id }, ...step.effects]);
}

function removed(
  state: ContainerPoolState,
  id: ProxyId,
  event: Extract<ContainerProxyEvent, { type: "ContainerRemoved" }>,
  config: ContainerPoolConfig,
  now: number,
): PoolStep {
  const wasStarting = id in state.prewarmStarting;
  const forgotten = forget(state, id);
  const next = wasStarting
    ? { ...forgotten, prewarmFailures: forgotten.prewarmFailures + 1 }
    : forgotten;
  const effects: Effect[] = [{ type: "ForgetProxy", id }];
  if (event.crashedWith) {
    const { container, error } = event.crashedWith;
    if (container) effects.push({ type: "DestroyContainer", container });
    const jobs = event.heldJobs ?? [];
    if (jobs.length > 0) {
      effects.push({ type: "EndJobs", jobs, message: crashedProxyMessage(error) });
    }
  }
  const drained = drain(next, config, now);
  if (!event.replacePrewarm) return stay(drained.next, [...effects, ...drained.effects]);
  const filled = backfill(drained.next, config);
  return stay(filled.next, [...effects, ...drained.effects, ...filled.effects]);
}

// ---- State ------------------------------------------------------------------------------------

function summary(entries: readonly { readonly memoryMb: number }[]): ContainerPoolSetSummary {
  return { count: entries.length, memoryMb: entries.reduce((s, e) => s + e.memoryMb, 0) };
}

/** The snapshot `GetContainerPoolState` answers. */
export function snapshot(
  state: ContainerPoolState,
  config: ContainerPoolConfig,
): ContainerPoolSnapshot {
  const warm = Object.values(state.warm);
  return {
    type: "ContainerPoolSnapshot",
    state: state.name,
    userMemoryMb: config.userMemoryMb,
    ...(state.hostUsableMb === undefined ? {} : { hostUsableMb: state.hostUsableMb }),
    freeMemoryMb: freeMemory(state, config),
    warm: summary(warm),
    idle: summary(warm.filter((e) => e.active === 0)),
    paused: summary(warm.filter((e) => e.paused)),
    prewarmed: summary(Object.values(state.prewarmed)),
    prewarmStarting: summary(Object.values(state.prewarmStarting)),
    buffered: state.buffer.length,
  };
}
