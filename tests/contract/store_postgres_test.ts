/**
 * Runs the `EntityStore` contract against a real PostgreSQL (`WSK_POSTGRES`, default
 * `postgres://whisk:whisk@127.0.0.1:5432/whisk`), each test in a fresh random schema
 * dropped afterwards, and checks that two processes writing the same activation id and
 * the same action at once keep exactly one record and lose no update. Set
 * `WSK_SKIP_REAL=1` to skip. Start the server with
 * `deno run -A scripts/services/postgres.ts up`.
 *
 * This file is also the writer process of the two-process test: run as
 * `deno run -A store_postgres_test.ts writer <url> <schema> <name> <shared-id> <count>`
 * (under `deno run`, the `Deno.test` registrations below do nothing).
 *
 * @module
 */

import assert from "node:assert/strict";
import { jsonLineLogger, silentLogger } from "../../runtime/log.ts";
import { openPostgresStore } from "../../runtime/store/mod.ts";
import { Pool } from "../../runtime/store/_postgres_pool.ts";
import { runStoreContract } from "./store_contract.ts";

const URL_ = Deno.env.get("WSK_POSTGRES") ?? "postgres://whisk:whisk@127.0.0.1:5432/whisk";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";
const PER_WRITER = 300;

/** A fresh schema name, unique per test. */
function randomSchema(): string {
  return `wsk_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** Runs `body` on a one-connection pool of the server at `url` (not a store). */
async function admin<T>(url: string, body: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({
    url,
    schema: "public",
    size: 1,
    connectTimeoutMs: 2_000,
    onIdleError: () => {},
  });
  try {
    return await body(pool);
  } finally {
    await pool.end();
  }
}

/** Fails with a clear message when PostgreSQL does not answer at `url`. */
async function assertReachable(url: string): Promise<void> {
  try {
    await admin(url, (c) => c.query("SELECT 1"));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${url.replace(/:[^:@/]*@/, ":***@")} (WSK_POSTGRES: ` +
        `${error instanceof Error ? error.message : String(error)}): start it with ` +
        "`deno run -A scripts/services/postgres.ts up`, or set WSK_SKIP_REAL=1 to skip " +
        "real-service tests",
    );
  }
}

/** Drops a test schema and everything in it. */
async function dropSchema(url: string, schema: string): Promise<void> {
  await admin(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

if (SKIP) {
  Deno.test({ name: "PostgresStore: contract (WSK_SKIP_REAL=1)", ignore: true, fn() {} });
} else {
  runStoreContract("PostgresStore", async ({ logger, clock, defer }) => {
    await assertReachable(URL_);
    const schema = randomSchema();
    defer(() => dropSchema(URL_, schema));
    return openPostgresStore({ url: URL_, logger, clock, schema });
  });
}

interface WriterReport {
  readonly shared: string;
  readonly inserted: number;
  readonly failures: string[];
  readonly firstAt: number;
  readonly lastAt: number;
}

function startWriter(schema: string, name: string, sharedId: string) {
  const args = ["run", "-A", "--no-lock", new URL(import.meta.url).pathname, "writer"];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, URL_, schema, name, sharedId, String(PER_WRITER)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, lines: child.stdout.pipeThrough(new TextDecoderStream()).values() };
}

async function nextLine(lines: AsyncIterableIterator<string>, carry: string[]): Promise<string> {
  while (!carry.some((c) => c.includes("\n"))) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`writer closed stdout; got ${JSON.stringify(carry.join(""))}`);
    carry.push(value);
  }
  const text = carry.join("");
  const cut = text.indexOf("\n");
  carry.splice(0, carry.length, text.slice(cut + 1));
  return text.slice(0, cut);
}

