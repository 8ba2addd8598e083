/**
 * The keep-alive discrete-event simulation: replays a trace's arrivals against one pool
 * of `capacityMb` whose eviction and keep-alive decisions come from the platform's real
 * policy module (`actors/invoker/keep_alive/`). No processes, no clock: time is the
 * trace's.
 *
 * Mirrors FaasCache's simulator (aFuerst/faascache-sim `LambdaScheduler.py`, read
 * through `reference/performance.md` appendix B) and the pool's accounting
 * (`reference/openwhisk-fpc.md` §4.4); the model:
 * - infinite CPUs: an invocation starts at its arrival;
 * - a hit reuses an idle container of the same function (the most recently used, as
 *   upstream's `takeWarmedContainer`) and keeps it busy for the warm time; a miss
 *   creates one and keeps it busy for the cold time;
 * - a miss that does not fit in free memory evicts idle containers chosen by the
 *   policy; when even all idle memory is not enough the request is dropped (nothing is
 *   evicted, as upstream refuses a creation needing more than free plus paused memory);
 * - before each arrival, in time order, finished containers become idle (then the
 *   policy's `keepAliveFor` arms an expiry) and expired idle containers are removed;
 *   at equal times a release comes before an expiry, and both before the arrival.
 *
 * With `full: "queue"` a request that cannot start waits instead of being dropped, as
 * the live function-pulling path holds it in the action's queue: it runs on the first
 * container of its function to finish (a hit) or, in arrival order, as a creation once
 * idle memory allows (a miss); only a function larger than the whole pool is dropped.
 * A function with a busy container takes a second one only from free memory: it never
 * evicts for it, but waits for its own (the scheduler adds containers to a queue whose
 * containers keep up, short runs, only when there is room).
 *
 * Metrics: cold-start % = misses ÷ (hits + misses); drops are reported apart, as % of
 * all requests. FaasCache's "% increase in execution time" is the access-weighted mean
 * over functions of `misses × (cold − warm) ÷ (accesses × warm)`, which sums to
 * `Σ_f misses_f × (cold_f − warm_f) ÷ warm_f ÷ Σ_f accesses_f` (warm at least 1 ms).
 *
 * @module
 */

import type {
  KeepAliveContainer,
  KeepAlivePolicy,
} from "../../../actors/invoker/keep_alive/mod.ts";
import { MinHeap } from "./min_heap.ts";
import type { Arrival, Trace } from "./trace.ts";

/** The outcome of one simulation run. */
export interface SimResult {
  readonly trace: string;
  readonly policy: string;
  readonly capacityMb: number;
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly drops: number;
  readonly evictions: number;
  readonly expirations: number;
  /** misses ÷ (hits + misses), in %. */
  readonly coldStartPct: number;
  /** drops ÷ requests, in %. */
  readonly dropPct: number;
  /** FaasCache's "% increase in execution time" due to cold starts. */
  readonly overheadPct: number;
  /** The most memory held (busy and idle). */
  readonly peakUsedMb: number;
  /** The most memory held by busy containers: below it, drops are unavoidable. */
  readonly peakBusyMb: number;
  /** Requests that waited (`full: "queue"` only). */
  readonly queued: number;
  /** Their mean wait (ms). */
  readonly meanWaitMs: number;
}

/** What a request that cannot start does: FaasCache drops it, the live FPC path queues it. */
export type WhenFull = "drop" | "queue";

interface Waiter {
  readonly fn: number;
  readonly at: number;
  served: boolean;
}

interface SimContainer extends KeepAliveContainer {
  readonly fn: number;
  lastUsed: number;
  busy: boolean;
  endsAt: number;
  expiresAt: number;
}

interface Timed {
  readonly at: number;
  readonly seq: number;
  readonly c: SimContainer;
}

const earlier = (a: Timed, b: Timed) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * Runs `arrivals` (time-ordered) of `trace` through a pool of `capacityMb` managed by
 * `policy` (a fresh instance per run).
 */
