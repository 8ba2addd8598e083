/**
 * End-to-end test of the whole platform on the real services: `startStandalone` with
 * etcd at `WSK_ETCD` (default 127.0.0.1:2379) and Kafka at `WSK_KAFKA` (default
 * 127.0.0.1:9092) instead of the twins, driven by the real `openwhisk` npm client
 * through the core flow (create, blocking invokes of `nodejs:20` and `python:3`, a
 * non-blocking invoke and its record, logs). Each run uses its own cluster name (etcd
 * keys) and topic prefix (Kafka topics and groups), so runs never clash. Fails with a
 * clear message when a service is unreachable, unless `WSK_SKIP_REAL=1` skips it.
 */
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { activationRecord, annotation, HEX32, startPlatform } from "./_platform.ts";

const ETCD = Deno.env.get("WSK_ETCD") ?? "127.0.0.1:2379";
const KAFKA = Deno.env.get("WSK_KAFKA") ?? "127.0.0.1:9092";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";

async function assertReachable(what: string, endpoint: string, env: string): Promise<void> {
  const [hostname = "127.0.0.1", port = "0"] = endpoint.split(":");
  try {
    (await Deno.connect({ hostname, port: Number(port) })).close();
  } catch (error) {
    throw new Error(
      `${what} is not reachable at ${endpoint} (${(error as Error).message}). Start it with ` +
        `\`deno task services up\`, point ${env} at one, or set WSK_SKIP_REAL=1 to skip.`,
    );
  }
}

/** Deletes this run's topics from the broker at the end, so runs do not pile them up. */
function removeTopicsAfter(prefix: string): AsyncDisposable {
  return {
    async [Symbol.asyncDispose]() {
      const admin = new Kafka({ brokers: [KAFKA], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 5_000 });
      } finally {
        await admin.disconnect();
      }
    },
  };
}

const NODE = `function main(p) {
  console.log("node says " + p.name);
  return { greeting: "hi " + p.name };
}`;
const PYTHON = `def main(args):
    print("python says " + args.get("name", "nobody"))
    return {"greeting": "py " + args.get("name", "nobody")}
`;

Deno.test({
  name: "platform on real etcd and Kafka: create, blocking and non-blocking invokes, records, logs",
  ignore: SKIP,
  // The openwhisk client's keep-alive sockets and kafkajs's internal timers outlive the
  // test; the platform (with its Kafka and etcd clients) is closed explicitly.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await assertReachable("etcd", ETCD, "WSK_ETCD");
    await assertReachable("Kafka", KAFKA, "WSK_KAFKA");
    const run = `e2e${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await using _topics = removeTopicsAfter(`${run}-`);
    await using p = await startPlatform({
      realEtcd: true,
      realKafka: true,
      topicPrefix: `${run}-`,
      flags: [
        "--cluster-name",
        run,
        "--etcd-endpoints",
        ETCD,
        "--kafka-brokers",
        KAFKA,
        "--kafka-session-timeout-ms",
        "6000",
        "--kafka-heartbeat-interval-ms",
        "500",
      ],
    });
    const { ow } = p;

    await t.step("create actions of two kinds", async () => {
      assert.equal((await ow.actions.create({ name: "node", action: NODE })).version, "0.0.1");
      const py = await ow.actions.create({ name: "py", action: PYTHON, kind: "python:3" });
      assert.equal(py.exec.kind, "python:3");
    });
    await t.step("blocking invokes answer the activation, cold then warm", async () => {
      for (const [name, greeting] of [["node", "hi a"], ["py", "py a"]]) {
        const cold = await ow.actions.invoke({ name, blocking: true, params: { name: "a" } });
        assert.equal(cold.response.status, "success", JSON.stringify(cold));
        assert.equal(cold.response.result.greeting, greeting);
        assert.equal(typeof annotation(cold, "initTime"), "number", `${name} cold`);
        const warm = await ow.actions.invoke({ name, blocking: true, params: { name: "a" } });
        assert.equal(warm.response.result.greeting, greeting);
        assert.equal(annotation(warm, "initTime"), undefined, `${name} warm`);
      }
    });
    await t.step("a non-blocking invoke ends with a record and logs", async () => {
      const { activationId } = await ow.actions.invoke({ name: "py", params: { name: "nb" } });
      assert.match(activationId, HEX32);
      const record = await activationRecord(ow, activationId, 15_000);
      assert.equal(record.name, "py");
      assert.deepEqual(record.response.result, { greeting: "py nb" });
      const { logs } = await ow.activations.logs({ name: activationId });
      assert.ok(logs.some((l: string) => /stdout: python says nb$/.test(l)), String(logs));
      const list = await ow.activations.list({ limit: 10 });
      assert.equal(list.length, 5);
      assert.equal(list[0].activationId, activationId);
      assert.ok(list.every((a: { statusCode: number }) => a.statusCode === 0));
    });
    assert.equal(p.logs.filter((e) => e.level === "error").length, 0, JSON.stringify(p.logs));
  },
});
