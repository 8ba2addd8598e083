/**
 * One action container as an OS process (its own session and process group) in its
 * own cgroups, reached over a Unix socket.
 *
 * Mirrors `core/invoker/.../docker/DockerContainer.scala` (`initialize`, `run`,
 * `suspend`/`resume`, `destroy`, `logs`) and the failure mapping of
 * `Container.scala` / `ActivationResponse.scala`; differences: the process is killed
 * as soon as a call times out or the connection drops, and an OOM kill is told apart
 * from a crash by the memory cgroup's `oom_kill` count (upstream reports both as the
 * generic crash, apache/openwhisk#4806).
 *
 * @module
 */

import type { ContainerCgroups } from "./cgroups.ts";
import {
  type CallResult,
  type Container,
  type ContainerFailure,
  CRASHED_MESSAGE,
  type LogMark,
  type LogReadOptions,
  MEMORY_EXHAUSTED_MESSAGE,
  timeLimitMessage,
  UNREACHABLE_MESSAGE,
} from "./container_factory.ts";
import { LogBuffer, type StreamName } from "./log_buffer.ts";
import { CallTimeoutError, type ProxyAnswer, UnixHttpClient } from "./unix_http_client.ts";

const HEAP_OOM = /JavaScript heap out of memory|MemoryError/;

/** Everything a started container is made of. */
export interface ProcessContainerParts {
  readonly id: string;
  readonly kind: string;
  readonly child: Deno.ChildProcess;
  readonly cgroups: ContainerCgroups;
  readonly socketPath: string;
  readonly workDir: string;
  readonly logCapBytes: number;
}

/** A {@link Container} backed by a sandboxed process. */
export class ProcessContainer implements Container {
  readonly id: string;
  readonly kind: string;
  readonly #parts: ProcessContainerParts;
  readonly #logs: LogBuffer;
  readonly #client: UnixHttpClient;
  readonly #pumps: Promise<void>[];
  readonly #exit: Promise<Deno.CommandStatus>;
  #exited = false;
  #sawHeapOom = false;
  #destroyed: Promise<void> | undefined;

