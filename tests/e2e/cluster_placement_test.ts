/**
 * Placement tests of the local cluster (separate processes on the real etcd and Kafka):
 * an action annotated `invoker-resources: ["gpu"]` gets its containers only on the
 * invoker started with `--invoker-tags gpu`, while untagged actions stay on the
 * untagged invoker; a namespace's actions run only on the invoker dedicated to it and
 * never on an invoker dedicated to another; several actions invoked at once get their
 * queues on both schedulers and their containers on both invokers (free memory caps
 * each invoker). Placements are sampled every 250 ms from the existing-container keys
 * `<cluster>/namespace/<invNs>/<fqn>/<rev>/invoker<N>/container/<id>` and the warmed
 * keys `<cluster>/warmed/…/invoker/<N>/container/<id>` (paused containers). Mirrors the
 * placement rules of upstream's `ContainerManager` (reference `openwhisk-fpc.md` §4.7)
 * and the controller's choice of the scheduler with the fewest queues.
 *
 * The harness gives every invoker the same flags, so invokers with their own tags or
 * dedicated namespaces are started here (same data directory, topic prefix and cluster
 * name) and stopped in `finally`, before the harness stops the rest.
 *
 * @module
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import {
  decodeInvokerResourceMessage,
  fqnString,
  invokerKey,
  type InvokerResourceMessage,
  parseExistingContainerKey,
  parseWarmedContainerKey,
  warmedPrefix,
} from "../../protocols/mod.ts";
import { EtcdKv } from "../../runtime/kv/mod.ts";
import { silentLogger } from "../../runtime/log.ts";
import { openSqliteStore, storeFileIn, type SubjectRecord } from "../../runtime/store/mod.ts";
import {
  type ClusterLayout,
  clusterProcesses,
  spawnRole,
  stopCluster,
} from "../../scripts/cluster/mod.ts";
import {
  type Client,
  client,
  CLUSTER_TEST,
  type Doc,
  ETCD,
  eventually,
  SKIP_REAL,
  type TestCluster,
  withCluster,
} from "./_cluster_harness.ts";

/** Sleeps `p.ms`, so concurrent invocations overlap and need several containers. */
const SLEEP = "function main(p) { return new Promise((resolve) => " +
  "setTimeout(() => resolve({ slept: p.ms, pid: process.pid }), p.ms || 0)); }";
/** Upper bound of each test body (cluster start and stop come on top). */
const BODY_DEADLINE_MS = 150_000;

/** A container as its existing-container key shows it. */
interface Placement {
  readonly namespace: string;
  readonly action: string;
  readonly invoker: number;
  readonly containerId: string;
}

