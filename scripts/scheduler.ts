/**
 * `deno task scheduler --id N`: one scheduler process on real etcd, Kafka and the
 * entity store. It advertises `{host, rpcPort: 13001 + N}` in etcd and serves there the
 * ActivationService, `/state`, `/disable`, `/queue/*`, `/metrics`, `/health`, `/trace`
 * and the dev console. Mirrors upstream's `core/scheduler/.../Scheduler.scala` `main`;
 * differences: the ActivationService is HTTP on the same port as the admin routes.
 * SIGTERM runs the `/disable` flow (queues handed over, no new ones), waits for the
 * graceful-shutdown timeout, closes and exits 0. Flags: see `scripts/role_process.ts`.
 *
 * @module
 */
import { startSchedulerRole } from "../actors/scheduler/scheduler_role.ts";
import { createConsoleHandler } from "../runtime/console/mod.ts";
import type { Logger } from "../runtime/log.ts";
import { consoleSources } from "./console_sources.ts";
import {
  chainHandlers,
  exitOnSignals,
  openRoleProcess,
  parseRoleArgs,
  pause,
  serveRole,
} from "./role_process.ts";

/** A running scheduler process. */
export interface SchedulerProcess {
  readonly url: string;
  readonly logger: Logger;
  /** The `/disable` flow, a grace for hand-over, then closes everything. */
  stop(): Promise<void>;
}

/** Starts scheduler `--id N` in this process. */
export async function runScheduler(args: readonly string[]): Promise<SchedulerProcess> {
  const started = performance.now();
  const process = await openRoleProcess(parseRoleArgs("scheduler", args));
  const { config, hostname, port } = process.args;
  const scheduler = await startSchedulerRole(process, {
    schedulerId: process.args.id,
    endpoints: { host: hostname, rpcPort: port },
    config,
  });
  process.onClose(() => scheduler.close());
  const console = createConsoleHandler({
    tracer: process.tracer,
    system: process.system,
    sources: consoleSources({
      system: process.system,
      kv: process.kv,
      store: process.store,
      queueManagers: [scheduler.queueManager],
      cluster: config.cluster.name,
    }),
  });
  const server = serveRole(process, chainHandlers([console], scheduler.handler));
  process.logger.info("scheduler ready", {
    endpoints: { host: hostname, rpcPort: port },
    startupMs: Math.round(performance.now() - started),
  });
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${hostname}:${port}`,
    logger: process.logger,
    stop: () =>
      stopping ??= (async () => {
        scheduler.drain();
        // Containers keep fetching while their queues move; stop serving afterwards.
        await pause(Math.min(config.queue.gracefulShutdownTimeoutMs, 5_000));
        await server.shutdown();
        await process.close();
      })(),
  };
}

if (import.meta.main) {
  const scheduler = await runScheduler(Deno.args);
  exitOnSignals(scheduler.logger, () => scheduler.stop());
}
