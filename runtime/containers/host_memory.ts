/**
 * How much memory the host can really give containers: `MemAvailable` from
 * `/proc/meminfo`, bounded by the invoker's own memory cgroup limit. The pool reads
 * it periodically (never per activation) to bound its configured user memory.
 *
 * No direct upstream counterpart: upstream trusts `whisk.containerPool.userMemory`
 * (the seed proposal "clustered resources" asks for the real bound).
 *
 * @module
 */

/** Free memory figures, in MB. */
export interface HostMemory {
  /** `MemAvailable` of the host. */
  readonly availableMb: number;
  /** Headroom left under the invoker's own memory cgroup limit, when it has one. */
  readonly cgroupHeadroomMb?: number;
  /** The smaller of the two: what new containers can use. */
  readonly usableMb: number;
}

const MB = 1024 * 1024;
// cgroup v1 reports "no limit" as a huge page-aligned number.
const UNLIMITED = 2 ** 60;

/** Parses `MemAvailable` (kB) out of `/proc/meminfo` text; throws TypeError when absent. */
export function parseMemAvailableMb(meminfo: string): number {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  if (!match) throw new TypeError("/proc/meminfo has no MemAvailable line");
  return Math.floor(Number(match[1]) / 1024);
}

/** Headroom under a cgroup limit, or undefined when there is no real limit. */
export function cgroupHeadroomMb(limitBytes: number, usageBytes: number): number | undefined {
  if (!Number.isFinite(limitBytes) || limitBytes >= UNLIMITED) return undefined;
  return Math.max(0, Math.floor((limitBytes - usageBytes) / MB));
}

/** Combines both figures. */
export function hostMemoryOf(availableMb: number, headroomMb?: number): HostMemory {
  const usableMb = headroomMb === undefined ? availableMb : Math.min(availableMb, headroomMb);
  return headroomMb === undefined
    ? { availableMb, usableMb }
    : { availableMb, cgroupHeadroomMb: headroomMb, usableMb };
}

/** Reads the figures for this process (cgroup v1 memory, or v2 `memory.max`). */
export async function readHostMemory(): Promise<HostMemory> {
  const availableMb = parseMemAvailableMb(await Deno.readTextFile("/proc/meminfo"));
  return hostMemoryOf(availableMb, await ownCgroupHeadroomMb());
}

async function ownCgroupHeadroomMb(): Promise<number | undefined> {
  try {
    const self = await Deno.readTextFile("/proc/self/cgroup");
    const v1 = /^\d+:memory:(.*)$/m.exec(self);
    if (v1) {
      const dir = `/sys/fs/cgroup/memory${v1[1]}`;
      const limit = Number(await Deno.readTextFile(`${dir}/memory.limit_in_bytes`));
      const usage = Number(await Deno.readTextFile(`${dir}/memory.usage_in_bytes`));
      return cgroupHeadroomMb(limit, usage);
    }
    const v2 = /^0::(.*)$/m.exec(self);
    if (!v2) return undefined;
    const dir = `/sys/fs/cgroup${v2[1]}`;
    const max = (await Deno.readTextFile(`${dir}/memory.max`)).trim();
    if (max === "max") return undefined;
    return cgroupHeadroomMb(Number(max), Number(await Deno.readTextFile(`${dir}/memory.current`)));
  } catch {
    return undefined;
  }
}
