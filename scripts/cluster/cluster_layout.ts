/**
 * Which processes make a local cluster, where each listens and logs, and the
 * `cluster.json` file that `up` writes so `status` and `down` find them again.
 * Upstream has no counterpart (its local clusters are Ansible or docker-compose
 * deployments); the layout follows ARCHITECTURE's ports (controller N on 3233 + N,
 * scheduler N on 13001 + N, invoker N on 12001 + N).
 *
 * @module
 */
import { ROLE_BASE_PORTS, type RoleName } from "../role_process.ts";

/** What `up` starts. */
export interface ClusterLayout {
  /** Holds `cluster.json`, the logs, the pid files, the SQLite data and the containers. */
  readonly dir: string;
  readonly controllers: readonly number[];
  readonly schedulers: readonly number[];
  readonly invokers: readonly number[];
  /** Flags handed to every process (config settings, `--kafka-topic-prefix`, ...). */
  readonly args: readonly string[];
}

/** One process of the cluster. */
export interface ClusterProcessSpec {
  readonly role: RoleName;
  readonly id: number;
  /** `controller0`, `scheduler1`, ... */
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** The full argument list after `deno run -A <script>`. */
  readonly args: readonly string[];
}

/** The layout of `deno task cluster up`: 1 controller, 2 schedulers, 2 invokers. */
export function defaultLayout(dir = ".cluster", args: readonly string[] = []): ClusterLayout {
  return { dir, controllers: [0], schedulers: [0, 1], invokers: [0, 1], args };
}

/** The script of each role, relative to this file. */
export function roleScript(role: RoleName): string {
  return new URL(`../${role}.ts`, import.meta.url).pathname;
}

function hasFlag(args: readonly string[], name: string): boolean {
  return args.some((arg) => arg === name || arg.startsWith(`${name}=`));
}

/**
 * Every process of `layout`, schedulers first, then invokers, then controllers. The
 * data directory defaults to `<dir>/data` and invokers' containers live in
 * `<dir>/containers`, unless the layout's flags say otherwise.
 *
 * @example
 * ```ts
 * import { clusterProcesses, defaultLayout } from "./cluster_layout.ts";
 * const names = clusterProcesses(defaultLayout("/tmp/c")).map((p) => `${p.name}:${p.port}`);
 * console.assert(names.join() === "scheduler0:13001,scheduler1:13002,invoker0:12001,invoker1:12002,controller0:3233");
 * ```
 */
export function clusterProcesses(layout: ClusterLayout): ClusterProcessSpec[] {
  const shared = [...layout.args];
  if (!hasFlag(shared, "--cluster-data-dir")) {
    shared.push("--cluster-data-dir", `${layout.dir}/data`);
  }
  const roles: [RoleName, readonly number[]][] = [
    ["scheduler", layout.schedulers],
    ["invoker", layout.invokers],
    ["controller", layout.controllers],
  ];
  return roles.flatMap(([role, ids]) =>
    ids.map((id) => {
      const name = `${role}${id}`;
      const port = ROLE_BASE_PORTS[role] + id;
      const own = role === "invoker" && !hasFlag(shared, "--container-run-dir")
        ? ["--container-run-dir", `${layout.dir}/containers`]
        : [];
      return {
        role,
        id,
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        logFile: `${layout.dir}/${name}.log`,
        pidFile: `${layout.dir}/${name}.pid`,
        args: ["--id", String(id), ...shared, ...own],
      };
    })
  );
}

/** Writes `<dir>/cluster.json`. */
export async function saveLayout(layout: ClusterLayout): Promise<void> {
  await Deno.mkdir(layout.dir, { recursive: true });
  await Deno.writeTextFile(`${layout.dir}/cluster.json`, JSON.stringify(layout, null, 2) + "\n");
}

/** Reads `<dir>/cluster.json`; `undefined` when no cluster was started there. */
export async function loadLayout(dir: string): Promise<ClusterLayout | undefined> {
  try {
    const raw = JSON.parse(await Deno.readTextFile(`${dir}/cluster.json`));
    const ids = (v: unknown) => Array.isArray(v) && v.every(Number.isInteger);
    if (
      typeof raw !== "object" || raw === null || !ids(raw.controllers) || !ids(raw.schedulers) ||
      !ids(raw.invokers) || !Array.isArray(raw.args)
    ) {
      throw new TypeError(`Cannot read ${dir}/cluster.json: not a cluster layout`);
    }
    return { ...raw, dir } as ClusterLayout;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** The value of a flag in the layout's shared arguments. */
export function layoutFlag(layout: ClusterLayout, name: string): string | undefined {
  const args = layout.args;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
  }
  return undefined;
}
