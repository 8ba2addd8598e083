/**
 * Real-process tests of the process sandbox and our runtime proxies, for every kind:
 * init and run, errors, time and memory limits, logs, pause, concurrency, crashes,
 * the private network namespace, and leftover cleanup. Each test destroys its
 * containers and asserts that no process or cgroup is left.
 */

import assert from "node:assert/strict";
import {
  ACTIVATION_LOG_SENTINEL,
  ContainerStartError,
  CRASHED_MESSAGE,
  logTruncatedMessage,
  MEMORY_EXHAUSTED_MESSAGE,
  timeLimitMessage,
} from "../../../runtime/containers/mod.ts";
import { ProcessContainer } from "../../../runtime/containers/process_container.ts";
import {
  assertNoLeftovers,
  fixture,
  KINDS,
  processAlive,
  runBody,
  settlesWithin,
  SKIP_REAL,
  started,
  testFactory,
  withContainer,
} from "./_harness.ts";

const INVOKER = 9701;
const { factory, prefix } = await testFactory(INVOKER);
const ignore = SKIP_REAL;

function pidOf(c: unknown): number {
  assert.ok(c instanceof ProcessContainer);
  return c.pid;
}

for (const k of KINDS) {
  const tag = k.dir;

  Deno.test(`create() runs a ${k.kind} action with __OW_ env and per-activation logs`, {
    ignore,
  }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-hello`, fixture(k, "hello")),
      async (c) => {
        const first = c.logMark();
        const r1 = await c.run(runBody({ name: "ann" }, "a1"), 5000);
        assert.equal(r1.status, 200);
        assert.deepEqual(r1.body, { hello: "ann", activation: "a1" });
        const logs1 = await c.logs(first, 10_000);
        const second = c.logMark();
        const r2 = await c.run(runBody({ name: "bob" }, "a2"), 5000);
        assert.deepEqual(r2.body, { hello: "bob", activation: "a2" });
        const logs2 = await c.logs(second, 10_000);
        assert.deepEqual(logs1.map((l) => l.slice(31)), ["stdout: hello ann", "stderr: warn ann"]);
        assert.deepEqual(logs2.map((l) => l.slice(31)), ["stdout: hello bob", "stderr: warn bob"]);
        assert.match(logs1[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z +stdout: /);
        assert.ok(logs1.every((l) => !l.includes(ACTIVATION_LOG_SENTINEL)));
        const again = await c.initialize({ value: { main: "main", code: "x" } }, 5000);
        assert.equal(again.status, 403);
      },
    );
  });

  Deno.test(`run() passes an application error of a ${k.kind} action through`, {
    ignore,
  }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-apperr`, fixture(k, "error_result")),
      async (c) => {
        const r = await c.run(runBody({}), 5000);
        assert.equal(r.status, 200);
        assert.equal(r.failure, undefined);
        assert.deepEqual(r.body, { error: "bad input" });
        assert.equal(c.exited, false);
      },
    );
  });

  Deno.test(`run() answers 502 {error} when a ${k.kind} action throws`, { ignore }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-throws`, fixture(k, "throws")),
      async (c) => {
        const r = await c.run(runBody({}), 5000);
        assert.equal(r.status, 502);
        assert.match(String((r.body as { error: unknown }).error), /boom/);
        const later = await c.run(runBody({}), 5000);
        assert.equal(later.status, 403);
      },
    );
  });

  Deno.test(`run() kills a ${k.kind} action at its time limit`, { ignore }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-loop`, fixture(k, "busy_loop")),
      async (c) => {
        const r = await c.run(runBody({}), 300);
        assert.equal(r.failure?.type, "timeout");
        assert.equal(r.failure?.message, timeLimitMessage(300));
        assert.deepEqual(r.body, {
          error: "The action exceeded its time limits of 300 milliseconds.",
        });
        assert.ok(r.durationMs >= 300 && r.durationMs < 3000, `took ${r.durationMs} ms`);
        assert.equal(c.exited, true);
        assert.equal(processAlive(pidOf(c)), false);
      },
    );
  });

  Deno.test(`run() reports an OOM kill of a 64 MB ${k.kind} container`, { ignore }, async () => {
    assert.ok(factory.capabilities().memoryCgroup, "memory cgroup v1 is not writable here");
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-oom`, fixture(k, "alloc"), { memoryMb: 64 }),
      async (c) => {
        const r = await c.run(runBody({ mb: 200 }), 10_000);
        assert.equal(r.failure?.type, "oom", JSON.stringify(r));
        assert.deepEqual(r.body, { error: MEMORY_EXHAUSTED_MESSAGE });
        assert.equal(c.exited, true);
      },
    );
  });

  Deno.test(`logs() truncates ${k.kind} output at the log limit`, { ignore }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-chatty`, fixture(k, "chatty")),
      async (c) => {
        const mark = c.logMark();
        const r = await c.run(runBody({ lines: 100 }), 5000);
        assert.deepEqual(r.body, { printed: 100 });
        const lines = await c.logs(mark, 1000);
        assert.equal(lines.length, 11, lines.join("\n"));
        assert.ok(lines.slice(0, 10).every((l, i) => l.includes(`stdout: line ${i} `)));
        assert.ok(lines[10]!.endsWith(`stderr: ${logTruncatedMessage(1000)}`));
      },
    );
  });

  Deno.test(`pause() stops a ${k.kind} activation until resume()`, { ignore }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-pause`, fixture(k, "sleep")),
      async (c) => {
        const running = c.run(runBody({ ms: 150 }), 10_000);
        await c.pause();
        assert.equal(await settlesWithin(running, 600), false, "progressed while paused");
        await c.resume();
        const r = await running;
        assert.deepEqual(r.body, { slept: 150 });
        const next = await c.run(runBody({ ms: 1 }), 5000);
        assert.deepEqual(next.body, { slept: 1 });
      },
    );
  });

  Deno.test(`run() overlaps ${k.kind} activations with __OW_ALLOW_CONCURRENT`, {
    ignore,
  }, async () => {
    const env = { __OW_ALLOW_CONCURRENT: "true" };
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-conc`, fixture(k, "sleep"), { env }),
      async (c) => {
        const t0 = performance.now();
        const results = await Promise.all([1, 2, 3].map(() => c.run(runBody({ ms: 400 }), 5000)));
        const elapsed = performance.now() - t0;
        assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
        assert.ok(elapsed < 1000, `runs did not overlap: ${elapsed} ms`);
      },
    );
  });

  Deno.test(`run() refuses an overlapping ${k.kind} activation without concurrency`, {
    ignore,
  }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-serial`, fixture(k, "sleep")),
      async (c) => {
        const first = c.run(runBody({ ms: 300 }), 5000);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const second = await c.run(runBody({ ms: 1 }), 5000);
        assert.equal(second.status, 403);
        assert.equal((await first).status, 200);
      },
    );
  });

  Deno.test(`run() reports a ${k.kind} runtime that exits mid-run as a crash`, {
    ignore,
  }, async () => {
    await withContainer(
      prefix,
      () => started(factory, k, `${tag}-exit`, fixture(k, "exit")),
      async (c) => {
        const mark = c.logMark();
        const r = await c.run(runBody({}), 5000);
        assert.equal(r.failure?.type, "crashed");
        assert.deepEqual(r.body, { error: CRASHED_MESSAGE });
        assert.equal(c.exited, true);
        const lines = await c.logs(mark, 10_000);
        assert.ok(lines[0]?.endsWith("stdout: about to exit"), lines.join("\n"));
        assert.match(lines.at(-1)!, /did not initialize or run as expected/);
        // The next request finds the process gone: it is never sent, so it can go elsewhere.
        const again = await c.run(runBody({}), 5000);
        assert.equal(again.failure?.type, "unreachable");
        assert.match(String((again.body as { error: string }).error), /^The container was gone/);
      },
    );
  });

  Deno.test(`a ${k.kind} action cannot reach the host's 127.0.0.1`, { ignore }, async () => {
    assert.ok(factory.capabilities().networkNamespace, "unshare -n is not available here");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    const accepted = (async () => {
      for await (const conn of listener) conn.close();
    })();
    try {
      // The listener really is reachable from outside the sandbox.
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      await withContainer(
        prefix,
        () => started(factory, k, `${tag}-net`, fixture(k, "connect")),
        async (c) => {
          const r = await c.run(runBody({ port }), 5000);
          assert.equal(r.status, 200);
          assert.equal((r.body as { connected: boolean }).connected, false, JSON.stringify(r.body));
        },
      );
    } finally {
      listener.close();
      await accepted;
    }
  });
}

