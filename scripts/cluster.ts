/**
 * `deno task cluster up|down|status`: a local cluster of separate processes on the real
 * services (etcd, Kafka; SQLite in `<dir>/data` or PostgreSQL with `--store postgres`):
 * 1 controller, 2 schedulers and 2 invokers, each detached, logging to
 * `<dir>/<name>.log` with its pid in `<dir>/<name>.pid` (`<dir>` is `.cluster` unless
 * `--dir`). `up` returns once every process answers `/health` and etcd shows the
 * schedulers and invokers; any other flag goes to every process. `down` drains and
 * stops them; `status` shows the processes, the etcd view and the Kafka topics.
 * Upstream has no counterpart (its local clusters are Ansible deployments).
 *
 * @module
 */
import { resolve } from "node:path";
import {
  clusterProcesses,
  clusterStatus,
  defaultLayout,
  formatStatus,
  isAlive,
  loadLayout,
  readPid,
  startCluster,
  stopCluster,
} from "./cluster/mod.ts";

const USAGE = `Usage: deno task cluster up|down|status [--dir .cluster] [--json] [role flags...]
  up      start 1 controller, 2 schedulers, 2 invokers (flags go to every process)
  down    drain and stop them, remove their containers
  status  processes and /health, etcd view (invokers, schedulers, queue leaders), topics
`;

function takeDir(args: string[]): string {
  const i = args.indexOf("--dir");
  if (i < 0) return resolve(".cluster");
  const [, dir] = args.splice(i, 2);
  if (!dir) throw new TypeError("--dir needs a value");
  return resolve(dir);
}

async function up(dir: string, args: string[]): Promise<number> {
  const existing = await loadLayout(dir);
  if (existing) {
    for (const spec of clusterProcesses(existing)) {
      const pid = await readPid(spec);
      if (pid !== undefined && isAlive(pid)) {
        console.error(`${spec.name} is already running (pid ${pid}); run "down" first`);
        return 1;
      }
    }
  }
  const layout = defaultLayout(dir, args);
  try {
    const cluster = await startCluster(layout);
    for (const p of cluster.processes) {
      console.log(`${p.name.padEnd(12)} pid ${String(p.pid).padEnd(8)} ${p.url}  log ${p.logFile}`);
    }
    console.log(`cluster ready in ${cluster.startupMs} ms`);
    const controller = cluster.processes.find((p) => p.role === "controller");
    if (controller) console.log(`API host ${controller.url}   console ${controller.url}/console`);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(`processes may still run: deno task cluster down --dir ${dir}`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dir = takeDir(rest);
  const json = rest.includes("--json");
  switch (command) {
    case "up":
      return await up(dir, rest);
    case "down": {
      const layout = await loadLayout(dir);
      if (!layout) {
        console.log(`no cluster in ${dir}`);
        return 0;
      }
      const outcome = await stopCluster(layout);
      for (const [name, what] of Object.entries(outcome)) console.log(`${name.padEnd(12)} ${what}`);
      return 0;
    }
    case "status": {
      const layout = await loadLayout(dir);
      if (!layout) {
        console.log(`no cluster in ${dir}`);
        return 1;
      }
      const status = await clusterStatus(layout);
      console.log(json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return status.processes.every((p) => p.alive) ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return command === "--help" || command === "-h" ? 0 : 2;
  }
}

if (import.meta.main) Deno.exit(await main([...Deno.args]));
