/**
 * The `floor` benchmark: what this machine does with no platform in the way, measured
 * first in every run so every platform figure can be read as a multiple of it
 * (`reference/performance.md` §3.1, §3.2 `floor`, appendix D). Probes: Deno `fetch` →
 * `Deno.serve` keep-alive round trip and capacity (the one-hop HTTP floor), the bare
 * runtime server (our `nodejs:20` proxy driven through the invoker's own container
 * client, serially and at concurrency), TCP and pipe round trips across processes,
 * spawn → first result (Deno, Node, and a whole `nodejs:20` container), and etcd put and
 * compare-and-put when etcd is reachable.
 *
 * @module
 */
import { type Container, createProcessFactory } from "../../runtime/containers/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import { closedLoop, fetchSender, type LoadResult } from "./load.ts";
import { NOOP_CODE } from "./platform.ts";
import { type LatencySummary, summarize } from "./stats.ts";

const PEER = new URL("./floor_peer.ts", import.meta.url).pathname;

/** A throughput point. */
export interface CapacityPoint {
  readonly concurrency: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
}

/** Everything `floor` measured. */
export interface FloorResult {
  /** Serial Deno fetch → Deno.serve (another process), keep-alive, 30-byte JSON POST. */
  readonly httpRtt: LatencySummary;
  readonly httpCapacity: readonly CapacityPoint[];
  /** Serial `/run` of a noop on a `nodejs:20` container through the invoker's client. */
  readonly runtimeRtt: LatencySummary;
  readonly runtimeCapacity: readonly CapacityPoint[];
  readonly tcpRtt: LatencySummary;
  readonly pipeRtt: LatencySummary;
  /** Spawn → first line of output. */
  readonly spawnDeno: LatencySummary;
  readonly spawnNode: LatencySummary;
  /** `create` + `/init` + first `/run` of a `nodejs:20` container (the cold-start floor). */
  readonly runtimeCold: LatencySummary;
  readonly initTimeMs: LatencySummary;
  readonly etcd: { readonly put: LatencySummary; readonly txn: LatencySummary } | {
    readonly unavailable: string;
  };
}

/** How much each probe does. */
export interface FloorSizes {
  readonly httpRequests: number;
  readonly capacityConcurrency: readonly number[];
  readonly capacitySeconds: number;
  readonly runtimeRequests: number;
  readonly runtimeConcurrency: readonly number[];
  readonly tcpRoundTrips: number;
  readonly pipeRoundTrips: number;
  readonly spawns: number;
  readonly coldContainers: number;
  readonly etcdOps: number;
}

/** Sizes of a full run and of the CI subset. */
export const FLOOR_SIZES: Readonly<Record<"full" | "quick", FloorSizes>> = {
  full: {
    httpRequests: 20_000,
    capacityConcurrency: [1, 4, 10, 32, 100],
    capacitySeconds: 5,
    runtimeRequests: 2_000,
    runtimeConcurrency: [1, 4, 32],
    tcpRoundTrips: 20_000,
    pipeRoundTrips: 2_000,
    spawns: 20,
    coldContainers: 10,
    etcdOps: 1_000,
  },
  quick: {
    httpRequests: 3_000,
    capacityConcurrency: [1, 32],
    capacitySeconds: 2,
    runtimeRequests: 500,
    runtimeConcurrency: [4],
    tcpRoundTrips: 5_000,
    pipeRoundTrips: 1_000,
    spawns: 8,
    coldContainers: 5,
    etcdOps: 200,
  },
};

type Progress = (msg: string) => void;

function startPeer(kind: string): { child: Deno.ChildProcess; firstLine: () => Promise<string> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", "--no-lock", PEER, kind],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { child, firstLine: () => readFirstLine(child.stdout) };
}

async function readFirstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.includes("\n")) break;
  }
  reader.releaseLock();
  return text.split("\n")[0]!.trim();
}

async function stopPeer(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* gone */ }
  await child.stdin.close().catch(() => {});
  await child.stdout.cancel().catch(() => {});
  await child.status;
}

function capacityPoint(concurrency: number, r: LoadResult): CapacityPoint {
  return { concurrency, perSecond: r.perSecond, latency: summarize(r.latenciesMs, r.errors) };
}

