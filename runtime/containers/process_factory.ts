/**
 * The default {@link ContainerFactory}: every container is a sandboxed OS process
 * running an action-runtime proxy on a Unix socket.
 *
 * Mirrors `core/invoker/.../docker/DockerContainerFactory.scala` (`createContainer`,
 * `cleanup`/`removeAllActionContainers` of `wsk<invoker>_` containers at start and
 * stop); differences: processes and cgroups instead of Docker, no image pulls, and
 * `capabilities()` reports which isolation is really in force.
 *
 * @example
 * ```ts ignore
 * const factory = await createProcessFactory({ invokerId: 0 });
 * await factory.cleanupLeftovers("wsk0_");
 * const c = await factory.create({ name: "hello", kind: "nodejs:20", memoryMb: 256 });
 * await c.initialize({ value: { main: "main", code: "function main(){return {ok:1}}" } }, 5000);
 * console.log((await c.run({ value: {} }, 5000)).body);
 * await c.destroy();
 * ```
 *
 * @module
 */

import { ContainerCgroups, listCgroups, removeCgroup } from "./cgroups.ts";
import {
  type Container,
  type ContainerFactory,
  ContainerStartError,
  type CreateContainerOptions,
  type SandboxCapabilities,
} from "./container_factory.ts";
import { ProcessContainer } from "./process_container.ts";
import { DEFAULT_KINDS, type RuntimeExecutables, type RuntimeKind } from "./runtime_kinds.ts";
import {
  capabilitiesOf,
  CONTAINER_PATH,
  launchArgv,
  PIDS_LIMIT,
  probeSandbox,
  type SandboxSetup,
  which,
} from "./sandbox.ts";
import { UnixHttpClient } from "./unix_http_client.ts";

/** Options of {@link createProcessFactory}. */
export interface ProcessFactoryOptions {
  /** Invoker id N: containers are named `wsk<N>_<name>`. */
  readonly invokerId: number;
  /** Parent of the per-container work directories (socket, HOME, TMPDIR). */
  readonly runDir?: string;
  /** cgroup v1 mount point (default `/sys/fs/cgroup`). */
  readonly cgroupRoot?: string;
  /** Extra or replaced kinds. */
  readonly kinds?: Readonly<Record<string, RuntimeKind>>;
  /** Executables (default: found on PATH; Deno is the running binary). */
  readonly executables?: Partial<RuntimeExecutables>;
  /** Longest wait for a new proxy to accept connections (default 10 s). */
  readonly startTimeoutMs?: number;
  /** A probe result to use instead of probing (tests force the fallbacks). */
  readonly sandbox?: SandboxSetup;
}

/** Why a blackbox action cannot start here, unless a kind named "blackbox" is configured. */
export const BLACKBOX_UNSUPPORTED =
  "Blackbox actions (Docker images) need a container engine, which this invoker does not have; " +
  "use one of its runtime kinds instead.";

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DEFAULT_LOG_LIMIT = 10 * 1024 * 1024;
const START = { stdout: 0, stderr: 0 };

/** Probes the machine once and returns a factory. */
export function createProcessFactory(options: ProcessFactoryOptions): Promise<ContainerFactory> {
  const sandbox = options.sandbox ?? probeSandbox(options.cgroupRoot);
  const exe: RuntimeExecutables = {
    node: options.executables?.node ?? which("node") ?? "node",
    python: options.executables?.python ?? resolvePython(),
    deno: options.executables?.deno ?? Deno.execPath(),
  };
  return Promise.resolve(new ProcessContainerFactory(options, sandbox, exe));
}

/** The real interpreter behind `python3` (pyenv shims need an environment we do not pass). */
function resolvePython(): string {
  try {
    const out = new Deno.Command("python3", {
      args: ["-c", "import sys; print(sys.executable)"],
      stderr: "null",
    }).outputSync();
    const path = new TextDecoder().decode(out.stdout).trim();
    return out.success && path ? path : "python3";
  } catch {
    return "python3";
  }
}

class ProcessContainerFactory implements ContainerFactory {
  readonly #kinds: Readonly<Record<string, RuntimeKind>>;
  readonly #runDir: string;

