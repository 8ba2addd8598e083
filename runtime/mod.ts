/**
 * What the actors of every role stand on: the actor kit over nact, the message bus
 * (Kafka and its twin) and the remote-actor bridge, the key-value layer (etcd and its
 * twin), the entity store (SQLite), the process containers, HTTP pieces, logging,
 * metrics and the typed configuration. Each area is a namespace, since their names
 * would otherwise clash (both the kit and the bridge have an `AskTimeoutError`).
 *
 * @module
 */
export * as actors from "./actors/mod.ts";
export * as bus from "./bus/mod.ts";
export * as kv from "./kv/mod.ts";
export * as store from "./store/mod.ts";
export * as containers from "./containers/mod.ts";
export * as config from "./config.ts";
export * as log from "./log.ts";
export * as metrics from "./metrics.ts";
export * as console from "./console/mod.ts";
export { errorResponse, HttpError } from "./http/http_error.ts";
export { readJsonBody, readJsonObject } from "./http/body.ts";
