/**
 * The entity documents, gathered: names, exec kinds, action limits, identities,
 * actions and activation records. Each concern lives in its own file; this module
 * re-exports them so callers can import "the entities" in one line.
 *
 * Mirrors the `common/scala/.../core/entity/` package.
 *
 * @module
 */

export * from "./entity_name.ts";
export * from "./exec.ts";
export * from "./action_limits.ts";
export * from "./identity.ts";
export * from "./whisk_action.ts";
export * from "./whisk_activation.ts";
export * from "./instance_id.ts";
