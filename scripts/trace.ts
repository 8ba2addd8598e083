/**
 * `deno task trace`: follows the `/trace` server-sent-event streams of one or more
 * processes and prints each actor event as one coloured line (time, from → to, type,
 * tid), merged by timestamp across processes. Reconnects when a process restarts;
 * exits cleanly on Ctrl-C. Upstream has no counterpart (it traces through Zipkin).
 *
 * Usage: deno task trace [--url http://127.0.0.1:3233]... [--tid X] [--actor Y]
 *        [--type Z] [--no-color]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  formatTraceLine,
  readTraceStream,
  type TraceQuery,
  traceUrl,
  TsMerger,
} from "../runtime/console/mod.ts";

const USAGE = `Usage: deno task trace [options]
  --url URL     a process to follow (repeatable; default http://127.0.0.1:3233)
  --tid ID      only events of this transaction id
  --actor PATH  only events whose actor paths contain PATH
  --type TYPE   only this message type (or kind: transition, dead_letter)
  --no-color    plain output
`;

const RECONNECT_MS = 1_000;
/** How long events wait for older ones from other processes before printing. */
const MERGE_WINDOW_MS = 250;

function parse() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      url: { type: "string", multiple: true },
      tid: { type: "string" },
      actor: { type: "string" },
      type: { type: "string" },
      "no-color": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const query: TraceQuery = {
    ...(values.tid === undefined ? {} : { tid: values.tid }),
    ...(values.actor === undefined ? {} : { actor: values.actor }),
    ...(values.type === undefined ? {} : { type: values.type }),
  };
  const urls = values.url ?? ["http://127.0.0.1:3233"];
  for (const url of urls) new URL(url); // throws TypeError on a bad URL
  const color = !values["no-color"] && !Deno.noColor && Deno.stdout.isTerminal();
  return { urls, query, color, help: values.help === true };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

async function main(): Promise<number> {
  let options;
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
  const { urls, query, color } = options;
  const several = urls.length > 1;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  const merger = new TsMerger(several ? MERGE_WINDOW_MS : 0);
  const print = (flush = false) => {
    for (const { event, source } of merger.drain(Date.now(), flush)) {
      console.log(formatTraceLine(event, several ? { color, source } : { color }));
    }
  };
  const ticker = setInterval(print, 100);

  const follow = async (url: string) => {
    const source = new URL(url).host;
    let since: number | undefined;
    while (!stop.signal.aborted) {
      try {
        const at = traceUrl(url, since === undefined ? query : { ...query, since });
        for await (const event of readTraceStream(at, stop.signal)) {
          since = event.ts;
          merger.add(event, source, Date.now());
          if (!several) print();
        }
        if (!stop.signal.aborted) console.error(`trace: ${source} closed the stream`);
      } catch (error) {
        console.error(`trace: ${source}: ${error instanceof Error ? error.message : error}`);
      }
      await wait(RECONNECT_MS, stop.signal);
    }
  };

  console.error(`trace: following ${urls.join(", ")} (Ctrl-C to stop)`);
  await Promise.all(urls.map(follow));
  clearInterval(ticker);
  print(true);
  Deno.removeSignalListener("SIGINT", onInterrupt);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
