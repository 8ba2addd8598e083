/**
 * Process tests of `scripts/scheduler.ts` on the real etcd and Kafka: two scheduler
 * processes (2 s lease TTL, their own cluster name, topic prefix and data directory),
 * with the role harness playing the controller (CreateQueue and activations on the bus,
 * acks on `completed0`), an invoker (health key `up`, every creation acked) and the
 * containers (pullers of the real ActivationService over HTTP). Nothing of the
 * controller role runs. Steps, on one cluster: an old revision's fetch is refused;
 * 1,000 queued activations are each handed out exactly once to concurrent pullers;
 * SIGKILL of a queue's leader: the follower takes the queue within the lease TTL plus
 * the leader-read retry budget, activations keep flowing, and none is lost (the ones
 * published to the dead leader's topic before its key expired are consumed when it
 * restarts and forwarded to the new leader).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  ackActivationId,
  type ActivationMessage,
  basicAuthorization,
  DEFAULT_INTERNAL_CREDENTIAL,
  type WhiskAction,
} from "../../protocols/mod.ts";
import { httpActivationClient } from "../../runtime/activation_client/mod.ts";
import { DEFAULTS } from "../../runtime/config.ts";
import { isAlive, spawnRole } from "../../scripts/cluster/mod.ts";
import { nodeAction, openRoleHarness, type RoleHarness } from "../_support/role_harness.ts";
import { type Pullers, startPullers } from "../_support/stub_activation_service.ts";
import {
  CLUSTER_TEST,
  ETCD,
  eventually,
  KAFKA,
  SKIP_REAL,
  type TestCluster,
  withCluster,
} from "./_cluster_harness.ts";

/** The fake invoker's id (only a key and a topic: no process). */
const FAKE_INVOKER = 0;
const LEASE_TTL_MS = 2_000;
/** A follower's leader-key reads wait 1, 2, 4, … ms, `maxRetriesToGetQueue` times. */
const RETRY_BUDGET_MS = 2 ** DEFAULTS.scheduling.maxRetriesToGetQueue - 1;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The id of the scheduler process serving `rpcPort`. */
function sidAt(cluster: TestCluster, rpcPort: number): number | undefined {
  return cluster.of("scheduler").find((p) => p.port === rpcPort)?.id;
}

/** How many times each id was handed out. */
function handOuts(pullers: Pullers): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pullers.pulled) counts.set(p.activationId, (counts.get(p.activationId) ?? 0) + 1);
  return counts;
}

/** Every published id has exactly one outcome: handed out once, or one error ack. */
function assertLedger(published: readonly string[], pullers: Pullers, harness: RoleHarness): void {
  const counts = handOuts(pullers);
  const acked = new Set(harness.acks.map(ackActivationId));
  const ours = new Set(published);
  for (const [id, n] of counts) {
    assert.ok(ours.has(id), `handed out an activation never published: ${id}`);
    assert.equal(n, 1, `activation ${id} handed out ${n} times`);
  }
  const missing = published.filter((id) => !counts.has(id) && !acked.has(id));
  assert.deepEqual(missing, [], `${missing.length} of ${published.length} activations lost`);
  const both = published.filter((id) => counts.has(id) && acked.has(id));
  assert.deepEqual(both, [], "activations both handed out and ended with an error");
}

async function oldRevisionIsRefused(cluster: TestCluster, harness: RoleHarness): Promise<void> {
  const [a] = cluster.of("scheduler");
  const v1 = nodeAction("old");
  const oldRevision = await harness.seedAction(v1);
  const v2 = { ...nodeAction("old", "function main() { return { v: 2 }; }"), version: "0.0.2" };
  const revision = await harness.seedAction(v2);
  assert.notEqual(revision, oldRevision);
  assert.equal((await harness.createQueue(a!.id, v2, revision)).success, true);
  const activation = harness.activation(v2, revision);
  await harness.publishActivation(a!.id, activation);

  const client = httpActivationClient({ host: "127.0.0.1", rpcPort: a!.port }, {
    credential: {
      user: DEFAULT_INTERNAL_CREDENTIAL.uuid,
      password: DEFAULT_INTERNAL_CREDENTIAL.key,
    },
  });
  const fetchAt = (rev: string, containerId: string) =>
    client.fetch({
      type: "FetchRequest",
      invocationNamespace: "guest",
      action: activation.action,
      revision: rev,
      containerId,
      warmed: true,
      alive: true,
    });
  try {
    await eventually("the activation to be queued", 10_000, async () => {
      const response = await fetch(`${a!.url}/queue/status`, {
        headers: { authorization: basicAuthorization(DEFAULT_INTERNAL_CREDENTIAL) },
      });
      const text = await response.text();
      return text.includes(activation.activationId) ? true : undefined;
    });
    assert.equal((await fetchAt(oldRevision, "old-container")).type, "ActionMismatch");
    const current = await fetchAt(revision, "new-container");
    assert.equal(current.type, "Activation");
    assert.equal(
      current.type === "Activation" ? current.activation.activationId : "",
      activation.activationId,
    );
  } finally {
    await client.close();
  }
}

