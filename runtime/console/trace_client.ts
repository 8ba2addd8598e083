/**
 * The reading side of `/trace`, used by `deno task trace` and the merged `/trace`: an
 * incremental parser of server-sent events, a reader that turns one `/trace` URL into
 * trace events, a follower that reconnects, a buffer that merges several processes'
 * streams by timestamp, and the coloured one-line rendering of an event. Upstream has no counterpart (it traces through Zipkin).
 *
 * @module
 */
import type { TraceEvent } from "../actors/tracer.ts";
import type { TraceQuery } from "./trace_stream.ts";

/** One dispatched server-sent event. */
export interface SseMessage {
  /** The `event:` field; `message` when absent. */
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/** Parses server-sent events from text chunks split anywhere (the WHATWG rules we use). */
export class SseParser {
  #pending = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;

  /** Feeds a chunk; returns the events it completed, in order. */
  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    const lines = (this.#pending + chunk).split(/\r\n|\n|\r/);
    this.#pending = lines.pop() ?? ""; // the last piece may be an unfinished line
    for (const line of lines) {
      if (line === "") {
        if (this.#data.length > 0) {
          const id = this.#id;
          out.push({
            event: this.#event || "message",
            data: this.#data.join("\n"),
            ...(id === undefined ? {} : { id }),
          });
        }
        this.#data = [];
        this.#event = "";
        continue;
      }
      if (line.startsWith(":")) continue; // a comment (heartbeat)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") this.#data.push(value);
      else if (field === "event") this.#event = value;
      else if (field === "id") this.#id = value;
    }
    return out;
  }
}

/** `base` (a process's address, with or without `/trace`) with `query` as parameters. */
export function traceUrl(base: string, query: TraceQuery): string {
  const url = new URL(base);
  if (!url.pathname.endsWith("/trace")) url.pathname = url.pathname.replace(/\/?$/, "/trace");
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.href;
}

function isTraceEvent(value: unknown): value is TraceEvent {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.kind === "message" || v.kind === "dead_letter" || v.kind === "transition") &&
    typeof v.ts === "number";
}

/**
 * Streams the trace events of one `/trace` URL until the server ends the stream or
 * `signal` aborts (then it returns quietly).
 *
 * @throws {Error} when the server answers with an error status
 */
export async function* readTraceStream(
  url: string,
  signal?: AbortSignal,
): AsyncGenerator<SourcedTraceEvent> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "text/event-stream" },
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`Cannot read ${url}: HTTP ${response.status}`);
  }
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        if (message.event !== "message") continue;
        const event: unknown = JSON.parse(message.data);
        if (isTraceEvent(event)) yield event;
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A trace event with the name of the process it came from (merged streams add it). */
export type SourcedTraceEvent = TraceEvent & { readonly source?: string };

/** Options of {@link followTrace}. */
export interface FollowTraceOptions {
  /** Stops following (then it returns quietly). */
  readonly signal: AbortSignal;
  /** Called for every event, in stream order. */
  readonly onEvent: (event: SourcedTraceEvent) => void;
  /** Called when the stream fails or the server ends a live stream. */
  readonly onError?: (error: unknown) => void;
  /** Milliseconds before reconnecting; 1,000 by default. */
  readonly reconnectMs?: number;
}

function abortableWait(ms: number, signal: AbortSignal): Promise<void> {
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

/**
 * Follows the `/trace` of `base` with `query`: reads the stream, and after a failure or
 * an end reconnects asking only for events newer than the last one seen (`since`), until
 * `signal` aborts. With `query.snapshot` it reads the buffered events once and returns.
 */
export async function followTrace(
  base: string,
  query: TraceQuery,
  options: FollowTraceOptions,
): Promise<void> {
  const { signal } = options;
  let since = query.since;
  while (!signal.aborted) {
    try {
      const at = traceUrl(base, since === undefined ? query : { ...query, since });
      for await (const event of readTraceStream(at, signal)) {
        since = event.ts;
        options.onEvent(event);
      }
      if (query.snapshot) return;
      if (!signal.aborted) options.onError?.(new Error(`${base} closed the stream`));
    } catch (error) {
      options.onError?.(error);
      if (query.snapshot) return;
    }
    await abortableWait(options.reconnectMs ?? 1_000, signal);
  }
}

interface Held {
  readonly event: TraceEvent;
  readonly source: string;
  readonly arrivedAt: number;
}

/**
 * Merges events of several streams by `ts`: each event is held `windowMs` after it
 * arrives, so a later-arriving but older event from another process still goes first.
 */
export class TsMerger {
  #held: Held[] = [];
  constructor(readonly windowMs: number) {}

  /** Holds `event` from `source`, arrived at `now`. */
  add(event: TraceEvent, source: string, now: number): void {
    this.#held.push({ event, source, arrivedAt: now });
  }

  /** Events whose window passed at `now` (all with `flush`), oldest `ts` first. */
  drain(now: number, flush = false): { event: TraceEvent; source: string }[] {
    const ready = flush ? this.#held : this.#held.filter((h) => now - h.arrivedAt >= this.windowMs);
    if (ready.length === 0) return [];
    const readySet = new Set(ready);
    this.#held = this.#held.filter((h) => !readySet.has(h));
    // An older held event must go before a ready younger one: release those too.
    const newest = Math.max(...ready.map((h) => h.event.ts));
    const older = this.#held.filter((h) => h.event.ts < newest);
    this.#held = this.#held.filter((h) => h.event.ts >= newest);
    return [...ready, ...older]
      .sort((a, b) => a.event.ts - b.event.ts)
      .map(({ event, source }) => ({ event, source }));
  }

  /** Events still held. */
  get size(): number {
    return this.#held.length;
  }
}

const ANSI = {
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  magenta: "\x1b[35m",
  cyan: "\x1b[36m",
  reset: "\x1b[0m",
} as const;

/** Options of {@link formatTraceLine}. */
export interface FormatOptions {
  /** ANSI colours on (a terminal without `NO_COLOR`). */
  readonly color: boolean;
  /** A tag naming the process the event came from, shown when several are merged. */
  readonly source?: string;
}

function clockTime(ts: number): string {
  const d = new Date(ts);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

/** One event as a line: time, (source,) from → to, type, tid; transitions as `actor A ⇒ B`. */
export function formatTraceLine(event: TraceEvent, options: FormatOptions): string {
  const paint = (color: keyof typeof ANSI, text: string) =>
    options.color ? `${ANSI[color]}${text}${ANSI.reset}` : text;
  const head = [paint("dim", clockTime(event.ts))];
  if (options.source !== undefined) head.push(paint("blue", `[${options.source}]`));
  if (event.kind === "transition") {
    return [...head, paint("magenta", event.actor), `${event.from} ⇒ ${paint("green", event.to)}`]
      .join("  ");
  }
  const arrow = event.kind === "dead_letter" ? paint("red", "✗ dead letter →") : "→";
  return [
    ...head,
    `${paint("cyan", event.from)} ${arrow} ${paint("cyan", event.to)}`,
    paint("yellow", event.type ?? "?"),
    ...(event.tid === undefined ? [] : [paint("dim", event.tid)]),
  ].join("  ");
}
