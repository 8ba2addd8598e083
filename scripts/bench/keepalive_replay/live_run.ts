/**
 * One live replay: starts the standalone platform in this process (port 0, a temp data
 * directory, throttles off) with the given keep-alive policy and a small invoker memory
 * budget, creates one busy-loop action per function (Node.js, Python or Deno), sends every request of the
 * workload at its time (open loop, blocking invokes), and classifies each answer as
 * warm, cold (the record has an `initTime` annotation) or dropped (anything but a
 * successful activation in time). Actions are Node.js, Python or Deno code (see
 * {@link actionCode}) with the function's init sleep, run time and ballast.
 *
 * Timers that matter for keep-alive are compressed like the trace: the pause grace
 * (10 s) and the ttl idle time (10 min) are divided by `timeScale`.
 *
 * @module
 */

import { apiKeyOf, GUEST_SUBJECT } from "../../../actors/controller/rest_api/mod.ts";
import { loadConfig } from "../../../runtime/config.ts";
import { type LogEntry, loggerFrom } from "../../../runtime/log.ts";
import { startStandalone } from "../../standalone_platform.ts";
import type { ReplayPolicy } from "./options.ts";
import type { ReplayFunction, Workload } from "./workload.ts";

/** The guest subject the standalone platform seeds. */
const AUTH = `Basic ${btoa(apiKeyOf(GUEST_SUBJECT))}`;

/** Upstream's pause grace and idle-container time, before compression. */
const PAUSE_GRACE_MS = 10_000;
const IDLE_CONTAINER_MS = 600_000;
/** How long a blocking invoke waits before the client gives up (the platform answers 202 at 60 s). */
const CLIENT_TIMEOUT_MS = 70_000;

/** Node.js: a synchronous sleep in module scope, then spin and keep a ballast. */
const NODE_ACTION = (initMs: number) =>
  `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${initMs});
let ballast;
function main(params) {
  const mb = params.allocMb | 0;
  if (!ballast || ballast.length !== mb * 1048576) ballast = Buffer.alloc(mb * 1048576, 1);
  const end = Date.now() + (params.busyMs | 0);
  let spins = 0;
  while (Date.now() < end) spins++;
  return { spins, mb };
}`;

/** Python: the same, with `time.sleep` at module level. */
const PYTHON_ACTION = (initMs: number) =>
  `import time
time.sleep(${initMs / 1000})
ballast = None
def main(args):
    global ballast
    mb = int(args.get("allocMb", 0))
    if ballast is None or len(ballast) != mb * 1048576:
        ballast = bytearray(b"\\x01") * (mb * 1048576)
    end = time.monotonic() + int(args.get("busyMs", 0)) / 1000
    spins = 0
    while time.monotonic() < end:
        spins += 1
    return {"spins": spins, "mb": mb}
`;

/** Deno: the same as an ES module, with a top-level await for the sleep. */
const DENO_ACTION = (initMs: number) =>
  `await new Promise((resolve) => setTimeout(resolve, ${initMs}));
let ballast;
export function main(params) {
  const mb = params.allocMb | 0;
  if (!ballast || ballast.length !== mb * 1048576) ballast = new Uint8Array(mb * 1048576).fill(1);
  const end = Date.now() + (params.busyMs | 0);
  let spins = 0;
  while (Date.now() < end) spins++;
  return { spins, mb };
}`;

/**
 * The action code of `f`: sleeps `initMs` while it loads (init cost without CPU), then
 * each run spins for `busyMs` and keeps an `allocMb` buffer (touched, so resident) for
 * the container's life.
 */
export function actionCode(f: Pick<ReplayFunction, "kind" | "initMs">): string {
  switch (f.kind) {
    case "nodejs:20":
      return NODE_ACTION(f.initMs);
    case "python:3":
      return PYTHON_ACTION(f.initMs);
    case "deno:2":
      return DENO_ACTION(f.initMs);
  }
}

/** How one request ended. */
export type OutcomeKind = "warm" | "cold" | "dropped";

/** One request's outcome. */
export interface RequestOutcome {
  readonly fn: number;
  readonly atMs: number;
  readonly kind: OutcomeKind;
  /** Client-observed latency (ms). */
  readonly latencyMs: number;
  /** Why it was dropped (HTTP status and error). */
  readonly reason?: string;
  /** The activation id, when the platform answered with a record. */
  readonly activationId?: string;
  /** The last lines of a dropped activation's logs. */
  readonly logsTail?: readonly string[];
}

/** One policy's run. */
export interface PolicyRun {
  readonly policy: ReplayPolicy;
  readonly outcomes: readonly RequestOutcome[];
  /** From the first request to the last answer (ms). */
  readonly wallMs: number;
  /** Platform log entries at warn and above, by message. */
  readonly warnings: Readonly<Record<string, number>>;
}

/** Options of {@link runPolicy}. */
export interface LiveRunOptions {
  readonly policy: ReplayPolicy;
  readonly timeScale: number;
  /** Progress lines (default none). */
  readonly progress?: (line: string) => void;
  /** Receives every platform log entry at `logLevel` and above (default none). */
  readonly logSink?: (entry: LogEntry) => void;
  /** Default `warn`. */
  readonly logLevel?: "debug" | "info" | "warn";
}

