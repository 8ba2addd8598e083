/**
 * Kafka for cluster mode and the real-service tests: one KRaft node acting as broker
 * and controller on loopback, built from Maven Central jars (`org.apache.kafka:kafka_2.13`)
 * with the machine's Maven and Java 17 (installed from Debian when absent). Plays the
 * role of upstream's `ansible/roles/kafka` and `tools/.../standalone` Kafka launcher;
 * differences: no ZooKeeper, no Docker, settings tuned for fast group joins in tests.
 *
 * Run directly: `deno run -A scripts/services/kafka.ts up|down|status [--dir DIR]`.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import { quietTimeoutNegativeWarning } from "../../runtime/bus/mod.ts";

/** The Kafka release fetched from Maven Central. */
export const KAFKA_VERSION = Deno.env.get("WSK_KAFKA_VERSION") ?? "3.9.1";
const SLF4J_BINDING = { group: "org.slf4j", artifact: "slf4j-reload4j", version: "1.7.36" };
const DEFAULT_DIR = ".services/kafka";
const READY_TIMEOUT_MS = 90_000;

/** Options of {@link kafkaUp}. */
export interface KafkaUpOptions {
  /** Data, config, pid and log folder (default `.services/kafka`). */
  readonly dir?: string;
  /** Client listener port (default 9092). */
  readonly port?: number;
  /** KRaft controller listener port (default 9093). */
  readonly controllerPort?: number;
  /** Jar cache (default `kafka-jars` beside `dir`). */
  readonly jarsDir?: string;
}

/** A running broker. */
export interface KafkaRunning {
  readonly endpoint: string;
  readonly pid: number;
}

/** Raised when Kafka cannot be installed or does not come up in time. */
export class KafkaServiceError extends Error {
  override readonly name = "KafkaServiceError";
}

const progress = (msg: string) => console.error(`kafka: ${msg}`);

async function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args, ...opts, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new KafkaServiceError(`${cmd} ${args.join(" ")} failed:\n${text}`);
  return text;
}

async function has(cmd: string): Promise<boolean> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
    .output();
  return out.success;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Installs Java 17 and Maven from Debian when either is missing. */
async function ensureToolchain(): Promise<void> {
  const missing = [];
  if (!await has("java")) missing.push("openjdk-17-jre-headless");
  if (!await has("mvn")) missing.push("maven");
  if (missing.length === 0) return;
  progress(`installing ${missing.join(", ")} from Debian ...`);
  await run("apt-get", ["update", "-q"]);
  await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing]);
}

function pom(): string {
  const dep = (g: string, a: string, v: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.wsk</groupId><artifactId>kafka-jars</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${dep("org.apache.kafka", "kafka_2.13", KAFKA_VERSION)}
    ${dep(SLF4J_BINDING.group, SLF4J_BINDING.artifact, SLF4J_BINDING.version)}
  </dependencies>
</project>
`;
}

/** Copies Kafka and its runtime dependencies into `<jarsDir>/lib`, once per version. */
async function ensureJars(jarsDir: string): Promise<string> {
  const lib = `${jarsDir}/lib-${KAFKA_VERSION}`;
  const marker = `${lib}/.complete`;
  if (await exists(marker)) return lib;
  await Deno.mkdir(jarsDir, { recursive: true });
  await Deno.writeTextFile(`${jarsDir}/pom.xml`, pom());
  progress(`fetching kafka_2.13 ${KAFKA_VERSION} and its dependencies (first run only) ...`);
  const child = new Deno.Command("mvn", {
    args: [
      "-B",
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${Deno.realPathSync(jarsDir)}/lib-${KAFKA_VERSION}`,
    ],
    cwd: jarsDir,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let downloaded = 0;
  const tail: string[] = [];
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    for (const line of chunk.split("\n")) {
      if (line.includes("Downloaded from")) {
        downloaded++;
        if (downloaded % 10 === 0) progress(`downloaded ${downloaded} files ...`);
      }
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  }
  const status = await child.status;
  if (!status.success) {
    throw new KafkaServiceError(`mvn failed:\n${tail.join("\n")}\n${await stderr}`);
  }
  await stderr;
  await Deno.writeTextFile(marker, new Date().toISOString());
  progress(`jars ready in ${lib}`);
  return lib;
}

