/**
 * The key behaviours of the data services (LeaseKeepAlive, Watcher,
 * DataManagementService) on a real time line, run against the in-memory twin
 * (`data_services_memory_test.ts`) and a real etcd (`data_services_etcd_test.ts`):
 * election between two processes on two leases, failover after the writer's lease is
 * revoked, lease re-grant after the marker key is deleted, prefix watches. Mirrors
 * upstream's `DataManagementServiceTests`, `LeaseKeepAliveServiceTests` and
 * `WatcherServiceTests`, end to end on a store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startSystem, stopSystem, type System, tell } from "../../runtime/actors/mod.ts";
import type { KeyValueStore } from "../../runtime/kv/key_value_store.ts";
import { capturingLogger } from "../../runtime/log.ts";
import type { DataManagementEvent } from "../../protocols/data_management_service.ts";
import type { WatcherEvent } from "../../protocols/watcher.ts";
import { type DataServices, spawnDataServices } from "../../actors/shared/mod.ts";
import { createProbe } from "../_support/probe.ts";
import { uniquePrefix, waitFor } from "./kv_contract.ts";

/** Opens a store client (one per simulated process). */
export type OpenStore = () => Promise<KeyValueStore>;

/** Options of {@link runDataServicesContract}. */
export interface DataServicesContractOptions {
  readonly ignore?: boolean;
}

interface Process {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly services: DataServices;
}

type Case = (spawn: (instance: string) => Promise<Process>, p: string) => Promise<void>;

const markerOf = (p: string, instance: string) => `${p}instance/${instance}/lease`;

const CASES: Record<string, Case> = {
  "ElectLeader from two processes on two leases yields exactly one leader": async (spawn, p) => {
    const [a, b] = [await spawn("scheduler0"), await spawn("scheduler1")];
    const answers = [
      createProbe<DataManagementEvent>(a.system),
      createProbe<DataManagementEvent>(b.system),
    ];
    const key = `${p}queue/ns/action/leader`;
    tell(a.system, a.services.dataManagement, {
      type: "ElectLeader",
      key,
      value: "s0",
      replyTo: answers[0]!.ref,
    });
    tell(b.system, b.services.dataManagement, {
      type: "ElectLeader",
      key,
      value: "s1",
      replyTo: answers[1]!.ref,
    });
    const results = await Promise.all(
      answers.map((probe) => probe.expectMessageType("ElectionResult", { timeoutMs: 5_000 })),
    );
    assert.deepEqual(results.map((r) => r.leader).sort(), [false, true]);
    const winner = results[0]!.leader ? "s0" : "s1";
    assert.equal(await a.kv.get(key), winner);
    const leases = [
      await a.kv.get(markerOf(p, "scheduler0")),
      await a.kv.get(markerOf(p, "scheduler1")),
    ];
    assert.ok(leases[0] && leases[1] && leases[0] !== leases[1], "two processes, two leases");
  },

  "a failover key is put again under the new lease after the writer's lease is revoked": async (
    spawn,
    p,
  ) => {
    const a = await spawn("invoker0");
    const key = `${p}namespace/ns/action/1-abc/invoker0/container/c1`;
    const marker = markerOf(p, "invoker0");
    tell(a.system, a.services.dataManagement, { type: "RegisterData", key, value: "" });
    tell(a.system, a.services.dataManagement, {
      type: "RegisterData",
      key: `${key}-nf`,
      value: "",
      failoverEnabled: false,
    });
    await waitFor("the registered keys", async () => (await a.kv.countPrefix(key)) === 2);
    const old = await a.kv.get(marker);
    assert.ok(old);
    await a.kv.revokeLease(old); // the lease's keys vanish with it
    assert.equal(await a.kv.get(key), undefined);
    await waitFor(
      "a new lease",
      async () => ![undefined, old].includes(await a.kv.get(marker)),
      10_000,
    );
    await waitFor("the failover re-put", async () => (await a.kv.get(key)) === "", 10_000);
    assert.equal(await a.kv.get(`${key}-nf`), undefined); // no failover asked for
    await a.kv.revokeLease((await a.kv.get(marker))!); // the re-put key is under the new lease
    assert.equal(await a.kv.get(key), undefined);
  },

  "LeaseKeepAlive grants a new lease when its marker key is deleted": async (spawn, p) => {
    const a = await spawn("scheduler0");
    const marker = markerOf(p, "scheduler0");
    await waitFor("the marker", async () => (await a.kv.get(marker)) !== undefined);
    const old = (await a.kv.get(marker))!;
    await a.kv.del(marker);
    await waitFor(
      "a new lease",
      async () => ![undefined, old].includes(await a.kv.get(marker)),
      10_000,
    );
    await a.kv.put(`${p}probe`, "x", { lease: old }).then(
      () => assert.fail("the old lease should have been revoked"),
      (error) => assert.equal((error as Error).name, "LeaseLostError"),
    );
  },

  "the Watcher notifies prefix subscribers of puts and deletes": async (spawn, p) => {
    const a = await spawn("controller0");
    const events = createProbe<WatcherEvent>(a.system);
    const prefix = `${p}scheduler/`;
    tell(a.system, a.services.watcher, {
      type: "WatchEndpoint",
      key: prefix,
      isPrefix: true,
      name: "test",
      put: true,
      del: true,
      replyTo: events.ref,
    });
    await waitFor(
      "the store watch",
      () =>
        a.system.tracer.recent({ kind: "message" }).some((e) =>
          e.kind === "message" && e.type === "StoreWatchOpened"
        ),
    );
    await a.kv.put(`${prefix}0`, "{}");
    await a.kv.put(`${p}other`, "x");
    await a.kv.del(`${prefix}0`);
    assert.deepEqual(await events.receiveMessages(2, { timeoutMs: 5_000 }), [
      {
        type: "WatchEndpointInserted",
        watchKey: prefix,
        key: `${prefix}0`,
        value: "{}",
        isPrefix: true,
      },
      {
        type: "WatchEndpointRemoved",
        watchKey: prefix,
        key: `${prefix}0`,
        prevValue: "{}",
        isPrefix: true,
      },
    ]);
  },
};

/** Registers every case as a `Deno.test` named after `label`. */
export function runDataServicesContract(
  label: string,
  open: OpenStore,
  options: DataServicesContractOptions = {},
): void {
  for (const [name, run] of Object.entries(CASES)) {
    Deno.test({
      name: `${label}: ${name}`,
      ignore: options.ignore ?? false,
      fn: async () => {
        const p = uniquePrefix();
        const processes: Process[] = [];
        const spawn = async (instance: string) => {
          const kv = await open();
          const system = startSystem({ logger: capturingLogger() });
          const services = spawnDataServices(system, { kv }, {
            instance,
            cluster: p.slice(0, -1),
            ttlSeconds: 2,
            retryIntervalMs: 200,
          });
          const process = { system, kv, services };
          processes.push(process);
          return process;
        };
        try {
          await run(spawn, p);
        } finally {
          for (const { system, kv } of processes) {
            await stopSystem(system);
            await kv.delPrefix(p).catch(() => {});
            await kv.close();
          }
        }
      },
    });
  }
}
