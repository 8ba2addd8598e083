/**
 * The pool's side of the keep-alive policy: what it tells the policy (as `KeepAlive`
 * effects the shell performs) when a paused container reports its runs, and when a
 * container the policy knows goes away.
 *
 * No upstream counterpart: upstream's pool has a fixed rule (oldest first, idle timer in
 * the proxy). The calls follow FaasCache's pool (Fuerst & Sharma, ASPLOS'21): a cold
 * start is one miss, every later run one hit, and a removal forgets the container.
 *
 * How the times are learnt: the pool measures a container's start (from telling the
 * proxy to start until `Initialized`), and the proxy reports, on pause, its runs since
 * the start or resume (`ContainerUsage`: the initializing run's time and the mean of the
 * others). cold time = start + initializing run; warm time = the mean warm run, or the
 * initializing run when there was no other (so the cost is then the start alone).
 *
 * @module
 */

import type { ContainerUsage } from "../../protocols/function_pulling_container_proxy.ts";
import type { KeepAliveContainer } from "./keep_alive/mod.ts";
import { actionKeyOf } from "./function_pulling_container_pool_memory.ts";
import {
  type BusyEntry,
  type Effects,
  type KeepAliveCall,
  type PausedEntry,
  type PoolState,
  type ProxyId,
  withEntry,
  without,
} from "./function_pulling_container_pool_state.ts";

const call = (c: KeepAliveCall, now: number) => ({ type: "KeepAlive" as const, call: c, now });

/**
 * A container went away (evicted, expired, failed, shut down): `onRemoved` when the
 * policy knows it, and it is no longer tracked.
 */
export function untrack(
  state: PoolState,
  id: ProxyId,
  now: number,
  lastUsed = now,
): { readonly next: PoolState; readonly effects: Effects } {
  const tracked = state.tracked[id];
  if (!tracked) return { next: state, effects: [] };
  const container: KeepAliveContainer = { id, ...tracked, lastUsed };
  return {
    next: { ...state, tracked: without(state.tracked, id) },
    effects: [call({ type: "onRemoved", container }, now)],
  };
}

/**
 * A busy container paused after `usage` (no usage: one run, times unknown). The first
 * report of a container is its cold start (`onMiss`, then a hit per further run); a
 * later one (after a resume) is all hits.
 */
export function learnUsage(
  state: PoolState,
  id: ProxyId,
  busy: BusyEntry,
  paused: PausedEntry,
  usage: ContainerUsage | undefined,
  now: number,
): { readonly next: PoolState; readonly effects: Effects } {
  const runs = usage?.runs ?? 1;
  const action = actionKeyOf(paused.data);
  const container: KeepAliveContainer = {
    id,
    action,
    memoryMb: paused.memoryMb,
    lastUsed: paused.data.lastUsed,
  };
  const effects: Effects = [];
  let next = state;
  let hits = runs;
  if (!(id in state.tracked)) {
    const firstRunMs = usage?.coldRunMs ?? usage?.warmRunMs ?? 0;
    const warmMs = usage?.warmRunMs ?? firstRunMs;
    const coldMs = (busy.startupMs ?? 0) + firstRunMs;
    effects.push(call({
      type: "onMiss",
      stats: { action, memoryMb: paused.memoryMb, coldMs, warmMs, containerId: id },
    }, now));
    next = {
      ...state,
      tracked: withEntry(state.tracked, id, { action, memoryMb: paused.memoryMb }),
    };
    hits = runs - 1;
  }
  if (hits > 0) effects.push(call({ type: "onHit", container, count: hits }, now));
  return { next, effects };
}
