/**
 * The "many actions" comparison (upstream issue #3501: the push path's throughput fell
 * from ≈20K to 30–40 invocations/s with 100 distinct actions): 100 distinct tiny
 * actions invoked round-robin, 2 rounds, 4 clients at a time, against a small invoker
 * memory budget (1 GB: 8 containers of 128 MB), first through the FPC path, then
 * through the lean path, each on a fresh standalone platform with the same settings.
 *
 * It records, per path, cold starts (a record with `initTime`) overall and in the
 * second round, warm starts, failures and throughput, and prints the comparison. It
 * asserts only what must hold on either path: every call is answered, every accepted
 * activation ends with exactly one record, the counts add up, and only lean records
 * carry `balancer: "lean"`. How many starts are cold is reported, not asserted.
 *
 * Settings that keep it near 40 s on two cores: pause grace 50 ms (an FPC container
 * frees its memory only once paused) and the invoker's memory published every 100 ms
 * (FPC places a new container from that figure; at the 1 s default the FPC half alone
 * takes about 50 s, and at the 10 s default pause grace about 5 min). Set
 * `WSK_MANY_ACTIONS` / `WSK_MANY_FLAGS` (extra config flags, which win) to vary it.
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import { decodeActivation, type WhiskActivation } from "../../protocols/mod.ts";
import { loadConfig } from "../../runtime/config.ts";
import { silentLogger } from "../../runtime/log.ts";
import type { EntityStore } from "../../runtime/store/mod.ts";
import { startStandalone } from "../../scripts/standalone_platform.ts";
import {
  type Client,
  type ClientError,
  FAST_FLAGS,
  GUEST_KEY,
  testInvokerId,
} from "./_platform.ts";

const ACTIONS = Number(Deno.env.get("WSK_MANY_ACTIONS") ?? 100);
const ROUNDS = 2;
const CLIENTS = 4;
const USER_MEMORY_MB = 1_024;

// The openwhisk client runs on needle over node:http, whose keep-alive agent leaves
// sockets Deno's sanitizers flag; each platform is closed explicitly.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

type Path = "fpc" | "lean";

interface PathReport {
  readonly path: Path;
  readonly invocations: number;
  readonly accepted: number;
  readonly records: number;
  readonly cold: number;
  /** Of those, in the second round (the first is cold by necessity). */
  readonly coldInRound2: number;
  readonly warm: number;
  readonly failed: number;
  readonly rejected: number;
  readonly wallMs: number;
}

const nameOf = (i: number) => `many${String(i).padStart(3, "0")}`;

interface Answered {
  /** Activation ids answered, with the round of each. */
  readonly ids: Map<string, number>;
  readonly rejected: number;
}

/** Invokes `a0..a99` `ROUNDS` times in order, `CLIENTS` calls in flight. */
async function roundRobin(ow: Client): Promise<Answered> {
  const order = Array.from({ length: ACTIONS * ROUNDS }, (_, n) => nameOf(n % ACTIONS));
  const ids = new Map<string, number>();
  let rejected = 0;
  let next = 0;
  const client = async () => {
    while (next < order.length) {
      const round = Math.floor(next / ACTIONS) + 1;
      const name = order[next++]!;
      try {
        const answer = await ow.actions.invoke({ name, blocking: true });
        ids.set(answer.activationId, round);
      } catch (error) {
        const { statusCode, error: body } = error as ClientError;
        if (statusCode === 502 && typeof body?.activationId === "string") {
          ids.set(body.activationId, round);
        } else rejected++;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { ids, rejected };
}

async function runPath(path: Path): Promise<PathReport> {
  const dataDir = await Deno.makeTempDir({ prefix: `many_${path}_` });
  const config = loadConfig([
    ...FAST_FLAGS,
    "--cluster-data-dir",
    dataDir,
    "--container-pool-user-memory-mb",
    String(USER_MEMORY_MB),
    "--container-proxy-pause-grace-ms",
    "50",
    "--container-pool-memory-sync-interval-ms",
    "100",
    "--controller-concurrent-invocations",
    "1000",
    "--controller-invocations-per-minute",
    "100000",
    ...(Deno.env.get("WSK_MANY_FLAGS")?.split(" ").filter(Boolean) ?? []),
  ], () => undefined);
  const platform = await startStandalone({
    config,
    port: 0,
    invokerId: testInvokerId(),
    balancer: path,
    logger: silentLogger,
  });
  try {
    const ow = openwhisk({ apihost: platform.url, api_key: GUEST_KEY }) as unknown as Client;
    for (let i = 0; i < ACTIONS; i++) {
      await ow.actions.create({
        name: nameOf(i),
        action: `function main() { return { n: ${i} }; }`,
        limits: { memory: 128 },
      });
    }
    const started = performance.now();
    const { ids, rejected } = await roundRobin(ow);
    const wallMs = Math.round(performance.now() - started);
    const records = await storedRecords(platform.store, ids.size);
    return { ...classify(path, records, ids), rejected, wallMs };
  } finally {
    await platform.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** Every record in the store, once at least `expected` are there (or after 15 s). */
async function storedRecords(
  store: EntityStore,
  expected: number,
): Promise<WhiskActivation[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const docs = await store.listActivations("guest", { limit: 10_000, docs: true });
    if (docs.length >= expected || Date.now() > deadline) return docs.map(decodeActivation);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function classify(
  path: Path,
  records: readonly WhiskActivation[],
  ids: ReadonlyMap<string, number>,
): Omit<PathReport, "rejected" | "wallMs"> {
  const has = (r: WhiskActivation, key: string) => r.annotations.some((a) => a.key === key);
  const ok = records.filter((r) => r.response.statusCode === 0);
  const recordIds = records.map((r) => r.activationId);
  assert.equal(new Set(recordIds).size, recordIds.length, `${path}: a duplicated record`);
  assert.deepEqual(
    [...recordIds].sort(),
    [...ids.keys()].sort(),
    `${path}: one record per activation`,
  );
  for (const r of records) {
    const lean = r.annotations.some((a) => a.key === "balancer" && a.value === "lean");
    assert.equal(lean, path === "lean", `${path}: balancer annotation of ${r.activationId}`);
  }
  const cold = ok.filter((r) => has(r, "initTime"));
  return {
    path,
    invocations: ACTIONS * ROUNDS,
    accepted: ids.size,
    records: records.length,
    cold: cold.length,
    coldInRound2: cold.filter((r) => ids.get(r.activationId) === 2).length,
    warm: ok.filter((r) => !has(r, "initTime")).length,
    failed: records.length - ok.length,
  };
}

Deno.test({
  name: `many actions: ${ACTIONS} actions round-robin ×${ROUNDS} through the FPC and lean paths`,
  ...CLIENT_TEST,
  async fn() {
    const reports = [await runPath("fpc"), await runPath("lean")];
    console.log(
      `\n${ACTIONS} actions × ${ROUNDS} rounds, ${CLIENTS} clients, ${USER_MEMORY_MB} MB of ` +
        `user memory (${USER_MEMORY_MB / 128} containers of 128 MB)`,
    );
    console.table(reports.map((r) => ({
      ...r,
      "inv/s": Math.round((r.accepted / r.wallMs) * 1_000),
    })));
    for (const r of reports) {
      assert.equal(r.accepted + r.rejected, r.invocations, `${r.path}: every call answered`);
      assert.equal(r.records, r.accepted, `${r.path}: one record per accepted activation`);
      assert.equal(r.cold + r.warm + r.failed, r.records, `${r.path}: the counts add up`);
    }
  },
});
