/**
 * `deno task invoker --id N`: one invoker process on real etcd, Kafka and the entity
 * store, running containers as sandboxed processes named `wsk<N>_…`, reaching the
 * schedulers' ActivationService over HTTP with the internal credential, and serving
 * `/enable`, `/disable`, `/isEnabled`, `/metrics`, `/health`, `/trace` and the dev
 * console on 127.0.0.1:(12001 + N). Mirrors upstream's `core/invoker/.../Invoker.scala`
 * `main` with the FPC reactive invoker; differences: process containers instead of
 * Docker. SIGTERM disables the invoker (no new work), lets in-flight activations finish
 * for up to the graceful-shutdown timeout, removes every container and exits 0.
 * Flags: see `scripts/role_process.ts`.
 *
 * @module
 */
import { startInvokerRole } from "../actors/invoker/invoker_role.ts";
import { DEFAULT_INTERNAL_CREDENTIAL } from "../protocols/mod.ts";
import { httpActivationClient } from "../runtime/activation_client/mod.ts";
import { parsePrewarm } from "../runtime/config.ts";
import { createConsoleHandler } from "../runtime/console/mod.ts";
import { createProcessFactory } from "../runtime/containers/mod.ts";
import type { Logger } from "../runtime/log.ts";
import {
  chainHandlers,
  exitOnSignals,
  flagValue,
  openRoleProcess,
  parseRoleArgs,
  pause,
  serveRole,
} from "./role_process.ts";

/** A running invoker process. */
export interface InvokerProcess {
  readonly url: string;
  readonly logger: Logger;
  /** Disables, lets in-flight work finish, removes containers, closes everything. */
  stop(): Promise<void>;
}

/** Starts invoker `--id N` in this process (`--container-run-dir` moves the sockets). */
export async function runInvoker(args: readonly string[]): Promise<InvokerProcess> {
  const started = performance.now();
  const process = await openRoleProcess(parseRoleArgs("invoker", args));
  const { config, id } = process.args;
  const runDir = flagValue(args, "--container-run-dir");
  const containers = await createProcessFactory({
    invokerId: id,
    ...(runDir === undefined ? {} : { runDir }),
  });
  const prefix = `wsk${id}_`;
  const leftovers = await containers.cleanupLeftovers(prefix);
  if (leftovers > 0) process.logger.info("removed containers of an earlier run", { leftovers });
  process.onClose(() => void containers.cleanupLeftovers(prefix));

  const credential = {
    user: DEFAULT_INTERNAL_CREDENTIAL.uuid,
    password: DEFAULT_INTERNAL_CREDENTIAL.key,
  };
  const invoker = await startInvokerRole({
    ...process,
    containers,
    createActivationClient: (endpoint) =>
      Promise.resolve(httpActivationClient(endpoint, { credential })),
  }, {
    invokerId: id,
    cluster: config.cluster.name,
    userMemoryMb: config.containerPool.userMemoryMb,
    tags: config.invoker.tags ? config.invoker.tags.split(",") : [],
    dedicatedNamespaces: config.invoker.dedicatedNamespaces
      ? config.invoker.dedicatedNamespaces.split(",")
      : [],
    prewarm: parsePrewarm(config.containerPool.prewarm),
    leaseTtlSeconds: config.etcd.leaseTtlSeconds,
    pauseGraceMs: config.containerProxy.pauseGraceMs,
    idleContainerMs: config.containerProxy.idleContainerMs,
    memorySyncIntervalMs: config.containerPool.memorySyncIntervalMs,
  });
  process.onClose(() => invoker.close());
  const console = createConsoleHandler({ tracer: process.tracer, system: process.system });
  const server = serveRole(process, chainHandlers([console], invoker.handler));
  process.logger.info("invoker ready", {
    sandbox: containers.capabilities(),
    startupMs: Math.round(performance.now() - started),
  });
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${process.args.hostname}:${process.args.port}`,
    logger: process.logger,
    stop: () =>
      stopping ??= (async () => {
        invoker.drain();
        await pause(Math.min(config.queue.gracefulShutdownTimeoutMs, 5_000));
        await server.shutdown();
        await process.close();
        await containers.cleanupLeftovers(prefix);
      })(),
  };
}

if (import.meta.main) {
  const invoker = await runInvoker(Deno.args);
  exitOnSignals(invoker.logger, () => invoker.stop());
}
