/**
 * Action-runtime proxy for `deno:2`: OpenWhisk's container protocol (`POST /init`,
 * `POST /run`) over HTTP on a Unix domain socket, so the container can live in a
 * private network namespace.
 *
 * Mirrors the contract of `openwhisk-runtime-nodejs` (`src/service.js`); differences:
 * the action is an ES module (TypeScript or JavaScript) whose entry point is the
 * export named by `main` (or the default export), a module that only declares a
 * top-level `main` function also works, and it listens on the socket path given as the
 * first argument. Archive (`binary`) code is a base64 zip, extracted into a fresh
 * folder under the working directory (`deno_zip.ts`); its module is the one `main`
 * names as `file.fn`, else `package.json`'s "main", else the first of `main.ts`,
 * `main.js`, `index.ts`, `index.js`, `mod.ts`; its relative imports work, `npm:` and
 * remote imports do not (the sandbox has no network to fetch them).
 *
 * Usage: `deno run --allow-env --allow-net --allow-read=<dir> --allow-write=<dir>
 * deno_proxy.ts /path/to/socket` (env `__OW_ALLOW_CONCURRENT=true` lets several
 * `/run` calls overlap).
 *
 * @module
 */

import { extractZip } from "./deno_zip.ts";

const SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
const ARCHIVE_MODULES = ["main.ts", "main.js", "index.ts", "index.js", "mod.ts"];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type Answer = readonly [number, unknown];
type ActionFn = (args: unknown) => unknown;
type Status = "ready" | "starting" | "initialized" | "running" | "stopped";

function writeSentinels(): void {
  console.log(SENTINEL);
  console.error(SENTINEL);
}

function toDataUrl(code: string): string {
  const bytes = new TextEncoder().encode(code);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:application/typescript;base64,${btoa(binary)}`;
}

function pick(mod: Record<string, unknown>, main: string): ActionFn | undefined {
  const fn = [mod[main], main === "main" ? mod.default : undefined]
    .find((c) => typeof c === "function");
  return fn as ActionFn | undefined;
}

async function loadMain(code: string, main: string): Promise<ActionFn> {
  if (!IDENTIFIER.test(main)) throw new TypeError(`Invalid entry point name '${main}'.`);
  const found = pick(await import(toDataUrl(code)), main);
  if (found) return found;
  const exposed =
    `${code}\n;export const __owEntry = typeof ${main} === "function" ? ${main} : undefined;\n`;
  const retried = (await import(toDataUrl(exposed))).__owEntry;
  if (typeof retried !== "function") {
    throw new TypeError(`Action entrypoint '${main}' is not a function.`);
  }
  return retried as ActionFn;
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The module an archive's `main` names: `file.fn`, package.json "main", or a usual name. */
function archiveModule(dir: string, main: string): { file: string; fn: string } {
  const dot = main.lastIndexOf(".");
  if (dot > 0) {
    const file = main.slice(0, dot);
    const found = [file, `${file}.ts`, `${file}.js`, `${file}.mjs`].find((f) =>
      exists(`${dir}/${f}`)
    );
    if (!found) throw new TypeError(`Action module '${file}' is not in the archive.`);
    return { file: found, fn: main.slice(dot + 1) };
  }
  let declared: unknown;
  if (exists(`${dir}/package.json`)) {
    declared = JSON.parse(Deno.readTextFileSync(`${dir}/package.json`)).main;
  }
  const file = typeof declared === "string" && declared
    ? declared
    : ARCHIVE_MODULES.find((f) => exists(`${dir}/${f}`));
  if (!file) throw new TypeError(`The archive has none of ${ARCHIVE_MODULES.join(", ")}.`);
  return { file, fn: main };
}

/** Extracts a base64 zip under the working directory, moves there, loads its entry point. */
async function loadArchive(base64: string, main: string): Promise<ActionFn> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const dir = await Deno.makeTempDir({ dir: Deno.cwd(), prefix: "action-" });
  await extractZip(bytes, dir);
  Deno.chdir(dir);
  const { file, fn } = archiveModule(dir, main);
  if (!IDENTIFIER.test(fn)) throw new TypeError(`Invalid entry point name '${fn}'.`);
  const found = pick(await import(new URL(`file://${dir}/${file}`).href), fn);
  if (!found) throw new TypeError(`Action entrypoint '${main}' is not a function.`);
  return found;
}

