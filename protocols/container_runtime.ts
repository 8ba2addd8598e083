/**
 * The container seam of the invoker: what a `ContainerFactory` makes and what a
 * `Container` can do, independent of how it is isolated. It is protocol: the container
 * proxy's messages and data carry `Container` handles, as they carry `Ref`s.
 *
 * Mirrors `common/scala/.../containerpool/ContainerFactory.scala` and `Container.scala`
 * (with `docker/DockerContainer.scala` as the reference implementation); differences:
 * one `create` instead of image pulls, results carry a classified failure
 * (`timeout` / `oom` / `crashed`) with upstream's messages, and logs are read from
 * the container's own stdout/stderr buffer by mark instead of a Docker log file.
 *
 * @module
 */

/** Printed by runtimes on stdout and stderr after every activation. */
export const ACTIVATION_LOG_SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

/** Upstream's developer error for a call that reached its time limit. */
export function timeLimitMessage(timeoutMs: number, duringInit = false): string {
  const tail = duringInit ? " during initialization." : ".";
  return `The action exceeded its time limits of ${timeoutMs} milliseconds${tail}`;
}

/** Upstream's developer error for a container killed by its memory limit. */
export const MEMORY_EXHAUSTED_MESSAGE = "The action exhausted its memory and was aborted.";

/** Upstream's developer error for a connection dropped or a runtime that died. */
export const CRASHED_MESSAGE =
  "The action did not produce a valid response and exited unexpectedly.";

/**
 * Why an activation was handed back without running: its container was gone before the
 * request could be sent (the activation reruns elsewhere; users never see this unless
 * no queue takes it back, and then upstream's "abnormal run" error).
 */
export const UNREACHABLE_MESSAGE = "The container was gone before the activation could be sent.";

/** Upstream's stderr notice appended when logs exceed the action's log limit. */
export function logTruncatedMessage(limitBytes: number): string {
  return `Logs were truncated because the total bytes size exceeds the limit of ${limitBytes} bytes.`;
}

/** Upstream's notice when the sentinels did not arrive in time. */
export const LOG_COLLECTION_ISSUE_MESSAGE =
  "There was an issue while collecting your logs. Data might be missing.";

/** Upstream's notice when the runtime died before printing its sentinels. */
export const LOG_DEVELOPER_ERROR_MESSAGE =
  "The action did not initialize or run as expected. Log data might be missing.";

/**
 * Why a call produced no usable HTTP answer. `unreachable`: the request was never sent,
 * as the runtime's process had already exited, so nothing ran and the activation can
 * safely run elsewhere (upstream's `ContainerHealthError` with a resumed run).
 */
export type ContainerFailure =
  | { readonly type: "timeout"; readonly message: string }
  | { readonly type: "oom"; readonly message: string }
  | { readonly type: "crashed"; readonly message: string }
  | { readonly type: "unreachable"; readonly message: string };

/** The outcome of `/init` or `/run`. */
export interface CallResult {
  /** True when the proxy answered 200 and nothing failed. */
  readonly ok: boolean;
  /** HTTP status of the proxy's answer; 0 when there was none (see `failure`). */
  readonly status: number;
  /** Parsed JSON answer, the raw text when it is not JSON, or `{error}` on failure. */
  readonly body: unknown;
  /** Size of the answer in bytes (0 without an answer). */
  readonly sizeBytes: number;
  /** Wall time of the call. */
  readonly durationMs: number;
  /** Set when the call got no answer; the container is then dead. */
  readonly failure?: ContainerFailure;
}

/** `/init` outcome. */
export type InitResult = CallResult;
/** `/run` outcome. */
export type RunResult = CallResult;

/** A position in a container's stdout/stderr, taken before an activation. */
export interface LogMark {
  readonly stdout: number;
  readonly stderr: number;
}

/** Options of {@link Container.logs}. */
export interface LogReadOptions {
  /** Wait for the sentinel on both streams (default true; false for concurrent actions). */
  readonly waitForSentinels?: boolean;
  /** Longest wait for the sentinels (default 2000 ms). */
  readonly timeoutMs?: number;
}

/** One running action container. */
export interface Container {
  /** Unique name, also the cgroup name: `wsk<invoker>_<name>`. */
  readonly id: string;
  /** The runtime kind it runs (`nodejs:20`, ...). */
  readonly kind: string;
  /** Sends `/init`. */
  initialize(initBody: unknown, timeoutMs: number): Promise<InitResult>;
  /** Sends `/run`; a timeout or failure kills the container. */
  run(runBody: unknown, timeoutMs: number): Promise<RunResult>;
  /** The current end of stdout/stderr; take it before `run`, read from it after. */
  logMark(): LogMark;
  /**
   * Formatted log lines (`<iso time padded to 30> stdout: msg`) from `since` up to
   * the sentinels, at most `limitBytes`, with upstream's truncation notice.
   */
  logs(since: LogMark, limitBytes: number, options?: LogReadOptions): Promise<string[]>;
  /** Freezes every process of the container. */
  pause(): Promise<void>;
  /** Thaws it. */
  resume(): Promise<void>;
  /** Kills the processes and removes cgroups and files; idempotent. */
  destroy(): Promise<void>;
  /** True once the runtime process has exited. */
  readonly exited: boolean;
}

/** What to create. */
export interface CreateContainerOptions {
  /** Short name, unique per invoker (`[A-Za-z0-9_.-]`). */
  readonly name: string;
  /** Runtime kind (`nodejs:20`, `python:3`, `deno:2`, ...). */
  readonly kind: string;
  /** Memory limit in MB (the action's `limits.memory`). */
  readonly memoryMb: number;
  /** Process environment (`__OW_API_HOST`, `__OW_ALLOW_CONCURRENT`, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Most log bytes kept between collections (default 10 MB, upstream's log limit). */
  readonly logLimitBytes?: number;
}

/** Which isolation features are in force, reported on `/health`. */
export interface SandboxCapabilities {
  readonly memoryCgroup: boolean;
  readonly freezerCgroup: boolean;
  readonly pidsCgroup: boolean;
  readonly networkNamespace: boolean;
  readonly noNewPrivileges: boolean;
  readonly openFilesLimit: boolean;
  /** `cgroup` (kernel OOM kill) or `runtime-heap` (the runtime's own heap flag only). */
  readonly memoryEnforcement: "cgroup" | "runtime-heap";
  /** `SIGSTOP` is used when there is no freezer. */
  readonly pause: "freezer" | "sigstop";
}

/** Makes containers. */
export interface ContainerFactory {
  /** Starts a container and waits until its proxy accepts connections. */
  create(options: CreateContainerOptions): Promise<Container>;
  /** Kills and removes leftovers of an earlier run whose names start with `prefix`. */
  cleanupLeftovers(prefix: string): Promise<number>;
  /** The isolation actually in force. */
  capabilities(): SandboxCapabilities;
}

/** A container could not be started (unknown kind, spawn failure, proxy never ready). */
export class ContainerStartError extends Error {
  override readonly name = "ContainerStartError";
  /** Whether trying again may succeed (resource trouble rather than a bad request). */
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}
