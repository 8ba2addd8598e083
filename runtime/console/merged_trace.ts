/**
 * The merged `/trace` of a cluster (`/trace?merged=1`): this process's own tracer plus
 * the `/trace` streams of every other process a `discover` function names (from etcd),
 * fanned in on the server, tagged with the process name (`source`) and ordered by
 * timestamp within a short window, as one server-sent-event stream. The page reaches
 * every process through its own origin this way (its policy allows no other host), and
 * a terminal can follow the whole cluster with one URL. Processes that appear later are
 * picked up on rediscovery; ones that vanish are dropped. Each source's state is sent as
 * an `event: source` frame (`{name, url, state, error?}`), which trace readers skip.
 * Upstream has no counterpart (it traces through Zipkin).
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../actors/clock.ts";
import type { TraceEvent, Tracer } from "../actors/tracer.ts";
import { followTrace, type SourcedTraceEvent, TsMerger } from "./trace_client.ts";
import { encodeSseEvent, traceMatches, type TraceQuery } from "./trace_stream.ts";

/** A process whose `/trace` the merged stream reads. */
export interface TraceSource {
  /** The process name the events are tagged with, e.g. `scheduler0`. */
  readonly name: string;
  /** Its HTTP base address, e.g. `http://127.0.0.1:13001`. */
  readonly url: string;
}

/** Options of {@link mergedTraceStream}. */
export interface MergedTraceOptions {
  /** This process: its events come from its tracer, not over HTTP. */
  readonly local: { readonly name: string; readonly tracer: Tracer };
  /** The cluster's processes (this one may be among them: it is skipped by name or origin). */
  readonly discover: () => Promise<readonly TraceSource[]>;
  /** This server's origin (`http://127.0.0.1:3233`): a source there is this process. */
  readonly selfOrigin?: string;
  /** Where the merge ticks, heartbeats and rediscovery run; the system clock by default. */
  readonly clock?: Clock;
  /** How long an event waits for older ones of other processes; 250 ms by default. */
  readonly windowMs?: number;
  /** Milliseconds between merge ticks; 100 by default. */
  readonly tickMs?: number;
  /** Milliseconds between rediscoveries; 5,000 by default. */
  readonly rediscoverMs?: number;
  /** Milliseconds between heartbeat comments; 15,000 by default. */
  readonly heartbeatMs?: number;
  /** Milliseconds before a failed source is read again; 1,000 by default. */
  readonly reconnectMs?: number;
  /** Frames a slow client may fall behind before events are dropped; 10,000 by default. */
  readonly maxQueued?: number;
  /** Longest wait for one source's snapshot; 5,000 ms by default. */
  readonly snapshotTimeoutMs?: number;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * A byte stream of SSE frames merging this process's trace with every discovered one's,
 * filtered by `query` (each source filters on its side). With `query.snapshot` every
 * source's buffered events are merged and the stream ends; otherwise it runs until the
 * client cancels it, which stops every upstream read.
 */
export function mergedTraceStream(
  query: TraceQuery,
  options: MergedTraceOptions,
): ReadableStream<Uint8Array> {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? 100;
  const maxQueued = options.maxQueued ?? 10_000;
  const merger = new TsMerger(query.snapshot ? 0 : options.windowMs ?? 250);
  const encoder = new TextEncoder();
  const stop = new AbortController();
  const follows = new Map<string, AbortController>();
  const timers = new Map<string, TimerHandle>();
  let unsubscribe: (() => void) | undefined;
  let closed = false;

  const cleanUp = () => {
    closed = true;
    stop.abort();
    unsubscribe?.();
    for (const timer of timers.values()) clock.clearTimeout(timer);
    timers.clear();
  };

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let nextId = 1;
      let dropped = 0;
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const status = (source: TraceSource, state: string, error?: unknown) =>
        write(`event: source\ndata: ${
          JSON.stringify({
            name: source.name,
            url: source.url,
            state,
            ...(error === undefined ? {} : { error: String(error) }),
          })
        }\n\n`);
      const emit = (event: SourcedTraceEvent) => {
        if ((controller.desiredSize ?? 0) < -maxQueued) return void dropped++;
        if (dropped > 0) {
          write(`event: dropped\ndata: ${JSON.stringify({ count: dropped })}\n\n`);
          dropped = 0;
        }
        write(encodeSseEvent(event, nextId++));
      };
      const drain = (flush = false) => {
        for (const { event, source } of merger.drain(clock.now(), flush)) {
          emit({ ...event, source });
        }
      };
      const addLocal = (event: TraceEvent) => {
        if (traceMatches(event, query)) merger.add(event, options.local.name, clock.now());
      };
      const every = (key: string, ms: number, fn: () => void) => {
        const run = () => {
          if (closed) return;
          fn();
          timers.set(key, clock.setTimeout(run, ms));
        };
        timers.set(key, clock.setTimeout(run, ms));
      };

      const isSelf = (source: TraceSource) =>
        source.name === options.local.name ||
        (options.selfOrigin !== undefined && originOf(source.url) === options.selfOrigin);
      const follow = (source: TraceSource): Promise<void> => {
        const own = new AbortController();
        follows.set(source.name, own);
        // A snapshot must end even when a source hangs: its read is abandoned in time.
        const deadline = query.snapshot
          ? clock.setTimeout(() => own.abort(), options.snapshotTimeoutMs ?? 5_000)
          : undefined;
        status(source, "open");
        return followTrace(source.url, query, {
          signal: AbortSignal.any([stop.signal, own.signal]),
          reconnectMs: options.reconnectMs ?? 1_000,
          onEvent: (event) => merger.add(event, source.name, clock.now()),
          onError: (error) => status(source, "error", error),
        }).finally(() => {
          if (deadline !== undefined) clock.clearTimeout(deadline);
        });
      };
      const discover = async (): Promise<Promise<void>[]> => {
        let sources: readonly TraceSource[];
        try {
          sources = (await options.discover()).filter((s) => !isSelf(s));
        } catch (error) {
          status({ name: "discovery", url: "" }, "error", error);
          return [];
        }
        const names = new Set(sources.map((s) => s.name));
        for (const [name, own] of follows) {
          if (!names.has(name)) {
            own.abort();
            follows.delete(name);
          }
        }
        return sources.filter((s) => !follows.has(s.name)).map(follow);
      };

      write(`retry: 2000\n: connected\n\n`);
      status({ name: options.local.name, url: options.selfOrigin ?? "" }, "local");
      for (const event of options.local.tracer.recent()) addLocal(event);
      if (query.snapshot) {
        await Promise.all(await discover());
        drain(true);
        if (!closed) {
          cleanUp();
          controller.close();
        }
        return;
      }
      unsubscribe = options.local.tracer.subscribe(addLocal);
      every("tick", tickMs, () => drain());
      every(
        "heartbeat",
        options.heartbeatMs ?? 15_000,
        () => write(`: heartbeat ${clock.now()}\n\n`),
      );
      every("discover", options.rediscoverMs ?? 5_000, () => void discover());
      void discover();
    },
    cancel() {
      cleanUp();
    },
  }, { highWaterMark: 0 });
}
