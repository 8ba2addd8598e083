/**
 * PostgreSQL for cluster mode and the real-service tests: one cluster of Debian's
 * `postgresql` in its own data folder, owned by the `postgres` system user, listening on
 * 127.0.0.1 only, with a `whisk` role (password `whisk`) owning a `whisk` database.
 * Installed with apt-get when missing. Plays the role of upstream's `ansible/roles/couchdb`
 * and the CouchDB container of its standalone launcher; differences: PostgreSQL instead
 * of CouchDB, no Docker, data in a local folder.
 *
 * Run directly: `deno run -A scripts/services/postgres.ts up|down|status [--dir DIR]
 * [--port N] [--quiet]`.
 *
 * @module
 */

const DEFAULT_DIR = ".services/postgres";
const READY_TIMEOUT_S = 30;
const STOP_TIMEOUT_S = 20;

/** Options of {@link postgresUp}. */
export interface PostgresUpOptions {
  /** Cluster folder: `data/`, `run/` (socket), `postgres.log` (default `.services/postgres`). */
  readonly dir?: string;
  /** TCP port on 127.0.0.1 (default 5432). */
  readonly port?: number;
  /** Silences the progress lines. */
  readonly quiet?: boolean;
}

/** A running PostgreSQL. */
export interface PostgresRunning {
  /** `postgres://whisk:whisk@127.0.0.1:<port>/whisk`, the value for `WSK_POSTGRES`. */
  readonly url: string;
  /** The postmaster's pid; -1 when a server we did not start already answered on the port. */
  readonly pid: number;
}

/** Raised when PostgreSQL cannot be installed, initialised or started in time. */
export class PostgresServiceError extends Error {
  override readonly name = "PostgresServiceError";
}

/** The connection URL of the `whisk` database on 127.0.0.1:`port`. */
export function postgresUrl(port = 5432): string {
  return `postgres://whisk:whisk@127.0.0.1:${port}/whisk`;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    await ReadableStream.from([stdin]).pipeThrough(new TextEncoderStream()).pipeTo(child.stdin);
  }
  const out = await child.output();
  if (!out.success) {
    throw new PostgresServiceError(
      `${cmd} ${args.join(" ")} failed:\n${text(out.stdout)}${text(out.stderr)}`,
    );
  }
  return text(out.stdout);
}

/** Runs a PostgreSQL binary as the `postgres` user (through `runuser` when we are root). */
function asPostgres(bin: string, args: string[], stdin?: string): Promise<string> {
  return Deno.uid() === 0
    ? run("runuser", ["-u", "postgres", "--", bin, ...args], stdin)
    : run(bin, args, stdin);
}

/** The newest installed server's `bin` folder, or undefined. */
function serverBinDir(): string | undefined {
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => Number(e.name));
    return versions.filter(Number.isInteger).sort((a, b) => b - a)
      .map((v) => `/usr/lib/postgresql/${v}/bin`).find((bin) => exists(`${bin}/initdb`));
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Installs Debian's `postgresql` when no server is installed; returns its `bin` folder. */
async function ensureInstalled(progress: (msg: string) => void): Promise<string> {
  const found = serverBinDir();
  if (found) return found;
  progress("installing postgresql from Debian ...");
  await run("apt-get", ["update", "-q"]);
  await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "postgresql"]);
  const bin = serverBinDir();
  if (!bin) throw new PostgresServiceError("postgresql installed but no initdb was found");
  return bin;
}

/**
 * Tells whether a PostgreSQL server accepts connections on 127.0.0.1:`port` (asks
 * `pg_isready`; false when the client tools are not installed).
 */
