/**
 * The container seam of the invoker (`ContainerFactory`, `Container`, upstream's
 * messages): defined in `protocols/container_runtime.ts`, since the container proxy's
 * messages carry container handles; re-exported here for the runtime side.
 *
 * @module
 */
export * from "../../protocols/container_runtime.ts";