/** Fails with `what` when `run` takes longer than `ms` (cleanup still runs in `finally`). */
async function within<T>(what: string, ms: number, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function withKv<T>(use: (kv: EtcdKv) => Promise<T>): Promise<T> {
  const kv = new EtcdKv({ endpoint: ETCD, logger: silentLogger, callTimeoutMs: 3_000 });
  try {
    return await use(kv);
  } finally {
    await kv.close();
  }
}

/** Every container of the cluster now, running (existing keys) or paused (warmed keys). */
function placements(cluster: string): Promise<Placement[]> {
  return withKv(async (kv) => {
    const keys = [
      ...await kv.getPrefix(`${cluster}/namespace/`),
      ...await kv.getPrefix(warmedPrefix(cluster)),
    ];
    return keys.flatMap(({ key }) => {
      const parsed = parseExistingContainerKey(key, cluster) ??
        parseWarmedContainerKey(key, cluster);
      return parsed === undefined ? [] : [{
        namespace: parsed.invocationNamespace,
        action: fqnString(parsed.action),
        invoker: parsed.invoker,
        containerId: parsed.containerId,
      }];
    });
  });
}

/** What {@link observePlacements} saw. */
interface Observed<T> {
  readonly value: T;
  /** Every container seen while `run` ran (and right after). */
  readonly seen: readonly Placement[];
  /** The most containers each invoker held at one moment. */
  readonly peak: ReadonlyMap<number, number>;
}

/**
 * Runs `run` while polling {@link placements} every 250 ms, so containers removed
 * early (evicted, or paused then removed) still count.
 */
async function observePlacements<T>(cluster: string, run: () => Promise<T>): Promise<Observed<T>> {
  const seen = new Map<string, Placement>();
  const peak = new Map<number, number>();
  const sample = async () => {
    const now = await placements(cluster);
    const perInvoker = new Map<number, number>();
    for (const p of now) {
      seen.set(`${p.invoker}/${p.containerId}`, p);
      perInvoker.set(p.invoker, (perInvoker.get(p.invoker) ?? 0) + 1);
    }
    for (const [id, n] of perInvoker) peak.set(id, Math.max(n, peak.get(id) ?? 0));
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  try {
    const value = await run();
    await sample();
    return { value, seen: [...seen.values()], peak };
  } finally {
    running = false;
    await loop;
  }
}

/** The published `whisk/invokers/<id>` values of `ids`, once every one is `up`. */
function invokersUp(cluster: string, ids: readonly number[]) {
  return eventually(`invokers ${ids.join(", ")} up in etcd`, 60_000, () =>
    withKv(async (kv) => {
      const values = new Map<number, InvokerResourceMessage>();
      for (const id of ids) {
        const raw = await kv.get(invokerKey(id, cluster));
        if (raw === undefined) return undefined;
        const value = decodeInvokerResourceMessage(raw);
        if (value.status !== "up") return undefined;
        values.set(id, value);
      }
      return values;
    }), 200);
}

/**
 * Starts one invoker per entry of `flags` (its own extra flags) in `cluster`, waits
 * until etcd shows them up, runs `body` within {@link BODY_DEADLINE_MS} and always
 * stops them (SIGTERM, then SIGKILL) and removes their containers.
 */
async function withInvokers(
  cluster: TestCluster,
  flags: readonly (readonly string[])[],
  body: (ids: readonly number[], values: Map<number, InvokerResourceMessage>) => Promise<void>,
): Promise<void> {
  const first = cluster.layout.schedulers[0] ?? cluster.layout.controllers[0]!;
  const ids = flags.map((_, i) => first + i);
  const layout: ClusterLayout = {
    ...cluster.layout,
    controllers: [],
    schedulers: [],
    invokers: ids,
  };
  try {
    const started = performance.now();
    for (const [i, spec] of clusterProcesses(layout).entries()) {
      await spawnRole({ ...spec, args: [...spec.args, ...flags[i]!] });
    }
    const values = await invokersUp(cluster.name, ids);
    console.log(`invokers ${ids.join(", ")} up in ${Math.round(performance.now() - started)} ms`);
    await within("test body", BODY_DEADLINE_MS, () => body(ids, values));
  } finally {
    await stopCluster(layout, { graceMs: 10_000 });
  }
}

async function createAction(
  ow: Client,
  name: string,
  annotations: readonly { key: string; value: unknown }[] = [],
): Promise<void> {
  await ow.actions.create({
    name,
    action: {
      exec: { kind: "nodejs:default", code: SLEEP },
      annotations,
      limits: { memory: 256, timeout: 30_000 },
    },
  });
}

/** Invokes `name` `count` times at once, blocking; every activation must succeed. */
async function invokeTogether(ow: Client, name: string, count: number, ms: number) {
  const started = performance.now();
  const answers: Doc[] = await Promise.all(
    Array.from(
      { length: count },
      () => ow.actions.invoke({ name, blocking: true, params: { ms } }),
    ),
  );
  for (const answer of answers) {
    assert.equal(answer.response?.status, "success", `${name}: ${JSON.stringify(answer)}`);
    assert.equal(answer.response.result.slept, ms);
  }
  return { answers, ms: Math.round(performance.now() - started) };
}

/** Invoker ids holding containers of `namespace/action`, with their container counts. */
function countsOf(all: readonly Placement[], namespace: string, action: string) {
  const counts = new Map<number, number>();
  for (const p of all) {
    if (p.namespace !== namespace || p.action !== `${namespace}/${action}`) continue;
    counts.set(p.invoker, (counts.get(p.invoker) ?? 0) + 1);
  }
  return counts;
}

function show(counts: Map<number, number>): string {
  return [...counts].map(([id, n]) => `invoker${id}×${n}`).join(" ") || "none";
}

Deno.test({
  name: "cluster places an action asking for a tag on the tagged invoker only, others beside it",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster(
      // 4 GB each: the untagged invoker keeps room even when a queue adds extra containers.
      {
        baseId: 2,
        schedulers: 1,
        invokers: 0,
        extraArgs: ["--container-pool-user-memory-mb", "4096"],
      },
      (cluster) =>
        withInvokers(cluster, [["--invoker-tags", "gpu"], []], async ([tagged, plain], values) => {
          assert.deepEqual(values.get(tagged!)?.tags, ["gpu"]);
          assert.deepEqual(values.get(plain!)?.tags, []);
          const ow = client(cluster.of("controller")[0]!.url);
          await createAction(ow, "gpu-work", [{ key: "invoker-resources", value: ["gpu"] }]);
          await createAction(ow, "plain-a");
          await createAction(ow, "plain-b");

          const { value: [gpu, a, b, warm], seen: all } = await observePlacements(
            cluster.name,
            async () => {
              // Three overlapping gpu activations and one of each plain action at once.
              const cold = await Promise.all([
                invokeTogether(ow, "gpu-work", 3, 1_500),
                invokeTogether(ow, "plain-a", 1, 1_500),
                invokeTogether(ow, "plain-b", 1, 1_500),
              ]);
              // Warm: one more, alone.
              return [...cold, await invokeTogether(ow, "gpu-work", 1, 0)] as const;
            },
          );
          const gpuAt = countsOf(all, "guest", "gpu-work");
          const aAt = countsOf(all, "guest", "plain-a");
          const bAt = countsOf(all, "guest", "plain-b");
          console.log(
            `tagged invoker${tagged}, untagged invoker${plain}: gpu-work ${show(gpuAt)} ` +
              `(3 at once in ${gpu.ms} ms, warm ${warm.ms} ms); plain-a ${show(aAt)} ` +
              `(${a.ms} ms); plain-b ${show(bAt)} (${b.ms} ms)`,
          );
          assert.deepEqual([...gpuAt.keys()], [tagged], `gpu-work containers: ${show(gpuAt)}`);
          assert.deepEqual([...aAt.keys()], [plain], `plain-a containers: ${show(aAt)}`);
          assert.deepEqual([...bAt.keys()], [plain], `plain-b containers: ${show(bAt)}`);
          // On disk too: each gpu container is a sandbox of the tagged invoker (`wsk<id>_…`).
          const onDisk = await cluster.containersOf(tagged!);
          for (const p of all.filter((p) => p.action === "guest/gpu-work")) {
            assert.ok(onDisk.includes(p.containerId), `${p.containerId} not in ${onDisk}`);
          }
        }),
    ),
});

/** The owner of namespace `ns2`, seeded into the shared SQLite store. */
const NS2_SUBJECT: SubjectRecord = {
  subject: "ns2",
  namespaces: [{
    name: "ns2",
    uuid: "0b5c3d2e-7f41-4c6a-9d2b-5e8f1a3c7b90",
    key: "ns2KeyQ7rT3wX9zB1mN5pL8vC2hJ6kD4fG0sA3eR7tY1uI5oP9aS2dF6gH0jK4lZ",
  }],
};

Deno.test({
  name: "cluster runs a dedicated namespace only on its invoker and other namespaces elsewhere",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({
      baseId: 6,
      schedulers: 1,
      invokers: 0,
      extraArgs: ["--container-pool-user-memory-mb", "4096"],
    }, async (cluster) => {
      const store = openSqliteStore({
        path: storeFileIn(`${cluster.dir}/data`),
        logger: silentLogger,
      });
      try {
        await store.putSubject(NS2_SUBJECT);
      } finally {
        await store.close();
      }
      await withInvokers(cluster, [
        ["--invoker-dedicated-namespaces", "ns2"],
        ["--invoker-dedicated-namespaces", "guest"],
      ], async ([forNs2, forGuest], values) => {
        assert.deepEqual(values.get(forNs2!)?.dedicatedNamespaces, ["ns2"]);
        assert.deepEqual(values.get(forGuest!)?.dedicatedNamespaces, ["guest"]);
        const url = cluster.of("controller")[0]!.url;
        const guest = client(url);
        const ns2 = openwhisk({
          apihost: url,
          api_key: `${NS2_SUBJECT.namespaces[0]!.uuid}:${NS2_SUBJECT.namespaces[0]!.key}`,
        }) as unknown as Client;
        await createAction(ns2, "work");
        await createAction(guest, "work");

        const { value: [inNs2, inGuest], seen: all } = await observePlacements(
          cluster.name,
          () =>
            Promise.all([
              invokeTogether(ns2, "work", 3, 1_500),
              invokeTogether(guest, "work", 3, 1_500),
            ]),
        );
        assert.equal(inNs2.answers[0].namespace, "ns2");
        assert.equal(inGuest.answers[0].namespace, "guest");
        const ns2At = countsOf(all, "ns2", "work");
        const guestAt = countsOf(all, "guest", "work");
        console.log(
          `ns2 invoker${forNs2}, guest invoker${forGuest}: ns2/work ${show(ns2At)} ` +
            `(3 at once in ${inNs2.ms} ms); guest/work ${show(guestAt)} (${inGuest.ms} ms)`,
        );
        assert.deepEqual([...ns2At.keys()], [forNs2], `ns2/work containers: ${show(ns2At)}`);
        assert.deepEqual(
          [...guestAt.keys()],
          [forGuest],
          `guest/work containers: ${show(guestAt)}`,
        );
        // No container of any user namespace but ns2 on the ns2 invoker.
        const strangers = all.filter((p) => p.invoker === forNs2 && p.namespace === "guest");
        assert.deepEqual(strangers, []);
      });
    }),
});

Deno.test({
  name: "cluster spreads queues over both schedulers and containers over both invokers",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster(
      { baseId: 8, schedulers: 2, invokers: 2 },
      (cluster) =>
        within("test body", BODY_DEADLINE_MS, async () => {
          const ow = client(cluster.of("controller")[0]!.url);
          // 6 × 256 MB: more than one invoker's 1024 MB, so both must take some.
          const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
          for (const name of names) await createAction(ow, name);
          const started = performance.now();
          const { seen, peak } = await observePlacements(
            cluster.name,
            () => Promise.all(names.map((name) => invokeTogether(ow, name, 1, 2_000))),
          );
          const allMs = Math.round(performance.now() - started);

          const invokerIds = cluster.of("invoker").map((p) => p.id);
          const all = seen.filter((p) => p.action.startsWith("guest/spread-"));
          const perInvoker = new Map(invokerIds.map((id) => [id, 0]));
          for (const p of all) perInvoker.set(p.invoker, (perInvoker.get(p.invoker) ?? 0) + 1);
          const view = await cluster.etcd();
          const endpoints = cluster.of("scheduler").map((p) => `127.0.0.1:${p.port}`);
          const leaders = names.map((name) => view.queueLeaders[`guest/guest/${name}`]);
          const perScheduler = new Map(endpoints.map((e) => [e, 0]));
          for (const l of leaders) {
            if (l !== undefined) perScheduler.set(l, (perScheduler.get(l) ?? 0) + 1);
          }
          console.log(
            `6 actions at once in ${allMs} ms; containers ${show(perInvoker)} ` +
              `(at most ${show(new Map(peak))} at once); queue leaders ` +
              [...perScheduler].map(([e, n]) => `${e}×${n}`).join(" "),
          );
          assert.equal(all.length >= names.length, true, `containers: ${JSON.stringify(all)}`);
          for (const name of names) {
            assert.ok(all.some((p) => p.action === `guest/${name}`), `no container of ${name}`);
          }
          for (const [id, n] of perInvoker) {
            assert.ok(n >= 1, `invoker${id} got no container: ${show(perInvoker)}`);
            const most = peak.get(id) ?? 0;
            assert.ok(most * 256 <= 1024, `invoker${id} held ${most} × 256 MB at once`);
          }
          for (const [i, leader] of leaders.entries()) {
            assert.ok(
              leader !== undefined && endpoints.includes(leader),
              `leader of ${names[i]}: ${leader}`,
            );
          }
          for (const [e, n] of perScheduler) assert.ok(n >= 1, `scheduler ${e} leads no queue`);
        }),
    ),
});