  constructor(
    readonly options: ProcessFactoryOptions,
    readonly sandbox: SandboxSetup,
    readonly exe: RuntimeExecutables,
  ) {
    this.#kinds = { ...DEFAULT_KINDS, ...options.kinds };
    this.#runDir = options.runDir ?? "/tmp/wsk-containers";
  }

  capabilities(): SandboxCapabilities {
    return capabilitiesOf(this.sandbox);
  }

  async create(options: CreateContainerOptions): Promise<Container> {
    const kind = this.#kinds[options.kind];
    if (!kind && options.kind === "blackbox") throw new ContainerStartError(BLACKBOX_UNSUPPORTED);
    if (!kind) throw new ContainerStartError(`Unknown runtime kind '${options.kind}'.`);
    if (!NAME.test(options.name)) {
      throw new ContainerStartError(`Invalid container name '${options.name}'.`);
    }
    const id = `wsk${this.options.invokerId}_${options.name}`;
    const workDir = `${this.#runDir}/${id}`;
    const cgroups = new ContainerCgroups(this.sandbox.cgroups, id);
    try {
      await Deno.mkdir(workDir, { recursive: true, mode: 0o700 });
      await cgroups.create(options.memoryMb, PIDS_LIMIT);
      return await this.#start(id, kind, options, workDir, cgroups);
    } catch (e) {
      await cgroups.remove().catch(() => {});
      await Deno.remove(workDir, { recursive: true }).catch(() => {});
      if (e instanceof ContainerStartError) throw e;
      throw new ContainerStartError(`Could not start container ${id}: ${e}`, {
        cause: e,
        retryable: true,
      });
    }
  }

  async #start(
    id: string,
    kind: RuntimeKind,
    options: CreateContainerOptions,
    workDir: string,
    cgroups: ContainerCgroups,
  ): Promise<Container> {
    const socketPath = `${workDir}/proxy.sock`;
    const heap = cgroups.has("memory") ? {} : { heapLimitMb: options.memoryMb };
    const ctx = { exe: this.exe, socketPath, workDir, ...heap };
    const [program, ...args] = launchArgv(this.sandbox, kind, ctx, cgroups.procsFiles());
    const child = new Deno.Command(program!, {
      args,
      clearEnv: true,
      env: containerEnv(workDir, options.env),
      cwd: workDir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const container = new ProcessContainer({
      id,
      kind: options.kind,
      child,
      cgroups,
      socketPath,
      workDir,
      logCapBytes: options.logLimitBytes ?? DEFAULT_LOG_LIMIT,
    });
    const timeout = this.options.startTimeoutMs ?? 10_000;
    if (await UnixHttpClient.waitUntilAccepting(socketPath, timeout, () => !container.exited)) {
      return container;
    }
    const early = container.exited;
    const tail = (await container.logs(START, 4096, { waitForSentinels: false }))
      .join("\n");
    await container.destroy();
    throw new ContainerStartError(
      `Container ${id} (${options.kind}) ${early ? "exited" : "did not accept connections"} ` +
        `before it was ready.${tail ? `\n${tail}` : ""}`,
      { retryable: !early },
    );
  }

  async cleanupLeftovers(prefix: string): Promise<number> {
    const names = await listCgroups(this.sandbox.cgroups, prefix);
    for (const name of names) await removeCgroup(this.sandbox.cgroups, name);
    await killProcessesUnder(`${this.#runDir}/${prefix}`);
    try {
      for await (const entry of Deno.readDir(this.#runDir)) {
        if (entry.name.startsWith(prefix)) {
          await Deno.remove(`${this.#runDir}/${entry.name}`, { recursive: true });
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return names.length;
  }
}

/** SIGKILLs processes whose working directory lies under `pathPrefix` (cgroup escapees). */
async function killProcessesUnder(pathPrefix: string): Promise<void> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cwd = await Deno.readLink(`/proc/${entry.name}/cwd`);
      if (cwd.startsWith(pathPrefix)) Deno.kill(Number(entry.name), "SIGKILL");
    } catch {
      // gone, or not ours to read
    }
  }
}

function containerEnv(
  workDir: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: CONTAINER_PATH,
    HOME: workDir,
    TMPDIR: workDir,
    DENO_DIR: `${workDir}/.deno`,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    ...extra,
  };
}
