/**
 * A container's stdout/stderr lines, kept in memory between collections, read per
 * activation up to the sentinels.
 *
 * Mirrors `common/scala/.../containerpool/logging/DockerToActivationLogStore.scala`
 * and `DockerContainer.logs` (stop after a sentinel on both streams, drop sentinel
 * lines, enforce the log limit with a truncation notice, format
 * `<ISO time padded to 30> <stream>: <message>`); differences: lines come from the
 * process pipes, not Docker's JSON log file, and a mark replaces the file offset.
 *
 * @module
 */

import {
  ACTIVATION_LOG_SENTINEL,
  LOG_COLLECTION_ISSUE_MESSAGE,
  LOG_DEVELOPER_ERROR_MESSAGE,
  type LogMark,
  logTruncatedMessage,
} from "./container_factory.ts";

const ENCODER = new TextEncoder();

/** The two streams of a process. */
export type StreamName = "stdout" | "stderr";

interface Line {
  readonly seq: number;
  readonly time: number;
  readonly text: string;
  /** Dropped because the buffer was full; only its position is kept. */
  readonly dropped: boolean;
}

interface StreamLines {
  /** Absolute index of `lines[0]`. */
  base: number;
  lines: Line[];
}

/** How to read. */
export interface CollectOptions {
  /** The process has exited (missing sentinels then mean a developer error). */
  readonly ended: boolean;
  /** Report missing sentinels with upstream's notice (false for concurrent actions). */
  readonly expectSentinels: boolean;
}

/** Formats one line as upstream's activation log store does. */
export function formatLogLine(time: number, stream: StreamName, text: string): string {
  return `${new Date(time).toISOString().padEnd(30)} ${stream}: ${text}`;
}

/** Bounded per-stream line buffer with mark-based collection. */
export class LogBuffer {
  #streams: Record<StreamName, StreamLines> = {
    stdout: { base: 0, lines: [] },
    stderr: { base: 0, lines: [] },
  };
  #seq = 0;
  #pendingBytes = 0;
  #waiters = new Set<() => void>();

  /** @param capBytes most uncollected bytes kept; later lines are dropped (sentinels never). */
  constructor(readonly capBytes: number, readonly now: () => number = Date.now) {}

  /** Records a line (without its line end). */
  push(stream: StreamName, text: string): void {
    const dropped = text !== ACTIVATION_LOG_SENTINEL &&
      this.#pendingBytes + text.length > this.capBytes;
    if (dropped) text = ""; // keep the position so collection reports the truncation
    this.#pendingBytes += text.length;
    this.#streams[stream].lines.push({ seq: this.#seq++, time: this.now(), text, dropped });
    for (const wake of this.#waiters) wake();
  }

  /** The current end of both streams. */
  mark(): LogMark {
    const end = (s: StreamLines) => s.base + s.lines.length;
    return { stdout: end(this.#streams.stdout), stderr: end(this.#streams.stderr) };
  }

  /** Wakes waiters without a new line (the process ended). */
  wake(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Whether both streams hold a sentinel at or after `since`. */
  hasSentinels(since: LogMark): boolean {
    return this.#sentinelIndex("stdout", since.stdout) >= 0 &&
      this.#sentinelIndex("stderr", since.stderr) >= 0;
  }

  /** Resolves on the next push or wake, or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /**
   * Lines from `since` up to each stream's first sentinel (or the end), merged in
   * arrival order and cut at `limitBytes`. Consumed lines are dropped from memory.
   */
  collect(since: LogMark, limitBytes: number, options: CollectOptions): string[] {
    const complete = this.hasSentinels(since);
    const picked = [...this.#take("stdout", since.stdout), ...this.#take("stderr", since.stderr)]
      .sort((a, b) => a.line.seq - b.line.seq);
    const out: string[] = [];
    let bytes = 0;
    let truncated = false;
    for (const { stream, line } of picked) {
      const size = ENCODER.encode(line.text).length;
      if (line.dropped || bytes + size > limitBytes) {
        truncated = true;
        break;
      }
      bytes += size;
      out.push(formatLogLine(line.time, stream, line.text));
    }
    const at = this.now();
    if (truncated) out.push(formatLogLine(at, "stderr", logTruncatedMessage(limitBytes)));
    if (!complete && options.expectSentinels) {
      const notice = options.ended ? LOG_DEVELOPER_ERROR_MESSAGE : LOG_COLLECTION_ISSUE_MESSAGE;
      out.push(formatLogLine(at, "stderr", notice));
    }
    return out;
  }

  #sentinelIndex(stream: StreamName, from: number): number {
    const s = this.#streams[stream];
    const start = Math.max(0, from - s.base);
    const i = s.lines.slice(start).findIndex((l) => l.text === ACTIVATION_LOG_SENTINEL);
    return i < 0 ? -1 : s.base + start + i;
  }

  #take(stream: StreamName, from: number): { stream: StreamName; line: Line }[] {
    const s = this.#streams[stream];
    const sentinel = this.#sentinelIndex(stream, from);
    const end = sentinel >= 0 ? sentinel : s.base + s.lines.length;
    const start = Math.max(0, from - s.base);
    const taken = s.lines.slice(start, end - s.base).map((line) => ({ stream, line }));
    // Everything up to the consumed sentinel is no longer needed.
    const drop = Math.min(s.lines.length, end - s.base + (sentinel >= 0 ? 1 : 0));
    for (const l of s.lines.slice(0, drop)) this.#pendingBytes -= l.text.length;
    s.lines = s.lines.slice(drop);
    s.base += drop;
    return taken;
  }
}
