/**
 * Action-runtime proxy for `nodejs:20`: serves OpenWhisk's container protocol
 * (`POST /init`, `POST /run`) over HTTP on a Unix domain socket, so the container
 * can live in a private network namespace.
 *
 * Mirrors the behaviour of `openwhisk-runtime-nodejs` `core/nodejsActionBase`
 * (`app.js`, `src/service.js`, `runner.js`); differences: no Express, listens on the
 * socket path given as the first argument instead of TCP 8080, archive (`binary`) code
 * must be a zip (no tar.gz) and is never `npm install`ed, and
 * `require("./nodejs_proxy.js").createActionServer()` is reusable by the TCP-only
 * proxy. Written for CommonJS under Node 20; stdlib only (zips are extracted with the
 * `unzip` command, as upstream does).
 *
 * Usage: `node nodejs_proxy.js /path/to/socket` (env `__OW_ALLOW_CONCURRENT=true`
 * lets several `/run` calls overlap).
 */
"use strict";

const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const process = require("node:process");
const { Buffer } = require("node:buffer");

const SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Prints the end-of-activation marker on both streams, after the action's output. */
function writeSentinels() {
  process.stdout.write(`${SENTINEL}\n`);
  process.stderr.write(`${SENTINEL}\n`);
}

/** Loads the action source and returns its entry point, or throws. */
function loadMain(code, main) {
  if (!IDENTIFIER.test(main)) throw new TypeError(`Invalid entry point name '${main}'.`);
  const module = { exports: {} };
  const factory = new Function(
    "module",
    "exports",
    "require",
    `${code}\n;return typeof ${main} === "function" ? ${main} : undefined;\n//# sourceURL=action.js`,
  );
  const topLevel = factory(module, module.exports, require);
  const exported = module.exports;
  const candidates = [
    topLevel,
    exported && exported[main],
    typeof exported === "function" ? exported : undefined,
  ];
  const fn = candidates.find((c) => typeof c === "function");
  if (!fn) throw new TypeError(`Action entrypoint '${main}' is not a function.`);
  return fn;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Extracts a base64 zip into a fresh directory under the working directory, moves
 * there (as upstream's runner does) and returns the directory.
 */
function extractZip(base64) {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length < 4 || !bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
    throw new TypeError("The action archive is not a zip file (it must start with PK\\x03\\x04).");
  }
  const dir = fs.mkdtempSync(path.join(process.cwd(), "action-"));
  const archive = path.join(dir, ".action.zip");
  fs.writeFileSync(archive, bytes);
  try {
    execFileSync("unzip", ["-qq", "-o", archive, "-d", dir], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const detail = e && e.stderr ? String(e.stderr).trim() : String(e);
    throw new Error(`Unable to unzip the action archive: ${detail || `exit code ${e.status}`}`);
  } finally {
    fs.rmSync(archive, { force: true });
  }
  process.chdir(dir);
  return dir;
}

/**
 * Loads the entry point of an extracted archive: `main` is `fn` (module from
 * `package.json` "main", else `index.js`) or `file.fn` (module `file`).
 */
function loadArchiveMain(dir, main) {
  const dot = main.lastIndexOf(".");
  const fnName = dot < 0 ? main : main.slice(dot + 1);
  let file = dot < 0 ? undefined : main.slice(0, dot);
  if (file === undefined) {
    const manifest = path.join(dir, "package.json");
    const declared = fs.existsSync(manifest)
      ? JSON.parse(fs.readFileSync(manifest, "utf8")).main
      : undefined;
    file = typeof declared === "string" && declared ? declared : "index.js";
  }
  const exported = require(path.resolve(dir, file));
  const fn = exported && typeof exported[fnName] === "function"
    ? exported[fnName]
    : typeof exported === "function" && dot < 0
    ? exported
    : undefined;
  if (!fn) throw new TypeError(`Action entrypoint '${main}' is not a function.`);
  return fn;
}

/** Serializes an error the way a rejected promise is reported: name, message, stack. */
function serializeError(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return e === undefined ? {} : e;
}

/** Copies string fields of the `/run` body (except `value`) into `__OW_<FIELD>`. */
function exportActivationEnv(body) {
  for (const [key, v] of Object.entries(body)) {
    if (key !== "value" && typeof v === "string") process.env[`__OW_${key.toUpperCase()}`] = v;
  }
}

/** Creates the protocol state machine: ready → (initialized ⇄ running) | stopped. */
function createService(allowConcurrent) {
  let status = "ready";
  let action;
  let inFlight = 0;

  function init(body) {
    if (status !== "ready") {
      return [403, { error: "Cannot initialize the action more than once." }];
    }
    const value = (body && body.value) || {};
    if (typeof value.main !== "string" || typeof value.code !== "string" || !value.code) {
      return [403, { error: "Missing main/no code to execute." }];
    }
    status = "starting";
    try {
      for (const [k, v] of Object.entries(value.env || {})) {
        process.env[k] = typeof v === "string" ? v : JSON.stringify(v);
      }
      const main = value.main || "main";
      action = value.binary
        ? loadArchiveMain(extractZip(value.code), main)
        : loadMain(value.code, main);
      status = "initialized";
      return [200, { OK: true }];
    } catch (e) {
      status = "stopped";
      writeSentinels();
      return [502, { error: `Initialization has failed due to: ${e && e.stack ? e.stack : e}` }];
    }
  }

  function refuse() {
    if (status === "ready") return [403, { error: "System not initialized." }];
    if (status === "initialized" || (status === "running" && allowConcurrent)) return undefined;
    return [403, { error: `System not ready, status is ${status}.` }];
  }

  async function run(body) {
    const refusal = refuse();
    if (refusal) return refusal;
    const args = body && body.value !== undefined ? body.value : {};
    if (args === null || typeof args !== "object") {
      return [403, { error: `The argument must be a dictionary but has type '${typeof args}'.` }];
    }
    status = "running";
    inFlight++;
    try {
      exportActivationEnv(body);
      return await invoke(args);
    } finally {
      inFlight--;
      if (status === "running" && inFlight === 0) status = "initialized";
      writeSentinels();
    }
  }

  async function invoke(args) {
    let returned;
    try {
      returned = action(args);
    } catch (e) {
      status = "stopped";
      console.error(e);
      return [502, { error: `An error has occurred: ${e}` }];
    }
    let result;
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

  return { init, run };
}

/** Reads a JSON request body; resolves `undefined` when it is not valid JSON. */
function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Creates the HTTP server serving `/init` and `/run` (not yet listening).
 *
 * Idle keep-alive connections are never timed out: the invoker is the only client, and
 * a container frozen by the cgroup freezer for longer than Node's default 5 s would, on
 * thaw, close the connection the invoker is already sending `/run` on (the first run
 * after a long pause then failed as "exited unexpectedly").
 */
function createActionServer() {
  const service = createService(process.env.__OW_ALLOW_CONCURRENT === "true");
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url || "/", "http://container").pathname;
    const body = await readJson(req);
    let answer = [500, { error: "Bad request." }];
    if (req.method === "POST" && body !== undefined && path === "/init") {
      answer = await service.init(body);
    } else if (req.method === "POST" && body !== undefined && path === "/run") {
      answer = await service.run(body);
    }
    const text = JSON.stringify(answer[1]);
    res.writeHead(answer[0], {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  });
  server.keepAliveTimeout = 0;
  return server;
}

module.exports = { createActionServer, SENTINEL };

if (require.main === module) {
  const socketPath = process.argv[2];
  if (!socketPath) {
    console.error("usage: nodejs_proxy.js <socket path>");
    process.exit(2);
  }
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  createActionServer().listen(socketPath);
}
