/**
 * `/trace` as server-sent events: the tracer's recent ring-buffer events first, then the
 * live ones, filtered by transaction id, actor and message type, with heartbeat comments
 * so proxies and clients keep the connection, and the tracer subscription dropped as
 * soon as the client goes away. Upstream has no counterpart (it traces through Zipkin);
 * this plays the role of XState's inspection stream served over HTTP.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../actors/clock.ts";
import type { TraceEvent, Tracer } from "../actors/tracer.ts";

/** The parameters `/trace` accepts: filters (all given ones must match) and `snapshot`. */
export interface TraceQuery {
  /** Only events carrying this transaction id (transitions carry none). */
  readonly tid?: string;
  /** Only events whose sender, target or actor path contains this text. */
  readonly actor?: string;
  /** Only events whose message type, or whose kind (`transition`, `dead_letter`), is this. */
  readonly type?: string;
  /** Only events newer than this timestamp (epoch ms), e.g. after a reconnect. */
  readonly since?: number;
  /** Only the buffered events, then the stream ends (`snapshot=1`): no live ones. */
  readonly snapshot?: boolean;
}

/**
 * Reads the filters of a `/trace` URL; empty parameters are ignored.
 *
 * @throws {TypeError} when `since` is not a number, or `snapshot` not a boolean
 */
export function parseTraceQuery(params: URLSearchParams): TraceQuery {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value : undefined;
  };
  const since = text("since");
  const sinceTs = since === undefined ? undefined : Number(since);
  if (sinceTs !== undefined && !Number.isFinite(sinceTs)) {
    throw new TypeError(`Cannot read trace query: since must be a number, got "${since}"`);
  }
  const snapshotText = text("snapshot");
  if (snapshotText !== undefined && !/^(1|0|true|false)$/.test(snapshotText)) {
    throw new TypeError(
      `Cannot read trace query: snapshot must be 1, 0, true or false, got "${snapshotText}"`,
    );
  }
  const snapshot = snapshotText === "1" || snapshotText === "true";
  const tid = text("tid");
  const actor = text("actor");
  const type = text("type");
  return {
    ...(tid === undefined ? {} : { tid }),
    ...(actor === undefined ? {} : { actor }),
    ...(type === undefined ? {} : { type }),
    ...(sinceTs === undefined ? {} : { since: sinceTs }),
    ...(snapshot ? { snapshot } : {}),
  };
}

/** True when `event` passes every filter of `query`. */
export function traceMatches(event: TraceEvent, query: TraceQuery): boolean {
  if (query.since !== undefined && event.ts <= query.since) return false;
  if (event.kind === "transition") {
    if (query.tid !== undefined) return false;
    if (query.type !== undefined && query.type !== "transition") return false;
    return query.actor === undefined || event.actor.includes(query.actor);
  }
  if (query.tid !== undefined && event.tid !== query.tid) return false;
  if (query.type !== undefined && event.type !== query.type && event.kind !== query.type) {
    return false;
  }
  return query.actor === undefined || event.from.includes(query.actor) ||
    event.to.includes(query.actor);
}

/** One trace event as an SSE frame (`id` + one JSON `data` line). */
export function encodeSseEvent(event: TraceEvent, id: number): string {
  return `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Options of {@link traceStream}. */
export interface TraceStreamOptions {
  /** Where heartbeat timers run; the system clock when omitted. */
  readonly clock?: Clock;
  /** Milliseconds between heartbeat comments; 15,000 by default. */
  readonly heartbeatMs?: number;
  /** Frames a slow client may fall behind before newer events are dropped; 10,000 by default. */
  readonly maxQueued?: number;
  /** Ends the stream (and the subscription) when aborted, e.g. `request.signal`. */
  readonly signal?: AbortSignal;
}

/**
 * A byte stream of SSE frames for `tracer`'s events matching `query`: buffered ones,
 * then live ones. Cancelling the stream, or aborting `options.signal`, unsubscribes.
 * Events a slow client cannot take are dropped and reported as one `dropped` event.
 */
export function traceStream(
  tracer: Tracer,
  query: TraceQuery,
  options: TraceStreamOptions = {},
): ReadableStream<Uint8Array> {
  const clock = options.clock ?? systemClock;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxQueued = options.maxQueued ?? 10_000;
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | undefined;
  let heartbeat: TimerHandle | undefined;
  let closed = false;
  const cleanUp = () => {
    closed = true;
    unsubscribe?.();
    unsubscribe = undefined;
    if (heartbeat !== undefined) clock.clearTimeout(heartbeat);
    heartbeat = undefined;
    options.signal?.removeEventListener("abort", onAbort);
  };
  let onAbort = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      let nextId = 1;
      let dropped = 0;
      const write = (text: string) => controller.enqueue(encoder.encode(text));
      const send = (event: TraceEvent) => {
        if (closed || !traceMatches(event, query)) return;
        if ((controller.desiredSize ?? 0) < -maxQueued) {
          dropped++;
          return;
        }
        if (dropped > 0) {
          write(`event: dropped\ndata: ${JSON.stringify({ count: dropped })}\n\n`);
          dropped = 0;
        }
        write(encodeSseEvent(event, nextId++));
      };
      const beat = () => {
        if (closed) return;
        write(`: heartbeat ${clock.now()}\n\n`);
        heartbeat = clock.setTimeout(beat, heartbeatMs);
      };
      onAbort = () => {
        if (closed) return;
        cleanUp();
        controller.close();
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort);
      // The comment and retry hint flush the headers so EventSource opens at once.
      write(`retry: 2000\n: connected\n\n`);
      // recent() and subscribe() run in the same tick, so no event falls between them.
      for (const event of tracer.recent()) send(event);
      if (query.snapshot) {
        cleanUp();
        controller.close();
        return;
      }
      unsubscribe = tracer.subscribe(send);
      heartbeat = clock.setTimeout(beat, heartbeatMs);
    },
    cancel() {
      cleanUp();
    },
  }, { highWaterMark: 0 });
}
