/**
 * Process test of `scripts/invoker.ts` on the real etcd and Kafka: one invoker process
 * (2 s lease TTL, its own cluster name, topic prefix and data directory), the role
 * harness as its scheduler and controller, and a stub ActivationService. Its health key
 * appears with status `up`; a creation message produces a container, a success ack and
 * the record of the activation the container pulled from the stub; SIGTERM leaves no
 * container process, no cgroup and no container directory behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  ackActivationId,
  decodeInvokerResourceMessage,
  existingContainerRevisionPrefix,
  invokerKey,
} from "../../protocols/mod.ts";
import { getWhiskActivation } from "../../runtime/store/mod.ts";
import { isAlive } from "../../scripts/cluster/mod.ts";
import { creationMessage, nodeAction, openRoleHarness } from "../_support/role_harness.ts";
import { startStubActivationService } from "../_support/stub_activation_service.ts";
import {
  CLUSTER_TEST,
  ETCD,
  eventually,
  KAFKA,
  SKIP_REAL,
  withCluster,
} from "./_cluster_harness.ts";

/** The scheduler the harness plays (`creationAck<SID>`). */
const SID = 0;
const CGROUP_HIERARCHIES = ["memory", "freezer", "pids"];

/** Pids whose working directory lies under `prefix` (a container's work directory). */
async function processesUnder(prefix: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if ((await Deno.readLink(`/proc/${entry.name}/cwd`)).startsWith(prefix)) {
        pids.push(Number(entry.name));
      }
    } catch {
      // gone, or not readable
    }
  }
  return pids;
}

/** cgroup directories named `prefix…` in the v1 hierarchies the sandbox uses. */
async function cgroupsNamed(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const hierarchy of CGROUP_HIERARCHIES) {
    try {
      for await (const e of Deno.readDir(`/sys/fs/cgroup/${hierarchy}`)) {
        if (e.isDirectory && e.name.startsWith(prefix)) found.push(`${hierarchy}/${e.name}`);
      }
    } catch {
      // hierarchy not mounted
    }
  }
  return found;
}

Deno.test({
  name: "invoker process: health key up, a creation runs a pulled activation, SIGTERM cleans up",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({ baseId: 3, controllers: 0, schedulers: 0, invokers: 1 }, async (cluster) => {
      const invoker = cluster.of("invoker")[0]!;
      const prefix = `wsk${invoker.id}_`;
      const harness = await openRoleHarness({
        etcd: ETCD,
        kafka: KAFKA,
        cluster: cluster.name,
        topicPrefix: `${cluster.name}-`,
        dataDir: `${cluster.dir}/data`,
      });
      const stub = startStubActivationService();
      try {
        const status = await eventually("the invoker's health key", 10_000, async () => {
          const value = await harness.kv.get(invokerKey(invoker.id, cluster.name));
          return value === undefined ? undefined : decodeInvokerResourceMessage(value).status;
        });
        assert.equal(status, "up");

        const action = nodeAction("echo", "function main(p) { return { echo: p.n }; }");
        const revision = await harness.seedAction(action);
        await harness.listenCreationAcks(SID);
        const before = await cluster.containersOf(invoker.id);
        const activation = harness.activation(action, revision, { n: 7 });
        stub.enqueue(activation);
        const creation = creationMessage(action, revision, SID, stub.endpoints);
        await harness.sendCreation(invoker.id, creation);

        const ack = await eventually(
          "the creation ack",
          20_000,
          () =>
            Promise.resolve(harness.creationAcks.find((a) => a.creationId === creation.creationId)),
        );
        assert.equal(ack.success, true, JSON.stringify(ack));
        assert.equal(ack.rootInvokerIndex.instance, invoker.id);
        const record = await eventually(
          "the activation record",
          20_000,
          () => getWhiskActivation(harness.store, "guest", activation.activationId),
        );
        assert.deepEqual(record.response.result, { echo: 7 });
        assert.equal(record.response.statusCode, 0);
        const completion = await eventually(
          "the completion ack",
          10_000,
          () =>
            Promise.resolve(
              harness.acks.find((a) => ackActivationId(a) === activation.activationId),
            ),
        );
        assert.notEqual(completion.type, "ResultMessage");
        assert.deepEqual(stub.served.map((m) => m.activationId), [activation.activationId]);
        const fetcher = stub.fetches.find((f) => f.revision === revision)!;
        const keys = await harness.kv.getPrefix(
          existingContainerRevisionPrefix("guest", activation.action, revision, cluster.name),
        );
        assert.ok(
          keys.some((k) => k.key.endsWith(`/container/${fetcher.containerId}`)),
          `no existing-container key for ${fetcher.containerId}: ${keys.map((k) => k.key)}`,
        );

        const created = (await cluster.containersOf(invoker.id)).filter((c) => !before.includes(c));
        assert.ok(created.length >= 1, "no new container directory");
        assert.ok(
          (await processesUnder(`${cluster.containersDir}/${prefix}`)).length >= 1,
          "no container process before SIGTERM",
        );
        const cgroupsBefore = await cgroupsNamed(prefix);
        const health = await (await fetch(`${invoker.url}/health`)).json();
        if (health.sandbox?.memoryCgroup === true) {
          assert.ok(cgroupsBefore.length >= 1, "no cgroup before SIGTERM");
        }

        Deno.kill(invoker.pid, "SIGTERM");
        await eventually(
          "the invoker to exit after SIGTERM",
          20_000,
          () => Promise.resolve(isAlive(invoker.pid) ? undefined : true),
        );
        const log = await Deno.readTextFile(invoker.logFile);
        assert.match(log, /"stopped"/, "the invoker did not log a clean stop");
        assert.deepEqual(await processesUnder(`${cluster.containersDir}/${prefix}`), []);
        assert.deepEqual(await cgroupsNamed(prefix), []);
        assert.deepEqual(await cluster.containersOf(invoker.id), []);
      } finally {
        await stub.close();
        await harness.close();
      }
    }),
});
