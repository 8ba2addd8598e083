/**
 * The one table from runtime kind to the command that starts its proxy.
 *
 * Mirrors upstream's `runtimes.json` manifest (kind → image) in
 * `ansible/files/runtimes.json`; differences: a kind maps to a local command line,
 * and a `tcp` kind is an unmodified-style proxy on TCP 8080 reached through a relay
 * inside its own network namespace.
 *
 * @module
 */

const PROXY_DIR = new URL("./proxies/", import.meta.url).pathname;

/** Executables the commands use; resolved once by the factory. */
export interface RuntimeExecutables {
  readonly node: string;
  readonly python: string;
  readonly deno: string;
}

/** What a command line may refer to. */
export interface LaunchContext {
  readonly exe: RuntimeExecutables;
  /** The container's Unix socket. */
  readonly socketPath: string;
  /** Private scratch directory (HOME, TMPDIR, DENO_DIR). */
  readonly workDir: string;
  /** Set only when no memory cgroup enforces the limit: the runtime's own heap cap. */
  readonly heapLimitMb?: number;
}

/** How one kind starts. */
export interface RuntimeKind {
  /** `unix`: the proxy serves the socket itself; `tcp`: it listens on TCP 8080 behind a relay. */
  readonly transport: "unix" | "tcp";
  /** argv of the proxy (for `tcp`: of the TCP-only proxy). */
  command(ctx: LaunchContext): string[];
}

function nodeHeapFlags(ctx: LaunchContext): string[] {
  return ctx.heapLimitMb === undefined ? [] : [`--max-old-space-size=${ctx.heapLimitMb}`];
}

/** The built-in kinds. */
export const DEFAULT_KINDS: Readonly<Record<string, RuntimeKind>> = {
  "nodejs:20": {
    transport: "unix",
    command: (ctx) => [
      ctx.exe.node,
      ...nodeHeapFlags(ctx),
      `${PROXY_DIR}nodejs_proxy.js`,
      ctx.socketPath,
    ],
  },
  "python:3": {
    transport: "unix",
    // Python has no heap flag; without a memory cgroup it is not memory-limited.
    command: (ctx) => [ctx.exe.python, "-u", "-I", `${PROXY_DIR}python_proxy.py`, ctx.socketPath],
  },
  "deno:2": {
    transport: "unix",
    command: (ctx) => [
      ctx.exe.deno,
      "run",
      "--quiet",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      "--allow-env",
      "--allow-net",
      `--allow-read=${ctx.workDir}`,
      `--allow-write=${ctx.workDir}`,
      ...(ctx.heapLimitMb === undefined
        ? []
        : [`--v8-flags=--max-old-space-size=${ctx.heapLimitMb}`]),
      `${PROXY_DIR}deno_proxy.ts`,
      ctx.socketPath,
    ],
  },
  "nodejs:20-tcp": {
    transport: "tcp",
    command: (ctx) => [ctx.exe.node, ...nodeHeapFlags(ctx), `${PROXY_DIR}tcp_only_proxy.js`],
  },
};

/** argv of the relay that joins a `tcp` kind's socket to its port 8080. */
export function relayCommand(ctx: LaunchContext): string[] {
  return [ctx.exe.node, `${PROXY_DIR}unix_tcp_relay.js`, ctx.socketPath, "8080"];
}
