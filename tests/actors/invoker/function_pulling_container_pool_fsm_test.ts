import assert from "node:assert/strict";
import {
  action,
  creation,
  deletion,
  initializedData,
  ofType,
  PoolDriver,
  preWarmData,
  testConfig,
  warmData,
} from "./_pool_fixtures.ts";
import type { WhiskAction } from "../../../protocols/whisk_action.ts";

type Eff = { type: string; [k: string]: unknown };
const effs = (e: readonly { type: string }[]) => e as readonly Eff[];
const acks = (e: readonly { type: string }[]) =>
  ofType(effs(e), "SendAck").map((x) =>
    x.ack as { success: boolean; error?: string; reason?: string; creationId: string }
  );

/** Creates a container for `a` and reports it initialized; returns its id. */
function busy(d: PoolDriver, a: WhiskAction, revision = "1-a"): string {
  const [spawn] = ofType(
    effs(d.send({ type: "CreationContainer", msg: creation(a, revision), action: a })),
    "SpawnProxy",
  );
  const id = spawn!.id as string;
  d.event(id, { type: "Initialized", data: initializedData(a, revision) });
  return id;
}

/** A busy container that then paused with `lastUsed`. */
function paused(d: PoolDriver, a: WhiskAction, lastUsed: number, revision = "1-a"): string {
  const id = busy(d, a, revision);
  d.event(id, { type: "ContainerIsPaused", data: warmData(a, revision, lastUsed) });
  return id;
}

Deno.test("poolTransition() stashes everything while Booting and boots on StateTimeout", () => {
  const d = new PoolDriver(testConfig(), false);
  assert.deepEqual(d.send({ type: "Enable" }), [{ type: "stash" }]);
  const effects = effs(d.send({ type: "StateTimeout" }));
  assert.equal(d.state.name, "Running");
  assert.deepEqual(effects.map((e) => e.type === "startTimer" ? e.key : e.type), [
    "sync-memory",
    "host-memory",
    "ReadHostMemory",
    "unstashAll",
  ]);
});

Deno.test("poolTransition() cold-starts when no prewarm matches", () => {
  const d = new PoolDriver();
  const a = action("hello");
  const msg = creation(a);
  const effects = effs(d.send({ type: "CreationContainer", msg, action: a }));
  const [spawn] = ofType(effects, "SpawnProxy");
  assert.equal(spawn?.id, "p1");
  assert.deepEqual((spawn?.command as { type: string; creationId: string }).type, "Initialize");
  assert.equal((spawn?.command as { creationId: string }).creationId, msg.creationId);
  assert.equal(d.state.inProgress.p1?.memoryMb, 256);
  assert.equal(d.state.coldStarts["nodejs:20|256"], 1);
});

Deno.test("poolTransition() acks ResourceNotEnoughError and reports memory at once when memory is short", () => {
  const d = new PoolDriver(testConfig({ userMemoryMb: 512 }));
  busy(d, action("a", 256));
  busy(d, action("b", 256));
  const c = action("c", 256);
  const effects = d.send({ type: "CreationContainer", msg: creation(c), action: c });
  assert.deepEqual(acks(effects).map((a) => a.error), ["ResourceNotEnoughError"]);
  assert.deepEqual(ofType(effs(effects), "ReportMemory").map((e) => e.info), [
    { type: "MemoryInfo", freeMemory: 0, busyMemory: 512, inProgressMemory: 0 },
  ]);
  assert.equal(ofType(effs(effects), "SpawnProxy").length, 0);
});

Deno.test("poolTransition() keeps room for one more container: a placement that fills memory asks the longest-serving to pause when idle", () => {
  const d = new PoolDriver(testConfig({ userMemoryMb: 768 }));
  const first = busy(d, action("a", 256));
  const second = busy(d, action("b", 256));
  const c = action("c", 256);
  // Placing c leaves 0 MB free and nothing paused: the oldest busy one is asked.
  const effects = effs(d.send({ type: "CreationContainer", msg: creation(c), action: c }));
  assert.equal(ofType(effects, "SpawnProxy").length, 1);
  assert.deepEqual(
    ofType(effects, "TellProxy").map((e) => [e.id, (e.command as { type: string }).type]),
    [[first, "PauseWhenIdle"]],
  );
  assert.notEqual(first, second);
  // With room to spare nobody is asked.
  const roomy = new PoolDriver(testConfig({ userMemoryMb: 2048 }));
  busy(roomy, action("a", 256));
  const more = effs(roomy.send({ type: "CreationContainer", msg: creation(c), action: c }));
  assert.deepEqual(ofType(more, "TellProxy"), []);
});