async function httpProbes(sizes: FloorSizes, progress: Progress) {
  const { child, firstLine } = startPeer("http");
  const port = Number(await firstLine());
  const url = `http://127.0.0.1:${port}/`;
  const body = JSON.stringify({ value: { name: "floor-probe!" } });
  const send = fetchSender(() => new Request(url, { method: "POST", body }));
  try {
    await closedLoop(send, { concurrency: 1, maxRequests: 500, maxSeconds: 5 });
    progress("floor: http round trip");
    const serial = await closedLoop(send, {
      concurrency: 1,
      maxRequests: sizes.httpRequests,
      maxSeconds: 10,
    });
    const capacity: CapacityPoint[] = [];
    for (const c of sizes.capacityConcurrency) {
      progress(`floor: Deno.serve capacity c=${c}`);
      const r = await closedLoop(send, {
        concurrency: c,
        maxRequests: 1_000_000,
        maxSeconds: sizes.capacitySeconds,
      });
      capacity.push(capacityPoint(c, r));
    }
    return { httpRtt: summarize(serial.latenciesMs, serial.errors), httpCapacity: capacity };
  } finally {
    await stopPeer(child);
  }
}

async function runtimeProbes(sizes: FloorSizes, progress: Progress) {
  const factory = await createProcessFactory({ invokerId: 97 });
  await factory.cleanupLeftovers("wsk97_");
  const init = { value: { name: "floor", main: "main", code: NOOP_CODE, binary: false, env: {} } };
  const run = { value: {} };
  const cold: number[] = [];
  const initTimes: number[] = [];
  try {
    progress("floor: nodejs:20 container create → init → run");
    for (let i = 0; i < sizes.coldContainers + 1; i++) {
      const t0 = performance.now();
      const c = await factory.create({ name: `floorcold${i}`, kind: "nodejs:20", memoryMb: 256 });
      const ini = await c.initialize(init, 10_000);
      const r = await c.run(run, 10_000);
      const t1 = performance.now();
      if (i > 0 && ini.ok && r.ok) {
        cold.push(t1 - t0);
        initTimes.push(ini.durationMs);
      }
      await c.destroy();
    }
    const warm: Container[] = [];
    const most = Math.max(1, ...sizes.runtimeConcurrency);
    for (let i = 0; i < most; i++) {
      const c = await factory.create({ name: `floorwarm${i}`, kind: "nodejs:20", memoryMb: 256 });
      await c.initialize(init, 10_000);
      warm.push(c);
    }
    // One container per concurrent caller, each called serially, as the platform drives
    // concurrency-1 actions (a burst of calls into one container is not a platform path).
    let turn = 0;
    const free = [...warm];
    const send = async () => {
      const c = free.pop() ?? warm[turn++ % warm.length]!;
      try {
        return (await c.run(run, 10_000)).ok ? 200 : 500;
      } finally {
        free.push(c);
      }
    };
    await closedLoop(send, { concurrency: 1, maxRequests: 200, maxSeconds: 5 });
    progress("floor: bare runtime server round trip");
    const serial = await closedLoop(send, {
      concurrency: 1,
      maxRequests: sizes.runtimeRequests,
      maxSeconds: 10,
    });
    const capacity: CapacityPoint[] = [];
    for (const conc of sizes.runtimeConcurrency) {
      progress(`floor: bare runtime servers capacity c=${conc} (${conc} containers)`);
      const r = await closedLoop(send, {
        concurrency: conc,
        maxRequests: 1_000_000,
        maxSeconds: sizes.capacitySeconds,
      });
      capacity.push(capacityPoint(conc, r));
    }
    for (const c of warm) await c.destroy();
    return {
      runtimeRtt: summarize(serial.latenciesMs, serial.errors),
      runtimeCapacity: capacity,
      runtimeCold: summarize(cold),
      initTimeMs: summarize(initTimes),
    };
  } finally {
    await factory.cleanupLeftovers("wsk97_");
  }
}

