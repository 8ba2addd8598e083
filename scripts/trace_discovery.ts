/**
 * Finds every process of a cluster that serves `/trace`, from etcd: each role process
 * advertises `{name, role, url}` under `whisk/processes/<name>` on its own lease (so a
 * dead process drops out after the lease TTL). `deno task trace --etcd` and the
 * console's merged `/trace` read it. Upstream has no counterpart (its traces go to Zipkin; its processes
 * are found through `InstanceId` keys that carry no HTTP address).
 *
 * @module
 */
import { processesPrefix, processKey } from "../protocols/mod.ts";
import { type Clock, systemClock, type TimerHandle } from "../runtime/actors/clock.ts";
import type { ProcessView } from "../runtime/console/mod.ts";
import { type KeyValueStore, type LeaseId, LeaseLostError } from "../runtime/kv/mod.ts";
import type { Logger } from "../runtime/log.ts";

/** The value of `whisk/processes/<name>`: where a role process serves HTTP. */
export type ProcessEndpoint = ProcessView;

/** The JSON text stored for `endpoint`. */
export function encodeProcessEndpoint(endpoint: ProcessEndpoint): string {
  return JSON.stringify({ name: endpoint.name, role: endpoint.role, url: endpoint.url });
}

/**
 * Reads a `whisk/processes/<name>` value (JSON text or parsed).
 *
 * @throws {SyntaxError} when the text is not JSON
 * @throws {TypeError} when a field is missing or not a string, or `url` is not http(s)
 *
 * @example
 * ```ts
 * import { decodeProcessEndpoint } from "./trace_discovery.ts";
 * const e = decodeProcessEndpoint('{"name":"invoker0","role":"invoker","url":"http://127.0.0.1:12001"}');
 * console.assert(e.role === "invoker");
 * ```
 */
export function decodeProcessEndpoint(input: unknown): ProcessEndpoint {
  const value = typeof input === "string" ? JSON.parse(input) as unknown : input;
  if (typeof value !== "object" || value === null) {
    throw new TypeError("Cannot decode ProcessEndpoint: expected an object");
  }
  const fields = value as Record<string, unknown>;
  for (const name of ["name", "role", "url"]) {
    if (typeof fields[name] !== "string" || fields[name] === "") {
      throw new TypeError(`Cannot decode ProcessEndpoint: "${name}" must be a non-empty string`);
    }
  }
  const url = fields.url as string;
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new TypeError(`Cannot decode ProcessEndpoint: "url" must be http(s), got "${url}"`);
  }
  return { name: fields.name as string, role: fields.role as string, url };
}

/** Options of {@link advertiseProcess}. */
export interface AdvertiseOptions {
  /** The etcd cluster name (first key segment); `whisk` by default. */
  readonly cluster?: string;
  /** The lease TTL; the key vanishes this long after the process dies. */
  readonly ttlSeconds: number;
  readonly logger: Logger;
  /** Where the keep-alive timer runs; the system clock by default. */
  readonly clock?: Clock;
}

/** A running advertisement. */
export interface Advertisement {
  /** The key written. */
  readonly key: string;
  /** Stops renewing and revokes the lease (the key goes at once); idempotent. */
  close(): Promise<void>;
}

/**
 * Writes `endpoint` under `whisk/processes/<name>` on a lease of its own and renews the
 * lease every third of its TTL; when the lease is lost (etcd restarted, a long pause) it
 * grants a new one and writes the key again. Failures are logged, never thrown, after
 * the first put.
 *
 * @example
 * ```ts
 * import { advertiseProcess, discoverProcesses } from "./trace_discovery.ts";
 * import { MemoryKv } from "../runtime/kv/mod.ts";
 * import { ManualClock } from "../runtime/actors/clock.ts";
 * import { silentLogger } from "../runtime/log.ts";
 * const kv = new MemoryKv({ clock: new ManualClock(0), logger: silentLogger });
 * const ad = await advertiseProcess(kv, {
 *   name: "controller0", role: "controller", url: "http://127.0.0.1:3233",
 * }, { ttlSeconds: 10, logger: silentLogger, clock: new ManualClock(0) });
 * console.assert((await discoverProcesses(kv)).length === 1);
 * await ad.close();
 * await kv.close();
 * ```
 */
export async function advertiseProcess(
  kv: KeyValueStore,
  endpoint: ProcessEndpoint,
  options: AdvertiseOptions,
): Promise<Advertisement> {
  const clock = options.clock ?? systemClock;
  const key = processKey(endpoint.name, options.cluster);
  const value = encodeProcessEndpoint(endpoint);
  const everyMs = Math.max(100, Math.floor((options.ttlSeconds * 1000) / 3));
  const writeUnderNewLease = async (): Promise<LeaseId> => {
    const lease = await kv.grantLease(options.ttlSeconds);
    await kv.put(key, value, { lease });
    return lease;
  };
  let lease = await writeUnderNewLease();
  let timer: TimerHandle | undefined;
  let closed = false;
  const renew = async () => {
    try {
      await kv.keepAliveOnce(lease);
    } catch (error) {
      if (closed) return;
      if (!(error instanceof LeaseLostError)) {
        options.logger.warn("cannot renew the process endpoint's lease", { key, error });
        return;
      }
      try {
        lease = await writeUnderNewLease();
        options.logger.info("process endpoint written again under a new lease", { key });
      } catch (again) {
        options.logger.warn("cannot write the process endpoint", { key, error: again });
      }
    }
  };
  const schedule = () => {
    timer = clock.setTimeout(() => {
      timer = undefined;
      void renew().finally(() => {
        if (!closed) schedule();
      });
    }, everyMs);
  };
  schedule();
  return {
    key,
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await kv.revokeLease(lease).catch((error) =>
        options.logger.warn("cannot revoke the process endpoint's lease", { key, error })
      );
    },
  };
}

/**
 * Every process of `cluster` that advertises its HTTP endpoint, sorted by name; values
 * that do not decode are skipped. Scheduler endpoints (`whisk/scheduler/*`) are not used:
 * the standalone advertises a scheduler port it does not serve.
 */
export async function discoverProcesses(
  kv: KeyValueStore,
  cluster?: string,
): Promise<ProcessEndpoint[]> {
  const found: ProcessEndpoint[] = [];
  for (const { value } of await kv.getPrefix(processesPrefix(cluster))) {
    try {
      found.push(decodeProcessEndpoint(value));
    } catch { /* not ours to show */ }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
