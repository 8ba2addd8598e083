/**
 * Tests of the sandbox's launch line and of the weaker fallbacks used where cgroups
 * and network namespaces are unavailable (forced here through a probe override).
 */

import assert from "node:assert/strict";
import { MEMORY_EXHAUSTED_MESSAGE } from "../../../runtime/containers/mod.ts";
import { DEFAULT_KINDS } from "../../../runtime/containers/runtime_kinds.ts";
import {
  launchArgv,
  probeSandbox,
  type SandboxSetup,
  shellQuote,
} from "../../../runtime/containers/sandbox.ts";
import {
  fixture,
  KINDS,
  runBody,
  settlesWithin,
  SKIP_REAL,
  started,
  testFactory,
  withContainer,
} from "./_harness.ts";

const ignore = SKIP_REAL;
const exe = { node: "/n", python: "/p", deno: "/d" };
const ctx = { exe, socketPath: "/run/c/proxy.sock", workDir: "/run/c" };
const full: SandboxSetup = {
  cgroups: { root: "/sys/fs/cgroup", available: new Set(["memory", "freezer", "pids"]) },
  setpriv: true,
  prlimit: true,
  unshareNet: true,
  ip: "/usr/sbin/ip",
};
const bare: SandboxSetup = {
  cgroups: { root: "/sys/fs/cgroup", available: new Set() },
  setpriv: false,
  prlimit: false,
  unshareNet: false,
};

Deno.test("launchArgv() chains cgroup join, setpriv, prlimit and unshare -n before the proxy", () => {
  const argv = launchArgv(full, DEFAULT_KINDS["nodejs:20"]!, ctx, ["/cg/a", "/cg/b"]);
  const afterScript = argv.slice(3);
  assert.deepEqual(afterScript.slice(0, 4), ["wsk-sandbox", "/cg/a", "/cg/b", "--"]);
  assert.deepEqual(afterScript.slice(4, 13), [
    "setpriv",
    "--no-new-privs",
    "--",
    "prlimit",
    "--nofile=1024:1024",
    "--",
    "unshare",
    "-n",
    "--",
  ]);
  assert.equal(afterScript[13], "/n");
  assert.equal(afterScript.at(-1), "/run/c/proxy.sock");
  assert.ok(!argv.some((a) => /--as=|RLIMIT_AS/.test(a)), "RLIMIT_AS must not be used");
});

Deno.test("launchArgv() adds the heap flag only when no memory cgroup enforces the limit", () => {
  const capped = launchArgv(bare, DEFAULT_KINDS["nodejs:20"]!, { ...ctx, heapLimitMb: 64 }, []);
  assert.ok(capped.includes("--max-old-space-size=64"));
  assert.ok(!capped.includes("unshare"));
  const plain = launchArgv(full, DEFAULT_KINDS["nodejs:20"]!, ctx, []);
  assert.ok(!plain.some((a) => a.startsWith("--max-old-space-size")));
});

Deno.test("launchArgv() brings lo up and starts the relay for a TCP-only kind", () => {
  const argv = launchArgv(full, DEFAULT_KINDS["nodejs:20-tcp"]!, ctx, []);
  const script = argv.at(-1)!;
  assert.match(script, /^set -e; '\/usr\/sbin\/ip' link set lo up && /);
  assert.match(script, /unix_tcp_relay\.js' '\/run\/c\/proxy\.sock' '8080' & exec '\/n' /);
});

Deno.test("shellQuote() survives single quotes", () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

Deno.test("probeSandbox() finds a writable memory cgroup and unshare -n as root here", {
  ignore,
}, () => {
  const setup = probeSandbox();
  assert.ok(setup.cgroups.available.has("memory"), "cgroup v1 memory is not writable");
  assert.ok(setup.unshareNet, "unshare -n does not work");
});

Deno.test(
  "fallback sandbox caps the Node heap, reports oom, pauses by SIGSTOP, shares the network",
  {
    ignore,
  },
  async () => {
    const { factory, prefix } = await testFactory(9711, { sandbox: bare });
    const caps = factory.capabilities();
    assert.equal(caps.memoryEnforcement, "runtime-heap");
    assert.equal(caps.pause, "sigstop");
    assert.equal(caps.networkNamespace, false);
    const node = KINDS[0];
    const heapHog = "function main(){const a=[];for(;;)a.push(new Array(1e6).fill(1.5));}";
    await withContainer(
      prefix,
      () => started(factory, node, "heap", heapHog, { memoryMb: 64 }),
      async (c) => {
        const r = await c.run(runBody({}), 20_000);
        assert.equal(r.failure?.type, "oom", JSON.stringify(r));
        assert.deepEqual(r.body, { error: MEMORY_EXHAUSTED_MESSAGE });
      },
    );
    await withContainer(
      prefix,
      () => started(factory, node, "stop", fixture(node, "sleep")),
      async (c) => {
        const running = c.run(runBody({ ms: 100 }), 10_000);
        await c.pause();
        assert.equal(await settlesWithin(running, 500), false, "progressed while stopped");
        await c.resume();
        assert.deepEqual((await running).body, { slept: 100 });
      },
    );
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted = (async () => {
      for await (const conn of listener) conn.close();
    })();
    try {
      await withContainer(
        prefix,
        () => started(factory, node, "net", fixture(node, "connect")),
        async (c) => {
          const r = await c.run(runBody({ port: listener.addr.port }), 5000);
          // Without a private namespace the same action does reach the host.
          assert.deepEqual(r.body, { connected: true });
        },
      );
    } finally {
      listener.close();
      await accepted;
    }
  },
);
