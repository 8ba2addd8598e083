/**
 * Tests of `runtime/store/postgres_store.ts` beyond the shared contract: schema
 * migrations (idempotent, safe when several stores open at once, refusing a newer
 * schema), the errors of an unreachable server, recovery after the server drops idle
 * connections, and the driver-error translation. Real-service cases use `WSK_POSTGRES`
 * (default `postgres://whisk:whisk@127.0.0.1:5432/whisk`) and are skipped with
 * `WSK_SKIP_REAL=1`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { capturingLogger, silentLogger } from "../../../runtime/log.ts";
import { openPostgresStore, StoreUnavailableError } from "../../../runtime/store/mod.ts";
import { Pool } from "../../../runtime/store/_postgres_pool.ts";
import { isUnavailable, translatePgError } from "../../../runtime/store/_postgres_schema.ts";

const URL_ = Deno.env.get("WSK_POSTGRES") ?? "postgres://whisk:whisk@127.0.0.1:5432/whisk";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";

/** Runs `body` on a one-connection pool (not a store); fails clearly when unreachable. */
async function admin<T>(body: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({
    url: URL_,
    schema: "public",
    size: 1,
    connectTimeoutMs: 2_000,
    onIdleError: () => {},
  });
  try {
    await pool.query("SELECT 1").catch((error) => {
      throw new Error(
        `PostgreSQL is not reachable at WSK_POSTGRES (${error.message}): start it with ` +
          "`deno run -A scripts/services/postgres.ts up`, or set WSK_SKIP_REAL=1 to skip " +
          "real-service tests",
      );
    });
    return await body(pool);
  } finally {
    await pool.end();
  }
}

/** Runs `body` with a fresh schema name, dropping the schema afterwards. */
async function withSchema(body: (schema: string) => Promise<void>): Promise<void> {
  const schema = `wsk_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin((c) => c.query("SELECT 1"));
  try {
    await body(schema);
  } finally {
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  }
}

const versions = (schema: string) =>
  admin(async (c) => (await c.query(`SELECT version FROM ${schema}.schema_version`)).rows);

const migratedLogs = (logger: ReturnType<typeof capturingLogger>) =>
  logger.entries.filter((e) => e.msg === "store schema migrated");

Deno.test({
  name: "openPostgresStore() migrates a new schema once and reopens it as is",
  ignore: SKIP,
  fn: () =>
    withSchema(async (schema) => {
      const logger = capturingLogger();
      const first = await openPostgresStore({ url: URL_, logger, schema });
      const rev = await first.putEntity("actions", "guest", "kept", { v: 1 });
      await first.close();
      const second = await openPostgresStore({ url: URL_, logger, schema });
      try {
        assert.equal((await second.getEntity("actions", "guest", "kept"))?.revision, rev);
      } finally {
        await second.close();
      }
      assert.deepEqual(migratedLogs(logger).map((e) => e.meta), [{ schema, from: 0, to: 1 }]);
      assert.deepEqual(await versions(schema), [{ version: 1 }]);
    }),
});

Deno.test({
  name: "openPostgresStore() opened by several stores at once migrates exactly once",
  ignore: SKIP,
  fn: () =>
    withSchema(async (schema) => {
      const logger = capturingLogger();
      const stores = await Promise.all(
        Array.from({ length: 5 }, () => openPostgresStore({ url: URL_, logger, schema })),
      );
      try {
        await Promise.all(stores.map((s, i) => s.putEntity("actions", "guest", `a${i}`, {})));
        assert.equal(await stores[0]!.countEntities("actions", "guest"), 5);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      assert.equal(migratedLogs(logger).length, 1);
      assert.deepEqual(await versions(schema), [{ version: 1 }]);
    }),
});

Deno.test({
  name: "openPostgresStore() refuses a schema newer than this build",
  ignore: SKIP,
  fn: () =>
    withSchema(async (schema) => {
      await (await openPostgresStore({ url: URL_, logger: silentLogger, schema })).close();
      await admin((c) => c.query(`UPDATE ${schema}.schema_version SET version = 99`));
      await assert.rejects(
        openPostgresStore({ url: URL_, logger: silentLogger, schema }),
        (e) => e instanceof Error && /version 99, newer than this build's 1/.test(e.message),
      );
    }),
});

Deno.test("openPostgresStore() rejects with StoreUnavailableError when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assert.rejects(
    openPostgresStore({
      url: `postgres://whisk:whisk@127.0.0.1:${port}/whisk`,
      logger: silentLogger,
    }),
    (e) =>
      e instanceof StoreUnavailableError && e.retryable &&
      /PostgreSQL is unavailable.*ECONNREFUSED/.test(e.message),
  );
});

Deno.test("openPostgresStore() rejects a schema that is not a plain identifier", async () => {
  await assert.rejects(
    openPostgresStore({ url: URL_, logger: silentLogger, schema: "x; DROP TABLE y" }),
    TypeError,
  );
});

Deno.test({
  name: "PostgresStore replaces idle connections the server terminated",
  ignore: SKIP,
  fn: () =>
    withSchema(async (schema) => {
      const logger = capturingLogger();
      const store = await openPostgresStore({ url: URL_, logger, schema });
      try {
        await store.putEntity("actions", "guest", "a", { v: 1 });
        const killed = await admin(async (c) =>
          (await c.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
            [`whisk-store:${schema}`],
          )).rows.length
        );
        assert.ok(killed > 0, "the store kept a pooled connection");
        const deadline = Date.now() + 5_000;
        while (!logger.entries.some((e) => e.level === "warn") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.match(logger.entries.find((e) => e.level === "warn")?.msg ?? "", /idle/);
        assert.deepEqual((await store.getEntity("actions", "guest", "a"))?.doc, { v: 1 });
      } finally {
        await store.close();
      }
    }),
});

Deno.test("translatePgError() maps connection failures to StoreUnavailableError", () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
  const unavailable = [
    coded("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
    coded("terminating connection due to administrator command", "57P01"),
    coded("the database system is starting up", "57P03"),
    coded("connection failure", "08006"),
    new Error("Connection terminated unexpectedly"),
    new AggregateError([coded("connect ECONNREFUSED ::1:5432", "ECONNREFUSED")], ""),
  ];
  for (const error of unavailable) {
    assert.equal(isUnavailable(error), true, error.message);
    assert.throws(
      () => translatePgError(error, "getEntity"),
      (e) =>
        e instanceof StoreUnavailableError && e.cause === error && /^getEntity: /.test(e.message),
    );
  }
  const other = [coded("duplicate key", "23505"), coded("syntax error", "42601"), "text"];
  for (const error of other) {
    assert.equal(isUnavailable(error), false);
    assert.throws(() => translatePgError(error, "putEntity"), (e) => e === error);
  }
});