Deno.test("poolTransition() acks ShuttingDownError while shutting down and NonExecutableActionError for a sequence", () => {
  const d = new PoolDriver();
  const seq: WhiskAction = {
    ...action("seq"),
    exec: { kind: "sequence", components: ["/guest/a"] },
  };
  assert.deepEqual(
    acks(d.send({ type: "CreationContainer", msg: creation(seq), action: seq })).map((a) =>
      a.error
    ),
    [
      "NonExecutableActionError",
    ],
  );
  d.send({ type: "GracefulShutdown" });
  const a = action("a");
  assert.deepEqual(
    acks(d.send({ type: "CreationContainer", msg: creation(a), action: a })).map((x) => x.error),
    [
      "ShuttingDownError",
    ],
  );
  d.send({ type: "Enable" });
  assert.equal(
    ofType(effs(d.send({ type: "CreationContainer", msg: creation(a), action: a })), "SpawnProxy")
      .length,
    1,
  );
});

Deno.test("poolTransition() drains at most batchDeletionSize containers per tick, busy ones first", () => {
  const d = new PoolDriver(testConfig({ batchDeletionSize: 2 }));
  const p = paused(d, action("old"), 1);
  const b = [busy(d, action("a")), busy(d, action("b")), busy(d, action("c"))];
  const first = effs(d.send({ type: "GracefulShutdown" }));
  assert.deepEqual(ofType(first, "TellProxy").map((e) => e.id), [b[0], b[1]]);
  assert.equal(ofType(first, "startTimer")[0]?.key, "drain");
  const second = effs(d.send({ type: "DrainTick" }));
  assert.deepEqual(ofType(second, "TellProxy").map((e) => e.id), [b[2], p]);
  assert.deepEqual(ofType(second, "TellProxy").map((e) => (e.command as { type: string }).type), [
    "GracefulShutdown",
    "GracefulShutdown",
  ]);
  assert.equal(Object.keys(d.state.disabling).length, 4);
  assert.deepEqual(effs(d.send({ type: "DrainTick" })), [{ type: "cancelTimer", key: "drain" }]);
});

Deno.test("poolTransition() starts initialCount prewarms at boot and backfills a removed one", () => {
  const d = new PoolDriver(
    testConfig({ prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 2 }] }),
    false,
  );
  const boot = effs(d.send({ type: "StateTimeout" }));
  assert.deepEqual(ofType(boot, "SpawnProxy").map((e) => e.command), [
    { type: "Start", kind: "nodejs:20", memoryMb: 256 },
    { type: "Start", kind: "nodejs:20", memoryMb: 256 },
  ]);
  d.event("p1", { type: "ReadyToWork", data: preWarmData() });
  assert.equal(Object.keys(d.state.prewarmed).length, 1);
  const after = effs(
    d.event("p1", { type: "ContainerRemoved", replacePrewarm: true, heldActivations: [] }),
  );
  assert.deepEqual(ofType(after, "SpawnProxy").map((e) => e.id), ["p3"]);
});

Deno.test("poolTransition() paces prewarm starts by the creation config", () => {
  const d = new PoolDriver(
    testConfig({
      prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 3 }],
      prewarmCreation: { maxConcurrent: 2, creationDelayMs: 100 },
    }),
    false,
  );
  const boot = effs(d.send({ type: "StateTimeout" }));
  assert.equal(ofType(boot, "SpawnProxy").length, 0);
  assert.ok(ofType(boot, "startTimer").some((t) => t.key === "prewarm-creation" && t.ms === 100));
  assert.equal(ofType(effs(d.send({ type: "PrewarmTick" })), "SpawnProxy").length, 2);
  assert.equal(ofType(effs(d.send({ type: "PrewarmTick" })), "SpawnProxy").length, 1);
  assert.equal(ofType(effs(d.send({ type: "PrewarmTick" })), "SpawnProxy").length, 0);
});

Deno.test("poolTransition() uses a matching prewarm and starts a replacement", () => {
  const d = new PoolDriver(
    testConfig({ prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 1 }] }),
  );
  d.event("p1", { type: "ReadyToWork", data: preWarmData() });
  const a = action("hello", 256);
  const effects = effs(d.send({ type: "CreationContainer", msg: creation(a), action: a }));
  assert.deepEqual(
    ofType(effects, "TellProxy").map((e) => [e.id, (e.command as { type: string }).type]),
    [
      ["p1", "Initialize"],
    ],
  );
  assert.deepEqual(ofType(effects, "SpawnProxy").map((e) => e.command), [
    { type: "Start", kind: "nodejs:20", memoryMb: 256 },
  ]);
  assert.equal(d.state.inProgress.p1?.via, "prewarm");
  assert.equal(d.state.coldStarts["nodejs:20|256"], undefined);
});

