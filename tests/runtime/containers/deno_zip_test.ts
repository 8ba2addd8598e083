/**
 * Tests of the deno proxy's zip reader (`runtime/containers/proxies/deno_zip.ts`) on
 * archives written by Python's `zipfile`: stored and deflated entries, folders, and the
 * archives it must refuse (unsafe paths, other compression methods, damage).
 */
import assert from "node:assert/strict";
import { extractZip, zipEntries, ZipError } from "../../../runtime/containers/proxies/deno_zip.ts";

/** Builds a zip with Python's zipfile: `[name, text, method]` per entry (method 0 or 8 or 12). */
async function pythonZip(entries: readonly [string, string, number][]): Promise<Uint8Array> {
  const out = await Deno.makeTempFile({ suffix: ".zip" });
  const script = [
    "import json, sys, zipfile",
    "with zipfile.ZipFile(sys.argv[1], 'w') as z:",
    "  for name, text, method in json.loads(sys.argv[2]):",
    "    z.writestr(zipfile.ZipInfo(name), text, compress_type=method)",
  ].join("\n");
  try {
    const r = await new Deno.Command("python3", {
      args: ["-c", script, out, JSON.stringify(entries)],
      stderr: "piped",
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(out);
  }
}

async function withDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deno_zip_test_" });
  try {
    await use(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const listing = async (dir: string, below = ""): Promise<string[]> => {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${below}`)) {
    const path = below ? `${below}/${e.name}` : e.name;
    names.push(...(e.isDirectory ? [`${path}/`, ...await listing(dir, path)] : [path]));
  }
  return names.sort();
};

Deno.test("extractZip() writes stored and deflated entries and folders", async () => {
  const long = "repeat me ".repeat(500);
  const zip = await pythonZip([
    ["main.ts", "export const main = () => ({});", 0],
    ["lib/", "", 0],
    ["lib/long.txt", long, 8],
    ["deep/er/file.json", '{"a":1}', 8],
  ]);
  assert.deepEqual(zipEntries(zip).map((e) => [e.name, e.method]), [
    ["main.ts", 0],
    ["lib/", 0],
    ["lib/long.txt", 8],
    ["deep/er/file.json", 8],
  ]);
  await withDir(async (dir) => {
    await extractZip(zip, dir);
    assert.deepEqual(await listing(dir), [
      "deep/",
      "deep/er/",
      "deep/er/file.json",
      "lib/",
      "lib/long.txt",
      "main.ts",
    ]);
    assert.equal(await Deno.readTextFile(`${dir}/lib/long.txt`), long);
    assert.equal(await Deno.readTextFile(`${dir}/deep/er/file.json`), '{"a":1}');
  });
});

Deno.test("extractZip() refuses an entry outside its folder and writes nothing", async () => {
  for (const evil of ["../evil.ts", "a/../../evil.ts", "/etc/evil.ts"]) {
    const zip = await pythonZip([["main.ts", "ok", 0], [evil, "bad", 0]]);
    await withDir(async (dir) => {
      await assert.rejects(
        extractZip(zip, dir),
        (e) => e instanceof ZipError && /outside/.test(e.message),
      );
      assert.deepEqual(await listing(dir), [], evil);
    });
  }
});

Deno.test("extractZip() names what it cannot read: other methods, damage, no zip", async () => {
  const bzip2 = await pythonZip([["main.ts", "x".repeat(100), 12]]);
  const good = await pythonZip([["main.ts", "y".repeat(1000), 8]]);
  const cut = good.slice(0, good.length - 30); // the central directory is gone
  const cases: [Uint8Array, RegExp][] = [
    [bzip2, /compression method 12/],
    [cut, /damaged/],
    [new TextEncoder().encode("plain text"), /not a zip file/],
  ];
  for (const [zip, message] of cases) {
    await withDir(async (dir) => {
      await assert.rejects(
        extractZip(zip, dir),
        (e) => e instanceof ZipError && message.test(e.message),
      );
    });
  }
});
