/**
 * The `EntityStore` contract: one suite every implementation passes (SQLite now,
 * PostgreSQL later). Mirrors the behaviours upstream's `ArtifactStoreBehavior` tests check
 * (`tests/src/test/scala/org/apache/openwhisk/core/database/test/behavior/`): CRUD and
 * conflicts, revisions, list ordering and paging, activation insert-if-absent and filters,
 * subjects by key.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CapturingLogger, capturingLogger } from "../../runtime/log.ts";
import {
  ConflictError,
  type EntityStore,
  NotFoundError,
  StoreUnavailableError,
} from "../../runtime/store/mod.ts";

/** What a store factory receives. */
export interface StoreDeps {
  readonly logger: CapturingLogger;
  readonly clock: { now(): number };
  /** Registers a clean-up (e.g. removing a temp file) run after the test closed the store. */
  readonly defer: (cleanup: () => void | Promise<void>) => void;
}

/** Opens a fresh, empty store. */
export type MakeStore = (deps: StoreDeps) => EntityStore | Promise<EntityStore>;

const revNumber = (rev: string) => Number(rev.split("-")[0]);

function activation(id: string, start: number, extra: Record<string, unknown> = {}) {
  return {
    activationId: id.padStart(32, "0"),
    namespace: "guest",
    name: "hello",
    subject: "guest",
    start,
    end: start + 5,
    response: { statusCode: 0, result: { ok: true } },
    logs: ["line"],
    annotations: [{ key: "path", value: "guest/hello" }],
    version: "0.0.1",
    publish: false,
    ...extra,
  };
}

