/**
 * Every message, value and key the processes exchange: typed unions tagged by
 * `type`, with decoders that validate at process boundaries (`TypeError` for a bad
 * shape, `SyntaxError` for bad JSON) and encoders that write upstream OpenWhisk's
 * JSON field names.
 *
 * `protocols/` imports nothing else of ours.
 *
 * @module
 */

export type { At, JsonObject, JsonValue } from "./_decode.ts";
export { assertNever } from "./_assert_never.ts";
export * from "./transaction_id.ts";
export * from "./revision.ts";
export * from "./entities.ts";
export * from "./activation.ts";
export * from "./container.ts";
export * from "./container_manager.ts";
export * from "./scheduling_decision_maker.ts";
export * from "./queue.ts";
export * from "./health.ts";
export * from "./activation_service.ts";
export * from "./cache_invalidation.ts";
export * from "./dead_letter.ts";
export * from "./etcd_keys.ts";
export * from "./wire.ts";
export * from "./scheduler_admin.ts";
export * from "./container_runtime.ts";
export type { AnyRef, Ref } from "./ref.ts";

// Actor protocols: one namespace each, since several name the same upstream messages
// (`GracefulShutdown`, `Enable`, ...).
export * as activationClient from "./activation_client.ts";
export * as activationClientProxy from "./activation_client_proxy.ts";
export * as completions from "./completions.ts";
export * as creationJobManager from "./creation_job_manager.ts";
export * as dataManagementService from "./data_management_service.ts";
export * as functionPullingContainerPool from "./function_pulling_container_pool.ts";
export * as functionPullingContainerProxy from "./function_pulling_container_proxy.ts";
export * as invokerHealthManager from "./invoker_health_manager.ts";
export * as leaseKeepAlive from "./lease_keep_alive.ts";
export * as memoryQueue from "./memory_queue.ts";
export * as poolBalancer from "./pool_balancer.ts";
export * as queueManager from "./queue_manager.ts";
export * as watcher from "./watcher.ts";
export * as containerPool from "./container_pool.ts";
export * as containerProxy from "./container_proxy.ts";
