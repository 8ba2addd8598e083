/**
 * Real-process tests of zip (`binary: true`) action code in our `nodejs:20`,
 * `python:3` and `deno:2` proxies: a base64 zip is extracted into a fresh directory under the
 * container's work directory and its entry point runs on `/run`; a broken archive
 * fails `/init` with upstream's 502 "Initialization has failed due to: ...".
 * The archives are built from `fixtures/zip/<name>/` with the system `zip` command,
 * or `python3 -m zipfile -c` where `zip` is missing.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Container } from "../../../runtime/containers/mod.ts";
import {
  type KindFixture,
  KINDS,
  runBody,
  SKIP_REAL,
  testFactory,
  withContainer,
} from "./_harness.ts";

const INVOKER = 9721;
const encodeBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const { factory, prefix } = await testFactory(INVOKER);
const ignore = SKIP_REAL;

const NODE = KINDS[0];
const PYTHON = KINDS[1];
const DENO = KINDS[2];

/** Zips the fixture folder `fixtures/zip/<name>` and returns the archive as base64. */
async function zipFixture(name: string): Promise<string> {
  const dir = new URL(`./fixtures/zip/${name}/`, import.meta.url).pathname;
  const out = await Deno.makeTempFile({ suffix: ".zip" });
  try {
    await Deno.remove(out);
    const entries = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    const [cmd, args] = hasZipCommand()
      ? ["zip", ["-q", "-r", out, ...entries]]
      : ["python3", ["-m", "zipfile", "-c", out, ...entries]];
    const result = await new Deno.Command(cmd, { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
    assert.ok(result.success, `${cmd} failed: ${new TextDecoder().decode(result.stderr)}`);
    return encodeBase64(await Deno.readFile(out));
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

function hasZipCommand(): boolean {
  try {
    return new Deno.Command("zip", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Creates a container of `k` and sends one `/init` with binary code. */
async function initZip(
  k: KindFixture,
  name: string,
  code: string,
  main = "main",
): Promise<{ container: Container; status: number; body: unknown }> {
  const container = await factory.create({ name, kind: k.kind, memoryMb: 256, env: {} });
  const init = await container.initialize(
    { value: { name, main, code, binary: true, env: {} } },
    10_000,
  );
  return { container, status: init.status, body: init.body };
}

/** Creates and initialises a zip action, asserting the init worked. */
async function startedZip(k: KindFixture, name: string, code: string, main = "main") {
  const { container, status, body } = await initZip(k, name, code, main);
  if (status !== 200) await container.destroy();
  assert.equal(status, 200, `init failed: ${JSON.stringify(body)}`);
  return container;
}

/** Asserts an init answer is upstream's 502 initialisation failure mentioning `detail`. */
function assertInitFailed(status: number, body: unknown, detail: RegExp): void {
  assert.equal(status, 502);
  const error = (body as { error?: unknown }).error;
  assert.equal(typeof error, "string");
  assert.match(error as string, /^Initialization has failed due to: /);
  assert.match(error as string, detail);
}

const BROKEN_ZIP = encodeBase64(
  new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode("not really a zip")]),
);
const NOT_A_ZIP = encodeBase64(new TextEncoder().encode("plain text, no archive"));

Deno.test("nodejs proxy runs exports.main of index.js from a base64 zip", { ignore }, async () => {
  const code = await zipFixture("nodejs_index");
  await withContainer(prefix, () => startedZip(NODE, "zip-node-index", code), async (c) => {
    const r = await c.run(runBody({ name: "zip" }), 5000);
    assert.equal(r.status, 200);
    const body = r.body as { zip: string; cwd: string };
    assert.equal(body.zip, "hello zip");
    assert.match(body.cwd, new RegExp(`/${prefix}[^/]+/action-[^/]+$`));
  });
});

Deno.test("nodejs proxy loads the module named by package.json main", { ignore }, async () => {
  const code = await zipFixture("nodejs_package");
  await withContainer(prefix, () => startedZip(NODE, "zip-node-pkg", code), async (c) => {
    const r = await c.run(runBody({ name: "pkg" }), 5000);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { entry: "package main", name: "pkg" });
  });
});

Deno.test("nodejs proxy resolves main 'file.fn' inside a zip", { ignore }, async () => {
  const code = await zipFixture("nodejs_package");
  await withContainer(
    prefix,
    () => startedZip(NODE, "zip-node-filefn", code, "lib/entry.other"),
    async (c) => {
      const r = await c.run(runBody({}), 5000);
      assert.deepEqual(r.body, { entry: "other" });
    },
  );
});

Deno.test("nodejs proxy fails init with 502 when the zip entry point is missing", {
  ignore,
}, async () => {
  const code = await zipFixture("nodejs_index");
  const { container, status, body } = await initZip(NODE, "zip-node-nofn", code, "absent");
  await withContainer(prefix, () => Promise.resolve(container), () => {
    assertInitFailed(status, body, /Action entrypoint 'absent' is not a function/);
    return Promise.resolve();
  });
});

Deno.test("python proxy runs main of __main__.py from a base64 zip", { ignore }, async () => {
  const code = await zipFixture("python_main");
  await withContainer(prefix, () => startedZip(PYTHON, "zip-py-main", code), async (c) => {
    const r = await c.run(runBody({ name: "py" }), 5000);
    assert.equal(r.status, 200);
    const body = r.body as { zip: string; cwd: string };
    assert.equal(body.zip, "hello py");
    assert.match(body.cwd, new RegExp(`/${prefix}[^/]+/action-[^/]+$`));
  });
});

Deno.test("deno proxy runs main of main.ts from a base64 zip, with its relative imports", {
  ignore,
}, async () => {
  const code = await zipFixture("deno_main");
  await withContainer(prefix, () => startedZip(DENO, "zip-deno-main", code), async (c) => {
    const r = await c.run(runBody({ name: "deno" }), 5000);
    assert.equal(r.status, 200);
    const body = r.body as { zip: string; cwd: string };
    assert.equal(body.zip, "hello deno");
    assert.match(body.cwd, new RegExp(`/${prefix}[^/]+/action-[^/]+$`));
  });
});

Deno.test("deno proxy loads package.json main, or the module 'file.fn' names, from a zip", {
  ignore,
}, async () => {
  const code = await zipFixture("deno_module");
  await withContainer(prefix, () => startedZip(DENO, "zip-deno-pkg", code), async (c) => {
    assert.deepEqual((await c.run(runBody({}), 5000)).body, { entry: "package main" });
  });
  await withContainer(
    prefix,
    () => startedZip(DENO, "zip-deno-filefn", code, "lib/entry.other"),
    async (c) => assert.deepEqual((await c.run(runBody({}), 5000)).body, { entry: "other" }),
  );
  const { container, status, body } = await initZip(DENO, "zip-deno-nofile", code, "nope.main");
  await withContainer(prefix, () => Promise.resolve(container), () => {
    assertInitFailed(status, body, /Action module 'nope' is not in the archive/);
    return Promise.resolve();
  });
});

for (const k of [NODE, PYTHON, DENO]) {
  for (
    const [label, code, detail] of [
      ["a corrupt zip", BROKEN_ZIP, /zip|archive/i],
      ["binary code that is no zip", NOT_A_ZIP, /not a zip file/],
    ] as const
  ) {
    Deno.test(`${k.dir} proxy answers 502 to ${label}`, { ignore }, async () => {
      const name = `zip-${k.dir}-bad${code === BROKEN_ZIP ? 1 : 2}`;
      const { container, status, body } = await initZip(k, name, code);
      await withContainer(prefix, () => Promise.resolve(container), async (c) => {
        assertInitFailed(status, body, detail);
        const again = await c.run(runBody({}), 5000);
        assert.equal(again.status, 403, "a failed init leaves the proxy stopped");
      });
    });
  }
}