function serializeError(e: unknown): unknown {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return e === undefined ? {} : e;
}

let status: Status = "ready";
let action: ActionFn | undefined;
let inFlight = 0;
const allowConcurrent = Deno.env.get("__OW_ALLOW_CONCURRENT") === "true";

async function init(body: Record<string, unknown>): Promise<Answer> {
  if (status !== "ready") return [403, { error: "Cannot initialize the action more than once." }];
  const value = (body.value ?? {}) as Record<string, unknown>;
  const main = typeof value.main === "string" && value.main ? value.main : "main";
  if (typeof value.code !== "string" || !value.code) {
    return [403, { error: "Missing main/no code to execute." }];
  }
  status = "starting";
  try {
    const env = (value.env ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(env)) {
      Deno.env.set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    action = value.binary === true
      ? await loadArchive(value.code, main)
      : await loadMain(value.code, main);
    status = "initialized";
    return [200, { OK: true }];
  } catch (e) {
    status = "stopped";
    writeSentinels();
    const detail = e instanceof Error ? e.stack ?? e.message : String(e);
    return [502, { error: `Initialization has failed due to: ${detail}` }];
  }
}

function refusal(): Answer | undefined {
  if (status === "ready") return [403, { error: "System not initialized." }];
  if (status === "initialized" || (status === "running" && allowConcurrent)) return undefined;
  return [403, { error: `System not ready, status is ${status}.` }];
}

async function invoke(fn: ActionFn, args: unknown): Promise<Answer> {
  let returned: unknown;
  try {
    returned = fn(args);
  } catch (e) {
    status = "stopped";
    console.error(e);
    return [502, { error: `An error has occurred: ${e}` }];
  }
  let result: unknown;
  try {
    result = await returned;
  } catch (e) {
    return [200, { error: serializeError(e) }];
  }
  if (result === undefined) return [200, {}];
  if (result === null || typeof result !== "object") {
    return [502, { error: "The action did not return a dictionary." }];
  }
  return [200, result];
}

async function run(body: Record<string, unknown>): Promise<Answer> {
  const refused = refusal();
  if (refused || !action) return refused ?? [403, { error: "System not initialized." }];
  const args = body.value === undefined ? {} : body.value;
  if (args === null || typeof args !== "object") {
    return [403, { error: `The argument must be a dictionary but has type '${typeof args}'.` }];
  }
  status = "running";
  inFlight++;
  try {
    for (const [key, v] of Object.entries(body)) {
      if (key !== "value" && typeof v === "string") Deno.env.set(`__OW_${key.toUpperCase()}`, v);
    }
    return await invoke(action, args);
  } finally {
    inFlight--;
    if (status === "running" && inFlight === 0) status = "initialized";
    writeSentinels();
  }
}

async function handle(req: Request): Promise<Response> {
  const path = new URL(req.url, "http://container").pathname;
  let body: unknown;
  try {
    body = JSON.parse((await req.text()) || "{}");
  } catch {
    body = undefined;
  }
  let answer: Answer = [500, { error: "Bad request." }];
  const valid = req.method === "POST" && body !== null && typeof body === "object";
  if (valid && path === "/init") answer = await init(body as Record<string, unknown>);
  else if (valid && path === "/run") answer = await run(body as Record<string, unknown>);
  return Response.json(answer[1], { status: answer[0] });
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (!path) {
    console.error("usage: deno_proxy.ts <socket path>");
    Deno.exit(2);
  }
  try {
    Deno.removeSync(path);
  } catch {
    // no stale socket
  }
  Deno.serve({ path, onListen: () => {} }, handle);
}
