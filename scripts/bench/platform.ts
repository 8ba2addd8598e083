/**
 * The benchmark's handle on a running platform: spawns `platform_host.ts` as a child
 * process (so the load generator's CPU is apart from the platform's), reads its
 * counters, and talks to its REST API as the guest subject.
 *
 * @module
 */
import type { ControlPlaneCounters } from "./op_counter.ts";
import type { PlatformHostOptions } from "./platform_host.ts";

/** The guest key `deno task standalone` prints. */
export const GUEST_KEY =
  "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
const AUTH = `Basic ${btoa(GUEST_KEY)}`;

/** The platform under test. */
export type Mode = "standalone" | "cluster";

/** The controller's load balancer: the FPC path or the classic push path (`--balancer`). */
export type Balancer = "fpc" | "lean";

/** A running platform child. */
export interface PlatformHandle {
  readonly mode: Mode;
  readonly balancer: Balancer;
  readonly url: string;
  /** The platform process; its descendants are the containers. */
  readonly pid: number;
  counters(): Promise<ControlPlaneCounters>;
  /** Tells the key-value counter which action's keys to count apart. */
  focus(action: string): Promise<void>;
  close(): Promise<void>;
}

/** Settings every benchmark platform gets: throttles off, as OpenWhisk's perf deploy. */
export function benchConfigArgs(dataDir: string, extra: readonly string[] = []): string[] {
  return [
    "--cluster-data-dir",
    dataDir,
    "--controller-use-per-min-throttles",
    "false",
    "--controller-concurrent-invocations",
    "999999",
    "--controller-invocations-per-minute",
    "999999",
    ...extra,
  ];
}

/**
 * Starts the platform in a child process. `cluster` mode runs the same composition on
 * the real etcd and Kafka at the configured endpoints (separate role processes are not
 * composed yet). `balancer` picks the FPC path (default) or the lean push path.
 */
export async function launchPlatform(
  mode: Mode,
  configArgs: readonly string[],
  logFile: string,
  denoFlags: readonly string[] = [],
  balancer: Balancer = "fpc",
): Promise<PlatformHandle> {
  const options: PlatformHostOptions = {
    configArgs,
    realEtcd: mode === "cluster",
    realKafka: mode === "cluster",
    balancer,
  };
  const log = await Deno.open(logFile, { create: true, append: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...denoFlags,
      new URL("./platform_host.ts", import.meta.url).pathname,
      JSON.stringify(options),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
  }).spawn();
  child.stderr.pipeTo(log.writable).catch(() => {});
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
  const reader = lines.getReader();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await reader.read();
    if (done) throw new Error(`platform process ended; see ${logFile}`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  const send = (cmd: string, extra: Record<string, string> = {}) =>
    writer.write(new TextEncoder().encode(JSON.stringify({ cmd, ...extra }) + "\n"));
  const ready = await next();
  if (ready.ready !== true) throw new Error(`platform did not start: ${JSON.stringify(ready)}`);
  let closed = false;
  return {
    mode,
    balancer,
    url: String(ready.url),
    pid: Number(ready.pid),
    async counters() {
      await send("counters");
      return (await next()).counters as ControlPlaneCounters;
    },
    async focus(action) {
      await send("focus", { action });
      await next();
    },
    async close() {
      if (closed) return;
      closed = true;
      await send("close");
      try {
        await next();
      } catch { /* exited */ }
      await writer.close().catch(() => {});
      await child.status;
      reader.releaseLock();
    },
  };
}

function splitLines(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line.startsWith("{")) controller.enqueue(line);
      }
    },
  });
}

/** An action to create. */
export interface ActionSpec {
  readonly name: string;
  readonly code: string;
  readonly kind?: string;
  readonly memoryMb?: number;
  readonly concurrency?: number;
}

const NOOP = "function main(){return {};}";
/** OpenWhisk's `tests/performance/preparation/actions/noop.js`. */
export const NOOP_CODE = NOOP;
/** OpenWhisk's `async.js`: resolves after 175 ms. */
export const ASYNC_CODE =
  "function main(){return new Promise(function(resolve){setTimeout(function(){resolve({done:true});},175);});}";

/** Creates (or overwrites) an action as the guest. */
export async function putAction(url: string, spec: ActionSpec): Promise<void> {
  const limits: Record<string, number> = {};
  if (spec.memoryMb !== undefined) limits.memory = spec.memoryMb;
  if (spec.concurrency !== undefined) limits.concurrency = spec.concurrency;
  const res = await fetch(`${url}/api/v1/namespaces/_/actions/${spec.name}?overwrite=true`, {
    method: "PUT",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body: JSON.stringify({ exec: { kind: spec.kind ?? "nodejs:20", code: spec.code }, limits }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`PUT action ${spec.name}: ${res.status} ${text}`);
}

/** The request of a blocking invoke (the generator sends it many times). */
export function invokeRequest(url: string, action: string): () => Request {
  const target = `${url}/api/v1/namespaces/_/actions/${action}?blocking=true`;
  return () =>
    new Request(target, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: "{}",
    });
}

/** What a blocking invoke answered. */
export interface InvokeOutcome {
  readonly ok: boolean;
  readonly status: number;
  readonly record?: ActivationRecordView;
}

/** The parts of an activation record the benchmarks read. */
export interface ActivationRecordView {
  readonly start: number;
  readonly end: number;
  readonly duration: number;
  readonly waitTime?: number;
  readonly initTime?: number;
}

/** Invokes once, blocking, and reads the record's timings. */
export async function invokeOnce(url: string, action: string): Promise<InvokeOutcome> {
  const res = await fetch(invokeRequest(url, action)());
  const text = await res.text();
  if (res.status !== 200) return { ok: false, status: res.status };
  const body = JSON.parse(text) as {
    start: number;
    end: number;
    duration: number;
    annotations?: { key: string; value: unknown }[];
  };
  const annotation = (key: string) => {
    const v = body.annotations?.find((a) => a.key === key)?.value;
    return typeof v === "number" ? { [key]: v } : {};
  };
  return {
    ok: true,
    status: 200,
    record: {
      start: body.start,
      end: body.end,
      duration: body.duration,
      ...annotation("waitTime"),
      ...annotation("initTime"),
    },
  };
}

/**
 * Invokes until the platform answers (the scheduler registers its endpoint shortly
 * after start). Throws after `timeoutMs`.
 */
export async function waitUntilServing(
  url: string,
  action: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 0;
  while (performance.now() < deadline) {
    const outcome = await invokeOnce(url, action);
    if (outcome.ok) return;
    last = outcome.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `platform at ${url} did not serve ${action} within ${timeoutMs} ms (last ${last})`,
  );
}
