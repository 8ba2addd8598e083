/**
 * A test probe for our nact actors, modelled on Pekko's `TestProbe`: a stateless actor
 * that buffers what it receives and wakes the test waiting for it. Every wait is
 * event-driven (resolved on arrival, rejected on timeout with what did arrive); no
 * polling, no sleeps (STYLE practice 15).
 *
 * @module
 */
import { inspect, isDeepStrictEqual } from "node:util";
import { type Ref, spawnActor, type System } from "../../runtime/actors/mod.ts";
import { settle } from "./settle.ts";

/** Options of the waiting calls. */
export interface WaitOptions {
  /** Real milliseconds to wait (default 1000). */
  readonly timeoutMs?: number;
}

/** A probe: hand out `ref`, then assert on what reaches it. */
export interface Probe<M> {
  readonly ref: Ref<M>;
  /** The next message, which must equal `expected` (deeply) or satisfy it (a predicate). */
  expectMessage(expected: M | ((msg: M) => boolean), options?: WaitOptions): Promise<M>;
  /** The next message, which must have this `type`. */
  expectMessageType<T extends string>(
    type: T,
    options?: WaitOptions,
  ): Promise<Extract<M, { type: T }>>;
  /** The next `n` messages, in order. */
  receiveMessages(n: number, options?: WaitOptions): Promise<M[]>;
  /** Skips messages until `fn` accepts one, and returns that one. */
  fishForMessage(fn: (msg: M) => boolean, options?: WaitOptions): Promise<M>;
  /** Settles the system, then asserts that nothing is waiting in the buffer. */
  expectNoMessage(): Promise<void>;
}

let probeCount = 0;

const show = (value: unknown) => inspect(value, { depth: 4, breakLength: Infinity });

/** Spawns a probe actor under the system root. */
export function createProbe<M>(system: System, name?: string): Probe<M> {
  const label = name ?? `probe-${++probeCount}`;
  const buffer: M[] = [];
  const history: M[] = []; // every message taken so far, for failure messages
  let waiter: (() => void) | undefined;

  const ref = spawnActor<null, M>(system, {
    name: label,
    initialState: null,
    supervision: "resume",
    handle: (state, msg) => {
      buffer.push(msg);
      waiter?.();
      return state;
    },
  });

  const take = (what: string, options: WaitOptions = {}): Promise<M> => {
    const first = buffer.shift();
    if (first !== undefined) return Promise.resolve(record(first));
    if (waiter) return Promise.reject(new Error(`Probe "${label}" is already waiting`));
    const timeoutMs = options.timeoutMs ?? 1000;
    return new Promise<M>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        const seen = history.length === 0 ? "nothing" : history.map(show).join(", ");
        reject(
          new Error(
            `Probe "${label}": no message within ${timeoutMs} ms while waiting for ` +
              `${what}; received before: ${seen}`,
          ),
        );
      }, timeoutMs);
      waiter = () => {
        waiter = undefined;
        clearTimeout(timer);
        resolve(record(buffer.shift() as M));
      };
    });
  };

  const record = (msg: M): M => {
    history.push(msg);
    return msg;
  };

  const fail = (expected: string, got: M): never => {
    throw new Error(`Probe "${label}": expected ${expected}, got ${show(got)}`);
  };

  return {
    ref,
    async expectMessage(expected, options) {
      const isPredicate = typeof expected === "function";
      const describe = isPredicate ? "a message matching the predicate" : show(expected);
      const msg = await take(describe, options);
      const ok = isPredicate
        ? (expected as (m: M) => boolean)(msg)
        : isDeepStrictEqual(msg, expected);
      return ok ? msg : fail(describe, msg);
    },
    async expectMessageType(type, options) {
      const msg = await take(`a message of type "${type}"`, options);
      const actual = (msg as { type?: unknown } | null)?.type;
      return actual === type
        ? (msg as Extract<M, { type: typeof type }>)
        : fail(`type "${type}"`, msg);
    },
    async receiveMessages(n, options) {
      const received: M[] = [];
      while (received.length < n) {
        received.push(await take(`message ${received.length + 1} of ${n}`, options));
      }
      return received;
    },
    async fishForMessage(fn, options) {
      for (;;) {
        const msg = await take("a message the fishing function accepts", options);
        if (fn(msg)) return msg;
      }
    },
    async expectNoMessage() {
      await settle(system);
      if (buffer.length > 0) {
        throw new Error(
          `Probe "${label}": expected no message, got ${buffer.map(show).join(", ")}`,
        );
      }
    },
  };
}