function serverProperties(dir: string, port: number, controllerPort: number): string {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${dir}/data`,
    "num.partitions=1",
    "auto.create.topics.enable=true",
    "group.initial.rebalance.delay.ms=0",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=10",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "log.retention.hours=24",
    "",
  ].join("\n");
}

const LOG4J = [
  "log4j.rootLogger=WARN, stdout",
  "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
  "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
  "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
  "log4j.logger.kafka.server.KafkaServer=INFO",
  "log4j.logger.kafka.server.KafkaRaftServer=INFO",
  "",
].join("\n");

/**
 * A fresh KRaft cluster id: 16 random bytes, base64url without padding. It never
 * starts with "-": the storage tool's argument parser would read such an id as an
 * option and refuse to format (one run in 64 failed that way).
 */
export function clusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}

async function readPid(dir: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(`${dir}/kafka.pid`)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * Tells whether a Kafka broker answers on 127.0.0.1:`port` (a kafkajs admin connects and
 * describes the cluster).
 */
export async function kafkaStatus(port = 9092, timeoutMs = 3000): Promise<boolean> {
  quietTimeoutNegativeWarning();
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
  } catch {
    return false;
  }
  const admin = new Kafka({
    clientId: "wsk-services",
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function tailLog(dir: string): Promise<string> {
  try {
    return (await Deno.readTextFile(`${dir}/kafka.log`)).split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts Kafka when it is not already answering, and waits until it does. Idempotent.
 *
 * @returns the `host:port` endpoint and the broker's pid (-1 when an unmanaged broker
 * already answered on the port).
 */
export async function kafkaUp(opts: KafkaUpOptions = {}): Promise<KafkaRunning> {
  const dir = opts.dir ?? DEFAULT_DIR;
  const port = opts.port ?? 9092;
  const controllerPort = opts.controllerPort ?? 9093;
  const endpoint = `127.0.0.1:${port}`;
  if (await kafkaStatus(port)) return { endpoint, pid: (await readPid(dir)) ?? -1 };
  const stale = await readPid(dir);
  if (stale !== undefined && alive(stale)) {
    return { endpoint, pid: await waitReady(dir, port, stale) };
  }
  await ensureToolchain();
  const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : ".";
  const lib = await ensureJars(opts.jarsDir ?? `${parent}/kafka-jars`);
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  const absDir = Deno.realPathSync(dir);
  const props = `${absDir}/server.properties`;
  await Deno.writeTextFile(props, serverProperties(absDir, port, controllerPort));
  await Deno.writeTextFile(`${absDir}/log4j.properties`, LOG4J);
  const cp = `${Deno.realPathSync(lib)}/*`;
  const jvm = ["-Xms256m", "-Xmx768m", `-Dlog4j.configuration=file:${absDir}/log4j.properties`];
  if (!await exists(`${absDir}/data/meta.properties`)) {
    progress("formatting KRaft storage ...");
    await run("java", [
      ...jvm,
      "-cp",
      cp,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      clusterId(),
      "-c",
      props,
    ]);
  }
  progress(`starting broker on ${endpoint} ...`);
  const log = `${absDir}/kafka.log`;
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const javaCmd = ["java", ...jvm, "-cp", cp, "kafka.Kafka", props].map(quote).join(" ");
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${javaCmd} >>${quote(log)} 2>&1 </dev/null`],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  await Deno.writeTextFile(`${absDir}/kafka.pid`, `${child.pid}\n`);
  return { endpoint, pid: await waitReady(absDir, port, child.pid) };
}

async function waitReady(dir: string, port: number, pid: number): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      throw new KafkaServiceError(`broker (pid ${pid}) exited:\n${await tailLog(dir)}`);
    }
    if (await kafkaStatus(port)) return pid;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new KafkaServiceError(
    `broker did not answer on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms:\n${await tailLog(
      dir,
    )}`,
  );
}

/** Stops the broker started in `dir` (SIGTERM, then SIGKILL after 20 s). Idempotent. */
export async function kafkaDown(dir = DEFAULT_DIR): Promise<void> {
  const pid = await readPid(dir);
  if (pid !== undefined && alive(pid)) {
    Deno.kill(pid, "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(pid)) Deno.kill(pid, "SIGKILL");
  }
  await Deno.remove(`${dir}/kafka.pid`).catch(() => {});
}

if (import.meta.main) {
  const [command = "status", ...rest] = Deno.args;
  const dirFlag = rest.indexOf("--dir");
  const dir = dirFlag >= 0 ? rest[dirFlag + 1] ?? DEFAULT_DIR : DEFAULT_DIR;
  try {
    if (command === "up") console.log(`kafka ready at ${(await kafkaUp({ dir })).endpoint}`);
    else if (command === "down") await kafkaDown(dir);
    else if (command === "status") {
      const up = await kafkaStatus();
      console.log(`kafka ${up ? "up" : "down"} 127.0.0.1:9092`);
      Deno.exit(up ? 0 : 1);
    } else throw new TypeError(`Unknown command "${command}": expected up, down or status`);
  } catch (error) {
    console.error(`kafka: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
