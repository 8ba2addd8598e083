/**
 * The two-process store test both contract runners share (`store_sqlite_test.ts`,
 * `store_postgres_test.ts`): two writer processes race on one store, and the parent
 * checks that each activation id keeps exactly one record and no entity update is lost.
 * Also the writer's side ({@link runStoreWriter}), which the writer processes call.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { EntityStore } from "../../runtime/store/mod.ts";

/** How many activations and entity overwrites each writer makes. */
export const PER_WRITER = 300;

/** The JSON line a writer prints when done. */
export interface WriterReport {
  readonly shared: string;
  readonly inserted: number;
  readonly failures: string[];
  /** Epoch ms of the writer's first and last write. */
  readonly firstAt: number;
  readonly lastAt: number;
}

/** How one two-process run starts its writers and reads the store afterwards. */
export interface TwoWriterRun {
  /** The `deno` arguments of writer `name` writing `count` records and `sharedId` once. */
  readonly writerArgs: (name: string, sharedId: string, count: number) => string[];
  /** Opens the store both writers used (after they exited). */
  readonly openStore: () => EntityStore | Promise<EntityStore>;
  /** The message of the "no write may fail" assertion. */
  readonly noFailureMessage: string;
}

function startWriter(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
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

/**
 * Starts two writers, lets them go at once, and asserts: they overlapped, no write
 * failed, exactly one inserted the shared activation id (the other logged that at info),
 * each inserted all of its own, the store keeps the first writer's record and the shared
 * action's revision counts every overwrite.
 */
export async function assertTwoWritersKeepOneRecord(run: TwoWriterRun): Promise<void> {
  const sharedId = crypto.randomUUID().replaceAll("-", "");
  const writers = ["w1", "w2"].map((name) => ({
    name,
    ...startWriter(run.writerArgs(name, sharedId, PER_WRITER)),
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
  assert.deepEqual(reports.flatMap((r) => r.failures), [], run.noFailureMessage);
  assert.deepEqual(reports.map((r) => r.shared).sort(), ["exists", "inserted"]);
  assert.deepEqual(reports.map((r) => r.inserted), [PER_WRITER, PER_WRITER]);
  const loser = reports.findIndex((r) => r.shared === "exists");
  const winner = writers[1 - loser]!.name;
  assert.match(logs[loser]!, new RegExp(`"level":"info".*"activationId":"${sharedId}"`));

  const store = await run.openStore();
  try {
    assert.equal(await store.countActivations("mp"), 2 * PER_WRITER + 1);
    const shared = await store.getActivation<{ writer: string }>("mp", sharedId);
    assert.equal(shared?.writer, winner, "the first writer's record is kept");
    const hot = await store.getEntity("actions", "mp", "hot");
    assert.equal(hot?.revision.split("-")[0], String(2 * PER_WRITER), "no lost update");
  } finally {
    await store.close();
  }
}

/**
 * The writer process's part after opening `store`: prints `ready`, waits for stdin to
 * close (the go signal) and for the other writer to announce itself in the store, then
 * writes `count` activations of its own, the shared activation id halfway through, and
 * `count` overwrites of one shared action; closes the store and prints its
 * {@link WriterReport} as one JSON line.
 */
export async function runStoreWriter(
  store: EntityStore,
  writer: string,
  sharedId: string,
  count: number,
): Promise<void> {
  const record = (activationId: string, start: number) => ({
    activationId,
    namespace: "mp",
    name: "shared",
    start,
    writer,
    logs: [],
  });
  console.log("ready");
  // The parent closes stdin of both writers at once: the go signal.
  await Deno.stdin.readable.pipeTo(new WritableStream({ write: () => {} })).catch(() => {});
  let shared = "not-written";
  let inserted = 0;
  const failures: string[] = [];
  const firstAt = Date.now();
  // A barrier through the store itself: each writer announces itself and waits for the
  // other, so the two write phases overlap however the processes were scheduled.
  await store.putActivation({ ...record(`${writer}-ready`, 0), namespace: "mp-barrier" });
  const barrierDeadline = Date.now() + 10_000;
  while (await store.countActivations("mp-barrier") < 2) {
    if (Date.now() > barrierDeadline) {
      failures.push("the other writer never reached the barrier");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
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