export function simulate(
  trace: Trace,
  arrivals: Iterable<Arrival>,
  policy: KeepAlivePolicy,
  capacityMb: number,
  full: WhenFull = "drop",
): SimResult {
  const fns = trace.functions;
  const missesOf = new Array<number>(fns.length).fill(0);
  const idleByFn: SimContainer[][] = fns.map(() => []);
  const busyOf = new Array<number>(fns.length).fill(0);
  const idle = new Map<string, SimContainer>();
  const running = new MinHeap<Timed>(earlier);
  const expiries = new MinHeap<Timed>(earlier);
  let seq = 0, used = 0, peak = 0, busyMb = 0, peakBusy = 0;
  let requests = 0, hits = 0, misses = 0, drops = 0, evictions = 0, expirations = 0;
  let queued = 0, waitedMs = 0;
  const waiters: Waiter[] = [];
  const waitersOf: Waiter[][] = fns.map(() => []);
  const nextWaiter = (list: Waiter[]) => {
    while (list.length > 0 && list[0]!.served) list.shift();
    return list[0];
  };

  const removeIdle = (c: SimContainer, at: number) => {
    idle.delete(c.id);
    const list = idleByFn[c.fn]!;
    list.splice(list.lastIndexOf(c), 1);
    used -= c.memoryMb;
    policy.onRemoved(c, at);
  };
  const release = (c: SimContainer) => {
    busyOf[c.fn]!--;
    const waiter = nextWaiter(waitersOf[c.fn]!);
    if (waiter !== undefined) {
      waitersOf[c.fn]!.shift();
      waiter.served = true;
      waitedMs += c.endsAt - waiter.at;
      c.busy = false;
      busyMb -= c.memoryMb;
      policy.onHit(c, c.endsAt);
      start(c, c.endsAt, fns[c.fn]!.warmMs);
      hits++;
      return;
    }
    c.busy = false;
    busyMb -= c.memoryMb;
    c.lastUsed = c.endsAt;
    idle.set(c.id, c);
    idleByFn[c.fn]!.push(c);
    const keep = policy.keepAliveFor(c, c.endsAt);
    c.expiresAt = keep === undefined ? Infinity : c.endsAt + keep;
    if (keep !== undefined) expiries.push({ at: c.expiresAt, seq: seq++, c });
  };
  const expire = (t: Timed) => {
    if (t.c.busy || !idle.has(t.c.id) || t.c.expiresAt !== t.at) return;
    removeIdle(t.c, t.at);
    expirations++;
  };
  const advanceTo = (now: number) => {
    for (;;) {
      const r = running.peek(), e = expiries.peek();
      if (r !== undefined && r.at <= now && (e === undefined || r.at <= e.at)) {
        const { at, c } = running.pop()!;
        release(c);
        drainWaiters(at);
      } else if (e !== undefined && e.at <= now) {
        expire(expiries.pop()!);
        drainWaiters(e.at);
      } else return;
    }
  };
  /**
   * Starts waiting creations in arrival order while they fit; a request whose function
   * has a busy container waits for it instead.
   */
  const drainWaiters = (now: number) => {
    while (waiters.length > 0 && waiters[0]!.served) waiters.shift();
    for (const w of waiters) {
      if (w.served || busyOf[w.fn]! > 0) continue;
      if (!create(w.fn, now)) return;
      w.served = true;
      waitedMs += now - w.at;
    }
  };
  const start = (c: SimContainer, now: number, ms: number) => {
    c.busy = true;
    busyOf[c.fn]!++;
    busyMb += c.memoryMb;
    peakBusy = Math.max(peakBusy, busyMb);
    c.endsAt = now + ms;
    running.push({ at: c.endsAt, seq: seq++, c });
  };
  /** A cold start of `fn` at `at`, evicting as the policy says; false when it cannot fit. */
  const create = (fn: number, at: number): boolean => {
    const f = fns[fn]!;
    const short = f.memoryMb - (capacityMb - used);
    const victims = short > 0 ? policy.chooseVictims([...idle.values()], short, at) : [];
    if (victims === undefined) return false;
    for (const id of victims) removeIdle(idle.get(id)!, at);
    evictions += victims.length;
    const c: SimContainer = {
      id: `c${seq++}`,
      action: f.name,
      fn,
      memoryMb: f.memoryMb,
      lastUsed: at,
      busy: false,
      endsAt: at,
      expiresAt: Infinity,
    };
    used += c.memoryMb;
    peak = Math.max(peak, used);
    policy.onMiss(
      {
        action: f.name,
        memoryMb: f.memoryMb,
        coldMs: f.coldMs,
        warmMs: f.warmMs,
        containerId: c.id,
      },
      at,
    );
    start(c, at, f.coldMs);
    misses++;
    missesOf[fn]!++;
    return true;
  };

  for (const { at, fn } of arrivals) {
    advanceTo(at);
    requests++;
    const f = fns[fn]!;
    const warm = idleByFn[fn]!.pop();
    if (warm !== undefined) {
      idle.delete(warm.id);
      policy.onHit(warm, at);
      start(warm, at, f.warmMs);
      hits++;
      continue;
    }
    // Queued: a function with a busy container waits for it rather than evict for a
    // second one; otherwise a creation goes first unless others already wait.
    const fits = f.memoryMb <= capacityMb - used;
    if (full === "queue" && busyOf[fn]! > 0 && !fits) {
      const waiter: Waiter = { fn, at, served: false };
      waiters.push(waiter);
      waitersOf[fn]!.push(waiter);
      queued++;
      continue;
    }
    if (nextWaiter(waiters) === undefined && create(fn, at)) continue;
    if (full === "drop" || f.memoryMb > capacityMb) {
      drops++;
      continue;
    }
    const waiter: Waiter = { fn, at, served: false };
    waiters.push(waiter);
    waitersOf[fn]!.push(waiter);
    queued++;
  }
  // Past the last arrival, run on only until every waiting request has started.
  for (let w = nextWaiter(waiters); w !== undefined; w = nextWaiter(waiters)) {
    const next = Math.min(running.peek()?.at ?? Infinity, expiries.peek()?.at ?? Infinity);
    if (next === Infinity) break;
    advanceTo(next);
  }

  const served = hits + misses;
  const addedTime = fns.reduce(
    (sum, f, i) => sum + missesOf[i]! * (f.coldMs - f.warmMs) / Math.max(1, f.warmMs),
    0,
  );
  return {
    trace: trace.name,
    policy: policy.name,
    capacityMb,
    requests,
    hits,
    misses,
    drops,
    evictions,
    expirations,
    coldStartPct: served === 0 ? 0 : 100 * misses / served,
    dropPct: requests === 0 ? 0 : 100 * drops / requests,
    overheadPct: served === 0 ? 0 : 100 * addedTime / served,
    peakUsedMb: peak,
    peakBusyMb: peakBusy,
    queued,
    meanWaitMs: queued === 0 ? 0 : waitedMs / queued,
  };
}