async function tcpProbe(roundTrips: number): Promise<LatencySummary> {
  const { child, firstLine } = startPeer("tcp");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(await firstLine()) });
  conn.setNoDelay(true);
  const msg = new Uint8Array(8).fill(7);
  const buf = new Uint8Array(64);
  const samples: number[] = [];
  const deadline = performance.now() + 10_000;
  try {
    for (let i = 0; i < roundTrips + 200 && performance.now() < deadline; i++) {
      const t0 = performance.now();
      await conn.write(msg);
      let got = 0;
      while (got < 8) got += (await conn.read(buf)) ?? 8;
      if (i >= 200) samples.push(performance.now() - t0);
    }
  } finally {
    conn.close();
    await stopPeer(child);
  }
  return summarize(samples);
}

async function pipeProbe(roundTrips: number): Promise<LatencySummary> {
  const { child } = startPeer("pipe");
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  const line = new TextEncoder().encode('{"value":{}}\n');
  const samples: number[] = [];
  const deadline = performance.now() + 10_000;
  try {
    for (let i = 0; i < roundTrips + 100 && performance.now() < deadline; i++) {
      const t0 = performance.now();
      await writer.write(line);
      let got = 0;
      while (got < line.length) {
        const { value, done } = await reader.read();
        if (done) throw new Error("pipe peer ended");
        got += value.length;
      }
      if (i >= 100) samples.push(performance.now() - t0);
    }
  } finally {
    reader.releaseLock();
    writer.releaseLock();
    await stopPeer(child);
  }
  return summarize(samples);
}

async function spawnProbe(cmd: string, args: string[], n: number): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const t0 = performance.now();
    const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).spawn();
    await readFirstLine(child.stdout);
    const t1 = performance.now();
    await child.stdout.cancel().catch(() => {});
    await child.status;
    if (i > 0) samples.push(t1 - t0);
  }
  return summarize(samples);
}

async function etcdProbe(ops: number): Promise<FloorResult["etcd"]> {
  const endpoint = Deno.env.get("WSK_ETCD") ?? "127.0.0.1:2379";
  const [host, port] = endpoint.split(":");
  try {
    (await Deno.connect({ hostname: host!, port: Number(port ?? 2379) })).close();
  } catch (error) {
    return { unavailable: `etcd at ${endpoint} unreachable: ${(error as Error).message}` };
  }
  const kv = new EtcdKv({ endpoint, logger: silentLogger });
  const prefix = `bench-floor/${crypto.randomUUID()}/`;
  const value = "x".repeat(256);
  try {
    const put: number[] = [];
    const txn: number[] = [];
    const deadline = performance.now() + 10_000;
    for (let i = 0; i < ops && performance.now() < deadline; i++) {
      const t0 = performance.now();
      await kv.put(`${prefix}p${i % 50}`, value);
      put.push(performance.now() - t0);
    }
    for (let i = 0; i < ops && performance.now() < deadline + 10_000; i++) {
      const t0 = performance.now();
      await kv.putIfVersion(`${prefix}t${i}`, value, 0);
      txn.push(performance.now() - t0);
    }
    return { put: summarize(put.slice(20)), txn: summarize(txn.slice(20)) };
  } finally {
    await kv.delPrefix(prefix).catch(() => {});
    await kv.close();
  }
}

/** Runs every floor probe, in a fixed order, each bounded in count and seconds. */
export async function runFloor(sizes: FloorSizes, progress: Progress): Promise<FloorResult> {
  const http = await httpProbes(sizes, progress);
  const runtime = await runtimeProbes(sizes, progress);
  progress("floor: tcp and pipe round trips");
  const tcpRtt = await tcpProbe(sizes.tcpRoundTrips);
  const pipeRtt = await pipeProbe(sizes.pipeRoundTrips);
  progress("floor: spawn → first line (deno, node)");
  const spawnDeno = await spawnProbe(
    Deno.execPath(),
    ["run", "--no-config", "--no-lock", PEER, "ready"],
    sizes.spawns,
  );
  const spawnNode = await spawnProbe("node", ["-e", "console.log('ready')"], sizes.spawns);
  progress("floor: etcd put and txn");
  const etcd = await etcdProbe(sizes.etcdOps);
  return { ...http, ...runtime, tcpRtt, pipeRtt, spawnDeno, spawnNode, etcd };
}
