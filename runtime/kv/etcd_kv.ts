/**
 * The {@link KeyValueStore} on a real etcd (3.4+) through `npm:etcd3`. Mirrors upstream's
 * `core/etcd/EtcdClient.scala` (jetcd); differences: per-key or per-prefix watches that
 * resume from the last seen revision + 1 after a connection error (upstream's
 * `WatcherService` restarts one all-keys watch), no retries inside (callers such as
 * DataManagementService retry on `KvUnavailableError`), every etcd3 error mapped to
 * `kv_errors.ts`.
 *
 * @module
 */
import { Etcd3 } from "etcd3";
import { jsonLineLogger, type Logger } from "../log.ts";
import type {
  KeyValue,
  KeyValueStore,
  LeaseId,
  PutOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from "./key_value_store.ts";
import { LeaseLostError } from "./kv_errors.ts";
import { passThrough, toKvError, watchBackoff, withTimeout } from "./_etcd_support.ts";
import { openResumingWatch } from "./_etcd_watch.ts";

/** Options of {@link EtcdKv}. */
export interface EtcdKvOptions {
  /** `host:port` of etcd's client URL (default `127.0.0.1:2379`). */
  readonly endpoint?: string;
  /** Deadline of each unary call, in milliseconds (default 5000). */
  readonly callTimeoutMs?: number;
  /** Where watch disconnections and handler failures go (default: JSON lines, warn). */
  readonly logger?: Logger;
}

/**
 * A store on etcd.
 *
 * @example
 * ```ts ignore
 * const kv = new EtcdKv({ endpoint: "127.0.0.1:2379" });
 * await kv.put("whisk/throttling/guest", "false");
 * await kv.close();
 * ```
 */
export class EtcdKv implements KeyValueStore {
  readonly #client: Etcd3;
  readonly #logger: Logger;
  readonly #callTimeoutMs: number;
  readonly #watches = new Set<Watch>();
  #opening = 0;

  constructor(options: EtcdKvOptions = {}) {
    this.#callTimeoutMs = options.callTimeoutMs ?? 5_000;
    this.#logger = options.logger ?? jsonLineLogger("warn");
    this.#client = new Etcd3({
      hosts: `http://${options.endpoint ?? "127.0.0.1:2379"}`,
      faultHandling: {
        host: () => passThrough,
        global: passThrough,
        watchBackoff: watchBackoff(() => this.#idle()),
      },
      defaultCallOptions: (ctx) =>
        ctx.isStream ? {} : { deadline: Date.now() + this.#callTimeoutMs },
    });
  }

  get(key: string): Promise<string | undefined> {
    return this.#call(async () => (await this.#client.get(key).string()) ?? undefined);
  }

  getPrefix(prefix: string): Promise<KeyValue[]> {
    return this.#call(async () => {
      const res = await this.#client.getAll().prefix(prefix).sort("Key", "Ascend").exec();
      return res.kvs.map((kv) => ({ key: kv.key.toString(), value: kv.value.toString() }));
    });
  }

  countPrefix(prefix: string): Promise<number> {
    return this.#call(() => this.#client.getAll().prefix(prefix).count());
  }

  async put(key: string, value: string, options: PutOptions = {}): Promise<void> {
    await this.#call(() => this.#putBuilder(key, value, options.lease).exec(), options.lease);
  }

  putIfVersion(
    key: string,
    value: string,
    version: number,
    options: PutOptions = {},
  ): Promise<boolean> {
    return this.#call(async () => {
      const txn = this.#client.if(key, "Version", "==", version)
        .then(this.#putBuilder(key, value, options.lease));
      return (await txn.commit()).succeeded;
    }, options.lease);
  }

  async del(key: string): Promise<void> {
    await this.#call(() => this.#client.delete().key(key).exec());
  }

  async delPrefix(prefix: string): Promise<void> {
    await this.#call(() => this.#client.delete().prefix(prefix).exec());
  }

  grantLease(ttlSeconds: number): Promise<LeaseId> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      const msg = `Lease TTL must be an integer of at least 1 second: got ${ttlSeconds}`;
      return Promise.reject(new RangeError(msg));
    }
    return this.#call(async () =>
      (await this.#client.leaseClient.leaseGrant({ TTL: ttlSeconds })).ID
    );
  }

  async keepAliveOnce(leaseId: LeaseId): Promise<void> {
    const ttl = await this.#call(async () => {
      const stream = await this.#client.leaseClient.leaseKeepAlive();
      try {
        const answer = new Promise<string>((resolve, reject) => {
          stream.on("data", (res) => resolve(res.TTL));
          stream.on("error", reject);
        });
        stream.write({ ID: leaseId });
        return await withTimeout(answer, this.#callTimeoutMs, "etcd keep-alive");
      } finally {
        stream.end();
      }
    }, leaseId);
    if (Number(ttl) <= 0) throw new LeaseLostError(leaseId);
  }

  async revokeLease(leaseId: LeaseId): Promise<void> {
    try {
      await this.#call(() => this.#client.leaseClient.leaseRevoke({ ID: leaseId }), leaseId);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  async watch(
    keyOrPrefix: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<Watch> {
    this.#opening++; // counts as a watch for `#idle()` while it attaches
    try {
      // Start right after the revision read here: nothing after this read is missed.
      const head = await this.#call(() => this.#client.get(keyOrPrefix).exec());
      const inner = await this.#call(() =>
        openResumingWatch({
          client: this.#client,
          keyOrPrefix,
          options,
          onEvent,
          seenRevision: Number(head.header.revision),
          timeoutMs: this.#callTimeoutMs,
          logger: this.#logger,
        })
      );
      const watch: Watch = {
        close: async () => {
          if (!this.#watches.delete(watch)) return;
          await inner.close();
          // Let the 0 ms reconnect timer of the ended stream run out (see `watchBackoff`).
          if (this.#idle()) await new Promise((resolve) => setTimeout(resolve, 5));
        },
      };
      this.#watches.add(watch);
      return watch;
    } finally {
      this.#opening--;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#watches].map((w) => w.close()));
    this.#client.close();
  }

  /** No watch is open or opening: etcd3 need not reconnect its watch stream. */
  #idle(): boolean {
    return this.#watches.size === 0 && this.#opening === 0;
  }

  #putBuilder(key: string, value: string, lease: LeaseId | undefined) {
    const put = this.#client.put(key).value(value);
    return lease === undefined ? put : put.lease(lease);
  }

  async #call<T>(op: () => Promise<T>, leaseId?: LeaseId): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw toKvError(error, leaseId);
    }
  }
}