/** Registers the contract tests for one implementation. */
export function runStoreContract(name: string, makeStore: MakeStore): void {
  const test = (title: string, body: (store: EntityStore, deps: StoreDeps) => Promise<void>) =>
    Deno.test(`${name}: ${title}`, async () => {
      let now = 1_000;
      const cleanups: (() => void | Promise<void>)[] = [];
      const deps = {
        logger: capturingLogger(),
        clock: { now: () => now++ },
        defer: (cleanup: () => void | Promise<void>) => void cleanups.push(cleanup),
      };
      try {
        const store = await makeStore(deps);
        try {
          await body(store, deps);
        } finally {
          await store.close();
        }
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup();
      }
    });

  test("putEntity() creates revision 1 and getEntity() returns it with metadata", async (s) => {
    const rev = await s.putEntity("actions", "guest", "hello", { code: "a" });
    assert.match(rev, /^1-[0-9a-f]{32}$/);
    const got = await s.getEntity("actions", "guest", "hello");
    assert.deepEqual(got && { ...got, updated: 0 }, {
      type: "Entity",
      collection: "actions",
      namespace: "guest",
      name: "hello",
      revision: rev,
      updated: 0,
      doc: { code: "a" },
    });
    assert.equal(await s.getEntity("actions", "guest", "missing"), undefined);
    assert.equal(await s.getEntity("actions", "other", "hello"), undefined);
  });

  test("putEntity() conflicts when the entity exists and overwrite is not set", async (s) => {
    const rev = await s.putEntity("actions", "guest", "hello", { code: "a" });
    await assert.rejects(
      s.putEntity("actions", "guest", "hello", { code: "b" }),
      (e) => e instanceof ConflictError && e.reason === "exists" && !e.retryable,
    );
    const kept = await s.getEntity("actions", "guest", "hello");
    assert.deepEqual([kept?.revision, kept?.doc], [rev, { code: "a" }]);
    const rev2 = await s.putEntity("actions", "guest", "hello", { code: "b" }, { overwrite: true });
    assert.equal(revNumber(rev2), 2);
    assert.deepEqual((await s.getEntity("actions", "guest", "hello"))?.doc, { code: "b" });
  });

  test("putEntity() with expectRevision updates only the current revision", async (s) => {
    const rev1 = await s.putEntity("triggers", "guest", "t", { v: 1 });
    const rev2 = await s.putEntity("triggers", "guest", "t", { v: 2 }, { expectRevision: rev1 });
    assert.equal(revNumber(rev2), 2);
    await assert.rejects(
      s.putEntity("triggers", "guest", "t", { v: 3 }, { expectRevision: rev1, overwrite: true }),
      (e) => e instanceof ConflictError && e.reason === "revision",
    );
    await assert.rejects(
      s.putEntity("triggers", "guest", "nope", { v: 1 }, { expectRevision: rev1 }),
      (e) => e instanceof ConflictError && e.reason === "revision",
    );
    assert.deepEqual((await s.getEntity("triggers", "guest", "t"))?.doc, { v: 2 });
  });

  test("putEntity() revisions climb past 9 by number, not by string order", async (s) => {
    const revs: string[] = [];
    for (let i = 0; i < 12; i++) {
      revs.push(await s.putEntity("actions", "guest", "a", { i: i % 2 }, { overwrite: true }));
    }
    assert.deepEqual(revs.map(revNumber), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(revs[0]!.split("-")[1], revs[2]!.split("-")[1], "same content, same hash");
    assert.notEqual(revs[0]!.split("-")[1], revs[1]!.split("-")[1]);
    const rev13 = await s.putEntity("actions", "guest", "a", { i: 9 }, {
      expectRevision: revs[11]!,
    });
    assert.equal(revNumber(rev13), 13);
    await assert.rejects(
      s.putEntity("actions", "guest", "a", { i: 0 }, { expectRevision: revs[8]! }),
      ConflictError,
    );
  });

  test("getEntity() with a revision returns a mismatch unless it is current", async (s) => {
    const rev1 = await s.putEntity("actions", "guest", "a", { v: 1 });
    const rev2 = await s.putEntity("actions", "guest", "a", { v: 2 }, { overwrite: true });
    const current = await s.getEntity("actions", "guest", "a", { revision: rev2 });
    assert.equal(current?.type === "Entity" && current.revision, rev2);
    assert.deepEqual(await s.getEntity("actions", "guest", "a", { revision: rev1 }), {
      type: "RevisionMismatch",
      currentRevision: rev2,
    });
    const latest = await s.getEntity("actions", "guest", "a", { revision: "" });
    assert.equal(latest?.type === "Entity" && latest.revision, rev2);
    assert.equal(await s.getEntity("actions", "guest", "b", { revision: rev1 }), undefined);
  });

  test("putEntity() conflicts when the name belongs to another collection", async (s) => {
    await s.putEntity("actions", "guest", "x", { exec: {} });
    await assert.rejects(
      s.putEntity("triggers", "guest", "x", {}, { overwrite: true }),
      (e) => e instanceof ConflictError && e.reason === "collection",
    );
    assert.equal(await s.getEntity("triggers", "guest", "x"), undefined);
    await assert.rejects(s.deleteEntity("triggers", "guest", "x"), NotFoundError);
  });

  test("deleteEntity() returns the entity, and a re-created one continues revisions", async (s) => {
    const rev1 = await s.putEntity("rules", "guest", "r", { status: "active" });
    const rev2 = await s.putEntity("rules", "guest", "r", { status: "inactive" }, {
      overwrite: true,
    });
    await assert.rejects(
      s.deleteEntity("rules", "guest", "r", { expectRevision: rev1 }),
      (e) => e instanceof ConflictError && e.reason === "revision",
    );
    const deleted = await s.deleteEntity("rules", "guest", "r", { expectRevision: rev2 });
    assert.deepEqual([deleted.revision, deleted.doc], [rev2, { status: "inactive" }]);
    assert.equal(await s.getEntity("rules", "guest", "r"), undefined);
    assert.equal(await s.countEntities("rules", "guest"), 0);
    await assert.rejects(
      s.deleteEntity("rules", "guest", "r"),
      (e) => e instanceof NotFoundError && e.docId === "guest/r",
    );
    const rev4 = await s.putEntity("rules", "guest", "r", { status: "active" });
    assert.ok(revNumber(rev4) > revNumber(rev2), `${rev4} must sort after ${rev2}`);
  });

  test("listEntities() lists newest first with limit, skip and count", async (s) => {
    for (const n of ["a", "b", "c", "d"]) await s.putEntity("actions", "guest", n, { n });
    await s.putEntity("actions", "guest", "b", { n: "b2" }, { overwrite: true });
    await s.putEntity("packages", "guest", "p", {});
    await s.putEntity("actions", "other", "z", {});
    const names = async (o = {}) =>
      (await s.listEntities("actions", "guest", o)).map((e) => e.name);
    assert.deepEqual(await names(), ["b", "d", "c", "a"]);
    assert.deepEqual(await names({ limit: 2 }), ["b", "d"]);
    assert.deepEqual(await names({ limit: 2, skip: 3 }), ["a"]);
    assert.deepEqual(await names({ skip: 4 }), []);
    assert.equal(await s.countEntities("actions", "guest"), 4);
    assert.equal(await s.countEntities("packages", "guest"), 1);
    assert.deepEqual((await s.listEntities("actions", "other")).map((e) => e.doc), [{}]);
  });

  test("listEntities() orders by the given updated stamp", async (s) => {
    await s.putEntity("actions", "guest", "old", {}, { updated: 5 });
    await s.putEntity("actions", "guest", "new", {}, { updated: 50 });
    await s.putEntity("actions", "guest", "mid", {}, { updated: 20 });
    const list = await s.listEntities("actions", "guest");
    assert.deepEqual(list.map((e) => [e.name, e.updated]), [["new", 50], ["mid", 20], [
      "old",
      5,
    ]]);
  });

  test("listEntities() includes packaged actions, and a prefix lists one package", async (s) => {
    await s.putEntity("packages", "guest", "pkg", { binding: {} });
    await s.putEntity("actions", "guest", "pkg/a", { n: 1 });
    await s.putEntity("actions", "guest", "pkg/b", { n: 2 });
    await s.putEntity("actions", "guest", "pkgx", { n: 3 });
    const names = async (prefix?: string) =>
      (await s.listEntities("actions", "guest", prefix === undefined ? {} : { prefix }))
        .map((e) => e.name);
    assert.deepEqual(await names(), ["pkgx", "pkg/b", "pkg/a"]);
    assert.deepEqual(await names("pkg/"), ["pkg/b", "pkg/a"]);
    assert.equal(await s.countEntities("actions", "guest", { prefix: "pkg/" }), 2);
    assert.deepEqual((await s.getEntity("actions", "guest", "pkg/a"))?.doc, { n: 1 });
    assert.equal(await s.getEntity("actions", "guest", "a"), undefined);
  });

  test("putActivation() keeps the first record and logs the later writer", async (s, deps) => {
    const first = activation("1", 100, { writer: "first" });
    assert.equal(await s.putActivation(first), "inserted");
    assert.equal(await s.putActivation(activation("1", 200, { writer: "second" })), "exists");
    assert.deepEqual(await s.getActivation("guest", first.activationId), first);
    assert.equal(await s.countActivations("guest"), 1);
    const logged = deps.logger.entries.filter((e) => e.meta.activationId === first.activationId);
    assert.deepEqual(logged.map((e) => e.level), ["info"]);
    assert.equal(deps.logger.entries.some((e) => e.level === "error" || e.level === "warn"), false);
  });

  test("getActivation() finds a record only in its own namespace", async (s) => {
    const record = activation("2", 100);
    await s.putActivation(record);
    assert.equal(await s.getActivation("other", record.activationId), undefined);
    assert.equal(await s.getActivation("guest", "f".repeat(32)), undefined);
  });

  test("listActivations() lists newest first with paging, docs and summaries", async (s) => {
    for (const start of [10, 30, 20]) await s.putActivation(activation(String(start), start));
    await s.putActivation({ ...activation("99", 40), namespace: "other" });
    const ids = (list: { activationId: string }[]) => list.map((a) => Number(a.activationId));
    assert.deepEqual(ids(await s.listActivations("guest")), [30, 20, 10]);
    assert.deepEqual(ids(await s.listActivations("guest", { limit: 1, skip: 1 })), [20]);
    const [doc] = await s.listActivations("guest", { docs: true, limit: 1 });
    assert.deepEqual(doc, activation("30", 30));
    const [summary] = await s.listActivations("guest", { limit: 1 });
    assert.deepEqual(summary, {
      namespace: "guest",
      name: "hello",
      version: "0.0.1",
      publish: false,
      annotations: [{ key: "path", value: "guest/hello" }],
      activationId: activation("30", 30).activationId,
      start: 30,
      end: 35,
      duration: 5,
      statusCode: 0,
    });
  });

  test("listActivations() filters by plain or package name and by since/upto", async (s) => {
    const inPkg = { name: "hello", annotations: [{ key: "path", value: "guest/pkg/hello" }] };
    const viaBinding = {
      name: "hello",
      annotations: [{ key: "path", value: "whisk.system/utils/hello" }, {
        key: "binding",
        value: "guest/mybind",
      }],
    };
    await s.putActivation(activation("1", 100));
    await s.putActivation(activation("2", 200, inPkg));
    await s.putActivation(activation("3", 300));
    await s.putActivation(activation("4", 400, viaBinding));
    await s.putActivation(activation("5", 500, { name: "other", annotations: [] }));
    const ids = async (o: Record<string, unknown>) =>
      (await s.listActivations("guest", o)).map((a) => Number(a.activationId));
    assert.deepEqual(await ids({ name: "hello" }), [3, 1]);
    assert.deepEqual(await ids({ name: "pkg/hello" }), [2]);
    assert.deepEqual(await ids({ name: "mybind/hello" }), [4]);
    assert.deepEqual(await ids({ name: "other" }), [5]);
    assert.deepEqual(await ids({ since: 200, upto: 400 }), [4, 3, 2]);
    assert.deepEqual(await ids({ since: 201 }), [5, 4, 3]);
    assert.deepEqual(await ids({ upto: 199 }), [1]);
    assert.deepEqual(await ids({ name: "hello", since: 150 }), [3]);
    assert.equal(await s.countActivations("guest", { name: "hello" }), 2);
    assert.equal(await s.countActivations("guest", { since: 300 }), 3);
    assert.equal(await s.countActivations("nobody"), 0);
  });

  test("getIdentityByKey() finds the subject's namespace only with the right key", async (s) => {
    const key = "k".repeat(64);
    await s.putSubject({
      subject: "guest",
      namespaces: [{ name: "guest", uuid: "u-1", key }, { name: "guest2", uuid: "u-2", key }],
    });
    await s.putSubject({ subject: "alice", namespaces: [{ name: "alice", uuid: "u-3", key }] });
    assert.deepEqual(await s.getIdentityByKey("u-2", key), {
      subject: "guest",
      namespace: "guest2",
      uuid: "u-2",
      key,
    });
    assert.equal(await s.getIdentityByKey("u-1", "x".repeat(64)), undefined);
    assert.equal(await s.getIdentityByKey("u-1", key.slice(1)), undefined);
    assert.equal(await s.getIdentityByKey("u-9", key), undefined);
    assert.deepEqual((await s.listSubjects()).map((r) => r.subject), ["alice", "guest"]);
    assert.equal((await s.getSubject("guest"))?.namespaces.length, 2);
    assert.equal(await s.getSubject("bob"), undefined);
  });

  test("putSubject() replaces keys and refuses a key of another subject", async (s) => {
    const key = "k".repeat(64);
    await s.putSubject({ subject: "guest", namespaces: [{ name: "guest", uuid: "u-1", key }] });
    await s.putSubject({ subject: "guest", namespaces: [{ name: "guest", uuid: "u-5", key }] });
    assert.equal(await s.getIdentityByKey("u-1", key), undefined);
    assert.equal((await s.getIdentityByKey("u-5", key))?.subject, "guest");
    await assert.rejects(
      s.putSubject({ subject: "eve", namespaces: [{ name: "eve", uuid: "u-5", key }] }),
      ConflictError,
    );
    assert.equal(await s.getSubject("eve"), undefined);
  });

  test("putNamespaceLimits() stores a document getNamespaceLimits() returns", async (s) => {
    assert.equal(await s.getNamespaceLimits("guest"), undefined);
    await s.putNamespaceLimits("guest", { invocationsPerMinute: 10 });
    await s.putNamespaceLimits("guest", { invocationsPerMinute: 20, concurrentInvocations: 5 });
    assert.deepEqual(await s.getNamespaceLimits("guest"), {
      invocationsPerMinute: 20,
      concurrentInvocations: 5,
    });
    assert.equal(await s.getNamespaceLimits("other"), undefined);
  });

  test("putActivation() rejects a record without its index fields", async (s) => {
    const bad = { activationId: "x", namespace: "guest", name: "n" } as never;
    await assert.rejects(s.putActivation(bad), TypeError);
  });

  test("close() makes later calls fail as retryable unavailability", async (s) => {
    await s.close();
    await assert.rejects(
      s.getEntity("actions", "guest", "a"),
      (e) => e instanceof StoreUnavailableError && e.retryable,
    );
    await s.close();
  });
}
