/**
 * Runs the message-bus contract against real Kafka at `WSK_KAFKA` (default
 * 127.0.0.1:9092; `deno task services up` starts one). The bridge's echo actor runs in a
 * separate Deno process. Fails with a clear message when Kafka is unreachable, unless
 * `WSK_SKIP_REAL=1` skips it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { KafkaBus } from "../../runtime/bus/mod.ts";
import { runBusContract, unique } from "./bus_contract.ts";

const endpoint = Deno.env.get("WSK_KAFKA") ?? "127.0.0.1:9092";
const skip = Deno.env.get("WSK_SKIP_REAL") === "1";

let reachable: Promise<void> | undefined;

/** Fails fast, with the fix in the message, when nothing listens at the endpoint. */
function assertReachable(): Promise<void> {
  reachable ??= (async () => {
    const [hostname = "127.0.0.1", port = "9092"] = endpoint.split(":");
    try {
      (await Deno.connect({ hostname, port: Number(port) })).close();
    } catch (error) {
      throw new Error(
        `Kafka is not reachable at ${endpoint} (${(error as Error).message}). Start it with ` +
          "`deno task services up`, point WSK_KAFKA at one, or set WSK_SKIP_REAL=1 to skip.",
      );
    }
  })();
  return reachable;
}

runBusContract("KafkaBus", {
  makeBus: async (settings) => {
    await assertReachable();
    return new KafkaBus({
      ...settings,
      brokers: [endpoint],
      clientId: "bus-contract",
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      fetchMaxWaitMs: 100,
      retries: 2,
    });
  },
  startEcho: async (_bus, topic, group, deadLetterTopic) => {
    const fixture = new URL("./fixtures/bus_echo_process.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fixture, endpoint, topic, group, deadLetterTopic],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("ready")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`echo process exited before it was ready: ${out}`);
      out += value;
    }
    return {
      pid: child.pid,
      close: async () => {
        await child.stdin.close();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await child.status;
        clearTimeout(timer);
        await lines.cancel();
      },
    };
  },
  ignore: skip,
  waitMs: 20_000,
  sanitize: true,
});

Deno.test({
  name: "KafkaBus with lingerMs batches concurrent sends and keeps their order",
  ignore: skip,
  fn: async () => {
    await assertReachable();
    const bus = new KafkaBus({
      brokers: [endpoint],
      clientId: "bus-linger",
      lingerMs: 20,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      fetchMaxWaitMs: 100,
    });
    try {
      const topic = unique("linger");
      await bus.ensureTopic(topic);
      const seen: string[] = [];
      let got!: () => void;
      const all = new Promise<void>((resolve) => (got = resolve));
      await bus.subscribe({
        topics: [topic],
        group: unique("g"),
        fromBeginning: true,
        handler: (r) => {
          seen.push(new TextDecoder().decode(r.value));
          if (seen.length === 3) got();
          return Promise.resolve();
        },
      });
      await Promise.all([
        bus.send(topic, [{ value: "a" }]),
        bus.send(topic, [{ value: "b" }, { value: "c" }]),
      ]);
      const timer = setTimeout(() => got(), 20_000);
      await all;
      clearTimeout(timer);
      assert.deepEqual(seen, ["a", "b", "c"]);
    } finally {
      await bus.close();
    }
  },
});