Deno.test("create() runs several TCP-only proxies on port 8080 behind relays", {
  ignore,
}, async () => {
  const nodeKind = { kind: "nodejs:20-tcp", dir: "nodejs", ext: "js" } as const;
  const [a, b] = await Promise.all([
    started(factory, nodeKind as never, "tcp-a", fixture(KINDS[0], "hello")),
    started(factory, nodeKind as never, "tcp-b", fixture(KINDS[0], "hello")),
  ]);
  try {
    const [ra, rb] = await Promise.all([
      a!.run(runBody({ name: "a" }, "ida"), 5000),
      b!.run(runBody({ name: "b" }, "idb"), 5000),
    ]);
    assert.deepEqual(ra.body, { hello: "a", activation: "ida" });
    assert.deepEqual(rb.body, { hello: "b", activation: "idb" });
  } finally {
    await Promise.all([a!.destroy(), b!.destroy()]);
    assertNoLeftovers(prefix);
  }
});

Deno.test("create() rejects an unknown kind with ContainerStartError", async () => {
  await assert.rejects(
    factory.create({ name: "nokind", kind: "cobol:1", memoryMb: 128 }),
    (e) => e instanceof ContainerStartError && /Unknown runtime kind/.test(e.message),
  );
  // A blackbox action gets told why, not that "blackbox" is unknown.
  await assert.rejects(
    factory.create({ name: "docker", kind: "blackbox", memoryMb: 128 }),
    (e) => e instanceof ContainerStartError && /need a container engine/.test(e.message),
  );
});

