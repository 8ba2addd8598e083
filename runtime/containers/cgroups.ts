/**
 * cgroup v1 plumbing for process containers: one directory per container under the
 * memory, freezer and pids hierarchies, limits, OOM counts, freeze/thaw, and the
 * removal of leftovers.
 *
 * Mirrors what Docker does for upstream's `DockerContainer.scala` (`--memory`,
 * `--memory-swap`, `--pids-limit`, `docker pause`); differences: cgroup v1 only
 * (cgroup v2 is detected and reported as unavailable), plain files, no daemon.
 *
 * @module
 */

/** The hierarchies we use. */
export type Controller = "memory" | "freezer" | "pids";

/** All controllers, in creation order. */
export const CONTROLLERS: readonly Controller[] = ["memory", "freezer", "pids"];

/** Where the hierarchies are mounted and which are writable. */
export interface CgroupSetup {
  readonly root: string;
  readonly available: ReadonlySet<Controller>;
}

/** Probes which v1 hierarchies exist and accept a new child directory. */
export function probeCgroups(root = "/sys/fs/cgroup"): CgroupSetup {
  const available = new Set<Controller>();
  for (const controller of CONTROLLERS) {
    const probe = `${root}/${controller}/wsk_probe_${Deno.pid}`;
    try {
      Deno.mkdirSync(probe);
      Deno.removeSync(probe);
      available.add(controller);
    } catch {
      // not mounted, cgroup v2, or not writable: the sandbox falls back
    }
  }
  return { root, available };
}

/** One container's cgroup directories. */
export class ContainerCgroups {
  constructor(readonly setup: CgroupSetup, readonly name: string) {}

  /** Whether this controller is in use. */
  has(controller: Controller): boolean {
    return this.setup.available.has(controller);
  }

  /** Directory of the container in a hierarchy. */
  dir(controller: Controller): string {
    return `${this.setup.root}/${controller}/${this.name}`;
  }

  /** The `cgroup.procs` files a new process must join. */
  procsFiles(): string[] {
    return CONTROLLERS.filter((c) => this.has(c)).map((c) => `${this.dir(c)}/cgroup.procs`);
  }

  /** Creates the directories and writes the limits. */
  async create(memoryMb: number, pidsMax: number): Promise<void> {
    for (const c of CONTROLLERS) if (this.has(c)) await Deno.mkdir(this.dir(c));
    if (this.has("memory")) {
      const bytes = String(memoryMb * 1024 * 1024);
      await Deno.writeTextFile(`${this.dir("memory")}/memory.limit_in_bytes`, bytes);
      // No swap beyond the limit, as `--memory-swap` = `--memory` upstream.
      await writeIfPresent(`${this.dir("memory")}/memory.memsw.limit_in_bytes`, bytes);
    }
    if (this.has("pids")) await Deno.writeTextFile(`${this.dir("pids")}/pids.max`, `${pidsMax}`);
  }

  /** How many times the kernel OOM-killed a process of this container. */
  async oomKills(): Promise<number> {
    if (!this.has("memory")) return 0;
    const text = await readOrEmpty(`${this.dir("memory")}/memory.oom_control`);
    const match = /^oom_kill (\d+)$/m.exec(text);
    return match ? Number(match[1]) : 0;
  }

  /** Freezes (`FROZEN`) or thaws (`THAWED`) and waits until the state settles. */
  async setFrozen(frozen: boolean): Promise<void> {
    const target = frozen ? "FROZEN" : "THAWED";
    const file = `${this.dir("freezer")}/freezer.state`;
    await Deno.writeTextFile(file, target);
    for (let i = 0; i < 200; i++) {
      if ((await readOrEmpty(file)).trim() === target) return;
      await delay(5);
    }
    throw new Error(`freezer of ${this.name} did not reach ${target}`);
  }

  /** Kills every process, thaws, and removes the directories. */
  async remove(): Promise<void> {
    await removeCgroup(this.setup, this.name);
  }
}

/** Names of cgroup directories, in any hierarchy, that start with `prefix`. */
export async function listCgroups(setup: CgroupSetup, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  for (const c of setup.available) {
    try {
      for await (const e of Deno.readDir(`${setup.root}/${c}`)) {
        if (e.isDirectory && e.name.startsWith(prefix)) names.add(e.name);
      }
    } catch {
      // hierarchy vanished
    }
  }
  return [...names];
}

/** Pids listed in a container's cgroups. */
export async function cgroupPids(setup: CgroupSetup, name: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const c of setup.available) {
    const text = await readOrEmpty(`${setup.root}/${c}/${name}/cgroup.procs`);
    for (const line of text.split("\n")) if (line.trim()) pids.add(Number(line));
  }
  return [...pids];
}

/** SIGKILLs every process of a container's cgroups, thaws it, removes the directories. */
export async function removeCgroup(setup: CgroupSetup, name: string): Promise<void> {
  const freezerState = `${setup.root}/freezer/${name}/freezer.state`;
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const pid of await cgroupPids(setup, name)) killQuietly(pid);
    // A frozen process only dies once thawed.
    if (setup.available.has("freezer")) await writeIfPresent(freezerState, "THAWED");
    if (await tryRemoveDirs(setup, name)) return;
    await delay(10);
  }
  throw new Error(`cgroup ${name} still has processes after being killed`);
}

async function tryRemoveDirs(setup: CgroupSetup, name: string): Promise<boolean> {
  let done = true;
  for (const c of setup.available) {
    try {
      await Deno.remove(`${setup.root}/${c}/${name}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) done = false;
    }
  }
  return done;
}

function killQuietly(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

async function writeIfPresent(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
