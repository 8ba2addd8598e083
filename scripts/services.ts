/**
 * `deno task services up|down|status`: the backing services of cluster mode and of
 * the real-service tests, on loopback at the ports of ARCHITECTURE.md. etcd comes from
 * Debian's `etcd-server`, Kafka (KRaft, single node) from Maven Central jars,
 * PostgreSQL from Debian's `postgresql`; each is
 * installed when missing, started detached with its data under `.services/`, and
 * waited for. Idempotent: `up` leaves running services alone.
 *
 * Flags: `--dir DIR` (default `.services`, env `WSK_SERVICES_DIR`), `--only etcd|kafka|postgres`,
 * `--quiet` (status: no output, exit code only).
 */
import { etcdDown, etcdStatus, etcdUp } from "./services/etcd.ts";
import { kafkaDown, kafkaStatus, kafkaUp } from "./services/kafka.ts";
import { postgresDown, postgresStatus, postgresUp } from "./services/postgres.ts";

type Service = "etcd" | "kafka" | "postgres";

const SERVICES: readonly Service[] = ["etcd", "kafka", "postgres"];

const ENDPOINTS: Record<Service, string> = {
  etcd: "127.0.0.1:2379",
  kafka: "127.0.0.1:9092",
  postgres: "127.0.0.1:5432",
};

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
  if (onlyFlag !== undefined && !SERVICES.includes(onlyFlag as Service)) {
    throw new TypeError(
      `Unknown service "${onlyFlag}" for --only: expected ${SERVICES.join(", ")}`,
    );
  }
  return {
    command,
    dir: flag("--dir") ?? Deno.env.get("WSK_SERVICES_DIR") ?? ".services",
    only: onlyFlag ? [onlyFlag as Service] : SERVICES,
    quiet: args.includes("--quiet"),
  };
}

function serviceStatus(service: Service): Promise<boolean> {
  switch (service) {
    case "etcd":
      return etcdStatus(2379);
    case "kafka":
      return kafkaStatus(9092);
    case "postgres":
      return postgresStatus(5432);
  }
}

async function serviceUp(service: Service, dir: string): Promise<string> {
  switch (service) {
    case "etcd":
      return (await etcdUp({ dataDir: `${dir}/etcd` })).endpoint;
    case "kafka":
      return (await kafkaUp({ dir: `${dir}/kafka` })).endpoint;
    case "postgres":
      return (await postgresUp({ dir: `${dir}/postgres` })).url;
  }
}

function serviceDown(service: Service, dir: string): Promise<void> {
  switch (service) {
    case "etcd":
      return etcdDown(`${dir}/etcd`);
    case "kafka":
      return kafkaDown(`${dir}/kafka`);
    case "postgres":
      return postgresDown(`${dir}/postgres`);
  }
}

async function status(opts: Options): Promise<boolean> {
  let allUp = true;
  for (const service of opts.only) {
    const up = await serviceStatus(service);
    if (!opts.quiet) {
      console.log(`${service.padEnd(8)} ${up ? "up  " : "down"} ${ENDPOINTS[service]}`);
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
        console.log(`${service} ready at ${await serviceUp(service, opts.dir)}`);
      }
      return 0;
    case "down":
      for (const service of opts.only) await serviceDown(service, opts.dir);
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
