/**
 * Tracing across processes on a real cluster (1 controller, 1 scheduler, 1 invoker as
 * separate processes on the real etcd and Kafka): one blocking invoke is followed from
 * the controller through the scheduler to the invoker under its transaction id, read
 * three ways: every process's own `/trace`, the controller's merged `/trace?merged=1`
 * (processes found in etcd), and `deno task trace --etcd ... --once`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { apiKeyOf, GUEST_SUBJECT } from "../../actors/controller/rest_api/mod.ts";
import type { SourcedTraceEvent } from "../../runtime/console/mod.ts";
import { readTraceStream } from "../../runtime/console/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import { discoverProcesses } from "../../scripts/trace_discovery.ts";
import { client, CLUSTER_TEST, ETCD, SKIP_REAL, withCluster } from "./_cluster_harness.ts";

const CODE = "function main(p) { return { greeting: 'hello ' + p.name }; }";
const TRACE_SCRIPT = new URL("../../scripts/trace.ts", import.meta.url).pathname;

/** Every buffered event of a `/trace` URL (`snapshot=1` ends the stream), within 10 s. */
async function snapshot(url: string): Promise<SourcedTraceEvent[]> {
  const events: SourcedTraceEvent[] = [];
  for await (const event of readTraceStream(url, AbortSignal.timeout(10_000))) events.push(event);
  return events;
}

/** Invokes `name` blocking through the REST API; returns the transaction id and record. */
async function invokeBlocking(base: string, name: string) {
  const response = await fetch(
    `${base}/api/v1/namespaces/_/actions/${name}?blocking=true`,
    {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(apiKeyOf(GUEST_SUBJECT))}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "trace" }),
    },
  );
  const record = await response.json();
  assert.equal(response.status, 200, JSON.stringify(record));
  const tid = response.headers.get("x-request-id");
  assert.ok(tid, "the REST API names the transaction in x-request-id");
  return { tid, activationId: record.activationId as string, record };
}

Deno.test({
  name: "controller, scheduler and invoker events of one activation share its trace id",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({ baseId: 5, controllers: 1, schedulers: 1, invokers: 1 }, async (cluster) => {
      const controller = cluster.of("controller")[0]!;
      const scheduler = cluster.of("scheduler")[0]!;
      const invoker = cluster.of("invoker")[0]!;
      const names = [controller.name, scheduler.name, invoker.name].sort();
      await client(controller.url).actions.create({ name: "traced", action: CODE });
      const { tid, activationId, record } = await invokeBlocking(controller.url, "traced");
      assert.equal(record.response.result.greeting, "hello trace");

      // Every process advertises where it serves /trace.
      const kv = new EtcdKv({ endpoint: ETCD, logger: silentLogger });
      try {
        const found = await discoverProcesses(kv, cluster.name);
        assert.deepEqual(found.map((p) => p.name), names);
        for (const p of [controller, scheduler, invoker]) {
          assert.equal(found.find((f) => f.name === p.name)?.url, p.url);
        }
      } finally {
        await kv.close();
      }

      // Each process's own /trace holds its part of the activation under the same tid.
      for (const p of [controller, scheduler, invoker]) {
        const own = await snapshot(`${p.url}/trace?tid=${tid}&snapshot=1`);
        assert.ok(own.length > 0, `${p.name} traced nothing under ${tid}`);
      }
      const invokerEvents = await snapshot(`${invoker.url}/trace?tid=${tid}&snapshot=1`);
      assert.ok(
        invokerEvents.some((e) => e.kind !== "transition" && e.activationId === activationId),
        `the invoker's events name activation ${activationId}`,
      );

      // The controller's merged /trace fans in all three, tagged and in time order.
      const merged = await snapshot(`${controller.url}/trace?merged=1&snapshot=1&tid=${tid}`);
      const bySource = new Map<string, number>();
      for (const event of merged) {
        assert.ok(event.kind !== "transition" && event.tid === tid, JSON.stringify(event));
        bySource.set(event.source ?? "?", (bySource.get(event.source ?? "?") ?? 0) + 1);
      }
      assert.deepEqual([...bySource.keys()].sort(), names, JSON.stringify([...bySource]));
      assert.deepEqual(merged.map((e) => e.ts), merged.map((e) => e.ts).sort((a, b) => a - b));
      // From the REST call through the queue to the container and back over Kafka.
      const first = merged.findIndex((e) => e.source === controller.name);
      const atScheduler = merged.findIndex((e) => e.source === scheduler.name);
      const atInvoker = merged.findIndex((e) => e.source === invoker.name);
      assert.ok(
        first <= atScheduler && atScheduler <= atInvoker,
        merged.map((e) => e.source).join(),
      );

      // deno task trace --etcd finds the same processes and prints their lines.
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          TRACE_SCRIPT,
          "--etcd",
          ETCD,
          "--cluster-name",
          cluster.name,
          "--tid",
          tid,
          "--once",
          "--no-color",
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      const lines = stdout.trim().split("\n");
      for (const name of names) {
        assert.ok(lines.some((l) => l.includes(`[${name}]`) && l.includes(tid)), stdout);
      }
    }),
});
