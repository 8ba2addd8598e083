/**
 * The local cluster: layout, process start and stop, and status. `scripts/cluster.ts`
 * is the command; tests start clusters through {@link startCluster}.
 *
 * @module
 */
export {
  type ClusterLayout,
  clusterProcesses,
  type ClusterProcessSpec,
  defaultLayout,
  layoutFlag,
  loadLayout,
  roleScript,
  saveLayout,
} from "./cluster_layout.ts";
export {
  type ClusterProcess,
  ClusterStartError,
  getJson,
  isAlive,
  readPid,
  removeContainers,
  type RunningCluster,
  signal,
  spawnRole,
  startCluster,
  type StartClusterOptions,
  stopCluster,
  type StopClusterOptions,
  type StopOutcome,
} from "./cluster_processes.ts";
export {
  type ClusterStatus,
  clusterStatus,
  type EtcdView,
  etcdView,
  formatStatus,
  kafkaTopics,
  type ProcessStatus,
  processStatuses,
} from "./cluster_status.ts";
export { prefixTopics } from "./topic_prefix.ts";
export { tidOf, traceparentFor, wireTracing } from "./wire_tracing.ts";