Deno.test("poolTransition() promotes a larger prewarm only under prewarm-promotion", () => {
  for (const promotion of [false, true]) {
    const d = new PoolDriver(testConfig({
      prewarm: [{ kind: "nodejs:20", memoryMb: 512, initialCount: 1 }],
      prewarmPromotion: promotion,
    }));
    d.event("p1", { type: "ReadyToWork", data: preWarmData("nodejs:20", 512) });
    const a = action("hello", 256);
    const effects = effs(d.send({ type: "CreationContainer", msg: creation(a), action: a }));
    assert.equal(ofType(effects, "TellProxy").length, promotion ? 1 : 0, `promotion ${promotion}`);
    assert.equal(d.state.inProgress.p1?.memoryMb, promotion ? 512 : undefined);
  }
});

Deno.test("poolTransition() ignores prewarms of another kind or too small", () => {
  const d = new PoolDriver(testConfig({
    prewarm: [{ kind: "python:3", memoryMb: 256, initialCount: 1 }, {
      kind: "nodejs:20",
      memoryMb: 128,
      initialCount: 1,
    }],
  }));
  d.event("p1", { type: "ReadyToWork", data: preWarmData("python:3", 256) });
  d.event("p2", { type: "ReadyToWork", data: preWarmData("nodejs:20", 128) });
  const a = action("hello", 256);
  const effects = effs(d.send({ type: "CreationContainer", msg: creation(a), action: a }));
  assert.equal(ofType(effects, "TellProxy").length, 0);
  assert.equal(ofType(effects, "SpawnProxy").length, 1);
  assert.equal(Object.keys(d.state.prewarmed).length, 2);
});

Deno.test("poolTransition() reuses a paused container of the same invNs, action and revision", () => {
  const d = new PoolDriver();
  const a = action("hello");
  const p = paused(d, a, 5, "2-b");
  paused(d, a, 9, "1-a"); // other revision
  const msg = creation(a, "2-b");
  const effects = effs(d.send({ type: "CreationContainer", msg, action: a }));
  assert.deepEqual(ofType(effects, "TellProxy").map((e) => e.id), [p]);
  assert.equal(ofType(effects, "SpawnProxy").length, 0);
  assert.deepEqual(
    acks(d.event(p, { type: "Resumed", data: warmData(a, "2-b", 5) })).map((
      x,
    ) => [x.success, x.creationId]),
    [
      [true, msg.creationId],
    ],
  );
});

Deno.test("poolTransition() retries elsewhere when a paused container fails to resume", () => {
  const d = new PoolDriver();
  const a = action("hello");
  const first = busy(d, a);
  const second = busy(d, a);
  d.event(first, { type: "ContainerIsPaused", data: warmData(a, "1-a", 9) });
  d.event(second, { type: "ContainerIsPaused", data: warmData(a, "1-a", 1) });
  const msg = creation(a);
  assert.deepEqual(
    ofType(effs(d.send({ type: "CreationContainer", msg, action: a })), "TellProxy").map((e) =>
      e.id
    ),
    [
      first,
    ],
  );
  const retry = effs(d.event(first, { type: "ResumeFailed", data: warmData(a) }));
  assert.deepEqual(ofType(retry, "TellProxy").map((e) => e.id), [second]);
  assert.ok(first in d.state.disabling);
  const cold = effs(d.event(second, { type: "ResumeFailed", data: warmData(a) }));
  const [spawn] = ofType(cold, "SpawnProxy");
  assert.equal((spawn?.command as { creationId: string }).creationId, msg.creationId);
});

Deno.test("poolTransition() evicts the oldest paused containers to make room", () => {
  const d = new PoolDriver(testConfig({ userMemoryMb: 768 }));
  const newer = paused(d, action("x"), 50);
  const older = paused(d, action("y"), 10);
  busy(d, action("z"));
  const a = action("hello", 256);
  const effects = effs(d.send({ type: "CreationContainer", msg: creation(a), action: a }));
  assert.deepEqual(
    ofType(effects, "TellProxy").map((e) => [e.id, (e.command as { type: string }).type]),
    [
      [older, "Remove"],
    ],
  );
  assert.equal(ofType(effects, "SpawnProxy").length, 1);
  assert.ok(newer in d.state.paused);
  assert.ok(older in d.state.removing);
  // Its later removal frees nothing twice and acks nothing.
  assert.deepEqual(
    d.event(older, { type: "ContainerRemoved", replacePrewarm: false, heldActivations: [] }),
    [],
  );
});

