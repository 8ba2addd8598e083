/**
 * A CPU profile of the platform's warm path: starts the benchmark platform with the V8
 * inspector on, drives serial blocking noop invokes, records a profile through the
 * inspector protocol (`Profiler.start`/`stop`) and prints the functions with the most
 * self time, with their file and line, and the share per source file. A developer's tool
 * for finding per-invocation waste; not part of the suite.
 *
 * Usage: `deno run -A scripts/bench/profile_warm.ts [--calls 3000] [--top 40] [--port 9339]`.
 *
 * @module
 */
import { closedLoop, fetchSender } from "./load.ts";
import {
  benchConfigArgs,
  invokeRequest,
  launchPlatform,
  NOOP_CODE,
  putAction,
  waitUntilServing,
} from "./platform.ts";

/** One node of a V8 `.cpuprofile`. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}

/** Self samples per function and per file of a profile. */
export function aggregateProfile(nodes: readonly ProfileNode[]): {
  byFunction: [string, number][];
  byFile: [string, number][];
  total: number;
} {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const file = n.callFrame.url.replace(/^file:\/\/\/work\/main\//, "") || "(native)";
    const fn = `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const sort = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { byFunction: sort(byFunction), byFile: sort(byFile), total };
}

async function inspectorUrl(port: number): Promise<string> {
  for (let i = 0; i < 50; i++) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
        webSocketDebuggerUrl: string;
      }[];
      if (list[0]) return list[0].webSocketDebuggerUrl;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no inspector on port ${port}`);
}

function cdp(ws: WebSocket) {
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  };
  return (method: string, params: unknown = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
}

if (import.meta.main) {
  const arg = (name: string, dflt: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
  };
  const calls = arg("--calls", 3000);
  const top = arg("--top", 40);
  const port = arg("--port", 9339);
  const dataDir = await Deno.makeTempDir({ prefix: "wsk-profile-" });
  const platform = await launchPlatform(
    "standalone",
    benchConfigArgs(dataDir),
    `${dataDir}/platform.log`,
    [
      `--inspect=127.0.0.1:${port}`,
    ],
  );
  try {
    await putAction(platform.url, { name: "noop", code: NOOP_CODE, memoryMb: 128 });
    await waitUntilServing(platform.url, "noop");
    const send = fetchSender(invokeRequest(platform.url, "noop"));
    await closedLoop(send, { concurrency: 1, maxRequests: 300, maxSeconds: 10 });
    const ws = new WebSocket(await inspectorUrl(port));
    await new Promise((r) => (ws.onopen = r));
    const call = cdp(ws);
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 100 });
    await call("Profiler.start");
    const load = await closedLoop(send, { concurrency: 1, maxRequests: calls, maxSeconds: 60 });
    const { profile } = await call("Profiler.stop") as { profile: { nodes: ProfileNode[] } };
    ws.close();
    const agg = aggregateProfile(profile.nodes);
    const pct = (n: number) => `${((100 * n) / agg.total).toFixed(1).padStart(5)}%`;
    console.log(`${load.latenciesMs.length} calls, ${agg.total} samples (100 µs)`);
    console.log("self time by file:");
    for (const [f, n] of agg.byFile.slice(0, 25)) console.log(`  ${pct(n)}  ${f}`);
    console.log("self time by function:");
    for (const [f, n] of agg.byFunction.slice(0, top)) console.log(`  ${pct(n)}  ${f}`);
    await Deno.writeTextFile(`${dataDir}/warm.cpuprofile`, JSON.stringify(profile));
    console.log(`profile: ${dataDir}/warm.cpuprofile`);
  } finally {
    await platform.close();
  }
}
