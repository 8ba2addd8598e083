/**
 * whisk-fpc: an OpenWhisk-compatible serverless platform with the function-pulling
 * scheduler, as supervised nact actors on Deno. The public API: the protocols every
 * process speaks, and the runtime the roles stand on.
 *
 * @module
 */
export * as protocols from "./protocols/mod.ts";
export * as runtime from "./runtime/mod.ts";
