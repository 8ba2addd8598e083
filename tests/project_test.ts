/**
 * Project-wide guards: JSR is unreachable from our machines, so no `jsr:` specifier
 * may appear in deno.json or deno.lock; the committed top level keeps the fixed layout;
 * every source file opens with a doc comment saying what it is; every doc example
 * type-checks.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

Deno.test("deno.json and deno.lock contain no jsr: specifier", async () => {
  for (const file of ["deno.json", "deno.lock"]) {
    const text = await Deno.readTextFile(new URL(file, root));
    assert.ok(!text.includes("jsr:"), `${file} mentions jsr:, which our machines cannot reach`);
  }
});

Deno.test("deno.json pins every npm import to an exact version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  for (const [name, spec] of Object.entries(config.imports as Record<string, string>)) {
    assert.match(
      spec,
      /^npm:(@[^/]+\/)?[^@]+@\d+\.\d+\.\d+$/,
      `import "${name}" is not pinned: ${spec}`,
    );
  }
});

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (/\.(ts|js)$/.test(entry.name)) yield url;
  }
}

Deno.test("every source file opens with a doc comment", async () => {
  const missing: string[] = [];
  for (const folder of ["protocols/", "runtime/", "actors/", "scripts/"]) {
    const dir = new URL(folder, root);
    try {
      await Deno.stat(dir);
    } catch {
      continue;
    }
    for await (const file of sourceFiles(dir)) {
      const head = (await Deno.readTextFile(file)).replace(/^#!.*\n/, "").trimStart();
      if (!head.startsWith("/**") && !head.startsWith("//")) {
        missing.push(file.pathname.slice(root.pathname.length));
      }
    }
  }
  assert.deepEqual(missing, [], `files without an opening doc comment: ${missing.join(", ")}`);
});

Deno.test("protocols/ imports nothing of ours outside protocols/", async () => {
  const offenders: string[] = [];
  for await (const file of sourceFiles(new URL("protocols/", root))) {
    const text = await Deno.readTextFile(file);
    for (const match of text.matchAll(/from\s+"(\.[^"]*)"/g)) {
      if (match[1]!.startsWith("../")) {
        offenders.push(`${file.pathname.slice(root.pathname.length)} → ${match[1]}`);
      }
    }
  }
  assert.deepEqual(offenders, [], `protocols must stand alone: ${offenders.join(", ")}`);
});

Deno.test("every doc example type-checks (deno test --doc --no-run)", async () => {
  // Examples are the first code a reader copies; one went stale once without anyone noticing.
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--doc", "--no-run", "--quiet"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});
