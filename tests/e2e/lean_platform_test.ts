/**
 * End-to-end test of lean mode: `startStandalone({balancer: "lean"})` (controller role
 * with the LeanBalancer pushing to an in-process ContainerPool, real sandboxed
 * container processes, no scheduler) driven by the real `openwhisk` npm client through
 * the steps of the controller issue's suite (`platform_twins_test.ts`): create, get,
 * update, list; blocking and non-blocking invokes of `nodejs:20`, `python:3` and
 * `deno:2` actions with their records and logs read back; an application error (502),
 * a developer error, a 202 past a short blocking wait, a new revision running cold,
 * a time-limit record, delete. Every accepted activation ends with exactly one record,
 * and every record says `balancer: "lean"`.
 */
import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import { loadConfig } from "../../runtime/config.ts";
import { type LogEntry, loggerFrom } from "../../runtime/log.ts";
import { startStandalone } from "../../scripts/standalone_platform.ts";
import {
  activationRecord,
  annotation,
  type Client,
  type Doc,
  eventually,
  FAST_FLAGS,
  GUEST_KEY,
  HEX32,
  rejection,
  testInvokerId,
} from "./_platform.ts";
import { FAILS, NODE_HELLO, NODE_HELLO_V2, PYTHON_HELLO, SLEEPY, THROWS } from "./_actions.ts";

const DENO_HELLO = `export function main(p: { name?: string }) {
  console.log("deno stdout " + p.name);
  return { greeting: "deno " + p.name };
}`;

/** Server-side blocking wait, short so a blocking invoke of `sleepy` answers 202. */
const BLOCKING_WAIT_MS = 1_500;
const SLEEP_MS = 2_500;
const SMALL = { memory: 128 } as const;

// The openwhisk client runs on needle over node:http, whose keep-alive agent leaves
// sockets Deno's sanitizers flag; the platform itself is closed explicitly.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

