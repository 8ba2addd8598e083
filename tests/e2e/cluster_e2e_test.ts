/**
 * End-to-end test of the local cluster: 1 controller, 2 schedulers and 2 invokers as
 * separate processes (`scripts/cluster/`) on the real etcd and Kafka, driven by the
 * real `openwhisk` client: nodejs and python actions invoked blocking and
 * non-blocking, records and logs read back, queue leaders on the schedulers and
 * containers on the invokers. Prints the cluster's start-up time and the latency of a
 * blocking invoke across processes.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  client,
  CLUSTER_TEST,
  type Doc,
  recordOf,
  SKIP_REAL,
  traceEvent,
  withCluster,
} from "./_cluster_harness.ts";

const NODE_CODE = "function main(p) { console.log('node says ' + p.name); " +
  "return { greeting: 'hello ' + p.name, pid: process.pid }; }";
const PYTHON_CODE = "import os\n" +
  "def main(args):\n" +
  "    print('python says ' + args.get('name', '?'))\n" +
  "    return {'greeting': 'hi ' + args.get('name', '?'), 'pid': os.getpid()}\n";

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: Math.round(performance.now() - started) };
}

Deno.test({
  name: "cluster up runs nodejs and python actions across processes, blocking and not",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({ baseId: 1 }, async (cluster) => {
      console.log(
        `cluster (1 controller, 2 schedulers, 2 invokers) ready in ${cluster.startupMs} ms`,
      );
      const controller = cluster.of("controller")[0]!;
      const ow = client(controller.url);

      await ow.actions.create({ name: "hello-node", action: NODE_CODE, kind: "nodejs:default" });
      await ow.actions.create({ name: "hello-py", action: PYTHON_CODE, kind: "python:3" });

      const coldNode = await timed(() =>
        ow.actions.invoke({
          name: "hello-node",
          blocking: true,
          result: true,
          params: { name: "a" },
        })
      );
      assert.equal(coldNode.value.greeting, "hello a");
      const warmNode = await timed(() =>
        ow.actions.invoke({
          name: "hello-node",
          blocking: true,
          result: true,
          params: { name: "b" },
        })
      );
      assert.equal(warmNode.value.greeting, "hello b");
      const warmTimes: number[] = [];
      let lastNode: Doc = undefined;
      for (let i = 0; i < 5; i++) {
        const { value, ms } = await timed(() =>
          ow.actions.invoke({ name: "hello-node", blocking: true, params: { name: `w${i}` } })
        );
        assert.equal(value.response.result.greeting, `hello w${i}`);
        lastNode = value;
        warmTimes.push(ms);
      }
      const coldPy = await timed(() =>
        ow.actions.invoke({ name: "hello-py", blocking: true, params: { name: "c" } })
      );
      const pyActivation: Doc = coldPy.value;
      assert.equal(pyActivation.response.status, "success");
      assert.equal(pyActivation.response.result.greeting, "hi c");
      console.log(
        `blocking invoke latency: nodejs cold ${coldNode.ms} ms, warm ${warmNode.ms} ms ` +
          `(then ${warmTimes.join(", ")} ms); python cold ${coldPy.ms} ms`,
      );

      // Non-blocking: an id now, the record and its logs later.
      const accepted: Doc = await ow.actions.invoke({ name: "hello-py", params: { name: "d" } });
      assert.match(accepted.activationId, /^[0-9a-f]{32}$/);
      const record = await recordOf(ow, accepted.activationId);
      assert.equal(record.name, "hello-py");
      assert.equal(record.response.result.greeting, "hi d");
      const logs: Doc = await ow.activations.logs({ name: accepted.activationId });
      assert.ok(
        logs.logs.some((line: string) => line.includes("python says d")),
        `logs of the python activation: ${JSON.stringify(logs.logs)}`,
      );
      const nodeLogs: Doc = await ow.activations.logs({ name: lastNode.activationId });
      assert.ok(
        nodeLogs.logs.some((line: string) => line.includes("node says w4")),
        `logs of the nodejs activation: ${JSON.stringify(nodeLogs.logs)}`,
      );
      const result: Doc = await ow.activations.result({ name: pyActivation.activationId });
      assert.equal(result.result.greeting, "hi c");

      // Queues live on the schedulers: each leader key names one of them.
      const schedulerEndpoints = cluster.of("scheduler").map((p) => `127.0.0.1:${p.port}`);
      const view = await cluster.etcd();
      for (const action of ["hello-node", "hello-py"]) {
        const leader = view.queueLeaders[`guest/guest/${action}`];
        assert.ok(
          leader !== undefined && schedulerEndpoints.includes(leader),
          `leader of ${action}: ${leader} (schedulers ${schedulerEndpoints.join(", ")})`,
        );
      }
      assert.deepEqual(view.invokers.map((i) => i.status), ["up", "up"]);

      // The transaction id travels in the Kafka headers: the scheduler saw the activation
      // arrive under the same tid the controller sent it with.
      const scheduler = cluster.of("scheduler").find((p) =>
        view.queueLeaders["guest/guest/hello-py"] === `127.0.0.1:${p.port}`
      )!;
      const arrived = await traceEvent(`${scheduler.url}/trace?type=ActivationMessage&actor=kafka`);
      assert.equal(arrived.from, "kafka");
      assert.equal(typeof arrived.tid, "string");
      const sent = await traceEvent(`${controller.url}/trace?tid=${arrived.tid}&actor=kafka`);
      assert.equal(sent.from, controller.name);

      // Containers live on the invokers.
      const containers = (await Promise.all(
        cluster.of("invoker").map((p) => cluster.containersOf(p.id)),
      ))
        .flat();
      assert.ok(containers.some((c) => c.endsWith("nodejs_20")), `containers: ${containers}`);
      assert.ok(containers.some((c) => c.endsWith("python_3")), `containers: ${containers}`);
    }),
});
