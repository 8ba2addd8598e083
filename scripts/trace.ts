/**
 * `deno task trace`: follows the `/trace` server-sent-event streams of one or more
 * processes and prints each actor event as one coloured line (time, process, from → to,
 * type, tid), merged by timestamp across processes. The processes are given by `--url`,
 * or found in etcd with `--etcd` (every `whisk/processes/<name>` of the cluster, looked
 * up again every few seconds so processes started later join). Reconnects when a
 * process restarts; exits cleanly on Ctrl-C; `--once` prints what the processes hold
 * and exits. Upstream has no counterpart (it traces through Zipkin).
 *
 * Usage: deno task trace [--url http://127.0.0.1:3233]... [--etcd HOST:PORT]
 *        [--cluster-name C] [--tid X] [--actor Y] [--type Z] [--once] [--no-color]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_CLUSTER } from "../protocols/mod.ts";
import {
  followTrace,
  formatTraceLine,
  type TraceQuery,
  type TraceSource,
  TsMerger,
} from "../runtime/console/mod.ts";
import { EtcdKv } from "../runtime/kv/mod.ts";
import { silentLogger } from "../runtime/log.ts";
import { discoverProcesses } from "./trace_discovery.ts";

const USAGE = `Usage: deno task trace [options]
  --url URL           a process to follow (repeatable; default http://127.0.0.1:3233
                      unless --etcd is given)
  --etcd HOST:PORT    follow every process of the cluster found in etcd
  --cluster-name C    the cluster's name in etcd (default ${DEFAULT_CLUSTER})
  --tid ID            only events of this transaction id
  --actor PATH        only events whose actor paths contain PATH
  --type TYPE         only this message type (or kind: transition, dead_letter)
  --once              print the events the processes hold now, then exit
  --no-color          plain output
`;

const RECONNECT_MS = 1_000;
const REDISCOVER_MS = 5_000;
/** How long events wait for older ones from other processes before printing. */
const MERGE_WINDOW_MS = 250;

function parse() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      url: { type: "string", multiple: true },
      etcd: { type: "string" },
      "cluster-name": { type: "string" },
      tid: { type: "string" },
      actor: { type: "string" },
      type: { type: "string" },
      once: { type: "boolean" },
      "no-color": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const query: TraceQuery = {
    ...(values.tid === undefined ? {} : { tid: values.tid }),
    ...(values.actor === undefined ? {} : { actor: values.actor }),
    ...(values.type === undefined ? {} : { type: values.type }),
    ...(values.once ? { snapshot: true } : {}),
  };
  const etcd = values.etcd;
  const urls = values.url ?? (etcd === undefined ? ["http://127.0.0.1:3233"] : []);
  for (const url of urls) new URL(url); // throws TypeError on a bad URL
  const color = !values["no-color"] && !Deno.noColor && Deno.stdout.isTerminal();
  return {
    sources: urls.map((url): TraceSource => ({ name: new URL(url).host, url })),
    etcd,
    cluster: values["cluster-name"] ?? DEFAULT_CLUSTER,
    query,
    color,
    help: values.help === true,
  };
}

type Options = ReturnType<typeof parse>;

/** The processes to follow now: the given URLs and, with `--etcd`, the cluster's. */
function sourceFinder(options: Options): {
  find(): Promise<TraceSource[]>;
  close(): Promise<void>;
} {
  if (options.etcd === undefined) {
    return { find: () => Promise.resolve(options.sources), close: () => Promise.resolve() };
  }
  const kv = new EtcdKv({ endpoint: options.etcd, logger: silentLogger, callTimeoutMs: 3_000 });
  return {
    find: async () => [...options.sources, ...await discoverProcesses(kv, options.cluster)],
    close: () => kv.close(),
  };
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parse();
  } catch (error) {
    console.error(`trace: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { query, color } = options;
  const finder = sourceFinder(options);
  let sources: TraceSource[];
  try {
    sources = await finder.find();
  } catch (error) {
    console.error(`trace: cannot read etcd at ${options.etcd}: ${error}`);
    await finder.close();
    return 1;
  }
  if (sources.length === 0) {
    console.error(`trace: no process of cluster ${options.cluster} found in etcd`);
    await finder.close();
    return 1;
  }
  const several = sources.length > 1 || options.etcd !== undefined;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  const merger = new TsMerger(several && !query.snapshot ? MERGE_WINDOW_MS : 0);
  const print = (flush = false) => {
    for (const { event, source } of merger.drain(Date.now(), flush)) {
      console.log(formatTraceLine(event, several ? { color, source } : { color }));
    }
  };
  const ticker = setInterval(print, 100);

  const followed = new Map<string, Promise<void>>();
  const follow = (source: TraceSource) => {
    followed.set(
      source.name,
      followTrace(source.url, query, {
        signal: stop.signal,
        reconnectMs: RECONNECT_MS,
        onEvent: (event) => {
          merger.add(event, source.name, Date.now());
          if (!several) print();
        },
        onError: (error) =>
          console.error(`trace: ${source.name}: ${error instanceof Error ? error.message : error}`),
      }),
    );
  };
  console.error(
    `trace: following ${sources.map((s) => `${s.name} (${s.url})`).join(", ")}` +
      (query.snapshot ? "" : " (Ctrl-C to stop)"),
  );
  sources.forEach(follow);
  const rediscovery = options.etcd === undefined || query.snapshot
    ? undefined
    : setInterval(async () => {
      const found = await finder.find().catch(() => []);
      for (const source of found) {
        if (followed.has(source.name)) continue;
        console.error(`trace: following ${source.name} (${source.url})`);
        follow(source);
      }
    }, REDISCOVER_MS);

  if (query.snapshot) await Promise.all(followed.values());
  else await new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve()));
  if (rediscovery !== undefined) clearInterval(rediscovery);
  stop.abort();
  await Promise.all(followed.values());
  clearInterval(ticker);
  print(true);
  Deno.removeSignalListener("SIGINT", onInterrupt);
  await finder.close();
  return 0;
}

if (import.meta.main) Deno.exit(await main());
