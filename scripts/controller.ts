/**
 * `deno task controller --id N`: one controller process on real etcd, Kafka and the
 * entity store, serving the REST API v1, `/console`, `/trace`, `/metrics` and `/health`
 * on 127.0.0.1:(3233 + N). Mirrors upstream's `core/controller/.../Controller.scala`
 * `main`; differences: the FPC balancer only, and the dev console on the same port.
 * SIGTERM stops taking requests, closes the role and exits 0. Flags: see
 * `scripts/role_process.ts` and every setting of `runtime/config.ts`.
 *
 * @module
 */
import { controllerRoleOptions } from "./role_options.ts";
import { startControllerRole } from "../actors/controller/controller_role.ts";
import { startInvalidationFanout } from "../runtime/bus/mod.ts";
import { createConsoleHandler } from "../runtime/console/mod.ts";
import type { Logger } from "../runtime/log.ts";
import { consoleSources } from "./console_sources.ts";
import {
  chainHandlers,
  exitOnSignals,
  openRoleProcess,
  parseRoleArgs,
  type RoleProcess,
  serveRole,
} from "./role_process.ts";

/** A running controller process. */
export interface ControllerProcess {
  readonly url: string;
  readonly logger: Logger;
  /** Stops serving, closes the role and every adapter. */
  stop(): Promise<void>;
}

/** Starts controller `--id N` in this process. */
export async function runController(args: readonly string[]): Promise<ControllerProcess> {
  const started = performance.now();
  const process: RoleProcess = await openRoleProcess(parseRoleArgs("controller", args));
  const { config } = process.args;
  const invalidations = await startInvalidationFanout(
    process.bridge,
    process.directory,
    process.name,
    process.logger,
  );
  process.onClose(() => invalidations.close());
  const controller = await startControllerRole(
    { ...process, invalidations },
    controllerRoleOptions(config, process.args.id),
  );
  const console = createConsoleHandler({
    tracer: process.tracer,
    system: process.system,
    sources: consoleSources({
      system: process.system,
      kv: process.kv,
      store: process.store,
      queueManagers: [],
      cluster: config.cluster.name,
    }),
  });
  const server = serveRole(
    process,
    chainHandlers([
      console,
      (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/metrics") return new Response(process.metrics.render());
        if (path === "/health") {
          return Response.json({
            status: "ok",
            controller: process.name,
            deadLetters: process.system.deadLetters,
          });
        }
        return undefined;
      },
    ], controller.handler),
  );
  process.logger.info("controller ready", {
    startupMs: Math.round(performance.now() - started),
  });
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${process.args.hostname}:${process.args.port}`,
    logger: process.logger,
    stop: () =>
      stopping ??= (async () => {
        await server.shutdown();
        await controller.close();
        await process.close();
      })(),
  };
}

if (import.meta.main) {
  const controller = await runController(Deno.args);
  exitOnSignals(controller.logger, () => controller.stop());
}