export async function postgresStatus(port = 5432): Promise<boolean> {
  const bin = serverBinDir();
  const isReady = bin ? `${bin}/pg_isready` : "pg_isready";
  try {
    const args = ["-q", "-h", "127.0.0.1", "-p", String(port), "-t", "2"];
    return (await new Deno.Command(isReady, { args, stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** The postmaster pid of the cluster in `dataDir`, when it is running. */
function readPid(dataDir: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(`${dataDir}/postmaster.pid`).split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "postgres" ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function initCluster(bin: string, dir: string, progress: (msg: string) => void) {
  const dataDir = `${dir}/data`;
  if (exists(`${dataDir}/PG_VERSION`)) return;
  progress(`creating a cluster in ${dataDir} ...`);
  for (const sub of ["data", "run"]) await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  await run("chown", ["-R", "postgres:postgres", dir]);
  await Deno.chmod(dataDir, 0o700);
  const auth = ["--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256"];
  await asPostgres(`${bin}/initdb`, ["-D", dataDir, "-U", "postgres", "-E", "UTF8", ...auth]);
  // Loopback only; the socket lives in our own folder, not /var/run/postgresql.
  const settings = `\n# whisk services\nlisten_addresses = '127.0.0.1'\n` +
    `unix_socket_directories = '${dir}/run'\n`;
  await Deno.writeTextFile(`${dataDir}/postgresql.conf`, settings, { append: true });
}

/** Creates the `whisk` role and database when missing (through the local socket). */
async function ensureWhiskDatabase(bin: string, dir: string, port: number) {
  const sql = `
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'whisk') THEN
        CREATE ROLE whisk LOGIN PASSWORD 'whisk';
      END IF;
    END $$;
    SELECT 'CREATE DATABASE whisk OWNER whisk'
      WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'whisk') \\gexec
  `;
  const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", `${dir}/run`, "-p", String(port)];
  await asPostgres(`${bin}/psql`, [...args, "-d", "postgres", "-f", "-"], sql);
}

/**
 * Installs (when missing), initialises (once) and starts PostgreSQL on 127.0.0.1:`port`,
 * waits (bounded) until it accepts connections, and makes sure the `whisk` role and
 * database exist. Idempotent: a running cluster is left alone.
 *
 * @example
 * ```ts ignore
 * const { url } = await postgresUp({ dir: ".services/postgres" });
 * ```
 */
export async function postgresUp(opts: PostgresUpOptions = {}): Promise<PostgresRunning> {
  const port = opts.port ?? 5432;
  const url = postgresUrl(port);
  const progress = opts.quiet ? () => {} : (msg: string) => console.error(`postgres: ${msg}`);
  await Deno.mkdir(opts.dir ?? DEFAULT_DIR, { recursive: true });
  const dir = Deno.realPathSync(opts.dir ?? DEFAULT_DIR);
  const known = readPid(`${dir}/data`);
  if (known === undefined && await postgresStatus(port)) {
    progress(`a server we did not start already answers on 127.0.0.1:${port}`);
    return { url, pid: -1 };
  }
  const bin = await ensureInstalled(progress);
  await initCluster(bin, dir, progress);
  if (known === undefined) {
    progress(`starting on 127.0.0.1:${port} (data in ${dir}/data) ...`);
    const wait = ["-w", "-t", String(READY_TIMEOUT_S)];
    const files = ["-D", `${dir}/data`, "-l", `${dir}/postgres.log`];
    await asPostgres(`${bin}/pg_ctl`, ["start", ...files, "-o", `-p ${port}`, ...wait]).catch(
      async (error) => {
        throw new PostgresServiceError(`${error.message}\n${await tailLog(dir)}`);
      },
    );
  } else progress(`already up at 127.0.0.1:${port} (pid ${known})`);
  await waitReady(dir, port);
  await ensureWhiskDatabase(bin, dir, port);
  const pid = readPid(`${dir}/data`) ?? -1;
  progress(`ready at ${url.replace(/:[^:@]*@/, ":***@")} (pid ${pid})`);
  return { url, pid };
}

async function tailLog(dir: string): Promise<string> {
  try {
    return (await Deno.readTextFile(`${dir}/postgres.log`)).split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitReady(dir: string, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_S * 1000;
  while (!(await postgresStatus(port))) {
    if (Date.now() > deadline) {
      const log = await tailLog(dir);
      throw new PostgresServiceError(
        `PostgreSQL did not answer on 127.0.0.1:${port} within ${READY_TIMEOUT_S} s:\n${log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the cluster in `dir` (fast shutdown, bounded wait). Idempotent. */
export async function postgresDown(dir = DEFAULT_DIR): Promise<void> {
  const dataDir = `${dir}/data`;
  const bin = serverBinDir();
  if (!bin || readPid(dataDir) === undefined) return;
  const wait = ["-w", "-t", String(STOP_TIMEOUT_S)];
  await asPostgres(`${bin}/pg_ctl`, [
    "stop",
    "-D",
    Deno.realPathSync(dataDir),
    "-m",
    "fast",
    ...wait,
  ]);
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

if (import.meta.main) {
  const [command = "status", ...rest] = Deno.args;
  const dir = flag(rest, "--dir") ?? DEFAULT_DIR;
  const port = Number(flag(rest, "--port") ?? 5432);
  const quiet = rest.includes("--quiet");
  try {
    if (command === "up") {
      const { url } = await postgresUp({ dir, port, quiet });
      console.log(`postgres ready at ${url}`);
    } else if (command === "down") await postgresDown(dir);
    else if (command === "status") {
      const up = await postgresStatus(port);
      if (!quiet) console.log(`postgres ${up ? "up" : "down"} 127.0.0.1:${port}`);
      Deno.exit(up ? 0 : 1);
    } else throw new TypeError(`Unknown command "${command}": expected up, down or status`);
  } catch (error) {
    console.error(`postgres: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
