/**
 * Zip extraction for the `deno:2` proxy's archive (`binary`) actions, with nothing but
 * Deno's built-ins: the central directory is read by hand and deflated entries go
 * through `DecompressionStream("deflate-raw")`, so the sandboxed runtime needs neither
 * `--allow-run` nor an `unzip` binary.
 *
 * Mirrors the archive step of `openwhisk-runtime-nodejs` (`src/service.js`, which runs
 * `unzip`); differences: stored and deflated entries only (what `zip` and every common
 * archiver write), no zip64, and an entry whose path leaves the target directory is
 * refused instead of trusted.
 *
 * @module
 */

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;

/** One file or folder of an archive. */
export interface ZipEntry {
  /** The path inside the archive, `/`-separated; folders end with `/`. */
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's local header. */
  readonly offset: number;
}

/** An archive this reader cannot take (not a zip, damaged, zip64, unsafe paths). */
export class ZipError extends Error {
  override readonly name = "ZipError";
}

/** The entries listed in the archive's central directory. */
export function zipEntries(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (zip.length < 4 || view.getUint32(0, true) !== LOCAL_HEADER) {
    throw new ZipError("The action archive is not a zip file (it must start with PK\\x03\\x04).");
  }
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipError("The action archive is damaged: no central directory.");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (at === 0xffffffff) throw new ZipError("The action archive is zip64, which is not supported.");
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== CENTRAL_HEADER) {
      throw new ZipError("The action archive is damaged: a bad central directory entry.");
    }
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** The entry's path below the target, or a ZipError when it would leave it. */
function safePath(name: string): string[] {
  const parts = name.replaceAll("\\", "/").split("/").filter((p) => p !== "" && p !== ".");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || parts.includes("..")) {
    throw new ZipError(`The action archive has an entry outside its folder: '${name}'.`);
  }
  return parts;
}

async function contentOf(zip: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (view.getUint32(entry.offset, true) !== LOCAL_HEADER) {
    throw new ZipError(`The action archive is damaged at '${entry.name}'.`);
  }
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) +
    view.getUint16(entry.offset + 28, true);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) {
    throw new ZipError(`The action archive is damaged: '${entry.name}' is cut short.`);
  }
  if (entry.method === STORED) return data;
  if (entry.method !== DEFLATED) {
    throw new ZipError(
      `'${entry.name}' uses compression method ${entry.method}; only stored and deflated entries are supported.`,
    );
  }
  const stream = new Blob([data.slice()]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new ZipError(`The action archive is damaged at '${entry.name}': ${e}`);
  }
}

/**
 * Extracts `zip` into the folder `dir` (which must exist). Every entry is checked before
 * anything is written, so a refused archive leaves nothing behind.
 *
 * @throws {ZipError} on an archive it cannot take.
 */
export async function extractZip(zip: Uint8Array, dir: string): Promise<void> {
  const entries = zipEntries(zip).map((entry) => ({ entry, parts: safePath(entry.name) }));
  for (const { entry, parts } of entries) {
    if (parts.length === 0) continue;
    const target = `${dir}/${parts.join("/")}`;
    if (entry.name.endsWith("/")) {
      await Deno.mkdir(target, { recursive: true });
      continue;
    }
    if (parts.length > 1) {
      await Deno.mkdir(`${dir}/${parts.slice(0, -1).join("/")}`, { recursive: true });
    }
    await Deno.writeFile(target, await contentOf(zip, entry));
  }
}
