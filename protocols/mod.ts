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
