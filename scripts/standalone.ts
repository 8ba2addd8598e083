/**
 * `deno task standalone`: the whole platform in one process on 127.0.0.1:3233, the
 * README's main command. Flags: every setting of `runtime/config.ts`, plus `--port N`,
 * `--etcd` (real etcd instead of the twin), `--kafka` (real Kafka instead of the
 * twin), `--kafka-topic-prefix P` (put `P` before every topic and consumer group, to
 * share a broker) and `--invoker-id N` (default 0; containers are `wsk<N>_…`). SIGINT
 * or SIGTERM drains in-flight activations, removes containers and exits 0; actions and
 * activation records stay in the data directory for the next start.
 * `--balancer lean` (default `fpc`) runs lean mode: no scheduler, each activation pushed
 * straight to an in-process ContainerPool (`standalone_lean.ts`).
 *
 * @module
 */
import { loadConfig } from "../runtime/config.ts";
import { jsonLineLogger } from "../runtime/log.ts";
import { startStandalone } from "./standalone_platform.ts";

const GUEST_KEY =
  "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

function banner(url: string): string {
  return [
    "",
    `whisk standalone is ready at ${url}`,
    "",
    `  API host   ${url}`,
    `  guest key  ${GUEST_KEY}`,
    `  console    ${url}/console`,
    "",
    "  wsk:",
    `    wsk property set --apihost ${url} --auth ${GUEST_KEY}`,
    "",
    "  openwhisk npm client:",
    `    const ow = openwhisk({ apihost: "${url}", api_key: "${GUEST_KEY}" });`,
    "",
    "  curl:",
    `    curl -u ${GUEST_KEY} ${url}/api/v1/namespaces`,
    "",
    "Ctrl-C drains in-flight activations and stops.",
    "",
  ].join("\n");
}

/** `--balancer fpc|lean` (default `fpc`). */
function balancerFlag(): "fpc" | "lean" {
  const value = flag("--balancer") ?? "fpc";
  if (value === "fpc" || value === "lean") return value;
  console.error(`--balancer must be fpc or lean, got "${value}"`);
  Deno.exit(2);
}

if (import.meta.main) {
  const started = performance.now();
  const config = loadConfig(Deno.args);
  const logger = jsonLineLogger((Deno.env.get("WSK_LOG_LEVEL") as "info" | undefined) ?? "info");
  const platform = await startStandalone({
    config,
    port: Number(flag("--port") ?? "3233"),
    realEtcd: Deno.args.includes("--etcd"),
    realKafka: Deno.args.includes("--kafka"),
    balancer: balancerFlag(),
    topicPrefix: flag("--kafka-topic-prefix") ?? "",
    invokerId: Number(flag("--invoker-id") ?? "0"),
    logger,
  });
  console.log(banner(platform.url));
  logger.info("standalone ready", {
    url: platform.url,
    startupMs: Math.round(performance.now() - started),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping: draining activations and removing containers", { signal });
    await platform.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
}
