/**
 * Victim selection shared by the keep-alive policies: idle containers in ascending
 * priority (ties: least recently used, then id by UTF-16 code units) until enough
 * memory is freed. Private to `keep_alive/`.
 *
 * Only the victims are ordered (a heap over the candidates), so choosing a few victims
 * among thousands of paused containers costs linear time.
 *
 * @module
 */

import type { KeepAliveContainer } from "./keep_alive_policy.ts";

/** The chosen victims in eviction order, with the priority of the last one. */
export interface Victims {
  readonly chosen: readonly KeepAliveContainer[];
  /** The last victim's priority; undefined when nothing was chosen. */
  readonly lastPriority: number | undefined;
}

interface Candidate {
  readonly c: KeepAliveContainer;
  readonly p: number;
}

const before = (a: Candidate, b: Candidate) =>
  a.p < b.p ||
  (a.p === b.p && (a.c.lastUsed < b.c.lastUsed ||
    (a.c.lastUsed === b.c.lastUsed && a.c.id < b.c.id)));

function siftDown(heap: Candidate[], from: number): void {
  let i = from;
  for (;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}

/**
 * The idle containers to evict, lowest `priorityOf` first, to free `neededMb`; an
 * empty choice when nothing is needed; undefined when all idle memory is not enough.
 */
export function pickVictims(
  paused: readonly KeepAliveContainer[],
  neededMb: number,
  priorityOf: (c: KeepAliveContainer) => number,
): Victims | undefined {
  if (neededMb <= 0) return { chosen: [], lastPriority: undefined };
  const heap: Candidate[] = [];
  let idleMb = 0;
  for (const c of paused) {
    if (c.busy === true) continue;
    heap.push({ c, p: priorityOf(c) });
    idleMb += c.memoryMb;
  }
  if (idleMb < neededMb) return undefined;
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  const chosen: KeepAliveContainer[] = [];
  let freed = 0, lastPriority: number | undefined;
  while (freed < neededMb) {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(heap, 0);
    }
    chosen.push(top.c);
    freed += top.c.memoryMb;
    lastPriority = top.p;
  }
  return { chosen, lastPriority };
}

/** Least recently used first: the priority is `lastUsed`. */
export const byLastUsed = (c: KeepAliveContainer): number => c.lastUsed;
