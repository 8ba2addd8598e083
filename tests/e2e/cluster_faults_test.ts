/**
 * Failure test of the local cluster (separate processes on the real etcd and Kafka,
 * 2 s lease TTL): `kill -9` of an invoker (its health key expires within the TTL, new
 * containers go to the other invoker, the activation it held still ends with a record)
 * and of a queue's leader scheduler (the other scheduler becomes leader and new
 * activations complete), then a ledger check: every activation id the API returned
 * ends with exactly one record. The forced-completion window is the larger of
 * upstream's max(action timeout, floor) × 2 + extra and the scheduler's own timeline
 * (queue retention + creation timeout + action timeout); both are shortened to 25 s
 * (actions with a 10 s timeout, `--controller-forced-completion-floor-ms 0`,
 * `--controller-forced-completion-extra-ms 5000`, `--queue-max-retention-ms 10000`,
 * `--scheduling-in-progress-job-retention-ms 5000`), so the activation lost with the
 * killed invoker gets its record within half a minute instead of three.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  client,
  CLUSTER_TEST,
  type Doc,
  eventually,
  recordOf,
  SKIP_REAL,
  withCluster,
} from "./_cluster_harness.ts";

const SLOW = "function main(p) { return new Promise((resolve) => " +
  "setTimeout(() => resolve({ slept: p.ms }), p.ms)); }";
const QUICK = "function main(p) { return { n: p.n }; }";
/** The actions' timeout: with the flags below, a lost activation's record comes after 25 s. */
const LIMITS = { timeout: 10_000 };
const FORCED_WINDOW_MS = LIMITS.timeout * 2 + 5_000;

Deno.test({
  name: "cluster survives kill -9 of an invoker and of a queue's leader scheduler",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: () =>
    withCluster({
      baseId: 4,
      extraArgs: [
        "--controller-forced-completion-floor-ms",
        "0",
        "--controller-forced-completion-extra-ms",
        "5000",
        "--controller-blocking-wait-ms",
        "5000",
        "--queue-max-retention-ms",
        "10000",
        "--scheduling-in-progress-job-retention-ms",
        "5000",
      ],
    }, async (cluster) => {
      const ow = client(cluster.of("controller")[0]!.url);
      const ledger: string[] = [];
      const invoke = async (name: string, params: Record<string, unknown>, blocking: boolean) => {
        const answer: Doc = await ow.actions.invoke({ name, params, blocking });
        assert.match(answer.activationId, /^[0-9a-f]{32}$/);
        ledger.push(answer.activationId);
        return answer;
      };
      for (const [name, action] of [["slow", SLOW], ["quick", QUICK], ["after", QUICK]]) {
        await ow.actions.create({ name, action, kind: "nodejs:default", limits: LIMITS });
      }

      // An invoker dies while it holds an activation.
      await invoke("slow", { ms: 6_000 }, false);
      const invokers = cluster.of("invoker");
      const victim = await eventually("a container for slow", 10_000, async () => {
        for (const p of invokers) {
          if ((await cluster.containersOf(p.id)).some((c) => c.includes("nodejs"))) return p;
        }
        return undefined;
      });
      const survivor = invokers.find((p) => p !== victim)!;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      Deno.kill(victim.pid, "SIGKILL");
      const killedAt = performance.now();
      await eventually("the dead invoker's health key to expire", 8_000, async () => {
        const ids = (await cluster.etcd()).invokers.map((i) => i.id);
        return ids.includes(String(victim.id)) ? undefined : ids;
      }, 50);
      const expiryMs = Math.round(performance.now() - killedAt);
      console.log(`invoker${victim.id} killed: its health key expired after ${expiryMs} ms`);
      assert.ok(expiryMs <= 5_000, `health key expired after ${expiryMs} ms (TTL 2 s)`);

      const survivorBefore = await cluster.containersOf(survivor.id);
      const victimBefore = await cluster.containersOf(victim.id);
      const after: Doc = await invoke("after", { n: 1 }, true);
      assert.deepEqual(after.response.result, { n: 1 });
      const created = (await cluster.containersOf(survivor.id))
        .filter((c) => !survivorBefore.includes(c));
      assert.ok(created.length >= 1, `no new container on invoker${survivor.id}`);
      assert.deepEqual(await cluster.containersOf(victim.id), victimBefore);

      // The leader scheduler of a queue dies.
      const quick: Doc = await invoke("quick", { n: 2 }, true);
      assert.deepEqual(quick.response.result, { n: 2 });
      const schedulers = cluster.of("scheduler");
      const leaderOf = async () => (await cluster.etcd()).queueLeaders["guest/guest/quick"];
      const leaderBefore = await leaderOf();
      const dead = schedulers.find((p) => leaderBefore === `127.0.0.1:${p.port}`);
      assert.ok(dead, `leader of quick: ${leaderBefore}`);
      const other = schedulers.find((p) => p !== dead)!;
      Deno.kill(dead.pid, "SIGKILL");
      const schedulerKilledAt = performance.now();
      await eventually("the dead leader's key to expire", 8_000, async () => {
        const leader = await leaderOf();
        return leader === leaderBefore ? undefined : true;
      }, 50);
      let completed: Doc = undefined;
      for (let n = 3; completed === undefined; n++) {
        const answer: Doc = await invoke("quick", { n }, true);
        if (answer.response?.result?.n === n) completed = answer;
        assert.ok(performance.now() - schedulerKilledAt < 40_000, "quick never completed again");
      }
      const moveMs = Math.round(performance.now() - schedulerKilledAt);
      const leaderAfter = await leaderOf();
      console.log(`scheduler${dead.id} killed: quick completed again after ${moveMs} ms`);
      assert.equal(leaderAfter, `127.0.0.1:${other.port}`);

      // Ledger: every accepted activation ends with exactly one record.
      for (const id of ledger) await recordOf(ow, id, FORCED_WINDOW_MS + 15_000);
      const listed: Doc[] = await ow.activations.list({ limit: 200 });
      for (const id of ledger) {
        const copies = listed.filter((a) => a.activationId === id).length;
        assert.equal(copies, 1, `records of ${id}: ${copies}`);
      }
      const statuses = await Promise.all(
        ledger.map(async (id) => (await recordOf(ow, id)).response.status as string),
      );
      console.log(`ledger: ${ledger.length} activations, statuses ${statuses.join(", ")}`);
    }),
});