Deno.test({
  name: "openPostgresStore() shared by two processes keeps one record per activation id",
  ignore: SKIP,
  fn: async () => {
    await assertReachable(URL_);
    // Not created here: the writers race to create and migrate it.
    const schema = randomSchema();
    const sharedId = crypto.randomUUID().replaceAll("-", "");
    try {
      const writers = ["w1", "w2"].map((name) => ({
        name,
        ...startWriter(schema, name, sharedId),
      }));
      const carries = writers.map(() => [] as string[]);
      for (const [i, w] of writers.entries()) {
        assert.equal(await nextLine(w.lines, carries[i]!), "ready", `${w.name} did not start`);
      }
      await Promise.all(writers.map((w) => w.child.stdin.close()));
      const reports: WriterReport[] = [];
      const logs: string[] = [];
      for (const [i, w] of writers.entries()) {
        reports.push(JSON.parse(await nextLine(w.lines, carries[i]!)));
        const [status, stderr] = await Promise.all([
          w.child.status,
          new Response(w.child.stderr).text(),
        ]);
        logs.push(stderr);
        assert.equal(status.code, 0, `${w.name} failed: ${stderr}`);
      }
      const [a, b] = reports as [WriterReport, WriterReport];
      assert.ok(a.firstAt < b.lastAt && b.firstAt < a.lastAt, "the writers must overlap in time");
      assert.deepEqual(reports.flatMap((r) => r.failures), [], "no write may fail");
      assert.deepEqual(reports.map((r) => r.shared).sort(), ["exists", "inserted"]);
      assert.deepEqual(reports.map((r) => r.inserted), [PER_WRITER, PER_WRITER]);
      const loser = reports.findIndex((r) => r.shared === "exists");
      const winner = writers[1 - loser]!.name;
      assert.match(logs[loser]!, new RegExp(`"level":"info".*"activationId":"${sharedId}"`));

      const store = await openPostgresStore({ url: URL_, logger: silentLogger, schema });
      try {
        assert.equal(await store.countActivations("mp"), 2 * PER_WRITER + 1);
        const shared = await store.getActivation<{ writer: string }>("mp", sharedId);
        assert.equal(shared?.writer, winner, "the first writer's record is kept");
        const hot = await store.getEntity("actions", "mp", "hot");
        assert.equal(hot?.revision.split("-")[0], String(2 * PER_WRITER), "no lost update");
      } finally {
        await store.close();
      }
    } finally {
      await dropSchema(URL_, schema);
    }
  },
});

/**
 * The writer process: opens the store (racing the other writer to migrate), prints
 * `ready`, waits for stdin to close (the go signal) and for the other writer to announce
 * itself in the store, then writes `count` activations of its own, the shared activation
 * id halfway through, and `count` overwrites of one shared action; finally prints
 * `{shared, inserted, failures, firstAt, lastAt}` as one JSON line. Logs go to stderr.
 */
async function runWriter([url, schema, writer, sharedId, countText]: string[]) {
  if (!url || !schema || !writer || !sharedId || !countText) {
    console.error("usage: store_postgres_test.ts writer <url> <schema> <name> <id> <count>");
    Deno.exit(2);
  }
  const store = await openPostgresStore({ url, schema, logger: jsonLineLogger("info") });
  const record = (activationId: string, start: number) => ({
    activationId,
    namespace: "mp",
    name: "shared",
    start,
    writer,
    logs: [],
  });
  console.log("ready");
  await Deno.stdin.readable.pipeTo(new WritableStream({ write: () => {} })).catch(() => {});
  let shared = "not-written";
  let inserted = 0;
  const failures: string[] = [];
  const firstAt = Date.now();
  await store.putActivation({ ...record(`${writer}-ready`, 0), namespace: "mp-barrier" });
  const barrierDeadline = Date.now() + 10_000;
  while (await store.countActivations("mp-barrier") < 2) {
    if (Date.now() > barrierDeadline) {
      failures.push("the other writer never reached the barrier");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const count = Number(countText);
  for (let i = 0; i < count; i++) {
    try {
      if (i === Math.floor(count / 2)) shared = await store.putActivation(record(sharedId, i));
      const id = crypto.randomUUID().replaceAll("-", "");
      if (await store.putActivation(record(id, i)) === "inserted") inserted++;
      await store.putEntity("actions", "mp", "hot", { writer, i }, { overwrite: true });
    } catch (error) {
      failures.push(String(error));
    }
  }
  const lastAt = Date.now();
  await store.close();
  console.log(JSON.stringify({ shared, inserted, failures, firstAt, lastAt }));
}

if (import.meta.main && Deno.args[0] === "writer") await runWriter(Deno.args.slice(1));
