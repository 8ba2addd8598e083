/**
 * `deno task cluster status`: every process of the cluster with its pid and `/health`,
 * the etcd view (invokers with status and memory, schedulers with queue counts, queue
 * leaders) and the cluster's Kafka topics. Upstream has no counterpart; it reads the
 * same keys as upstream's `InvokerHealthManager`/`FPCPoolBalancer` views.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import {
  decodeInvokerResourceMessage,
  decodeSchedulerEndpoints,
  decodeSchedulerStates,
  invokersPrefix,
  parseInvokerKey,
  queuePrefix,
  schedulerPrefix,
} from "../../protocols/mod.ts";
import { quietTimeoutNegativeWarning } from "../../runtime/bus/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import { type ClusterLayout, clusterProcesses, layoutFlag } from "./cluster_layout.ts";
import { getJson, isAlive, readPid } from "./cluster_processes.ts";

/** One process as `status` sees it. */
export interface ProcessStatus {
  readonly name: string;
  readonly url: string;
  readonly pid?: number;
  readonly alive: boolean;
  /** The `/health` body, or `undefined` when it did not answer. */
  readonly health?: unknown;
}

/** The cluster as etcd shows it. */
export interface EtcdView {
  readonly invokers: readonly {
    id: string;
    status: string;
    freeMemoryMb: number;
    busyMemoryMb: number;
    inProgressMemoryMb: number;
  }[];
  readonly schedulers: readonly { sid: string; queueSize: number; endpoint: string }[];
  /** `namespace/action` → `host:port` of the leader scheduler. */
  readonly queueLeaders: Readonly<Record<string, string>>;
}

/** Everything `status` prints. */
export interface ClusterStatus {
  readonly processes: readonly ProcessStatus[];
  readonly etcd?: EtcdView;
  readonly etcdError?: string;
  readonly topics?: readonly string[];
  readonly kafkaError?: string;
}

/** Reads the processes' pids and `/health`. */
export async function processStatuses(layout: ClusterLayout): Promise<ProcessStatus[]> {
  return await Promise.all(
    clusterProcesses(layout).map(async (spec) => {
      const pid = await readPid(spec);
      const alive = pid !== undefined && isAlive(pid);
      const health = alive ? (await getJson(`${spec.url}/health`))?.body : undefined;
      return {
        name: spec.name,
        url: spec.url,
        ...(pid === undefined ? {} : { pid }),
        alive,
        ...(health === undefined ? {} : { health }),
      };
    }),
  );
}

/** Reads invokers, schedulers and queue leaders of `cluster` from etcd. */
export async function etcdView(endpoint: string, cluster: string): Promise<EtcdView> {
  const kv = new EtcdKv({ endpoint, logger: silentLogger, callTimeoutMs: 3_000 });
  try {
    const invokers = (await kv.getPrefix(invokersPrefix(cluster))).flatMap(({ key, value }) => {
      try {
        const r = decodeInvokerResourceMessage(value);
        return [{
          id: String(parseInvokerKey(key, cluster)?.instance ?? key),
          status: r.status,
          freeMemoryMb: r.freeMemory,
          busyMemoryMb: r.busyMemory,
          inProgressMemoryMb: r.inProgressMemory,
        }];
      } catch {
        return [];
      }
    });
    const schedulers = (await kv.getPrefix(schedulerPrefix(cluster))).flatMap(({ value }) => {
      try {
        const s = decodeSchedulerStates(value);
        const endpoint = `${s.endpoints.host}:${s.endpoints.rpcPort}`;
        return [{ sid: s.sid.asString, queueSize: s.queueSize, endpoint }];
      } catch {
        return [];
      }
    });
    const queueLeaders: Record<string, string> = {};
    for (const { key, value } of await kv.getPrefix(queuePrefix(cluster))) {
      if (!key.endsWith("/leader")) continue;
      const name = key.slice(queuePrefix(cluster).length, -"/leader".length);
      try {
        const e = decodeSchedulerEndpoints(value);
        queueLeaders[name] = `${e.host}:${e.rpcPort}`;
      } catch {
        queueLeaders[name] = value;
      }
    }
    return { invokers, schedulers, queueLeaders };
  } finally {
    await kv.close();
  }
}

/** The broker's topics that start with `prefix` (internal `__` topics left out). */
export async function kafkaTopics(brokers: string, prefix: string): Promise<string[]> {
  quietTimeoutNegativeWarning();
  const kafka = new Kafka({
    clientId: "wsk-cluster-status",
    brokers: brokers.split(","),
    connectionTimeout: 2_000,
    retry: { retries: 1 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    return topics.filter((t) => !t.startsWith("__") && t.startsWith(prefix)).sort();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Everything `status` shows for `layout`. */
export async function clusterStatus(layout: ClusterLayout): Promise<ClusterStatus> {
  const cluster = layoutFlag(layout, "--cluster-name") ?? "whisk";
  const [processes, etcd, topics] = await Promise.all([
    processStatuses(layout),
    etcdView(layoutFlag(layout, "--etcd-endpoints") ?? "127.0.0.1:2379", cluster).then(
      (view) => ({ etcd: view }),
      (error) => ({ etcdError: errorText(error) }),
    ),
    kafkaTopics(
      layoutFlag(layout, "--kafka-brokers") ?? "127.0.0.1:9092",
      layoutFlag(layout, "--kafka-topic-prefix") ?? "",
    ).then((list) => ({ topics: list }), (error) => ({ kafkaError: errorText(error) })),
  ]);
  return { processes, ...etcd, ...topics };
}

/** `status` as text lines. */
export function formatStatus(status: ClusterStatus): string {
  const lines: string[] = ["processes:"];
  for (const p of status.processes) {
    const health = p.health === undefined ? "no answer" : JSON.stringify(p.health);
    const state = p.alive ? `pid ${p.pid}` : "not running";
    lines.push(`  ${p.name.padEnd(12)} ${state.padEnd(12)} ${p.url}  ${p.alive ? health : ""}`);
  }
  if (status.etcd) {
    lines.push("etcd invokers:");
    for (const i of status.etcd.invokers) {
      lines.push(
        `  invoker${i.id.padEnd(5)} ${i.status.padEnd(9)} free ${i.freeMemoryMb} MB, busy ` +
          `${i.busyMemoryMb} MB, starting ${i.inProgressMemoryMb} MB`,
      );
    }
    lines.push("etcd schedulers:");
    for (const s of status.etcd.schedulers) {
      lines.push(`  scheduler${s.sid.padEnd(3)} ${s.endpoint}  queues ${s.queueSize}`);
    }
    lines.push("queue leaders:");
    for (const [queue, leader] of Object.entries(status.etcd.queueLeaders)) {
      lines.push(`  ${queue} → ${leader}`);
    }
  } else lines.push(`etcd: ${status.etcdError}`);
  if (status.topics) lines.push(`kafka topics: ${status.topics.join(", ")}`);
  else lines.push(`kafka: ${status.kafkaError}`);
  return lines.join("\n");
}
