/**
 * Starts and stops the processes of a local cluster: each role is a detached
 * `deno run -A scripts/<role>.ts --id N` whose stdout and stderr go to
 * `<dir>/<name>.log`, with its pid in `<dir>/<name>.pid`; `up` waits until every
 * process answers `/health` and etcd shows every scheduler and every invoker `up`;
 * `down` sends SIGTERM (the roles drain), waits, SIGKILLs what is left and removes the
 * containers of every invoker. Upstream has no counterpart (see `cluster_layout.ts`).
 *
 * @module
 */
import { decodeInvokerResourceMessage, invokerKey, schedulerKey } from "../../protocols/mod.ts";
import { createProcessFactory } from "../../runtime/containers/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import {
  type ClusterLayout,
  clusterProcesses,
  type ClusterProcessSpec,
  layoutFlag,
  roleScript,
  saveLayout,
} from "./cluster_layout.ts";

/** A cluster process that did not become ready, or a cluster that cannot start. */
export class ClusterStartError extends Error {
  override name = "ClusterStartError";
}

/** A started process. */
export interface ClusterProcess extends ClusterProcessSpec {
  readonly pid: number;
}

/** A started cluster. */
export interface RunningCluster {
  readonly layout: ClusterLayout;
  readonly processes: readonly ClusterProcess[];
  /** Milliseconds from the first spawn until everything was ready. */
  readonly startupMs: number;
}

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Longest wait for readiness (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** Spawns `spec` detached, logging to its file; returns its pid. */
export async function spawnRole(spec: ClusterProcessSpec): Promise<number> {
  await Deno.writeTextFile(spec.logFile, "", { append: true });
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'exec "$0" "$@" >>"$WSK_CLUSTER_LOG" 2>&1',
      Deno.execPath(),
      "run",
      "-A",
      roleScript(spec.role),
      ...spec.args,
    ],
    env: { WSK_CLUSTER_LOG: spec.logFile, KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  // Reap it if it exits while we run; never keep this process alive for it.
  child.status.catch(() => {});
  child.unref();
  await Deno.writeTextFile(spec.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** True while `pid` runs (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Sends `signal` to `pid`; false when it is gone. */
export function signal(pid: number, sig: Deno.Signal): boolean {
  try {
    Deno.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** GETs `url` and returns the status and JSON body, or `undefined` when unreachable. */
export async function getJson(
  url: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: response.status, body };
  } catch {
    return undefined;
  }
}

async function readyInEtcd(kv: EtcdKv, layout: ClusterLayout, cluster: string): Promise<boolean> {
  for (const sid of layout.schedulers) {
    if ((await kv.get(schedulerKey(sid, cluster))) === undefined) return false;
  }
  for (const id of layout.invokers) {
    const value = await kv.get(invokerKey(id, cluster));
    if (value === undefined) return false;
    if (decodeInvokerResourceMessage(value).status !== "up") return false;
  }
  return true;
}

/**
 * Starts every process of `layout` at once and waits until all are ready.
 *
 * @throws {ClusterStartError} naming the processes that are not ready (they keep running:
 * call {@link stopCluster})
 */
export async function startCluster(
  layout: ClusterLayout,
  options: StartClusterOptions = {},
): Promise<RunningCluster> {
  await saveLayout(layout);
  const started = performance.now();
  const specs = clusterProcesses(layout);
  const processes: ClusterProcess[] = [];
  for (const spec of specs) processes.push({ ...spec, pid: await spawnRole(spec) });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const cluster = layoutFlag(layout, "--cluster-name") ?? "whisk";
  const kv = new EtcdKv({
    endpoint: layoutFlag(layout, "--etcd-endpoints") ?? "127.0.0.1:2379",
    logger: silentLogger,
  });
  try {
    const pending = new Set(processes);
    while (Date.now() < deadline) {
      for (const p of [...pending]) {
        if (!isAlive(p.pid)) {
          throw new ClusterStartError(`${p.name} exited during start; see ${p.logFile}`);
        }
        const health = await getJson(`${p.url}/health`);
        // Another process on the port (an earlier cluster) must not pass for this one.
        if (health?.status === 200 && JSON.stringify(health.body).includes(`"${p.name}"`)) {
          pending.delete(p);
        }
      }
      if (pending.size === 0 && await readyInEtcd(kv, layout, cluster).catch(() => false)) {
        return { layout, processes, startupMs: Math.round(performance.now() - started) };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const late = [...pending].map((p) => p.name);
    throw new ClusterStartError(
      `cluster not ready within ${options.readyTimeoutMs ?? 60_000} ms` +
        (late.length ? `: no /health from ${late.join(", ")}` : ": etcd does not show it up"),
    );
  } finally {
    await kv.close();
  }
}

/** The pid in `spec`'s pid file, when there is one. */
export async function readPid(spec: ClusterProcessSpec): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(spec.pidFile)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link stopCluster}. */
export interface StopClusterOptions {
  /** How long processes may drain after SIGTERM before SIGKILL (default 20 s). */
  readonly graceMs?: number;
}

/** What {@link stopCluster} did to each process. */
export type StopOutcome = "stopped" | "killed" | "not running";

/** SIGTERMs every process of `layout`, SIGKILLs stragglers, removes their containers. */
export async function stopCluster(
  layout: ClusterLayout,
  options: StopClusterOptions = {},
): Promise<Record<string, StopOutcome>> {
  const outcome: Record<string, StopOutcome> = {};
  const running: { spec: ClusterProcessSpec; pid: number }[] = [];
  for (const spec of clusterProcesses(layout)) {
    const pid = await readPid(spec);
    if (pid !== undefined && isAlive(pid) && signal(pid, "SIGTERM")) running.push({ spec, pid });
    else outcome[spec.name] = "not running";
  }
  const deadline = Date.now() + (options.graceMs ?? 20_000);
  while (running.some(({ pid }) => isAlive(pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const { spec, pid } of running) {
    if (isAlive(pid)) {
      signal(pid, "SIGKILL");
      outcome[spec.name] = "killed";
    } else outcome[spec.name] = "stopped";
  }
  for (const spec of clusterProcesses(layout)) {
    await Deno.remove(spec.pidFile).catch(() => {});
  }
  await removeContainers(layout);
  return outcome;
}

/** Removes every container (process group, cgroups, work directory) of the layout's invokers. */
export async function removeContainers(layout: ClusterLayout): Promise<void> {
  const runDir = layoutFlag(layout, "--container-run-dir") ?? `${layout.dir}/containers`;
  for (const id of layout.invokers) {
    const factory = await createProcessFactory({ invokerId: id, runDir });
    await factory.cleanupLeftovers(`wsk${id}_`);
  }
}