async function thousandExactlyOnce(cluster: TestCluster, harness: RoleHarness): Promise<void> {
  const [a] = cluster.of("scheduler");
  const action = nodeAction("many");
  const revision = await harness.seedAction(action);
  assert.equal((await harness.createQueue(a!.id, action, revision)).success, true);
  const published: ActivationMessage[] = [];
  for (let i = 0; i < 1_000; i++) published.push(harness.activation(action, revision, { i }));
  for (let i = 0; i < published.length; i += 100) {
    await Promise.all(published.slice(i, i + 100).map((m) => harness.publishActivation(a!.id, m)));
  }
  const started = performance.now();
  const pullers = startPullers({
    count: 8,
    action,
    revision,
    endpoint: () => harness.leaderOf(action),
  });
  try {
    const ids = published.map((m) => m.activationId);
    await eventually(
      "1,000 hand-outs",
      60_000,
      () => Promise.resolve(pullers.pulled.length >= 1_000 ? true : undefined),
      50,
    ).catch((error) => {
      const acked = harness.acks.filter((ack) => ids.includes(ackActivationId(ack)));
      throw new Error(
        `${error.message}: ${pullers.pulled.length} handed out, ${acked.length} ended with ` +
          `an ack (${JSON.stringify(acked[0])}), other answers ${
            JSON.stringify([...pullers.answers])
          }`,
      );
    });
    const ms = Math.round(performance.now() - started);
    await delay(1_500); // a duplicate would show up now
    assertLedger(ids, pullers, harness);
    assert.equal(pullers.pulled.length, 1_000);
    const errors = harness.acks.filter((ack) => ids.includes(ackActivationId(ack)));
    assert.deepEqual(errors, [], "no activation may end with an error");
    const busy = new Set(pullers.pulled.map((p) => p.puller));
    assert.ok(busy.size >= 2, `only ${busy.size} puller(s) got work`);
    console.log(`1,000 activations handed out once each in ${ms} ms to ${busy.size} pullers`);
  } finally {
    await pullers.stop();
  }
}

