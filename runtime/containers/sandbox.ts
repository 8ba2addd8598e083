/**
 * The process sandbox: probes which Linux isolation mechanisms work here and builds
 * the command line that starts a runtime proxy inside them.
 *
 * Mirrors the Docker settings of upstream's `docker/DockerContainer.scala` and
 * `DockerContainerFactory.scala` (`--memory`, `--pids-limit 1024`, `--ulimit
 * nofile=1024:1024`, a private network, `wsk<invoker>_` names) as mapped in
 * `reference/sandbox.md`; differences: a process, not a container image; the network
 * is "none" (`unshare -n`) and the proxy is reached through a Unix socket; no private
 * filesystem yet; no RLIMIT_AS (Node and Deno reserve large virtual ranges).
 *
 * The launch is one exec chain, so the pid Deno sees is the runtime itself:
 * `sh` (joins the cgroups, then execs) → `setpriv --no-new-privs` → `prlimit
 * --nofile` → `unshare -n` → the proxy.
 *
 * @module
 */

import { type CgroupSetup, probeCgroups } from "./cgroups.ts";
import type { SandboxCapabilities } from "./container_factory.ts";
import type { LaunchContext, RuntimeKind } from "./runtime_kinds.ts";
import { relayCommand } from "./runtime_kinds.ts";

/** What the probe found. */
export interface SandboxSetup {
  readonly cgroups: CgroupSetup;
  readonly setpriv: boolean;
  readonly prlimit: boolean;
  readonly unshareNet: boolean;
  /** Absolute path of `ip`, needed to bring `lo` up in a private namespace. */
  readonly ip?: string;
}

/** Open files per container, as upstream's `--ulimit nofile=1024:1024`. */
export const OPEN_FILES_LIMIT = 1024;

/** Processes and threads per container, as upstream's `--pids-limit 1024`. */
export const PIDS_LIMIT = 1024;

/** PATH given to containers (the invoker's own environment is not passed on). */
export const CONTAINER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

/** Runs a command quietly and tells whether it exited 0. */
export function succeeds(cmd: string, args: string[]): boolean {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" })
      .outputSync();
    return out.success;
  } catch {
    return false;
  }
}

/** Finds an executable on the container PATH. */
export function which(name: string): string | undefined {
  for (const dir of CONTAINER_PATH.split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Probes cgroups, setpriv, prlimit and `unshare -n` once. */
export function probeSandbox(cgroupRoot?: string): SandboxSetup {
  const ip = which("ip");
  return {
    cgroups: probeCgroups(cgroupRoot),
    setpriv: succeeds("setpriv", ["--no-new-privs", "true"]),
    prlimit: succeeds("prlimit", [`--nofile=${OPEN_FILES_LIMIT}:${OPEN_FILES_LIMIT}`, "true"]),
    unshareNet: succeeds("unshare", ["-n", "true"]),
    ...(ip === undefined ? {} : { ip }),
  };
}

/** The isolation in force for a probe result. */
export function capabilitiesOf(setup: SandboxSetup): SandboxCapabilities {
  const has = (c: "memory" | "freezer" | "pids") => setup.cgroups.available.has(c);
  return {
    memoryCgroup: has("memory"),
    freezerCgroup: has("freezer"),
    pidsCgroup: has("pids"),
    networkNamespace: setup.unshareNet,
    noNewPrivileges: setup.setpriv,
    openFilesLimit: setup.prlimit,
    memoryEnforcement: has("memory") ? "cgroup" : "runtime-heap",
    pause: has("freezer") ? "freezer" : "sigstop",
  };
}

/** Quotes one word for `sh`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

// Writes the shell's own pid (the future runtime pid) into each cgroup.procs file
// named before "--", then execs the rest of the arguments.
const JOIN_CGROUPS_AND_EXEC =
  'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** argv that starts `kind` in the sandbox; the first word is the program. */
export function launchArgv(
  setup: SandboxSetup,
  kind: RuntimeKind,
  ctx: LaunchContext,
  procsFiles: readonly string[],
): string[] {
  const argv = ["sh", "-c", JOIN_CGROUPS_AND_EXEC, "wsk-sandbox", ...procsFiles, "--"];
  if (setup.setpriv) argv.push("setpriv", "--no-new-privs", "--");
  if (setup.prlimit) argv.push("prlimit", `--nofile=${OPEN_FILES_LIMIT}:${OPEN_FILES_LIMIT}`, "--");
  if (setup.unshareNet) argv.push("unshare", "-n", "--");
  if (kind.transport === "unix") return [...argv, ...kind.command(ctx)];
  // TCP-only proxy: relay from the socket to 127.0.0.1:8080 inside the same namespace.
  const loUp = setup.unshareNet && setup.ip ? `${shellQuote(setup.ip)} link set lo up && ` : "";
  const relay = relayCommand(ctx).map(shellQuote).join(" ");
  const proxy = kind.command(ctx).map(shellQuote).join(" ");
  return [...argv, "sh", "-c", `set -e; ${loUp}${relay} & exec ${proxy}`];
}
