/**
 * Test of the `deno task standalone` command as a subprocess
 * (`deno run -A scripts/standalone.ts --port <free> --cluster-data-dir <tmp>`): it
 * prints the banner within a bounded wait, serves a created action's blocking invoke
 * (cold and warm, timed), drains an in-flight activation on SIGINT and exits 0 leaving
 * no container process or cgroup, and a restart on the same data directory still has
 * the action and its activation records.
 *
 * The platform runs with `--invoker-id <id>`, an id no other running test holds (its
 * containers are `wsk<id>_…`): every platform removes the `wsk<id>_` containers of its
 * host at start and stop, so the default id 0 would race other tests running at once.
 */
import assert from "node:assert/strict";
import { apiKeyOf, GUEST_SUBJECT } from "../../actors/controller/rest_api/mod.ts";
import { claimInvokerId, leftoverContainers } from "../e2e/_platform.ts";

const SCRIPT = new URL("../../scripts/standalone.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const GUEST_KEY = apiKeyOf(GUEST_SUBJECT);
const AUTH = { authorization: "Basic " + btoa(GUEST_KEY) };
const READY_WITHIN_MS = 20_000;
const EXIT_WITHIN_MS = 15_000;
const SLEEPER = `function main(p) {
  console.log("sleeping " + p.ms);
  return new Promise((r) => setTimeout(() => r({ slept: p.ms }), p.ms));
}`;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The standalone command running as a child process. */
class Standalone {
  readonly child: Deno.ChildProcess;
  readonly url: string;
  stdout = "";
  stderr = "";
  readonly #pumps: Promise<void>[];
  readonly started = performance.now();

  constructor(readonly dataDir: string, readonly invokerId: number) {
    const port = freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        SCRIPT,
        "--port",
        String(port),
        "--cluster-data-dir",
        dataDir,
        "--invoker-id",
        String(invokerId),
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { WSK_LOG_LEVEL: "info", NO_COLOR: "1" },
    }).spawn();
    this.#pumps = [
      this.#pump(this.child.stdout, (s) => this.stdout += s),
      this.#pump(this.child.stderr, (s) => this.stderr += s),
    ];
  }

  async #pump(stream: ReadableStream<Uint8Array>, add: (s: string) => void): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) add(chunk);
  }

  /** Waits for the banner; answers the milliseconds from spawn to banner. */
  async ready(): Promise<number> {
    const deadline = Date.now() + READY_WITHIN_MS;
    let exited: Deno.CommandStatus | undefined;
    void this.child.status.then((s) => exited = s);
    while (!this.stdout.includes("Ctrl-C drains")) {
      if (exited) throw new Error(`standalone exited ${exited.code} early:\n${this.output()}`);
      if (Date.now() > deadline) {
        throw new Error(`no banner within ${READY_WITHIN_MS} ms:\n${this.output()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return performance.now() - this.started;
  }

  /** SIGINT, then the exit status (bounded). */
  async interrupt(): Promise<Deno.CommandStatus> {
    this.child.kill("SIGINT");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no exit within ${EXIT_WITHIN_MS} ms:\n${this.output()}`)),
        EXIT_WITHIN_MS,
      );
    });
    try {
      const status = await Promise.race([this.child.status, timeout]);
      await Promise.all(this.#pumps);
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the child if a failed test left it running. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.child.status;
    await Promise.all(this.#pumps);
  }

  output(): string {
    return `--- stdout\n${this.stdout}\n--- stderr (tail)\n${this.stderr.slice(-4000)}`;
  }

  async call(method: string, path: string, body?: unknown): Promise<[number, unknown]> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...AUTH, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return [response.status, await response.json()];
  }
}

/** Milliseconds one call takes. */
async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await call();
  return [value, performance.now() - start];
}

Deno.test("scripts/standalone.ts prints the banner, serves invokes, exits 0 on SIGINT without leftovers, and keeps its data across a restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "standalone_cmd_" });
  const claim = claimInvokerId();
  const invokerId = claim.id;
  const prefix = `wsk${invokerId}_`;
  const measured: Record<string, number> = {};
  let activationId = "";
  try {
    {
      await using first = new Standalone(dataDir, invokerId);
      measured.readyMs = await first.ready();
      const banner = first.stdout;
      assert.match(banner, new RegExp(`API host +${first.url}`));
      assert.ok(banner.includes(`guest key  ${GUEST_KEY}`), banner);
      assert.ok(banner.includes(`wsk property set --apihost ${first.url} --auth ${GUEST_KEY}`));
      assert.ok(banner.includes(`openwhisk({ apihost: "${first.url}", api_key: "${GUEST_KEY}" })`));
      assert.ok(banner.includes(`console    ${first.url}/console`), banner);

      const [created] = await first.call("PUT", "/api/v1/namespaces/_/actions/sleeper", {
        exec: { kind: "nodejs:default", code: SLEEPER },
      });
      assert.equal(created, 200);
      const invoke = (ms: number) =>
        first.call("POST", "/api/v1/namespaces/_/actions/sleeper?blocking=true", { ms });
      const [[coldStatus, cold], coldMs] = await timed(() => invoke(0));
      assert.equal(coldStatus, 200, JSON.stringify(cold));
      activationId = (cold as { activationId: string }).activationId;
      const [[warmStatus], warmMs] = await timed(() => invoke(0));
      assert.equal(warmStatus, 200);
      Object.assign(measured, { coldMs, warmMs });
      assert.ok(
        (await leftoverContainers(prefix)).cgroups.length > 0,
        "a running container has a cgroup (else the leftover check below proves nothing)",
      );

      // An activation in flight when SIGINT arrives finishes before the process exits.
      const inFlight = invoke(800);
      await new Promise((r) => setTimeout(r, 300));
      const status = await first.interrupt();
      assert.equal(status.code, 0, first.output());
      const [drainedStatus, drained] = await inFlight;
      assert.equal(drainedStatus, 200, JSON.stringify(drained));
      assert.deepEqual((drained as { response: { result: unknown } }).response.result, {
        slept: 800,
      });
      assert.deepEqual(await leftoverContainers(prefix), { cgroups: [], processes: [] });
    }
    {
      await using second = new Standalone(dataDir, invokerId);
      measured.restartReadyMs = await second.ready();
      const [status, action] = await second.call("GET", "/api/v1/namespaces/_/actions/sleeper");
      assert.equal(status, 200);
      assert.equal((action as { exec: { code: string } }).exec.code, SLEEPER);
      const [found, record] = await second.call(
        "GET",
        `/api/v1/namespaces/_/activations/${activationId}`,
      );
      assert.equal(found, 200);
      assert.deepEqual((record as { response: { result: unknown } }).response.result, {
        slept: 0,
      });
      const [again, rerun] = await second.call(
        "POST",
        "/api/v1/namespaces/_/actions/sleeper?blocking=true",
        { ms: 1 },
      );
      assert.equal(again, 200, JSON.stringify(rerun));
      assert.equal((await second.interrupt()).code, 0, second.output());
      assert.deepEqual(await leftoverContainers(prefix), { cgroups: [], processes: [] });
    }
    console.log(
      `standalone: ready ${Math.round(measured.readyMs!)} ms (restart ${
        Math.round(measured.restartReadyMs!)
      } ms), blocking invoke cold ${Math.round(measured.coldMs!)} ms, warm ${
        Math.round(measured.warmMs!)
      } ms`,
    );
  } finally {
    await claim.release();
    await Deno.remove(dataDir, { recursive: true });
  }
});
