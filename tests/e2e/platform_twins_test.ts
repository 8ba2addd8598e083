/**
 * End-to-end test of the whole platform on the in-memory twins: `startStandalone`
 * (controller, scheduler and invoker roles, MemoryKv, MemoryBus, SQLite, real
 * sandboxed container processes) driven by the real `openwhisk` npm client through
 * calls 1–17 and 20 of the reference's list, for actions of all three kinds
 * (`nodejs:20`, `python:3`, `deno:2`), blocking and non-blocking, with the records and
 * logs read back, an application error, a developer error, a 202 past the server's
 * blocking wait, an update seen at its new revision and a time-limit record. At the
 * end, every accepted activation has exactly one record and no container is left.
 * A second test follows one container through its life: paused (cgroup freezer)
 * after the pause grace, resumed warm, removed after the idle timeout, then cold again.
 */
import assert from "node:assert/strict";
import {
  activationRecord,
  annotation,
  type Client,
  type Doc,
  eventually,
  HEX32,
  leftoverContainers,
  rejection,
  startPlatform,
} from "./_platform.ts";
import { FAILS, NODE_HELLO, NODE_HELLO_V2, PYTHON_HELLO, SLEEPY, THROWS } from "./_actions.ts";

const DENO_HELLO = `export function main(p: { name?: string }) {
  console.log("deno stdout " + p.name);
  console.error("deno stderr");
  return { greeting: "deno " + p.name, runtime: typeof Deno };
}`;

/** Server-side blocking wait: the 202 path needs a short one (the client sends no timeout). */
const BLOCKING_WAIT_MS = 2_500;
/** Longer than the wait, so a blocking invoke of `sleepy` answers 202. */
const SLEEP_MS = 3_500;
const SMALL = { memory: 128 } as const;

// The openwhisk client runs on needle over node:http, whose keep-alive agent leaves
// sockets Deno's sanitizers flag; the platform itself is closed explicitly.
const CLIENT_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

/** Every activation id the platform accepted, to check one record each at the end. */
class Accepted {
  readonly ids = new Set<string>();
  add(id: unknown): string {
    assert.match(String(id), HEX32);
    this.ids.add(String(id));
    return String(id);
  }
}

