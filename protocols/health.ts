/**
 * Cluster-state values kept in etcd: an invoker's health and memory
 * (`InvokerResourceMessage`, the value of `whisk/invokers/<id>`), a scheduler's
 * endpoints (`SchedulerEndpoints`, the value of queue leader keys) and its state
 * (`SchedulerStates`, the value of `whisk/scheduler/<sid>`).
 *
 * Mirrors `InvokerResourceMessage` in `common/scala/.../core/connector/Message.scala`
 * and `SchedulerEndpoints` / `SchedulerStates` in `core/scheduler/.../Scheduler.scala`;
 * differences: our endpoints are `{host, rpcPort}` only (no `pekkoPort`; a value that
 * carries one still decodes).
 *
 * @module
 */

import {
  array,
  type At,
  child,
  integer,
  invalid,
  nonEmptyString,
  number,
  object,
  oneOf,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";
import {
  decodeSchedulerInstanceAt,
  encodeInstanceId,
  type SchedulerInstanceId,
} from "./instance_id.ts";

/** Invoker status as published: healthy, unhealthy, or offline/disabled. */
export type InvokerStatus = "up" | "unhealthy" | "down";

/** The value of `whisk/invokers/<id>`. Memory in MB. */
export interface InvokerResourceMessage {
  readonly status: InvokerStatus;
  readonly freeMemory: number;
  readonly busyMemory: number;
  readonly inProgressMemory: number;
  readonly tags: readonly string[];
  readonly dedicatedNamespaces: readonly string[];
}

/** Where a scheduler serves its ActivationService. */
export interface SchedulerEndpoints {
  readonly host: string;
  readonly rpcPort: number;
}

/** The value of `whisk/scheduler/<sid>`. */
export interface SchedulerStates {
  readonly sid: SchedulerInstanceId;
  /** How many queues this scheduler leads. */
  readonly queueSize: number;
  readonly endpoints: SchedulerEndpoints;
}

const STATUSES: readonly InvokerStatus[] = ["up", "unhealthy", "down"];

/** Equality as upstream defines it: tags and namespaces compared as sets. */
export function sameInvokerResource(a: InvokerResourceMessage, b: InvokerResourceMessage): boolean {
  const sameSet = (x: readonly string[], y: readonly string[]) =>
    new Set(x).size === new Set(y).size && x.every((v) => y.includes(v));
  return a.status === b.status && a.freeMemory === b.freeMemory &&
    a.busyMemory === b.busyMemory && a.inProgressMemory === b.inProgressMemory &&
    sameSet(a.tags, b.tags) && sameSet(a.dedicatedNamespaces, b.dedicatedNamespaces);
}

/** JSON text of an invoker resource value. */
export function encodeInvokerResourceMessage(m: InvokerResourceMessage): string {
  return JSON.stringify({
    status: m.status,
    freeMemory: m.freeMemory,
    busyMemory: m.busyMemory,
    inProgressMemory: m.inProgressMemory,
    tags: [...m.tags],
    dedicatedNamespaces: [...m.dedicatedNamespaces],
  });
}

const mb = (v: unknown, at: At) => number(v, at);

/**
 * Decodes an invoker resource value (JSON text, bytes or parsed).
 *
 * @example
 * ```ts
 * import { decodeInvokerResourceMessage } from "./mod.ts";
 * decodeInvokerResourceMessage(
 *   '{"status":"up","freeMemory":1024,"busyMemory":0,"inProgressMemory":0,"tags":[],"dedicatedNamespaces":[]}',
 * ).status; // "up"
 * ```
 */
export function decodeInvokerResourceMessage(input: unknown): InvokerResourceMessage {
  const at = root("InvokerResourceMessage");
  const rec = object(parseInput(at.what, input), at);
  return {
    status: oneOf(own(rec, "status"), child(at, "status"), STATUSES),
    freeMemory: mb(own(rec, "freeMemory"), child(at, "freeMemory")),
    busyMemory: mb(own(rec, "busyMemory"), child(at, "busyMemory")),
    inProgressMemory: mb(own(rec, "inProgressMemory"), child(at, "inProgressMemory")),
    tags: array(own(rec, "tags"), child(at, "tags"), string),
    dedicatedNamespaces: array(
      own(rec, "dedicatedNamespaces"),
      child(at, "dedicatedNamespaces"),
      string,
    ),
  };
}

/** JSON text of endpoints. */
export function encodeSchedulerEndpoints(e: SchedulerEndpoints): string {
  return JSON.stringify({ host: e.host, rpcPort: e.rpcPort });
}

/** Decodes endpoints at `at`; a `pekkoPort` is accepted and dropped. */
export function decodeSchedulerEndpointsAt(value: unknown, at: At): SchedulerEndpoints {
  const rec = object(value, at);
  const host = nonEmptyString(own(rec, "host"), child(at, "host"));
  const rpcPort = integer(own(rec, "rpcPort"), child(at, "rpcPort"), 0);
  if (rpcPort > 65535) return invalid(child(at, "rpcPort"), `must be a port, got ${rpcPort}`);
  const pekko = own(rec, "pekkoPort");
  const pekkoPort = pekko === undefined ? 0 : integer(pekko, child(at, "pekkoPort"), 0);
  if (rpcPort === 0 && pekkoPort === 0) return invalid(at, "must have a non-zero port");
  return { host, rpcPort };
}

/**
 * Decodes endpoints (JSON text, bytes or parsed).
 *
 * @example
 * ```ts
 * import { decodeSchedulerEndpoints } from "./mod.ts";
 * decodeSchedulerEndpoints('{"host":"h","rpcPort":13001,"pekkoPort":17355}'); // { host: "h", rpcPort: 13001 }
 * ```
 */
export function decodeSchedulerEndpoints(input: unknown): SchedulerEndpoints {
  const at = root("SchedulerEndpoints");
  return decodeSchedulerEndpointsAt(parseInput(at.what, input), at);
}

/** JSON text of a scheduler state value. */
export function encodeSchedulerStates(s: SchedulerStates): string {
  return JSON.stringify({
    sid: encodeInstanceId(s.sid),
    queueSize: s.queueSize,
    endpoints: { host: s.endpoints.host, rpcPort: s.endpoints.rpcPort },
  });
}

/** Decodes a scheduler state value (JSON text, bytes or parsed). */
export function decodeSchedulerStates(input: unknown): SchedulerStates {
  const at = root("SchedulerStates");
  const rec = object(parseInput(at.what, input), at);
  return {
    sid: decodeSchedulerInstanceAt(own(rec, "sid"), child(at, "sid")),
    queueSize: integer(own(rec, "queueSize"), child(at, "queueSize"), 0),
    endpoints: decodeSchedulerEndpointsAt(own(rec, "endpoints"), child(at, "endpoints")),
  };
}
