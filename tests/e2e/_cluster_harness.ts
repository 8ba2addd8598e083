/**
 * Starts a real local cluster (separate processes on the real etcd and Kafka) for the
 * cluster end-to-end tests: its own temp directory (SQLite, logs, containers), its own
 * cluster name in etcd and topic prefix in Kafka, ports from a per-test base id, a 2 s
 * lease TTL; always stopped (SIGTERM, then SIGKILL) with its containers removed. On a
 * failure the tail of every process log is printed.
 *
 * @module
 */
import openwhisk from "openwhisk";
import { apiKeyOf, GUEST_SUBJECT } from "../../actors/controller/rest_api/mod.ts";
import {
  type ClusterLayout,
  type ClusterProcess,
  type EtcdView,
  etcdView,
  type RunningCluster,
  startCluster,
  stopCluster,
} from "../../scripts/cluster/mod.ts";

/** Real endpoints, as every real-service test reads them. */
export const ETCD = Deno.env.get("WSK_ETCD") ?? "127.0.0.1:2379";
export const KAFKA = Deno.env.get("WSK_KAFKA") ?? "127.0.0.1:9092";
/** True when real-service tests are skipped. */
export const SKIP_REAL = Deno.env.get("WSK_SKIP_REAL") === "1";

/**
 * Detached role processes, kafkajs and etcd3 clients outlive single test steps in ways
 * Deno's sanitizers flag; every process is killed and every client closed in `finally`.
 */
export const CLUSTER_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

// The client's answers are checked field by field; its typings are looser than the wire.
// deno-lint-ignore no-explicit-any
export type Doc = any;
type Call = (options?: Record<string, unknown>) => Promise<Doc>;
/** The part of the `openwhisk` client the cluster tests drive. */
export interface Client {
  actions: Record<"create" | "update" | "get" | "invoke" | "delete", Call>;
  activations: Record<"get" | "list" | "logs" | "result", Call>;
}

/** An `openwhisk` client for the guest namespace at `apihost`. */
export function client(apihost: string): Client {
  return openwhisk({ apihost, api_key: apiKeyOf(GUEST_SUBJECT) }) as unknown as Client;
}

async function reachable(host: string): Promise<boolean> {
  const [hostname, port] = host.split(":");
  try {
    const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

async function assertServices(): Promise<void> {
  for (const [name, host, env] of [["etcd", ETCD, "WSK_ETCD"], ["Kafka", KAFKA, "WSK_KAFKA"]]) {
    if (!(await reachable(host!))) {
      throw new Error(
        `${name} is not reachable at ${host} (${env}): start the services with ` +
          "`deno task services up`, or set WSK_SKIP_REAL=1 to skip real-service tests",
      );
    }
  }
}

/** How a test wants its cluster. */
export interface ClusterSpec {
  /**
   * Instance ids start at 100 + this base (0–9) + a random multiple of 10 below 800 (ports
   * are the role's base port + id): test files with different bases never meet, and
   * parallel runs of one file rarely do (a taken port fails the start clearly).
   */
  readonly baseId: number;
  readonly controllers?: number;
  readonly schedulers?: number;
  readonly invokers?: number;
  readonly extraArgs?: readonly string[];
}

/** A running test cluster. */
export interface TestCluster extends RunningCluster {
  readonly dir: string;
  /** The etcd cluster name (first segment of every key). */
  readonly name: string;
  readonly containersDir: string;
  /** The processes of one role, in id order. */
  of(role: ClusterProcess["role"]): ClusterProcess[];
  /** The etcd view of this cluster. */
  etcd(): Promise<EtcdView>;
  /** Names of the containers of invoker `id` now alive on disk (`wsk<id>_…`). */
  containersOf(id: number): Promise<string[]>;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function printLogTails(layout: ClusterLayout): Promise<void> {
  for await (const entry of Deno.readDir(layout.dir)) {
    if (!entry.name.endsWith(".log")) continue;
    const text = await Deno.readTextFile(`${layout.dir}/${entry.name}`).catch(() => "");
    const tail = text.trimEnd().split("\n").slice(-15).map((l) => l.slice(0, 400)).join("\n");
    console.error(`--- ${entry.name} (last lines)\n${tail}`);
  }
}

/** Starts a cluster, runs `body`, and always stops it. */
export async function withCluster(
  spec: ClusterSpec,
  body: (cluster: TestCluster) => Promise<void>,
): Promise<void> {
  await assertServices();
  const dir = await Deno.makeTempDir({ prefix: "wskc" });
  const baseId = 100 + spec.baseId + 10 * Math.floor(Math.random() * 80);
  const name = `c${baseId}x${crypto.randomUUID().slice(0, 6)}`;
  const layout: ClusterLayout = {
    dir,
    controllers: range(baseId, spec.controllers ?? 1),
    schedulers: range(baseId, spec.schedulers ?? 2),
    invokers: range(baseId, spec.invokers ?? 2),
    args: [
      "--cluster-name",
      name,
      "--kafka-topic-prefix",
      `${name}-`,
      "--etcd-endpoints",
      ETCD,
      "--kafka-brokers",
      KAFKA,
      "--etcd-lease-ttl-seconds",
      "2",
      "--kafka-session-timeout-ms",
      "6000",
      "--kafka-heartbeat-interval-ms",
      "1000",
      "--log-level",
      "info",
      ...(spec.extraArgs ?? []),
    ],
  };
  const containersDir = `${dir}/containers`;
  let ok = false;
  try {
    const running = await startCluster(layout, { readyTimeoutMs: 60_000 });
    await body({
      ...running,
      dir,
      name,
      containersDir,
      of: (role) => running.processes.filter((p) => p.role === role),
      etcd: () => etcdView(ETCD, name),
      containersOf: async (id) => {
        const names: string[] = [];
        try {
          for await (const e of Deno.readDir(containersDir)) {
            if (e.name.startsWith(`wsk${id}_`)) names.push(e.name);
          }
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
        return names.sort();
      },
    });
    ok = true;
  } finally {
    if (!ok) await printLogTails(layout).catch(() => {});
    await stopCluster(layout, { graceMs: 10_000 });
    if (ok) await Deno.remove(dir, { recursive: true }).catch(() => {});
    else console.error(`cluster files kept in ${dir}`);
  }
}

/** Polls `read` until it returns a value other than `undefined`, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  ms: number,
  read: () => Promise<T | undefined>,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(
    `${what}: not within ${ms} ms` + (lastError ? ` (last error: ${lastError})` : ""),
  );
}

/** The record of `activationId`, once stored. */
export function recordOf(ow: Client, activationId: string, ms = 15_000): Promise<Doc> {
  return eventually(`record of ${activationId}`, ms, async () => {
    try {
      return await ow.activations.get({ name: activationId });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }, 200);
}

/** The first event of a `/trace` stream (recent events come first), within 5 s. */
export async function traceEvent(url: string): Promise<Doc> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${url} ended without an event`);
      text += value;
      const data = text.split("\n").find((line) => line.startsWith("data: "));
      if (data) return JSON.parse(data.slice("data: ".length));
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
