/**
 * Test helpers for the console: reading a `/trace` response frame by frame with a real
 * timeout (no sleeps), and a small FSM actor whose state name the registry shows.
 *
 * @module
 */
import { type Parent, type Ref, spawnFsm } from "../../../runtime/actors/mod.ts";
import { type SseMessage, SseParser } from "../../../runtime/console/mod.ts";

/** Reads SSE messages (and comments) from a response body. */
export interface SseReader {
  /** The next data message satisfying `accept`, skipping others; rejects after `timeoutMs`. */
  next(accept?: (msg: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Raw text received so far (comments included). */
  readonly text: string;
  /** Waits until the raw text contains `needle`. */
  waitForText(needle: string, timeoutMs?: number): Promise<void>;
  cancel(): Promise<void>;
}

/** Wraps `body` in an {@link SseReader}. */
export function sseReader(body: ReadableStream<Uint8Array>): SseReader {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const queue: SseMessage[] = [];
  let text = "";
  const readMore = async (deadline: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no SSE data in time; got so far:\n${text}`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) throw new Error(`SSE stream ended; got:\n${text}`);
      text += value;
      queue.push(...parser.push(value));
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async next(accept = () => true, timeoutMs = 2_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const msg = queue.shift();
        if (msg === undefined) await readMore(deadline);
        else if (accept(msg)) return msg;
      }
    },
    get text() {
      return text;
    },
    async waitForText(needle, timeoutMs = 2_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(needle)) await readMore(deadline);
    },
    cancel: () => reader.cancel(),
  };
}

/** A door: `Open`/`Close` move it between the `Open` and `Closed` states. */
export type DoorMsg = { readonly type: "Open" | "Close"; readonly tid?: string };

/** Spawns a door FSM named `name` under `parent`. */
export function spawnDoor(parent: Parent, name: string): Ref<DoorMsg> {
  return spawnFsm<{ readonly name: "Open" | "Closed" }, DoorMsg, never>(parent, {
    name,
    initialState: { name: "Closed" },
    transition: (_state, msg) => ({
      next: { name: msg.type === "Open" ? "Open" : "Closed" },
      effects: [],
    }),
    supervision: "stop",
  });
}