async function startLean() {
  const dataDir = await Deno.makeTempDir({ prefix: "lean_e2e_" });
  const config = loadConfig([
    ...FAST_FLAGS,
    "--cluster-data-dir",
    dataDir,
    "--controller-blocking-wait-ms",
    String(BLOCKING_WAIT_MS),
    "--container-pool-user-memory-mb",
    "2048",
  ], () => undefined);
  const problems: LogEntry[] = [];
  const logger = loggerFrom((entry) => void problems.push(entry), "warn");
  const standalone = await startStandalone({
    config,
    port: 0,
    invokerId: testInvokerId(),
    balancer: "lean",
    logger,
  });
  const ow = openwhisk({ apihost: standalone.url, api_key: GUEST_KEY }) as unknown as Client;
  return {
    ow,
    url: standalone.url,
    problems,
    async [Symbol.asyncDispose]() {
      await standalone.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Every activation id the platform accepted. */
class Accepted {
  readonly ids = new Set<string>();
  add(id: unknown): string {
    assert.match(String(id), HEX32);
    this.ids.add(String(id));
    return String(id);
  }
}

async function createActions(ow: Client): Promise<void> {
  await ow.actions.create({ name: "py", action: PYTHON_HELLO, kind: "python:3", limits: SMALL });
  await ow.actions.create({ name: "dn", action: DENO_HELLO, kind: "deno:2", limits: SMALL });
  for (const [name, code] of [["fails", FAILS], ["throws", THROWS], ["sleepy", SLEEPY]]) {
    await ow.actions.create({ name, action: code, limits: SMALL });
  }
  await ow.actions.create({
    name: "slow",
    action: SLEEPY,
    params: { ms: 5_000 },
    limits: { memory: 128, timeout: 300 },
  });
}

Deno.test({
  name: "lean platform: the controller suite's calls through the LeanBalancer on real containers",
  ...CLIENT_TEST,
  async fn(t) {
    await using p = await startLean();
    const { ow } = p;
    const accepted = new Accepted();

    await t.step("/health names the lean balancer and no scheduler", async () => {
      const health = await (await fetch(`${p.url}/health`)).json();
      assert.equal(health.balancer, "lean");
      assert.equal(health.roles.some((r: string) => r.startsWith("scheduler")), false);
    });
    await t.step("create, get and update actions", async () => {
      const doc = await ow.actions.create({ name: "hello", action: NODE_HELLO, limits: SMALL });
      assert.equal(doc.exec.kind, "nodejs:20");
      assert.equal(doc.version, "0.0.1");
      await createActions(ow);
      assert.equal(
        (await rejection(ow.actions.create({ name: "hello", action: "x" }))).statusCode,
        409,
      );
      assert.equal((await ow.actions.get({ name: "hello" })).exec.code, NODE_HELLO);
      const updated = await ow.actions.update({ name: "hello", params: { name: "y" } });
      assert.equal(updated.version, "0.0.2");
    });

    // In the background: its action sleeps past the blocking wait.
    const sleepy = ow.actions.invoke({ name: "sleepy", blocking: true, params: { ms: SLEEP_MS } });

    const nonBlocking: Record<string, string> = {};
    await t.step("non-blocking invokes of every kind answer {activationId}", async () => {
      for (const name of ["hello", "py", "dn"]) {
        const answer = await ow.actions.invoke({ name, params: { name: "nb" } });
        assert.deepEqual(Object.keys(answer), ["activationId"]);
        nonBlocking[name] = accepted.add(answer.activationId);
      }
    });
    await t.step("blocking invokes of every kind answer the lean activation", async () => {
      const expected: Record<string, [string, string]> = {
        hello: ["hi z", "nodejs:20"],
        py: ["py z", "python:3"],
        dn: ["deno z", "deno:2"],
      };
      for (const [name, [greeting, kind]] of Object.entries(expected)) {
        const activation = await ow.actions.invoke({ name, blocking: true, params: { name: "z" } });
        accepted.add(activation.activationId);
        assert.equal(activation.response.status, "success", name);
        assert.equal(activation.response.result.greeting, greeting);
        assert.equal(annotation(activation, "path"), `guest/${name}`);
        assert.equal(annotation(activation, "kind"), kind);
        assert.equal(typeof annotation(activation, "waitTime"), "number");
        assert.equal(annotation(activation, "balancer"), "lean");
      }
    });
    await t.step("a warm run has no initTime, and a default parameter applies", async () => {
      const hello = await ow.actions.invoke({ name: "hello", blocking: true });
      accepted.add(hello.activationId);
      assert.equal(hello.response.result.greeting, "hi y");
      assert.equal(annotation(hello, "initTime"), undefined);
      const result = await ow.actions.invoke({ name: "py", blocking: true, result: true });
      assert.deepEqual(result, { greeting: "py nobody" });
    });
    await t.step("an application error rejects 502 with the activation", async () => {
      const error = await rejection(ow.actions.invoke({ name: "fails", blocking: true }));
      accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.equal(error.error.response.status, "application error");
      assert.deepEqual(error.error.response.result, { error: "boom" });
    });
    await t.step("a thrown exception rejects 502 action developer error", async () => {
      const error = await rejection(ow.actions.invoke({ name: "throws", blocking: true }));
      accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.equal(error.error.response.status, "action developer error");
    });
    await t.step("the non-blocking records are stored with their logs", async () => {
      for (const [name, id] of Object.entries(nonBlocking)) {
        const record = await activationRecord(ow, id);
        assert.equal(record.name, name);
        assert.equal(record.response.status, "success");
        assert.equal(annotation(record, "balancer"), "lean");
        assert.ok(record.logs.some((line: string) => / stdout: .* nb$/.test(line)), name);
      }
      const { logs } = await ow.activations.logs({ name: nonBlocking.hello });
      assert.ok(logs.some((l: string) => /stderr: hello stderr$/.test(l)), String(logs));
      const response = await ow.activations.result({ name: nonBlocking.py });
      assert.deepEqual(response.result, { greeting: "py nb" });
    });
    await t.step("an update runs at its new revision, cold", async () => {
      await ow.actions.update({ name: "hello", action: NODE_HELLO_V2 });
      const activation = await ow.actions.invoke({ name: "hello", blocking: true });
      accepted.add(activation.activationId);
      assert.equal(activation.response.result.greeting, "v2 y");
      assert.equal(activation.version, "0.0.3");
      assert.equal(typeof annotation(activation, "initTime"), "number");
    });
    await t.step("a run past the time limit ends with upstream's time-limit record", async () => {
      const error = await rejection(ow.actions.invoke({ name: "slow", blocking: true }));
      const id = accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.deepEqual(error.error.response.result, {
        error: "The action exceeded its time limits of 300 milliseconds.",
      });
      assert.equal(annotation(await activationRecord(ow, id), "timeout"), true);
    });
    await t.step(
      "a blocking invoke past the server's wait answers 202, and its record follows",
      async () => {
        const answer = await sleepy;
        assert.deepEqual(Object.keys(answer), ["activationId"]);
        const id = accepted.add(answer.activationId);
        const record = await activationRecord(ow, id, 15_000);
        assert.deepEqual(record.response.result, { slept: SLEEP_MS });
      },
    );
    await t.step("a missing action rejects 404; delete answers the document", async () => {
      assert.equal((await rejection(ow.actions.invoke({ name: "missing" }))).statusCode, 404);
      assert.equal((await ow.actions.delete({ name: "hello" })).version, "0.0.3");
    });
    await t.step("every accepted activation ended with exactly one lean record", async () => {
      const listed: Doc[] = await eventually("one record per accepted activation", async () => {
        const list: Doc[] = await ow.activations.list({ limit: 200, docs: true });
        const ids = new Set(list.map((a) => a.activationId as string));
        return [...accepted.ids].every((id) => ids.has(id)) ? list : undefined;
      });
      const ids = listed.map((a) => a.activationId as string);
      assert.equal(new Set(ids).size, ids.length, "a duplicated record");
      // The blocking `result: true` invoke answers no id.
      assert.equal(ids.filter((id) => !accepted.ids.has(id)).length, 1);
      for (const record of listed) assert.equal(annotation(record, "balancer"), "lean");
      const errors = p.problems.filter((e) => e.level === "error");
      assert.equal(errors.length, 0, JSON.stringify(errors));
    });
  },
});