Deno.test("poolTransition() fails a creation only when it needs more than free plus paused memory", () => {
  const d = new PoolDriver(testConfig({ userMemoryMb: 512 }));
  paused(d, action("x", 256), 1);
  busy(d, action("y", 256));
  const big = action("big", 512);
  assert.deepEqual(
    acks(d.send({ type: "CreationContainer", msg: creation(big), action: big })).map((x) =>
      x.error
    ),
    [
      "ResourceNotEnoughError",
    ],
  );
  const fits = action("fits", 256);
  assert.equal(
    ofType(
      effs(d.send({ type: "CreationContainer", msg: creation(fits), action: fits })),
      "SpawnProxy",
    ).length,
    1,
  );
});

Deno.test("poolTransition() sends retryable error acks on creation failures and a proxy lost while starting", () => {
  const d = new PoolDriver();
  const a = action("hello");
  d.send({ type: "CreationContainer", msg: creation(a), action: a });
  const failed = acks(
    d.event("p1", {
      type: "ContainerCreationFailed",
      reason: "WhiskContainerStartupError",
      message: "boom",
    }),
  );
  assert.deepEqual(failed.map((x) => [x.error, x.reason]), [["WhiskError", "boom"]]);
  assert.deepEqual(
    d.event("p1", { type: "ContainerRemoved", replacePrewarm: true, heldActivations: [] }),
    [],
  );
  assert.equal(d.state.inProgress.p1, undefined);
  d.send({ type: "CreationContainer", msg: creation(a), action: a });
  const unknown = acks(
    d.event("p2", { type: "ContainerCreationFailed", reason: "Unknown", message: "x" }),
  );
  assert.deepEqual(unknown.map((x) => [x.error, x.reason]), [[
    "WhiskError",
    "resource provision error",
  ]]);
  d.send({ type: "CreationContainer", msg: creation(a), action: a });
  const lost = acks(
    d.event("p3", { type: "ContainerRemoved", replacePrewarm: false, heldActivations: [] }),
  );
  assert.deepEqual(lost.map((x) => [x.error, x.reason]), [[
    "UnknownError",
    "ContainerProxy init failed.",
  ]]);
});

Deno.test("poolTransition() deletes only containers of revisions up to the old one (initializing ones included)", () => {
  const d = new PoolDriver();
  const a = action("hello");
  const oldBusy = busy(d, a, "1-a");
  const oldPaused = paused(d, a, 3, "1-a");
  const fresh = busy(d, a, "2-b"); // the new revision's container, still InitializedData
  const other = busy(d, action("other"), "1-a");
  const effects = effs(d.send({ type: "DeletionContainer", msg: deletion(a, "1-a") }));
  assert.deepEqual(
    ofType(effects, "TellProxy").map((e) => e.id).sort(),
    [oldBusy, oldPaused].sort(),
  );
  assert.ok(fresh in d.state.busy && other in d.state.busy);
});

Deno.test("poolTransition() reports memory with paused memory as free, bounded by the host", () => {
  const d = new PoolDriver(testConfig({ userMemoryMb: 1024 }));
  paused(d, action("x", 256), 1);
  const y = busy(d, action("y", 128));
  const a = action("z", 256);
  d.send({ type: "CreationContainer", msg: creation(a), action: a });
  const [report] = ofType(effs(d.send({ type: "SyncMemory" })), "ReportMemory");
  assert.deepEqual(report?.info, {
    type: "MemoryInfo",
    freeMemory: 640,
    busyMemory: 128,
    inProgressMemory: 256,
  });
  d.send({ type: "HostMemoryRead", usableMb: 600 });
  // Host headroom: 600 - 256 reserved = 344 free now, plus 256 paused.
  const [bounded] = ofType(effs(d.send({ type: "SyncMemory" })), "ReportMemory");
  assert.equal((bounded?.info as { freeMemory: number }).freeMemory, 600);
  const big = action("big", 512);
  // 512 MB: 344 free under the host bound, so the paused container is evicted for it.
  const evicting = effs(d.send({ type: "CreationContainer", msg: creation(big), action: big }));
  assert.deepEqual(acks(evicting), []);
  // The paused container goes; with no room left for another 512 MB, the busy one is
  // asked to pause once idle.
  assert.deepEqual(
    ofType(evicting, "TellProxy").map((e) => [e.id, (e.command as { type: string }).type]),
    [[ofType(evicting, "TellProxy")[0]!.id, "Remove"], [y, "PauseWhenIdle"]],
  );
  assert.equal(ofType(evicting, "SpawnProxy").length, 1);
  const more = action("more", 256);
  assert.deepEqual(
    acks(d.send({ type: "CreationContainer", msg: creation(more), action: more })).map((x) =>
      x.error
    ),
    [
      "ResourceNotEnoughError",
    ],
  );
});

