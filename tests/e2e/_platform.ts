/**
 * Test harness for end-to-end tests of the whole platform: starts `startStandalone`
 * in this process on port 0 over a temp data directory, with short timeouts, and
 * hands out a real `openwhisk` npm client bound to the guest key.
 *
 * Private to `tests/e2e/` (underscore file).
 *
 * @module
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import { apiKeyOf, GUEST_SUBJECT } from "../../actors/controller/rest_api/mod.ts";
import { loadConfig } from "../../runtime/config.ts";
import { jsonLineLogger, type LogEntry, type Logger, loggerFrom } from "../../runtime/log.ts";
import { type Standalone, startStandalone } from "../../scripts/standalone_platform.ts";

/** The guest's `uuid:key`, as `wsk` and the npm client take it. */
export const GUEST_KEY = apiKeyOf(GUEST_SUBJECT);

/** The `Authorization` header value of the guest. */
export const GUEST_BASIC = "Basic " + btoa(GUEST_KEY);

/** 32 lowercase hex characters: an activation id. */
export const HEX32 = /^[0-9a-f]{32}$/;

// The client's answers are checked field by field; its typings are looser than the wire.
// deno-lint-ignore no-explicit-any
export type Doc = any;
type Call = (options?: Record<string, unknown>) => Promise<Doc>;

/** The part of the `openwhisk` client these tests drive, with loose answers. */
export interface Client {
  namespaces: { list(): Promise<Doc> };
  actions: Record<"create" | "update" | "get" | "list" | "invoke" | "delete", Call>;
  activations: Record<"get" | "list" | "logs" | "result", Call>;
}

/** A rejected client call: the `openwhisk` client's `OpenWhiskError` (or a plain body). */
export interface ClientError {
  statusCode?: number;
  error: Doc;
  message: string;
}

/**
 * Flags every platform test uses: a 2 s lease and at most 50 ms of drain on close.
 * The blocking wait keeps its default; a test of the 202 path sets a short one.
 */
export const FAST_FLAGS: readonly string[] = [
  "--etcd-lease-ttl-seconds",
  "2",
  "--queue-graceful-shutdown-timeout-ms",
  "50",
];

