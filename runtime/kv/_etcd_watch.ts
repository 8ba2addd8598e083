/**
 * Private to `runtime/kv/`: one etcd watch on a key or prefix that delivers each event
 * once, in revision order, and resumes from the last delivered revision + 1 whenever
 * etcd3 reconnects its watch stream. Plays the part of the restart logic in upstream's
 * `core/service/WatcherService.scala`; differences: it resumes at the exact revision
 * instead of re-opening from "now", so no event is lost across an outage.
 *
 * @module
 */
import type { Etcd3, Watcher } from "etcd3";
import type { Logger } from "../log.ts";
import type { Watch, WatchEvent, WatchOptions } from "./key_value_store.ts";
import { toWatchEvent, withTimeout } from "./_etcd_support.ts";

/** What {@link openResumingWatch} needs. */
export interface ResumingWatchSpec {
  readonly client: Etcd3;
  readonly keyOrPrefix: string;
  readonly options: WatchOptions;
  readonly onEvent: (event: WatchEvent) => void;
  /** The store revision already seen: events start at the next one. */
  readonly seenRevision: number;
  /** How long the first attach may take before `KvUnavailableError`. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Opens the watch and resolves once etcd confirmed it. */
export async function openResumingWatch(spec: ResumingWatchSpec): Promise<Watch> {
  const { client, keyOrPrefix, options, onEvent, logger } = spec;
  let seen = spec.seenRevision;
  let open = true;
  const meta = { key: keyOrPrefix, prefix: options.prefix };
  const builder = client.watch().withPreviousKV().startRevision(String(seen + 1));
  const watcher: Watcher = (options.prefix ? builder.prefix(keyOrPrefix) : builder.key(keyOrPrefix))
    .watcher();
  const attached = new Promise<void>((resolve, reject) => {
    watcher.once("connected", () => resolve());
    watcher.once("error", reject);
  });
  watcher.on("data", (res) => {
    const before = seen; // a response holds whole revisions: skip those delivered already
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      if (!open || revision <= before) continue;
      seen = Math.max(seen, revision);
      try {
        onEvent(toWatchEvent(ev));
      } catch (error) {
        logger.error("watch handler threw", { ...meta, error });
      }
    }
  });
  // etcd3 re-attaches by itself after a disconnection, from `request.start_revision`;
  // point it right after the last delivered event (its own guess may skip some).
  watcher.on("disconnected", (error) => {
    watcher.request.start_revision = seen + 1;
    logger.warn("etcd watch disconnected, resuming", { ...meta, from: seen + 1, error });
  });
  watcher.on("error", (error) => logger.error("etcd watch failed", { ...meta, error }));
  const close = async () => {
    if (!open) return;
    open = false;
    await watcher.cancel().catch(() => {});
  };
  try {
    await withTimeout(attached, spec.timeoutMs, "etcd watch creation");
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