/** The controller's part: publish to the leader it sees; with none, ask `fallback` to lead. */
function startPublisher(
  cluster: TestCluster,
  harness: RoleHarness,
  action: WhiskAction,
  revision: string,
  fallback: number,
) {
  const sent: { id: string; sid: number; at: number }[] = [];
  const leaders: { sid: number | undefined; at: number }[] = [];
  let stopped = false;
  let creating: Promise<unknown> | undefined;
  const done = (async () => {
    while (!stopped) {
      const leader = await harness.leaderOf(action).catch(() => undefined);
      let sid = leader === undefined ? undefined : sidAt(cluster, leader.rpcPort);
      if (leaders.at(-1)?.sid !== sid || leaders.length === 0) {
        leaders.push({ sid, at: Date.now() });
      }
      if (sid === undefined) {
        creating ??= harness.createQueue(fallback, action, revision).finally(() => {
          creating = undefined;
        }).catch(() => {});
        sid = fallback;
      }
      const msg = harness.activation(action, revision);
      await harness.publishActivation(sid, msg);
      sent.push({ id: msg.activationId, sid, at: Date.now() });
      await delay(20);
    }
    await creating;
  })();
  return {
    sent,
    leaders,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function leaderFailover(cluster: TestCluster, harness: RoleHarness): Promise<void> {
  const [a, b] = cluster.of("scheduler");
  const action = nodeAction("flow");
  const revision = await harness.seedAction(action);
  assert.equal((await harness.createQueue(a!.id, action, revision)).success, true);
  assert.equal((await harness.createQueue(b!.id, action, revision)).success, true);
  assert.equal((await harness.leaderOf(action))?.rpcPort, a!.port, "scheduler A leads");
  const pullers = startPullers({
    count: 3,
    action,
    revision,
    endpoint: () => harness.leaderOf(action),
  });
  const published: string[] = [];
  try {
    // Before: activations flow through A; then quiesce so A holds nothing when it dies.
    const before = startPublisher(cluster, harness, action, revision, b!.id);
    await eventually(
      "40 activations before the kill",
      20_000,
      () => Promise.resolve(before.sent.length >= 40 ? true : undefined),
    );
    await before.stop();
    published.push(...before.sent.map((s) => s.id));
    assert.ok(before.sent.every((s) => s.sid === a!.id));
    await eventually(
      "every activation handed out before the kill",
      10_000,
      () => Promise.resolve(pullers.pulled.length >= published.length ? true : undefined),
      20,
    );
    await delay(300); // the consumed offsets are committed after each batch

    Deno.kill(a!.pid, "SIGKILL");
    const killedAt = Date.now();
    const after = startPublisher(cluster, harness, action, revision, b!.id);
    const tookOver = await eventually(
      "scheduler B to lead",
      20_000,
      () => Promise.resolve(after.leaders.find((l) => l.sid === b!.id)?.at),
    );
    const fromB = `127.0.0.1:${b!.port}`;
    await eventually(
      "40 activations handed out by B",
      20_000,
      () =>
        Promise.resolve(
          pullers.pulled.filter((p) => p.from === fromB).length >= 40 ? 1 : undefined,
        ),
    );
    await after.stop();
    published.push(...after.sent.map((s) => s.id));
    const takeoverMs = tookOver - killedAt;
    const firstFromB = pullers.pulled.find((p) => p.from === fromB)!.at - killedAt;
    const stranded = after.sent.filter((s) => s.sid === a!.id).length;
    console.log(
      `leader killed: B leads after ${takeoverMs} ms, first hand-out by B after ` +
        `${firstFromB} ms; ${stranded} activations were published to the dead leader`,
    );
    assert.ok(
      takeoverMs <= LEASE_TTL_MS + RETRY_BUDGET_MS,
      `takeover ${takeoverMs} ms > lease TTL + retry budget`,
    );

    // The dead leader's topic still holds what the controller sent before the key expired.
    assert.ok(!isAlive(a!.pid));
    await spawnRole(a!);
    await eventually("every activation handed out or ended", 40_000, () => {
      const counts = handOuts(pullers);
      const acked = new Set(harness.acks.map(ackActivationId));
      return Promise.resolve(
        published.every((id) => counts.has(id) || acked.has(id)) ? true : undefined,
      );
    }, 100);
    await delay(1_500); // a duplicate would show up now
    assertLedger(published, pullers, harness);
    const handedOut = published.filter((id) => handOuts(pullers).has(id)).length;
    console.log(`ledger: ${published.length} published, ${handedOut} handed out once each`);
  } finally {
    await pullers.stop();
  }
}

Deno.test({
  name: "scheduler processes: revisions, 1,000 exactly once, leader failover without loss",
  ignore: SKIP_REAL,
  ...CLUSTER_TEST,
  fn: (t) =>
    withCluster({ baseId: 9, controllers: 0, schedulers: 2, invokers: 0 }, async (cluster) => {
      const harness = await openRoleHarness({
        etcd: ETCD,
        kafka: KAFKA,
        cluster: cluster.name,
        topicPrefix: `${cluster.name}-`,
        dataDir: `${cluster.dir}/data`,
      });
      try {
        await harness.fakeInvoker(FAKE_INVOKER);
        await t.step(
          "a fetch from a container of an old revision is refused",
          () => oldRevisionIsRefused(cluster, harness),
        );
        await t.step(
          "1,000 queued activations are each handed out exactly once",
          () => thousandExactlyOnce(cluster, harness),
        );
        await t.step(
          "the follower takes a killed leader's queue and loses nothing",
          () => leaderFailover(cluster, harness),
        );
      } finally {
        await harness.close();
      }
    }),
});
