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

import { jsonLineLogger, silentLogger } from "../../runtime/log.ts";
import { openPostgresStore } from "../../runtime/store/mod.ts";
import { Pool } from "../../runtime/store/_postgres_pool.ts";
import { runStoreContract } from "./store_contract.ts";
import { assertTwoWritersKeepOneRecord, runStoreWriter } from "./_store_process_test_support.ts";

const URL_ = Deno.env.get("WSK_POSTGRES") ?? "postgres://whisk:whisk@127.0.0.1:5432/whisk";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";

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

Deno.test({
  name: "openPostgresStore() shared by two processes keeps one record per activation id",
  ignore: SKIP,
  fn: async () => {
    await assertReachable(URL_);
    // Not created here: the writers race to create and migrate it.
    const schema = randomSchema();
    const script = new URL(import.meta.url).pathname;
    try {
      await assertTwoWritersKeepOneRecord({
        writerArgs: (name, sharedId, count) => [
          ...["run", "-A", "--no-lock", script, "writer"],
          ...[URL_, schema, name, sharedId, `${count}`],
        ],
        openStore: () => openPostgresStore({ url: URL_, logger: silentLogger, schema }),
        noFailureMessage: "no write may fail",
      });
    } finally {
      await dropSchema(URL_, schema);
    }
  },
});

/** The writer process: opens the store (racing the other writer to migrate), then writes. */
async function runWriter([url, schema, writer, sharedId, countText]: string[]) {
  if (!url || !schema || !writer || !sharedId || !countText) {
    console.error("usage: store_postgres_test.ts writer <url> <schema> <name> <id> <count>");
    Deno.exit(2);
  }
  const store = await openPostgresStore({ url, schema, logger: jsonLineLogger("info") });
  await runStoreWriter(store, writer, sharedId, Number(countText));
}

if (import.meta.main && Deno.args[0] === "writer") await runWriter(Deno.args.slice(1));
