/**
 * `deno task services up|down|status`: the backing services of cluster mode and of
 * the real-service tests, on loopback at the ports of ARCHITECTURE.md. etcd comes from
 * Debian's `etcd-server`, Kafka (KRaft, single node) from Maven Central jars; each is
 * installed when missing, started detached with its data under `.services/`, and
 * waited for. Idempotent: `up` leaves running services alone.
 *
 * Flags: `--dir DIR` (default `.services`, env `WSK_SERVICES_DIR`), `--only etcd|kafka`,
 * `--quiet` (status: no output, exit code only).
 */
import { etcdDown, etcdStatus, etcdUp } from "./services/etcd.ts";
import { kafkaDown, kafkaStatus, kafkaUp } from "./services/kafka.ts";

type Service = "etcd" | "kafka";

interface Options {
  readonly command: "up" | "down" | "status";
  readonly dir: string;
  readonly only: readonly Service[];
  readonly quiet: boolean;
}

function parseArgs(args: readonly string[]): Options {
  const command = args[0] ?? "status";
  if (command !== "up" && command !== "down" && command !== "status") {
    throw new TypeError(`Unknown services command "${command}": expected up, down or status`);
  }
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const onlyFlag = flag("--only");
  if (onlyFlag !== undefined && onlyFlag !== "etcd" && onlyFlag !== "kafka") {
    throw new TypeError(`Unknown service "${onlyFlag}" for --only: expected etcd or kafka`);
  }
  return {
    command,
    dir: flag("--dir") ?? Deno.env.get("WSK_SERVICES_DIR") ?? ".services",
    only: onlyFlag ? [onlyFlag] : ["etcd", "kafka"],
    quiet: args.includes("--quiet"),
  };
}

async function status(opts: Options): Promise<boolean> {
  let allUp = true;
  for (const service of opts.only) {
    const up = service === "etcd" ? await etcdStatus(2379) : await kafkaStatus(9092);
    if (!opts.quiet) {
      const endpoint = service === "etcd" ? "127.0.0.1:2379" : "127.0.0.1:9092";
      console.log(`${service.padEnd(6)} ${up ? "up  " : "down"} ${endpoint}`);
    }
    allUp &&= up;
  }
  return allUp;
}

async function main(): Promise<number> {
  const opts = parseArgs(Deno.args);
  switch (opts.command) {
    case "status":
      return (await status(opts)) ? 0 : 1;
    case "up":
      for (const service of opts.only) {
        const { endpoint } = service === "etcd"
          ? await etcdUp({ dataDir: `${opts.dir}/etcd` })
          : await kafkaUp({ dir: `${opts.dir}/kafka` });
        console.log(`${service} ready at ${endpoint}`);
      }
      return 0;
    case "down":
      for (const service of opts.only) {
        if (service === "etcd") await etcdDown(`${opts.dir}/etcd`);
        else await kafkaDown(`${opts.dir}/kafka`);
      }
      return 0;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`services: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
