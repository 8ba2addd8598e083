/**
 * Runs the `EntityStore` contract against the SQLite store on a temp file, and checks
 * that two processes sharing one store file keep exactly one record per activation id.
 *
 * @module
 */

import { silentLogger } from "../../runtime/log.ts";
import { openSqliteStore } from "../../runtime/store/mod.ts";
import { runStoreContract } from "./store_contract.ts";
import { assertTwoWritersKeepOneRecord } from "./_store_process_test_support.ts";

runStoreContract("SqliteStore", ({ logger, clock, defer }) => {
  const dir = Deno.makeTempDirSync({ prefix: "wsk-store-contract-" });
  defer(() => Deno.removeSync(dir, { recursive: true }));
  return openSqliteStore({ path: `${dir}/whisk.sqlite`, logger, clock });
});

const WRITER = new URL("./fixtures/store_writer.ts", import.meta.url).pathname;

Deno.test("openSqliteStore() shared by two processes keeps one record per activation id", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wsk-store-mp-" });
  const path = `${dir}/whisk.sqlite`;
  try {
    await assertTwoWritersKeepOneRecord({
      writerArgs: (
        name,
        sharedId,
        count,
      ) => ["run", "-A", WRITER, path, name, sharedId, `${count}`],
      openStore: () => openSqliteStore({ path, logger: silentLogger }),
      noFailureMessage: "no write may fail (SQLITE_BUSY)",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