  constructor(parts: ProcessContainerParts) {
    this.#parts = parts;
    this.id = parts.id;
    this.kind = parts.kind;
    this.#logs = new LogBuffer(parts.logCapBytes);
    this.#client = new UnixHttpClient(parts.socketPath);
    this.#pumps = [
      this.#pump(parts.child.stdout, "stdout"),
      this.#pump(parts.child.stderr, "stderr"),
    ];
    this.#exit = parts.child.status.then((status) => {
      this.#exited = true;
      this.#logs.wake();
      return status;
    });
  }

  /** The runtime's pid, also its process group and session id. */
  get pid(): number {
    return this.#parts.child.pid;
  }

  /** True once the runtime process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Resolves with the exit status once the process is gone. */
  get exitStatus(): Promise<Deno.CommandStatus> {
    return this.#exit;
  }

  /** Sends `/init`. */
  initialize(initBody: unknown, timeoutMs: number): Promise<CallResult> {
    return this.#call("/init", initBody, timeoutMs, true);
  }

  /** Sends `/run`. */
  run(runBody: unknown, timeoutMs: number): Promise<CallResult> {
    return this.#call("/run", runBody, timeoutMs, false);
  }

  /** The current end of stdout/stderr. */
  logMark(): LogMark {
    return this.#logs.mark();
  }

  /** Log lines of one activation; see {@link Container.logs}. */
  async logs(since: LogMark, limitBytes: number, options: LogReadOptions = {}): Promise<string[]> {
    if (limitBytes <= 0) return [];
    const wait = options.waitForSentinels ?? true;
    const deadline = Date.now() + (options.timeoutMs ?? 2000);
    while (wait && !this.#logs.hasSentinels(since) && !this.#exited && Date.now() < deadline) {
      await this.#logs.waitForChange(deadline - Date.now());
    }
    if (this.#exited) await this.#settlePumps(200);
    return this.#logs.collect(since, limitBytes, { ended: this.#exited, expectSentinels: wait });
  }

  /** Freezes the container (cgroup freezer, or SIGSTOP on its process group). */
  async pause(): Promise<void> {
    if (this.#parts.cgroups.has("freezer")) await this.#parts.cgroups.setFrozen(true);
    else Deno.kill(-this.pid, "SIGSTOP");
  }

  /** Thaws the container. */
  async resume(): Promise<void> {
    if (this.#parts.cgroups.has("freezer")) await this.#parts.cgroups.setFrozen(false);
    else Deno.kill(-this.pid, "SIGCONT");
  }

  /** Kills every process, removes cgroups, the socket and the work directory. */
  destroy(): Promise<void> {
    this.#destroyed ??= this.#teardown();
    return this.#destroyed;
  }

  async #teardown(): Promise<void> {
    await this.#kill();
    this.#client.close();
    await this.#settlePumps(1000);
    await Deno.remove(this.#parts.workDir, { recursive: true }).catch(() => {});
  }

  /** SIGKILLs the process group and every cgroup member, then waits for the exit. */
  async #kill(): Promise<void> {
    // Once reaped, the pid may belong to someone else: never signal it again.
    if (!this.#exited) this.#signalQuietly("SIGKILL");
    await this.#parts.cgroups.remove();
    await this.#exit;
  }

  #signalQuietly(signal: Deno.Signal): void {
    try {
      Deno.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  async #call(path: string, body: unknown, timeoutMs: number, init: boolean): Promise<CallResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // Only an exit seen before sending proves nothing was sent: a refused connection does
    // not, as the HTTP client retries a request on a fresh connection when its pooled one
    // closes, even after the runtime got it (found by the "exits mid-run" test).
    if (this.#exited) return failed(await this.#unreachable(), 0);
    let answer: ProxyAnswer;
    try {
      answer = await this.#client.postJson(path, body, timeoutMs);
    } catch (e) {
      const failure = e instanceof CallTimeoutError
        ? await this.#timedOut(timeoutMs, init)
        : await this.#connectionLost();
      return failed(failure, elapsed());
    }
    return { ...parseAnswer(answer), durationMs: elapsed() };
  }

  async #timedOut(timeoutMs: number, init: boolean): Promise<ContainerFailure> {
    await this.#kill();
    return { type: "timeout", message: timeLimitMessage(timeoutMs, init) };
  }

  /** The request was never sent: the container is gone, the activation can go elsewhere. */
  async #unreachable(): Promise<ContainerFailure> {
    await this.#kill();
    return { type: "unreachable", message: UNREACHABLE_MESSAGE };
  }

  /** Waits briefly for the process to end, then tells an OOM kill from a crash. */
  async #connectionLost(): Promise<ContainerFailure> {
    await raceTimeout(this.#exit, 1000);
    const oom = (await this.#parts.cgroups.oomKills()) > 0 || this.#sawHeapOom;
    await this.#kill();
    return oom
      ? { type: "oom", message: MEMORY_EXHAUSTED_MESSAGE }
      : { type: "crashed", message: CRASHED_MESSAGE };
  }

  async #settlePumps(ms: number): Promise<void> {
    await raceTimeout(Promise.all(this.#pumps), ms);
  }

  async #pump(stream: ReadableStream<Uint8Array>, name: StreamName): Promise<void> {
    let rest = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) this.#line(name, line);
      }
    } catch {
      // the pipe broke with the process
    }
    if (rest) this.#line(name, rest);
  }

  #line(stream: StreamName, text: string): void {
    if (stream === "stderr" && HEAP_OOM.test(text)) this.#sawHeapOom = true;
    this.#logs.push(stream, text.endsWith("\r") ? text.slice(0, -1) : text);
  }
}

/** Waits for `promise` or `ms`, whichever comes first, leaving no timer behind. */
async function raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  clearTimeout(timer);
}

function failed(failure: ContainerFailure, durationMs: number): CallResult {
  return {
    ok: false,
    status: 0,
    body: { error: failure.message },
    sizeBytes: 0,
    durationMs,
    failure,
  };
}

function parseAnswer(answer: ProxyAnswer): Omit<CallResult, "durationMs"> {
  let body: unknown = answer.text;
  try {
    body = JSON.parse(answer.text);
  } catch {
    // not JSON: the caller reports upstream's "did not produce a valid JSON" error
  }
  const sizeBytes = new TextEncoder().encode(answer.text).length;
  return { ok: answer.status === 200, status: answer.status, body, sizeBytes };
}