/** Observes `promise` now; the returned function answers its value or throws its reason. */
async function settled<T>(promise: Promise<T>): Promise<() => T> {
  try {
    const value = await promise;
    return () => value;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

function keys(activation: Doc): string[] {
  return (activation.annotations as { key: string }[]).map((a) => a.key);
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
  name: "platform on the twins: the openwhisk client's calls 1-17 and 20 on real containers",
  ...CLIENT_TEST,
  async fn(t) {
    await using p = await startPlatform({
      flags: [
        "--controller-blocking-wait-ms",
        String(BLOCKING_WAIT_MS),
        "--container-pool-user-memory-mb",
        "2048",
      ],
    });
    const { ow } = p;
    const accepted = new Accepted();

    await t.step("1 namespaces.list()", async () => {
      assert.deepEqual(await ow.namespaces.list(), ["guest"]);
    });
    await t.step("2 actions.create() answers the document at 0.0.1", async () => {
      const doc = await ow.actions.create({ name: "hello", action: NODE_HELLO, limits: SMALL });
      assert.equal(doc.name, "hello");
      assert.equal(doc.namespace, "guest");
      assert.equal(doc.exec.kind, "nodejs:20");
      assert.equal(doc.exec.code, NODE_HELLO);
      assert.equal(doc.version, "0.0.1");
      await createActions(ow);
    });
    await t.step("3 creating it again rejects 409", async () => {
      const error = await rejection(ow.actions.create({ name: "hello", action: NODE_HELLO }));
      assert.equal(error.statusCode, 409);
    });
    await t.step("4 actions.get() with and without code", async () => {
      assert.equal((await ow.actions.get({ name: "hello" })).exec.code, NODE_HELLO);
      assert.equal((await ow.actions.get({ name: "hello", code: false })).exec.code, undefined);
    });
    await t.step("5 actions.update() replaces parameters at 0.0.2", async () => {
      const doc = await ow.actions.update({ name: "hello", params: { name: "y" } });
      assert.deepEqual(doc.parameters, [{ key: "name", value: "y" }]);
      assert.equal(doc.version, "0.0.2");
    });
    await t.step("6 actions.list() answers guest summaries", async () => {
      const page = await ow.actions.list({ limit: 3, skip: 1 });
      assert.equal(page.length, 3);
      for (const summary of page) assert.equal(summary.namespace, "guest");
    });

    // 12 first, in the background: its action sleeps past the blocking wait.
    // Settled at once, so a failure is reported by step 12, not as an uncaught rejection.
    const sleepyPlain = settled(
      ow.actions.invoke({ name: "sleepy", blocking: true, params: { ms: SLEEP_MS } }),
    );
    const sleepyResult = rejection(
      ow.actions.invoke({ name: "sleepy", blocking: true, result: true, params: { ms: SLEEP_MS } }),
    );

    const nonBlocking: Record<string, string> = {};
    await t.step("7 non-blocking invokes of every kind answer {activationId}", async () => {
      for (const name of ["hello", "py", "dn"]) {
        const answer = await ow.actions.invoke({ name, params: { name: "nb" } });
        assert.deepEqual(Object.keys(answer), ["activationId"]);
        nonBlocking[name] = accepted.add(answer.activationId);
      }
    });
    await t.step("8 blocking invokes of every kind answer the activation", async () => {
      const expected: Record<string, [string, string]> = {
        hello: ["hi z", "nodejs:20"],
        py: ["py z", "python:3"],
        dn: ["deno z", "deno:2"],
      };
      for (const [name, [greeting, kind]] of Object.entries(expected)) {
        const activation = await ow.actions.invoke({ name, blocking: true, params: { name: "z" } });
        accepted.add(activation.activationId);
        assert.equal(activation.response.success, true, name);
        assert.equal(activation.response.status, "success", name);
        assert.equal(activation.response.result.greeting, greeting);
        assert.equal(activation.namespace, "guest");
        assert.equal(activation.name, name);
        for (const key of ["path", "kind", "limits", "waitTime"]) {
          assert.ok(keys(activation).includes(key), `${name}: ${key}`);
        }
        assert.equal(annotation(activation, "path"), `guest/${name}`);
        assert.equal(annotation(activation, "kind"), kind);
      }
    });
    await t.step("8b the deno action ran in Deno, and a default parameter applies", async () => {
      const result = await ow.actions.invoke({ name: "dn", blocking: true, result: true });
      assert.equal(result.runtime, "object");
      const hello = await ow.actions.invoke({ name: "hello", blocking: true });
      accepted.add(hello.activationId);
      assert.equal(hello.response.result.greeting, "hi y");
      assert.equal(annotation(hello, "initTime"), undefined, "a warm run has no initTime");
    });
    await t.step("9 blocking with result answers the bare result", async () => {
      const result = await ow.actions.invoke({
        name: "py",
        blocking: true,
        result: true,
        params: { name: "r" },
      });
      assert.deepEqual(result, { greeting: "py r" });
    });
    await t.step("10 an application error rejects 502 with the activation", async () => {
      const error = await rejection(ow.actions.invoke({ name: "fails", blocking: true }));
      accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.equal(error.error.response.success, false);
      assert.equal(error.error.response.status, "application error");
      assert.deepEqual(error.error.response.result, { error: "boom" });
      assert.equal(error.error.code, undefined);
      assert.match(error.message, /--> "boom"$/);
    });
    await t.step("11 a thrown exception rejects 502 action developer error", async () => {
      const error = await rejection(ow.actions.invoke({ name: "throws", blocking: true }));
      accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.equal(error.error.response.status, "action developer error");
      assert.equal(error.error.response.success, false);
      assert.match(JSON.stringify(error.error.response.result.error), /thrown on purpose/);
    });
    await t.step("13 activations.get() finds each non-blocking record with its logs", async () => {
      for (const [name, id] of Object.entries(nonBlocking)) {
        const record = await activationRecord(ow, id);
        assert.equal(record.activationId, id);
        assert.equal(record.name, name);
        assert.equal(record.response.status, "success");
        assert.equal(typeof record.duration, "number");
        assert.ok(record.logs.some((line: string) => / stdout: .* nb$/.test(line)), name);
      }
    });
    await t.step("14 activations.list() answers summaries newest first", async () => {
      const list = await ow.activations.list({ name: "hello", limit: 10 });
      assert.ok(list.length >= 3, `only ${list.length} summaries`);
      for (const summary of list) {
        assert.equal(summary.name, "hello");
        assert.equal(summary.statusCode, 0);
        assert.equal(summary.response, undefined);
      }
      const starts = list.map((a: { start: number }) => a.start);
      assert.deepEqual(starts, [...starts].sort((a, b) => b - a));
    });
    await t.step("15 activations.logs() of every kind", async () => {
      const expected: Record<string, RegExp[]> = {
        hello: [/Z? +stdout: hello stdout nb$/, /stderr: hello stderr$/],
        py: [/stdout: py stdout nb$/, /stderr: py stderr$/],
        dn: [/stdout: deno stdout nb$/, /stderr: deno stderr$/],
      };
      for (const [name, patterns] of Object.entries(expected)) {
        const { logs } = await ow.activations.logs({ name: nonBlocking[name] });
        for (const pattern of patterns) {
          assert.ok(logs.some((l: string) => pattern.test(l)), `${name}: ${pattern} in ${logs}`);
        }
        for (const line of logs) {
          assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z +(stdout|stderr): /);
          assert.doesNotMatch(line, /XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX/);
        }
      }
    });
    await t.step("16 activations.result()", async () => {
      const response = await ow.activations.result({ name: nonBlocking.py });
      assert.equal(response.status, "success");
      assert.equal(response.success, true);
      assert.deepEqual(response.result, { greeting: "py nb" });
    });
    await t.step("17 a missing action rejects 404", async () => {
      const error = await rejection(ow.actions.get({ name: "missing" }));
      assert.equal(error.statusCode, 404);
      assert.equal(error.error.error, "The requested resource does not exist.");
      const invoke = await rejection(ow.actions.invoke({ name: "missing", blocking: true }));
      assert.equal(invoke.statusCode, 404);
    });
    await t.step("an update is seen at its new revision on the next invoke", async () => {
      const doc = await ow.actions.update({ name: "hello", action: NODE_HELLO_V2 });
      assert.equal(doc.version, "0.0.3");
      const activation = await ow.actions.invoke({ name: "hello", blocking: true });
      accepted.add(activation.activationId);
      assert.equal(activation.response.result.greeting, "v2 y");
      assert.equal(activation.version, "0.0.3");
      assert.equal(typeof annotation(activation, "initTime"), "number", "a new revision is cold");
    });
    await t.step("a run past the time limit ends with upstream's time-limit record", async () => {
      const error = await rejection(ow.actions.invoke({ name: "slow", blocking: true }));
      const id = accepted.add(error.error.activationId);
      assert.equal(error.statusCode, 502);
      assert.equal(error.error.response.status, "action developer error");
      assert.deepEqual(error.error.response.result, {
        error: "The action exceeded its time limits of 300 milliseconds.",
      });
      const record = await activationRecord(ow, id);
      assert.equal(annotation(record, "timeout"), true);
      assert.equal(record.response.status, "action developer error");
    });
    await t.step(
      "12 a blocking invoke past the server's wait answers 202 {activationId}",
      async () => {
        const plain = (await sleepyPlain)();
        assert.deepEqual(Object.keys(plain), ["activationId"]);
        accepted.add(plain.activationId);
        const withResult = await sleepyResult;
        assert.equal(withResult.statusCode, undefined);
        const id = accepted.add((withResult as unknown as { activationId: string }).activationId);
        for (const activationId of [plain.activationId, id]) {
          const record = await activationRecord(ow, activationId, 15_000);
          assert.deepEqual(record.response.result, { slept: SLEEP_MS });
        }
      },
    );
    await t.step("20 actions.delete() answers the document, then 404", async () => {
      const doc = await ow.actions.delete({ name: "hello" });
      assert.equal(doc.name, "hello");
      assert.equal(doc.version, "0.0.3");
      assert.equal((await rejection(ow.actions.delete({ name: "hello" }))).statusCode, 404);
    });
    await t.step("every accepted activation ended with exactly one record", async () => {
      const listed = await eventually("one record per accepted activation", async () => {
        const list: Doc[] = await ow.activations.list({ limit: 200 });
        const ids = list.map((a) => a.activationId as string);
        return [...accepted.ids].every((id) => ids.includes(id)) ? ids : undefined;
      });
      assert.equal(new Set(listed).size, listed.length, "a duplicated record");
      const extra = listed.filter((id) => !accepted.ids.has(id));
      // The two blocking `result: true` invokes of steps 8b and 9 answer no id.
      assert.equal(extra.length, 2, `unexpected records: ${extra}`);
      assert.equal(p.logs.filter((e) => e.level === "error").length, 0, JSON.stringify(p.logs));
    });
    // Closed here (the id stays claimed until the dispose) to check it left nothing.
    await p.standalone.close();
    assert.deepEqual(await leftoverContainers(`wsk${p.invokerId}_`), {
      cgroups: [],
      processes: [],
    });
  },
});

