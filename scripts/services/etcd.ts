/**
 * etcd for cluster mode and the real-service tests: one single-member etcd (Debian's
 * `etcd-server`, 3.4) on loopback, installed with apt-get when the `etcd` binary is
 * missing. Plays the role of upstream's `ansible/roles/etcd` and the etcd container of
 * its standalone launcher; differences: no Docker, one member, data in a local folder.
 *
 * Run directly: `deno run -A scripts/services/etcd.ts up|down|status [--data-dir DIR]
 * [--port N] [--peer-port N]`.
 *
 * @module
 */

const DEFAULT_DATA_DIR = ".services/etcd";
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** Options of {@link etcdUp}. */
export interface EtcdUpOptions {
  /** Data, pid and log folder (default `.services/etcd`). */
  readonly dataDir?: string;
  /** Client port on 127.0.0.1 (default 2379). */
  readonly port?: number;
  /** Peer port on 127.0.0.1 (default 2380). */
  readonly peerPort?: number;
  /** Silences the progress lines. */
  readonly quiet?: boolean;
}

/** A running etcd. */
export interface EtcdRunning {
  /** `127.0.0.1:<port>`, the value for `WSK_ETCD`. */
  readonly endpoint: string;
  /** The server's pid; -1 when an etcd we did not start already answered on the port. */
  readonly pid: number;
}

/** Options of {@link etcdDown}. */
export interface EtcdDownOptions {
  /** `SIGTERM` (default: a clean stop) or `SIGKILL` (a crash, for failover tests). */
  readonly signal?: "SIGTERM" | "SIGKILL";
}

/** Raised when etcd cannot be installed or does not come up in time. */
export class EtcdServiceError extends Error {
  override readonly name = "EtcdServiceError";
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new EtcdServiceError(`${cmd} ${args.join(" ")} failed:\n${text}`);
  }
}

async function hasEtcd(): Promise<boolean> {
  const out = await new Deno.Command("sh", { args: ["-c", "command -v etcd"], stdout: "null" })
    .output();
  return out.success;
}

/** Installs Debian's `etcd-server` when the `etcd` binary is missing. */
async function ensureInstalled(progress: (msg: string) => void): Promise<void> {
  if (await hasEtcd()) return;
  progress("installing etcd-server from Debian ...");
  await run("apt-get", ["update", "-q"]);
  await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "etcd-server"]);
}

function alive(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}

/** The pid in the folder's pid file, when that process is still an etcd. */
async function readPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(`${dataDir}/etcd.pid`)).trim());
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
    const comm = (await Deno.readTextFile(`/proc/${pid}/comm`)).trim();
    return comm === "etcd" ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function tailLog(dataDir: string): Promise<string> {
  try {
    return (await Deno.readTextFile(`${dataDir}/etcd.log`)).split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Tells whether an etcd answers healthy on 127.0.0.1:`port` (its `/health` endpoint). */
export async function etcdStatus(port = 2379, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await res.json();
    return res.ok && typeof body === "object" && body !== null &&
      (body as { health?: unknown }).health === "true";
  } catch {
    return false;
  }
}

function etcdArgs(dataDir: string, port: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    "--name=wsk",
    `--data-dir=${dataDir}/data`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=wsk=${peer}`,
    "--initial-cluster-state=new",
  ];
}

/**
 * Starts etcd when it is not already answering on `port`, and waits (bounded) until it
 * answers. Idempotent: when it already answers, nothing is started.
 *
 * @example
 * ```ts ignore
 * const { endpoint } = await etcdUp({ dataDir: ".services/etcd" });
 * ```
 */
export async function etcdUp(opts: EtcdUpOptions = {}): Promise<EtcdRunning> {
  const port = opts.port ?? 2379;
  const peerPort = opts.peerPort ?? 2380;
  const endpoint = `127.0.0.1:${port}`;
  const progress = opts.quiet ? () => {} : (msg: string) => console.error(`etcd: ${msg}`);
  await Deno.mkdir(opts.dataDir ?? DEFAULT_DATA_DIR, { recursive: true });
  const dataDir = Deno.realPathSync(opts.dataDir ?? DEFAULT_DATA_DIR);
  const known = await readPid(dataDir);
  if (await etcdStatus(port)) {
    progress(`already up at ${endpoint}`);
    return { endpoint, pid: known ?? -1 };
  }
  if (known !== undefined) return { endpoint, pid: await waitReady(dataDir, port, known) };
  await ensureInstalled(progress);
  progress(`starting on ${endpoint} (data in ${dataDir}) ...`);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = ["etcd", ...etcdArgs(dataDir, port, peerPort)].map(quote).join(" ");
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${cmd} >>${quote(`${dataDir}/etcd.log`)} 2>&1 </dev/null`],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  await Deno.writeTextFile(`${dataDir}/etcd.pid`, `${child.pid}\n`);
  const pid = await waitReady(dataDir, port, child.pid);
  progress(`ready at ${endpoint} (pid ${pid})`);
  return { endpoint, pid };
}

async function waitReady(dataDir: string, port: number, pid: number): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      throw new EtcdServiceError(`etcd (pid ${pid}) exited:\n${await tailLog(dataDir)}`);
    }
    if (await etcdStatus(port)) return pid;
    await delay(100);
  }
  throw new EtcdServiceError(
    `etcd did not answer on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms:\n${await tailLog(
      dataDir,
    )}`,
  );
}

/** Stops the etcd started with `dataDir` (SIGTERM, SIGKILL after 10 s). Idempotent. */
export async function etcdDown(
  dataDir = DEFAULT_DATA_DIR,
  opts: EtcdDownOptions = {},
): Promise<void> {
  const pid = await readPid(dataDir);
  if (pid !== undefined) {
    Deno.kill(pid, opts.signal ?? "SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await delay(50);
    if (alive(pid)) Deno.kill(pid, "SIGKILL");
    while (alive(pid)) await delay(20);
  }
  await Deno.remove(`${dataDir}/etcd.pid`).catch(() => {});
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

if (import.meta.main) {
  const [command = "status", ...rest] = Deno.args;
  const dataDir = flag(rest, "--data-dir") ?? DEFAULT_DATA_DIR;
  const port = Number(flag(rest, "--port") ?? 2379);
  const peerPort = Number(flag(rest, "--peer-port") ?? 2380);
  const quiet = rest.includes("--quiet");
  try {
    if (command === "up") {
      const { endpoint } = await etcdUp({ dataDir, port, peerPort, quiet });
      console.log(`etcd ready at ${endpoint}`);
    } else if (command === "down") await etcdDown(dataDir);
    else if (command === "status") {
      const up = await etcdStatus(port);
      if (!quiet) console.log(`etcd ${up ? "up" : "down"} 127.0.0.1:${port}`);
      Deno.exit(up ? 0 : 1);
    } else throw new TypeError(`Unknown command "${command}": expected up, down or status`);
  } catch (error) {
    console.error(`etcd: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