Deno.test("poolTransition() writes records for held activations and destroys a crashed proxy's container", () => {
  const d = new PoolDriver();
  const a = action("hello");
  const id = busy(d, a);
  const container = warmData(a).container;
  const held = [{ type: "ActivationMessage" } as never];
  const effects = effs(d.event(id, {
    type: "ContainerRemoved",
    replacePrewarm: true,
    heldActivations: held,
    crashedWith: { container, error: "bug" },
  }));
  assert.deepEqual(ofType(effects, "StoreRecords").map((e) => e.reason), [
    "The container proxy failed: bug",
  ]);
  assert.deepEqual(ofType(effects, "DestroyContainer").map((e) => e.container), [container]);
  assert.equal(Object.keys(d.state.busy).length, 0);
});

Deno.test("poolTransition() adjusts prewarms from cold starts with a reactive config", () => {
  const reactive = { minCount: 1, maxCount: 4, ttlMs: 60_000, threshold: 2, increment: 1 };
  const d = new PoolDriver(
    testConfig({
      userMemoryMb: 4096,
      prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 1, reactive }],
    }),
    false,
  );
  const boot = effs(d.send({ type: "StateTimeout" }));
  assert.ok(ofType(boot, "startTimer").some((t) => t.key === "prewarm-adjust" && t.ms === 600_000));
  d.event("p1", { type: "ReadyToWork", data: preWarmData("nodejs:20", 256, 5_000) });
  for (let i = 0; i < 6; i++) {
    const a = action(`a${i}`, 256);
    d.send({ type: "CreationContainer", msg: creation(a), action: a });
  }
  // The first creation took the prewarm and backfilled one; the other 5 were cold starts.
  assert.equal(d.state.coldStarts["nodejs:20|256"], 5);
  const adjust = effs(d.send({ type: "AdjustPrewarmedContainer", scheduled: true }, 10_000));
  // floor(5 / 2) × 1 = 2 wanted; one is starting already.
  assert.equal(ofType(adjust, "SpawnProxy").length, 1);
  assert.deepEqual(d.state.coldStarts, {});
  assert.ok(
    ofType(adjust, "startTimer").some((t) => t.key === "prewarm-adjust" && t.ms === 600_000),
  );
});

Deno.test("poolTransition() expires old prewarms and stops backfill past the failure limit", () => {
  const d = new PoolDriver(testConfig({
    prewarm: [{ kind: "nodejs:20", memoryMb: 256, initialCount: 1 }],
    prewarmMaxRetryLimit: 1,
  }));
  d.event("p1", { type: "ReadyToWork", data: preWarmData("nodejs:20", 256, 2_000) });
  const adjust = effs(d.send({ type: "AdjustPrewarmedContainer" }, 3_000));
  assert.deepEqual(
    ofType(adjust, "TellProxy").map((e) => [e.id, (e.command as { type: string }).type]),
    [["p1", "Remove"]],
  );
  assert.equal(ofType(adjust, "SpawnProxy").length, 1);
  // Two starting prewarms fail: the count (2) exceeds the limit (1), so no more backfill.
  const failures = effs(
    d.event("p2", { type: "ContainerRemoved", replacePrewarm: true, heldActivations: [] }),
  );
  assert.equal(ofType(failures, "SpawnProxy").length, 1);
  assert.equal(
    ofType(
      effs(d.event("p3", { type: "ContainerRemoved", replacePrewarm: true, heldActivations: [] })),
      "SpawnProxy",
    ).length,
    0,
  );
  assert.equal(d.state.prewarmFailures, 2);
  // The adjustment resets the failure count and backfills again.
  assert.equal(
    ofType(effs(d.send({ type: "AdjustPrewarmedContainer" }, 4_000)), "SpawnProxy").length,
    1,
  );
});