/** A running platform under test. */
export interface Platform {
  readonly url: string;
  readonly ow: Client;
  readonly standalone: Standalone;
  readonly dataDir: string;
  /** Its invoker's id: its containers are `wsk<id>_…`. */
  readonly invokerId: number;
  /** The platform's log entries at `warn` and above (every level with `WSK_E2E_LOG=1`). */
  readonly logs: readonly LogEntry[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** How to start the platform under test. */
export interface PlatformOptions {
  /** Extra `loadConfig` flags (they win over {@link FAST_FLAGS}). */
  readonly flags?: readonly string[];
  readonly realEtcd?: boolean;
  readonly realKafka?: boolean;
  /** With real Kafka: the prefix of every topic and consumer group. */
  readonly topicPrefix?: string;
  /** Reuse this data directory (and keep it on dispose). */
  readonly dataDir?: string;
}

/** Starts the standalone platform in this process on a free port. */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "platform_e2e_" });
  const config = loadConfig(
    [...FAST_FLAGS, "--cluster-data-dir", dataDir, ...(options.flags ?? [])],
    () => undefined,
  );
  const logs: LogEntry[] = [];
  const logger = platformLogger(logs);
  const claim = claimInvokerId();
  const invokerId = claim.id;
  const standalone = await startStandalone({
    config,
    port: 0,
    invokerId,
    ...(options.topicPrefix === undefined ? {} : { topicPrefix: options.topicPrefix }),
    realEtcd: options.realEtcd ?? false,
    realKafka: options.realKafka ?? false,
    logger,
  }).catch(async (error) => {
    await claim.release();
    throw error;
  });
  const ow = openwhisk({ apihost: standalone.url, api_key: GUEST_KEY }) as unknown as Client;
  return {
    url: standalone.url,
    ow,
    standalone,
    dataDir,
    invokerId,
    logs,
    async [Symbol.asyncDispose]() {
      await standalone.close();
      await claim.release();
      if (ownDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Where claimed test invoker ids are recorded, one file per id holding the owner's pid. */
const ID_DIR = "/tmp/wsk-test-invoker-ids";

/** An invoker id held by this test until `release()`. */
export interface ClaimedInvokerId {
  readonly id: number;
  release(): Promise<void>;
}

/**
 * Claims an invoker id in 100–999 that no other running test holds. Every platform
 * removes the `wsk<id>_` containers of its host at start and stop and names containers
 * `wsk<id>_<seq>_<kind>`, so platforms running at once (test files run in parallel,
 * as workers of ONE process, so the pid alone is not unique) need distinct ids.
 * A claim is a file created exclusively; one whose owner process is gone is stale.
 */
export function claimInvokerId(): ClaimedInvokerId {
  Deno.mkdirSync(ID_DIR, { recursive: true });
  const start = Math.floor(Math.random() * 900);
  for (let i = 0; i < 900; i++) {
    const id = 100 + (start + i) % 900;
    const file = `${ID_DIR}/${id}`;
    try {
      Deno.writeTextFileSync(file, String(Deno.pid), { createNew: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (!ownerAlive(file)) Deno.removeSync(file);
      continue;
    }
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        await Deno.remove(file).catch(() => {});
      },
    };
  }
  throw new Error(`no free test invoker id in ${ID_DIR}`);
}

function ownerAlive(claimFile: string): boolean {
  try {
    Deno.statSync(`/proc/${Deno.readTextFileSync(claimFile).trim() || "none"}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * An invoker id for one platform of this test run, claimed as {@link claimInvokerId}
 * does and held until the test process ends.
 */
export function testInvokerId(): number {
  return claimInvokerId().id;
}

/**
 * Keeps warnings and errors for assertions; with `WSK_E2E_LOG=1` also prints every
 * line at debug level to stderr, for diagnosing a failing run.
 */
function platformLogger(entries: LogEntry[]): Logger {
  const verbose = Deno.env.get("WSK_E2E_LOG") === "1";
  const printer = verbose ? jsonLineLogger("debug") : undefined;
  return loggerFrom((entry) => {
    if (entry.level === "warn" || entry.level === "error") entries.push(entry);
    printer?.log(entry.level, entry.msg, entry.meta);
  }, verbose ? "debug" : "warn");
}

/** Awaits a promise that must reject and answers its reason. */
export async function rejection(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (error) {
    return error as ClientError;
  }
  throw new assert.AssertionError({ message: "expected the call to reject" });
}

/** Polls `probe` until it answers a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new assert.AssertionError({
    message: `timed out after ${timeoutMs} ms waiting for ${what}` +
      (last === undefined ? "" : `; last error: ${String(last)}`),
  });
}

/** Polls the activation until it is stored (the API answers 404 before). */
export function activationRecord(ow: Client, activationId: string, timeoutMs = 10_000) {
  return eventually(`activation ${activationId}`, async () => {
    try {
      return await ow.activations.get({ name: activationId });
    } catch (error) {
      if ((error as ClientError).statusCode === 404) return undefined;
      throw error;
    }
  }, timeoutMs);
}

/** The value of an activation annotation, or undefined. */
export function annotation(activation: Doc, key: string): unknown {
  return (activation.annotations as { key: string; value: unknown }[])
    .find((a) => a.key === key)?.value;
}

/** The host's container run directory (the process factory's default). */
const RUN_DIR = "/tmp/wsk-containers";

/** What is left on this host of containers named `<prefix>…`. */
export interface Leftovers {
  /** `<controller>/<name>` of each cgroup, e.g. `memory/wsk0_1_nodejs_20`. */
  readonly cgroups: string[];
  /** Pids whose command line or working directory names such a container. */
  readonly processes: number[];
}

/**
 * Lists the cgroups (every cgroup v1 controller) and processes of the containers
 * named `<prefix>…` (e.g. `wsk0_`): a container's process runs in
 * `/tmp/wsk-containers/<name>` with its socket path on its command line.
 */
export async function leftoverContainers(prefix: string): Promise<Leftovers> {
  const cgroups: string[] = [];
  for await (const controller of readDirOrEmpty("/sys/fs/cgroup")) {
    for await (const entry of readDirOrEmpty(`/sys/fs/cgroup/${controller.name}`)) {
      if (entry.isDirectory && entry.name.startsWith(prefix)) {
        cgroups.push(`${controller.name}/${entry.name}`);
      }
    }
  }
  const marker = `${RUN_DIR}/${prefix}`;
  const processes: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      const cwd = await Deno.readLink(`/proc/${entry.name}/cwd`).catch(() => "");
      if (cmdline.includes(marker) || cwd.startsWith(marker)) processes.push(Number(entry.name));
    } catch {
      // gone meanwhile
    }
  }
  return { cgroups, processes };
}

async function* readDirOrEmpty(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch {
    // absent or unreadable
  }
}
