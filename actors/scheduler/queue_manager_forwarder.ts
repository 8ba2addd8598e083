/**
 * The QueueManager's `forwardToLeader`: hands an activation to the scheduler that leads
 * its queue. Mirrors the forwarding step of upstream `QueueManager.scala`
 * (`sendToLeader`, which resolved the leader key's endpoints to a remote actor);
 * differences: the bus addresses schedulers by id (`scheduler<sid>`), so a map from
 * endpoints to sid, fed by one watch of `whisk/scheduler/` (plus a read at start and on
 * a miss), turns the leader's endpoints into a topic without an etcd read per
 * activation; and an activation that cannot be forwarded (no scheduler advertises those
 * endpoints, etcd or the bus fails) ends with the scheduler's error completion instead
 * of being dropped, so every accepted activation still ends with one record.
 *
 * @module
 */
import type { ActivationMessage } from "../../protocols/activation.ts";
import { schedulerPrefix } from "../../protocols/etcd_keys.ts";
import { decodeSchedulerStates, type SchedulerEndpoints } from "../../protocols/health.ts";
import type { KeyValueStore, Watch, WatchEvent } from "../../runtime/kv/key_value_store.ts";
import type { Logger } from "../../runtime/log.ts";

/** What the forwarder stands on. */
export interface LeaderForwarderDeps {
  /** Watches and reads `whisk/scheduler/`. */
  readonly kv: Pick<KeyValueStore, "getPrefix" | "watch">;
  /** Publishes `msg` to scheduler `sid`'s QueueManager, marked as forwarded by us. */
  send(sid: string, msg: ActivationMessage): Promise<void>;
  /** Ends `msg` with the error completion (record stored, ack sent); must not throw. */
  fail(msg: ActivationMessage): void;
  readonly logger: Logger;
}

/** Options of {@link startLeaderForwarder}. */
export interface LeaderForwarderOptions {
  /** The etcd cluster name (first key segment). */
  readonly cluster: string;
}

/** A running forwarder. */
export interface LeaderForwarder {
  /** Forwards `msg` to the scheduler at `endpoints`, or ends it; never throws nor rejects. */
  forward(msg: ActivationMessage, endpoints: SchedulerEndpoints): void;
  /** Closes the watch. */
  close(): Promise<void>;
}

const addressOf = (e: SchedulerEndpoints) => `${e.host}:${e.rpcPort}`;

/**
 * Opens the watch of the scheduler endpoints (then reads them once) and returns the
 * forwarder.
 *
 * @example
 * ```ts ignore
 * const forwarder = startLeaderForwarder({ kv, send, fail, logger }, { cluster: "whisk" });
 * forwarder.forward(activation, { host: "10.0.0.2", rpcPort: 13002 });
 * ```
 */
export function startLeaderForwarder(
  deps: LeaderForwarderDeps,
  options: LeaderForwarderOptions,
): LeaderForwarder {
  const { kv, logger } = deps;
  const prefix = schedulerPrefix(options.cluster);
  /** etcd key → the advertised address and the scheduler's id. */
  const schedulers = new Map<string, { readonly address: string; readonly sid: string }>();
  /** Keys the watch reported: a read answered later must not undo their news. */
  const watched = new Set<string>();
  let watch: Promise<Watch> | undefined;
  let reading: Promise<void> | undefined;
  let closed = false;

  const remember = (key: string, value: string) => {
    try {
      const states = decodeSchedulerStates(value);
      schedulers.set(key, { address: addressOf(states.endpoints), sid: states.sid.asString });
    } catch (error) {
      schedulers.delete(key);
      logger.warn("skipping an unreadable scheduler value", { key, error });
    }
  };
  const onEvent = (event: WatchEvent) => {
    watched.add(event.key);
    if (event.type === "put") remember(event.key, event.value);
    else schedulers.delete(event.key);
  };

  /** Opens the watch (once) and reads the prefix; concurrent calls share one read. */
  const refresh = (): Promise<void> => {
    reading ??= (async () => {
      watch ??= kv.watch(prefix, { prefix: true }, onEvent).catch((error) => {
        watch = undefined; // open it again on the next refresh
        throw error;
      });
      await watch;
      for (const { key, value } of await kv.getPrefix(prefix)) {
        if (!watched.has(key)) remember(key, value);
      }
    })().finally(() => reading = undefined);
    return reading;
  };
  const refreshQuietly = () =>
    refresh().catch((error) => logger.warn("cannot read the scheduler endpoints", { error }));

  const sidAt = (endpoints: SchedulerEndpoints): string | undefined => {
    const address = addressOf(endpoints);
    for (const entry of schedulers.values()) if (entry.address === address) return entry.sid;
    return undefined;
  };

  const end = (msg: ActivationMessage, why: string, meta: Record<string, unknown>) => {
    logger.error(why, { activationId: msg.activationId, ...meta });
    try {
      deps.fail(msg);
    } catch (error) {
      logger.error("cannot end an activation that was not forwarded", { error });
    }
  };

  const forward = async (msg: ActivationMessage, endpoints: SchedulerEndpoints) => {
    let sid = sidAt(endpoints);
    if (sid === undefined) {
      await refreshQuietly(); // a scheduler that just started: its event may be on its way
      sid = sidAt(endpoints);
    }
    if (sid === undefined) {
      return end(msg, "no scheduler advertises the leader's endpoints", { endpoints });
    }
    try {
      await deps.send(sid, msg);
    } catch (error) {
      end(msg, "cannot forward an activation to its leader", { sid, error });
    }
  };

  void refreshQuietly();
  return {
    forward: (msg, endpoints) => {
      if (closed) return end(msg, "forwarder closed; cannot forward", { endpoints });
      void forward(msg, endpoints).catch((error) =>
        logger.error("forwarding an activation failed unexpectedly", { error })
      );
    },
    async close() {
      closed = true;
      const open = watch;
      watch = undefined;
      await open?.then((w) => w.close(), () => {});
    },
  };
}
