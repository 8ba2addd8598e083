/**
 * Runs the `EntityStore` contract against the SQLite store on a temp file, and checks
 * that two processes sharing one store file keep exactly one record per activation id.
 *
 * @module
 */

import assert from "node:assert/strict";
import { silentLogger } from "../../runtime/log.ts";
import { openSqliteStore } from "../../runtime/store/mod.ts";
import { runStoreContract } from "./store_contract.ts";

runStoreContract("SqliteStore", ({ logger, clock, defer }) => {
  const dir = Deno.makeTempDirSync({ prefix: "wsk-store-contract-" });
  defer(() => Deno.removeSync(dir, { recursive: true }));
  return openSqliteStore({ path: `${dir}/whisk.sqlite`, logger, clock });
});

const WRITER = new URL("./fixtures/store_writer.ts", import.meta.url).pathname;
const PER_WRITER = 300;

interface WriterReport {
  readonly shared: string;
  readonly inserted: number;
  readonly failures: string[];
  readonly firstAt: number;
  readonly lastAt: number;
}

function startWriter(path: string, name: string, sharedId: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, path, name, sharedId, String(PER_WRITER)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
  return { child, lines };
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

Deno.test("openSqliteStore() shared by two processes keeps one record per activation id", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wsk-store-mp-" });
  const path = `${dir}/whisk.sqlite`;
  const sharedId = crypto.randomUUID().replaceAll("-", "");
  try {
    const writers = ["w1", "w2"].map((name) => ({ name, ...startWriter(path, name, sharedId) }));
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
    assert.deepEqual(reports.flatMap((r) => r.failures), [], "no write may fail (SQLITE_BUSY)");
    assert.deepEqual(reports.map((r) => r.shared).sort(), ["exists", "inserted"]);
    assert.deepEqual(reports.map((r) => r.inserted), [PER_WRITER, PER_WRITER]);
    const loser = reports.findIndex((r) => r.shared === "exists");
    const winner = writers[1 - loser]!.name;
    assert.match(logs[loser]!, new RegExp(`"level":"info".*"activationId":"${sharedId}"`));

    const store = openSqliteStore({ path, logger: silentLogger });
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
    await Deno.remove(dir, { recursive: true });
  }
});
