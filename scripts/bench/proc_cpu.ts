/**
 * CPU time of processes from `/proc/<pid>/stat` (utime + stime), for CPU-µs per
 * invocation per process (`reference/performance.md` §3.1 "Report CPU per invocation").
 * Linux only; on other systems every reading is empty.
 *
 * @module
 */
import process from "node:process";

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run). */
export const CLOCK_TICKS = 100;

/** One process's cumulative CPU. */
export interface ProcCpu {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime in microseconds. */
  readonly cpuUs: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. The command name is in parentheses and may itself
 * contain spaces and parentheses, so fields are counted from the last `)`.
 *
 * @example
 * ```ts
 * import { parseStat } from "./proc_cpu.ts";
 * const s = parseStat("42 (node a) S 7 42 42 0 -1 0 0 0 0 0 150 50 0 0", 100);
 * console.assert(s.ppid === 7 && s.cpuUs === 2_000_000 && s.comm === "node a");
 * ```
 */
export function parseStat(line: string, ticks = CLOCK_TICKS): ProcCpu {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) {
    throw new SyntaxError(`not a /proc stat line: ${line.slice(0, 40)}`);
  }
  const rest = line.slice(close + 2).split(" ");
  // rest[0] = state (field 3); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: Number(rest[1]),
    comm: line.slice(open + 1, close),
    cpuUs: ((utime + stime) * 1_000_000) / ticks,
  };
}

/** Reads one process, or `undefined` when it is gone or /proc is absent. */
export function readProc(pid: number): ProcCpu | undefined {
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return undefined;
  }
}

/** Every process on the host (pid → reading). */
export function readAllProcs(): Map<number, ProcCpu> {
  const out = new Map<number, ProcCpu>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const p = readProc(Number(entry.name));
      if (p) out.set(p.pid, p);
    }
  } catch { /* not Linux */ }
  return out;
}

/** The pids below `root` (not `root` itself) in a process table. */
export function descendants(all: ReadonlyMap<number, ProcCpu>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of all.values()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Pids whose command line contains `needle` (e.g. `/usr/bin/etcd`, `kafka.Kafka`). */
export function findPids(needle: string): number[] {
  const out: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const cmd = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
        if (cmd.includes(needle)) out.push(Number(entry.name));
      } catch { /* gone */ }
    }
  } catch { /* not Linux */ }
  return out;
}

/** Named groups of processes to account CPU for. */
export interface CpuGroups {
  /** The platform's own process(es). */
  readonly platform: readonly number[];
  /** The root whose descendants are the containers (runtime processes). */
  readonly containersOf?: number;
  /** Other named processes (etcd, kafka). */
  readonly services?: Readonly<Record<string, readonly number[]>>;
}

/** CPU microseconds per group, cumulative, plus this process (the load generator). */
export type CpuSnapshot = Readonly<Record<string, number>>;

/**
 * Takes a snapshot of cumulative CPU per group. Containers that exit between two
 * snapshots take their CPU with them, so container figures are lower bounds when
 * containers come and go.
 */
export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const all = readAllProcs();
  const sum = (pids: readonly number[]) =>
    pids.reduce((s, pid) => s + (all.get(pid)?.cpuUs ?? 0), 0);
  const out: Record<string, number> = {};
  const own = process.cpuUsage();
  out.generator = own.user + own.system;
  out.platform = sum(groups.platform);
  if (groups.containersOf !== undefined) {
    out.containers = sum(descendants(all, groups.containersOf));
  }
  for (const [name, pids] of Object.entries(groups.services ?? {})) out[name] = sum(pids);
  return out;
}

/**
 * CPU-µs per operation per group between two snapshots; a group whose processes exited
 * in between (negative delta) is left out.
 */
export function cpuPerOp(
  before: CpuSnapshot,
  after: CpuSnapshot,
  ops: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (ops <= 0) return out;
  let total = 0;
  for (const [name, value] of Object.entries(after)) {
    const delta = value - (before[name] ?? 0);
    // Processes that exited took their CPU with them: a negative delta means nothing.
    if (delta < 0) continue;
    out[name] = Math.round(delta / ops);
    if (name !== "generator") total += delta;
  }
  out.platformTotal = Math.round(total / ops);
  return out;
}