/** The freezer states of the containers named `<prefix>…`. */
async function freezerStates(prefix: string): Promise<string[]> {
  const { cgroups } = await leftoverContainers(prefix);
  return await Promise.all(
    cgroups.filter((c) => c.startsWith("freezer/")).map(async (c) =>
      (await Deno.readTextFile(`/sys/fs/cgroup/${c}/freezer.state`).catch(() => "")).trim()
    ),
  );
}

Deno.test({
  name: "platform on the twins: a container is paused, resumed warm, removed when idle, then cold",
  ...CLIENT_TEST,
  async fn() {
    await using p = await startPlatform({
      flags: [
        "--container-proxy-pause-grace-ms",
        "200",
        "--container-proxy-idle-container-ms",
        "600",
      ],
    });
    const { ow } = p;
    const prefix = `wsk${p.invokerId}_`;
    // A module-level counter tells a reused process (n grows) from a new one (n = 1).
    await ow.actions.create({
      name: "counter",
      action: "let n = 0; function main() { return { n: ++n }; }",
    });
    const invoke = () => ow.actions.invoke({ name: "counter", blocking: true });

    const cold = await invoke();
    assert.deepEqual(cold.response.result, { n: 1 });
    assert.equal(typeof annotation(cold, "initTime"), "number");
    const hasFreezer = (await freezerStates(prefix)).length > 0;
    if (hasFreezer) {
      // Upstream's effective pause delay is the grace plus one empty 1 s poll.
      await eventually(
        "the idle container frozen",
        async () => (await freezerStates(prefix)).includes("FROZEN") || undefined,
        5_000,
      );
    }
    const resumed = await invoke();
    assert.deepEqual(resumed.response.result, { n: 2 }, "the paused process ran again");
    assert.equal(annotation(resumed, "initTime"), undefined);
    assert.deepEqual(await freezerStates(prefix), hasFreezer ? ["THAWED"] : []);

    await eventually("the idle container removed", async () => {
      const left = await leftoverContainers(prefix);
      return left.cgroups.length === 0 && left.processes.length === 0 || undefined;
    }, 8_000);
    const again = await invoke();
    assert.deepEqual(again.response.result, { n: 1 }, "a new process after the removal");
    assert.equal(typeof annotation(again, "initTime"), "number");
  },
});
