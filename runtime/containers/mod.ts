/**
 * Containers without Docker: the `ContainerFactory` seam and its default, a process
 * sandbox (cgroups v1, `unshare -n`, `setpriv`, `prlimit`) running our runtime proxies
 * on Unix sockets.
 *
 * @module
 */

export {
  ACTIVATION_LOG_SENTINEL,
  type CallResult,
  type Container,
  type ContainerFactory,
  type ContainerFailure,
  ContainerStartError,
  CRASHED_MESSAGE,
  type CreateContainerOptions,
  type InitResult,
  LOG_COLLECTION_ISSUE_MESSAGE,
  LOG_DEVELOPER_ERROR_MESSAGE,
  type LogMark,
  type LogReadOptions,
  logTruncatedMessage,
  MEMORY_EXHAUSTED_MESSAGE,
  type RunResult,
  type SandboxCapabilities,
  timeLimitMessage,
  UNREACHABLE_MESSAGE,
} from "./container_factory.ts";
export { createProcessFactory, type ProcessFactoryOptions } from "./process_factory.ts";
export { DEFAULT_KINDS, type RuntimeKind } from "./runtime_kinds.ts";
export { formatLogLine } from "./log_buffer.ts";
export { type HostMemory, readHostMemory } from "./host_memory.ts";