async function api(url: string, path: string, init: RequestInit = {}): Promise<Response> {
  return await fetch(`${url}/api/v1/namespaces/_${path}`, {
    ...init,
    headers: { authorization: AUTH, "content-type": "application/json" },
  });
}

async function createAction(url: string, f: ReplayFunction): Promise<void> {
  const response = await api(url, `/actions/${f.name}?overwrite=true`, {
    method: "PUT",
    body: JSON.stringify({
      exec: { kind: f.kind, code: actionCode(f) },
      limits: { memory: f.memoryMb, timeout: 60_000 },
      parameters: [{ key: "busyMs", value: f.busyMs }, { key: "allocMb", value: f.allocMb }],
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Cannot create ${f.name}: ${response.status} ${text}`);
}

interface RecordShape {
  readonly response?: {
    readonly success?: boolean;
    readonly status?: string;
    readonly result?: { readonly error?: unknown };
  };
  readonly annotations?: readonly { readonly key: string; readonly value: unknown }[];
  readonly error?: string;
}

/** Classifies a blocking invoke's answer. */
export function classify(status: number, body: unknown): { kind: OutcomeKind; reason?: string } {
  const record = (body ?? {}) as RecordShape;
  if (status !== 200 || record.response?.success !== true) {
    const why = record.response?.status ?? record.error ?? "";
    const error = record.response?.result?.error;
    const detail = typeof error === "string" ? `: ${error}` : "";
    return { kind: "dropped", reason: `${status} ${why}${detail}`.trim() };
  }
  const cold = record.annotations?.some((a) => a.key === "initTime") ?? false;
  return { kind: cold ? "cold" : "warm" };
}

async function invoke(url: string, f: ReplayFunction, fn: number, atMs: number) {
  const began = performance.now();
  try {
    const response = await api(url, `/actions/${f.name}?blocking=true`, {
      method: "POST",
      body: "{}",
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const body = await response.json().catch(() => undefined);
    const outcome = classify(response.status, body);
    return {
      fn,
      atMs,
      latencyMs: performance.now() - began,
      ...outcome,
      ...dropDetail(outcome, body),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.name : String(error);
    return { fn, atMs, latencyMs: performance.now() - began, kind: "dropped" as const, reason };
  }
}

/** The activation id and log tail of a dropped request's record, when there is one. */
function dropDetail(outcome: { kind: OutcomeKind }, body: unknown) {
  if (outcome.kind !== "dropped" || typeof body !== "object" || body === null) return {};
  const { activationId, logs } = body as { activationId?: unknown; logs?: unknown };
  const lines = Array.isArray(logs) ? logs.filter((l) => typeof l === "string").slice(-3) : [];
  return {
    ...(typeof activationId === "string" ? { activationId } : {}),
    ...(lines.length > 0 ? { logsTail: lines as string[] } : {}),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Replays `workload` against a fresh platform with `o.policy`. */
export async function runPolicy(workload: Workload, o: LiveRunOptions): Promise<PolicyRun> {
  const dataDir = await Deno.makeTempDir({ prefix: "keepalive_replay_" });
  const warnings: Record<string, number> = {};
  const warnLevels: ReadonlySet<string> = new Set(["warn", "error"]);
  const logger = loggerFrom((e: LogEntry) => {
    if (warnLevels.has(e.level)) warnings[e.msg] = (warnings[e.msg] ?? 0) + 1;
    o.logSink?.(e);
  }, o.logSink ? (o.logLevel ?? "warn") : "warn");
  const config = loadConfig([
    "--cluster-data-dir",
    dataDir,
    "--controller-use-per-min-throttles",
    "false",
    "--controller-concurrent-invocations",
    "999999",
    "--controller-invocations-per-minute",
    "999999",
    "--queue-graceful-shutdown-timeout-ms",
    "50",
    "--container-pool-user-memory-mb",
    String(workload.memoryMb),
    "--container-pool-keep-alive-policy",
    o.policy,
    "--container-proxy-pause-grace-ms",
    String(Math.round(PAUSE_GRACE_MS / o.timeScale)),
    "--container-proxy-idle-container-ms",
    String(Math.round(IDLE_CONTAINER_MS / o.timeScale)),
  ], () => undefined);
  const platform = await startStandalone({
    config,
    port: 0,
    invokerId: 800 + (Deno.pid % 100),
    logger,
  });
  try {
    for (const f of workload.functions) await createAction(platform.url, f);
    const pending: Promise<RequestOutcome>[] = [];
    const start = performance.now();
    let nextReport = 30_000;
    for (const r of workload.requests) {
      await sleep(r.atMs - (performance.now() - start));
      pending.push(invoke(platform.url, workload.functions[r.fn]!, r.fn, r.atMs));
      if (r.atMs >= nextReport) {
        o.progress?.(`  ${o.policy}: ${Math.round(r.atMs / 1000)} s, ${pending.length} sent`);
        nextReport += 30_000;
      }
    }
    const outcomes = await Promise.all(pending);
    return { policy: o.policy, outcomes, wallMs: performance.now() - start, warnings };
  } finally {
    await platform.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