Deno.test("create() rejects a runtime that exits before it is ready", { ignore }, async () => {
  const { factory: broken, prefix: p } = await testFactory(9702, {
    kinds: {
      "broken:1": { transport: "unix", command: () => ["sh", "-c", "echo nope >&2; exit 3"] },
    },
  });
  await assert.rejects(
    broken.create({ name: "broken", kind: "broken:1", memoryMb: 128 }),
    (e) =>
      e instanceof ContainerStartError && /exited before it was ready/.test(e.message) &&
      /nope/.test(e.message),
  );
  assertNoLeftovers(p);
});

Deno.test("capabilities() reports cgroups, netns, no_new_privs and nofile here", { ignore }, () => {
  assert.deepEqual(factory.capabilities(), {
    memoryCgroup: true,
    freezerCgroup: true,
    pidsCgroup: true,
    networkNamespace: true,
    noNewPrivileges: true,
    openFilesLimit: true,
    memoryEnforcement: "cgroup",
    pause: "freezer",
  });
});

Deno.test("cleanupLeftovers() kills the processes of a leftover cgroup and removes it", {
  ignore,
}, async () => {
  const { factory: restarted, prefix: p } = await testFactory(9703);
  const name = `${p}leftover`;
  for (const c of ["memory", "freezer", "pids"]) Deno.mkdirSync(`/sys/fs/cgroup/${c}/${name}`);
  await Deno.writeTextFile(`/sys/fs/cgroup/freezer/${name}/freezer.state`, "FROZEN");
  const procs = ["memory", "freezer", "pids"].map((c) =>
    `/sys/fs/cgroup/${c}/${name}/cgroup.procs`
  );
  const join = 'for f in "$@"; do echo $$ > "$f"; done; exec sleep 60';
  const orphan = new Deno.Command("sh", { args: ["-c", join, "sh", ...procs], detached: true })
    .spawn();
  try {
    for (let i = 0; i < 100 && !Deno.readTextFileSync(procs[2]!).trim(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(Deno.readTextFileSync(procs[0]!).trim(), String(orphan.pid));
    assert.equal(await restarted.cleanupLeftovers(p), 1);
    const status = await orphan.status;
    assert.equal(status.signal, "SIGKILL");
    assert.equal(processAlive(orphan.pid), false);
    assertNoLeftovers(p);
  } finally {
    try {
      orphan.kill("SIGKILL");
    } catch {
      // already gone
    }
    await orphan.status;
  }
});
