/**
 * Counts control-plane operations (key-value store calls, bus records) by name, and the
 * wrappers that install those counters on the platform's `KeyValueStore` and
 * `MessageBus` classes inside a benchmark's platform process. `reference/performance.md`
 * §3.2 `control-plane`: "etcd and Kafka operations per invocation … counted via a
 * wrapper".
 *
 * `startStandalone()` builds its own store and bus and takes no instance from outside,
 * so the wrappers patch the classes' prototypes in the benchmark's own process (never in
 * the platform's tests). An option `kv?: KeyValueStore; bus?: MessageBus` on
 * `StandaloneOptions` would let them wrap instances instead.
 *
 * @module
 */

/** Counts by name, e.g. `put whisk/invokers` → 12. */
export type Counts = Record<string, number>;

/** The key family of an etcd key: its first two `/`-separated segments. */
export function keyFamily(key: string): string {
  return key.split("/").slice(0, 2).join("/");
}

/** Key families whose keys below `<family>/<namespace>/…` name one action. */
const ACTION_SCOPED_FAMILIES = new Set([
  "whisk/namespace",
  "whisk/warmed",
  "whisk/queue",
  "whisk/in-progress",
]);

/** Suffix of a count name whose key belongs to the focused action. */
export const FOCUS_SUFFIX = " [focus]";
/** Suffix of a count name whose key belongs to another action than the focused one. */
export const OTHER_ACTION_SUFFIX = " [other action]";

/**
 * Where a key belongs, for attributing operations to a benchmark's action: `focus`
 * when one of its segments is the focused action's name, `other` when it is an
 * action-scoped key (a container, warmed, queue or in-progress key: five or more
 * segments) of any other action, `global` otherwise (leases, invokers, schedulers,
 * namespace-wide keys).
 *
 * @example
 * ```ts
 * import { keyScope } from "./op_counter.ts";
 * keyScope("whisk/namespace/guest/guest/cpw/1-a/invoker0/container/c1", "cpw"); // "focus"
 * keyScope("whisk/warmed/guest/guest/noop/1-a/invoker/0/container/c2", "cpw"); // "other"
 * keyScope("whisk/invokers/0", "cpw"); // "global"
 * ```
 */
export function keyScope(key: string, focus: string | undefined): "focus" | "other" | "global" {
  const segments = key.split("/");
  if (focus !== undefined && segments.includes(focus)) return "focus";
  if (segments.length >= 5 && ACTION_SCOPED_FAMILIES.has(keyFamily(key))) return "other";
  return "global";
}

/** Sums the counts whose name ends with `suffix` (or, with `""`, those with no scope suffix). */
export function totalWithSuffix(counts: Counts, suffix: string): number {
  return Object.entries(counts)
    .filter(([name]) =>
      suffix === ""
        ? !name.endsWith(FOCUS_SUFFIX) && !name.endsWith(OTHER_ACTION_SUFFIX)
        : name.endsWith(suffix)
    )
    .reduce((a, [, v]) => a + v, 0);
}

/** Subtracts counts (`after − before`), dropping names that did not change. */
export function diffCounts(before: Counts, after: Counts): Counts {
  const out: Counts = {};
  for (const [name, value] of Object.entries(after)) {
    const d = value - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

/** Sum of all counts. */
export function totalCount(counts: Counts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** What the platform process reports: counters, and CreateQueue → response times. */
export interface ControlPlaneCounters {
  readonly kv: Counts;
  readonly bus: Counts;
  /** Milliseconds from each CreateQueue record to its CreateQueueResponse. */
  readonly queueCreationMs: number[];
}

type AnyFn = (...args: unknown[]) => unknown;
type Proto = Record<string, unknown>;

const KV_METHODS = [
  "get",
  "getPrefix",
  "countPrefix",
  "put",
  "putIfVersion",
  "del",
  "delPrefix",
  "grantLease",
  "keepAliveOnce",
  "revokeLease",
  "watch",
] as const;

/** Live counters, filled by the installed wrappers. */
export class ControlPlaneCounter {
  readonly kv: Counts = {};
  readonly bus: Counts = {};
  readonly queueCreationMs: number[] = [];
  readonly #pendingQueue = new Map<string, number>();
  /** The action whose keys get the {@link FOCUS_SUFFIX} (the others' keys {@link OTHER_ACTION_SUFFIX}). */
  focus: string | undefined;

  /** Records one key-value call, named `<op> <family>[ scope suffix]`. */
  kvOp(op: string, key: unknown): void {
    let name = op;
    if (typeof key === "string") {
      const scope = keyScope(key, this.focus);
      name = `${op} ${keyFamily(key)}${
        scope === "focus" ? FOCUS_SUFFIX : scope === "other" ? OTHER_ACTION_SUFFIX : ""
      }`;
    }
    this.kv[name] = (this.kv[name] ?? 0) + 1;
  }

  /** Records one produced record; pairs CreateQueue with its answer by correlation id. */
  busRecord(
    topic: string,
    headers: Readonly<Record<string, string>> | undefined,
    now: number,
  ): void {
    const type = headers?.type ?? "?";
    const name = `send ${topic.replace(/\d+$/, "<N>")} ${type}`;
    this.bus[name] = (this.bus[name] ?? 0) + 1;
    const correlation = headers?.["correlation-id"];
    if (correlation === undefined) return;
    if (type === "CreateQueue") this.#pendingQueue.set(correlation, now);
    if (type === "CreateQueueResponse") {
      const started = this.#pendingQueue.get(correlation);
      if (started !== undefined) {
        this.queueCreationMs.push(now - started);
        this.#pendingQueue.delete(correlation);
      }
    }
  }

  /** A copy for reporting. */
  snapshot(): ControlPlaneCounters {
    return { kv: { ...this.kv }, bus: { ...this.bus }, queueCreationMs: [...this.queueCreationMs] };
  }
}

/**
 * Wraps every `KeyValueStore` method of a class prototype so each call (and each watch
 * event delivered) is counted. Returns a function that restores the originals.
 */
export function instrumentKvClass(proto: Proto, counter: ControlPlaneCounter): () => void {
  const originals = new Map<string, AnyFn>();
  for (const method of KV_METHODS) {
    const original = proto[method] as AnyFn | undefined;
    if (typeof original !== "function") continue;
    originals.set(method, original);
    proto[method] = function (this: unknown, ...args: unknown[]) {
      counter.kvOp(method, args[0]);
      if (method === "watch" && typeof args[2] === "function") {
        const onEvent = args[2] as AnyFn;
        args[2] = (event: { key?: string }) => {
          counter.kvOp("watch-event", event?.key);
          return onEvent(event);
        };
      }
      return original.apply(this, args);
    };
  }
  return () => originals.forEach((fn, method) => (proto[method] = fn));
}

/** Wraps a `MessageBus` class prototype's `send`. Returns the restore function. */
export function instrumentBusClass(proto: Proto, counter: ControlPlaneCounter): () => void {
  const original = proto.send as AnyFn;
  proto.send = function (
    this: unknown,
    topic: string,
    records: readonly { headers?: Record<string, string> }[],
  ) {
    const now = performance.now();
    for (const record of records) counter.busRecord(topic, record.headers, now);
    return original.call(this, topic, records);
  };
  return () => (proto.send = original);
}
