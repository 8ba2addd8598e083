/**
 * Every etcd key family of the cluster state, one builder per family (examples in
 * each JSDoc use the default cluster name `whisk`), and parsers for the keys readers
 * must take apart (creation ids, container ids, invoker ids).
 *
 * Mirrors `core/etcd/EtcdUtils.scala` (`object EtcdKV`: `SchedulerKeys`, `QueueKeys`,
 * `ThrottlingKeys`, `ContainerKeys`, `InvokerKeys`, `InstanceKeys`); keys never
 * contain an action's version. Differences: parsers return `undefined` for a key of
 * another shape instead of throwing.
 *
 * @module
 */

import { fqnString, type FullyQualifiedEntityName, parseFqn } from "./entity_name.ts";
import { type InstanceId, instanceString, type SchedulerInstanceId } from "./instance_id.ts";
import type { DocRevision } from "./revision.ts";

/** Upstream's default cluster name, the first segment of every key. */
export const DEFAULT_CLUSTER = "whisk";

/** An action as keys name it: a fully qualified name (version ignored) or `ns/pkg/name`. */
export type ActionRef = FullyQualifiedEntityName | string;

function act(a: ActionRef): string {
  if (typeof a !== "string") return fqnString(a);
  return a.startsWith("/") ? a.slice(1) : a;
}

function sidOf(sid: SchedulerInstanceId | string | number): string {
  return typeof sid === "object" ? sid.asString : String(sid);
}

/** `whisk/scheduler/` */
export function schedulerPrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/scheduler/`;
}

/** Key 1, a scheduler's `SchedulerStates`: `whisk/scheduler/0`. */
export function schedulerKey(
  sid: SchedulerInstanceId | string | number,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${schedulerPrefix(cluster)}${sidOf(sid)}`;
}

/** `whisk/queue/` */
export function queuePrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/queue/`;
}

/** Key 2, the queue leader's endpoints: `whisk/queue/guest/guest/hello/leader`. */
export function queueLeaderKey(
  invocationNamespace: string,
  action: ActionRef,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${queuePrefix(cluster)}${invocationNamespace}/${act(action)}/leader`;
}

/** Key 2b (built upstream, never written): `whisk/queue/guest/guest/hello/follower/0`. */
export function queueFollowerKey(
  invocationNamespace: string,
  action: ActionRef,
  sid: SchedulerInstanceId | string | number,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${queuePrefix(cluster)}${invocationNamespace}/${act(action)}/follower/${sidOf(sid)}`;
}

/** `whisk/throttling/` */
export function throttlingPrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/throttling/`;
}

/** Key 3, namespace throttling flag: `whisk/throttling/guest`. */
export function namespaceThrottlingKey(
  invocationNamespace: string,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${throttlingPrefix(cluster)}${invocationNamespace}`;
}

/** Key 4, action throttling flag: `whisk/throttling/guest/guest/hello`. */
export function actionThrottlingKey(
  invocationNamespace: string,
  action: ActionRef,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${throttlingPrefix(cluster)}${invocationNamespace}/${act(action)}`;
}

/** Identifies a container creation in progress (key 5). */
export interface InProgressKeyParts {
  readonly invocationNamespace: string;
  readonly action: ActionRef;
  readonly revision: DocRevision;
  readonly sid: SchedulerInstanceId | string | number;
  readonly creationId: string;
}

/** `whisk/in-progress/guest/` (namespace-wide count of creations in progress). */
export function inProgressNamespacePrefix(
  invocationNamespace: string,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${cluster}/in-progress/${invocationNamespace}/`;
}

/** `whisk/in-progress/guest/guest/hello/1-abc/` (a queue's creations in progress). */
export function inProgressRevisionPrefix(
  invocationNamespace: string,
  action: ActionRef,
  revision: DocRevision,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${inProgressNamespacePrefix(invocationNamespace, cluster)}${act(action)}/${revision}/`;
}

/** Key 5: `whisk/in-progress/guest/guest/hello/1-abc/scheduler/0/creationId/c0ffee`. */
export function inProgressContainerKey(k: InProgressKeyParts, cluster = DEFAULT_CLUSTER): string {
  return `${inProgressRevisionPrefix(k.invocationNamespace, k.action, k.revision, cluster)}` +
    `scheduler/${sidOf(k.sid)}/creationId/${k.creationId}`;
}

/** Identifies a container of an action on an invoker (keys 6 and 7). */
export interface ContainerKeyParts {
  readonly invocationNamespace: string;
  readonly action: ActionRef;
  readonly revision: DocRevision;
  readonly invoker: number;
  readonly containerId: string;
}

/** `whisk/namespace/guest/` (namespace-wide count of existing containers). */
export function existingContainerNamespacePrefix(
  invocationNamespace: string,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${cluster}/namespace/${invocationNamespace}/`;
}

/**
 * `whisk/namespace/guest/guest/hello/` (every revision; as upstream, it also matches
 * the actions of a package named like the action).
 */
export function existingContainerActionPrefix(
  invocationNamespace: string,
  action: ActionRef,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${existingContainerNamespacePrefix(invocationNamespace, cluster)}${act(action)}/`;
}

/** `whisk/namespace/guest/guest/hello/1-abc/` (a queue's containers). */
export function existingContainerRevisionPrefix(
  invocationNamespace: string,
  action: ActionRef,
  revision: DocRevision,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${existingContainerActionPrefix(invocationNamespace, action, cluster)}${revision}/`;
}

/** Key 6 (note `invoker0`, no slash): `whisk/namespace/guest/guest/hello/1-abc/invoker0/container/c1`. */
export function existingContainerKey(k: ContainerKeyParts, cluster = DEFAULT_CLUSTER): string {
  return `${
    existingContainerRevisionPrefix(k.invocationNamespace, k.action, k.revision, cluster)
  }` +
    `invoker${k.invoker}/container/${k.containerId}`;
}

/** `whisk/warmed/` */
export function warmedPrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/warmed/`;
}

/** `whisk/warmed/guest/guest/hello/` (every revision). */
export function warmedContainerActionPrefix(
  invocationNamespace: string,
  action: ActionRef,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${warmedPrefix(cluster)}${invocationNamespace}/${act(action)}/`;
}

/** `whisk/warmed/guest/guest/hello/1-abc/` */
export function warmedContainerRevisionPrefix(
  invocationNamespace: string,
  action: ActionRef,
  revision: DocRevision,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${warmedContainerActionPrefix(invocationNamespace, action, cluster)}${revision}/`;
}

/** Key 7 (note `invoker/0`): `whisk/warmed/guest/guest/hello/1-abc/invoker/0/container/c1`. */
export function warmedContainerKey(k: ContainerKeyParts, cluster = DEFAULT_CLUSTER): string {
  return `${warmedContainerRevisionPrefix(k.invocationNamespace, k.action, k.revision, cluster)}` +
    `invoker/${k.invoker}/container/${k.containerId}`;
}

/** `whisk/invokers/` */
export function invokersPrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/invokers/`;
}

/** Names an invoker for key 8. */
export interface InvokerKeyParts {
  readonly instance: number;
  readonly uniqueName?: string;
  readonly displayedName?: string;
}

/** Key 8, an invoker's resources: `whisk/invokers/0` or `whisk/invokers/0/u1/d1`. */
export function invokerKey(invoker: number | InvokerKeyParts, cluster = DEFAULT_CLUSTER): string {
  const parts = typeof invoker === "number" ? { instance: invoker } : invoker;
  return invokersPrefix(cluster) +
    [String(parts.instance), parts.uniqueName, parts.displayedName]
      .filter((s) => s !== undefined).join("/");
}

/** Key 9, a process's lease marker: `whisk/instance/scheduler0/lease`, `whisk/instance/invoker0/lease`. */
export function instanceLeaseKey(instance: InstanceId | string, cluster = DEFAULT_CLUSTER): string {
  const name = typeof instance === "string" ? instance : instanceString(instance);
  return `${cluster}/instance/${name}/lease`;
}

/** `whisk/processes/` (ours, no upstream counterpart). */
export function processesPrefix(cluster = DEFAULT_CLUSTER): string {
  return `${cluster}/processes/`;
}

/**
 * Key 11 (ours), a role process's HTTP endpoint for `/trace` and the console, under
 * its lease: `whisk/processes/controller0`, `whisk/processes/invoker1`.
 */
export function processKey(processName: string, cluster = DEFAULT_CLUSTER): string {
  return `${processesPrefix(cluster)}${processName}`;
}

/** Key 10 (never written upstream): `whisk/in-progress/queue/guest/guest/hello`. */
export function inProgressQueueKey(
  invocationNamespace: string,
  action: ActionRef,
  cluster = DEFAULT_CLUSTER,
): string {
  return `${cluster}/in-progress/queue/${invocationNamespace}/${act(action)}`;
}

/** A parsed key 5. */
export interface ParsedInProgressKey {
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly sid: string;
  readonly creationId: string;
}

/** A parsed key 6 or 7. */
export interface ParsedContainerKey {
  readonly invocationNamespace: string;
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly invoker: number;
  readonly containerId: string;
}

/** Splits `<family>/<invNs>/<fqn>/<rev>/<tail…>` with a tail of `tailLength` segments. */
function splitScoped(key: string, family: string, tailLength: number) {
  if (!key.startsWith(family)) return undefined;
  const segs = key.slice(family.length).split("/");
  const fqnSegs = segs.slice(1, segs.length - tailLength - 1);
  const action = parseFqn(fqnSegs.join("/"));
  const [invocationNamespace] = segs;
  const revision = segs[segs.length - tailLength - 1];
  if (action === undefined || !invocationNamespace || revision === undefined) return undefined;
  return { invocationNamespace, action, revision, tail: segs.slice(segs.length - tailLength) };
}

function invokerNumber(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

/** Parses key 5; `undefined` when `key` is not one. */
export function parseInProgressContainerKey(
  key: string,
  cluster = DEFAULT_CLUSTER,
): ParsedInProgressKey | undefined {
  const s = splitScoped(key, `${cluster}/in-progress/`, 4);
  if (s === undefined) return undefined;
  const [scheduler, sid, creation, creationId] = s.tail;
  if (scheduler !== "scheduler" || creation !== "creationId" || !sid || !creationId) {
    return undefined;
  }
  return {
    invocationNamespace: s.invocationNamespace,
    action: s.action,
    revision: s.revision,
    sid,
    creationId,
  };
}

/** Parses key 6; `undefined` when `key` is not one. */
export function parseExistingContainerKey(
  key: string,
  cluster = DEFAULT_CLUSTER,
): ParsedContainerKey | undefined {
  const s = splitScoped(key, `${cluster}/namespace/`, 3);
  if (s === undefined) return undefined;
  const [inv, container, containerId] = s.tail;
  const invoker = invokerNumber(
    inv?.startsWith("invoker") ? inv.slice("invoker".length) : undefined,
  );
  if (invoker === undefined || container !== "container" || !containerId) return undefined;
  return {
    invocationNamespace: s.invocationNamespace,
    action: s.action,
    revision: s.revision,
    invoker,
    containerId,
  };
}

/** Parses key 7; `undefined` when `key` is not one. */
export function parseWarmedContainerKey(
  key: string,
  cluster = DEFAULT_CLUSTER,
): ParsedContainerKey | undefined {
  const s = splitScoped(key, warmedPrefix(cluster), 4);
  if (s === undefined) return undefined;
  const [inv, n, container, containerId] = s.tail;
  const invoker = invokerNumber(n);
  if (inv !== "invoker" || invoker === undefined || container !== "container" || !containerId) {
    return undefined;
  }
  return {
    invocationNamespace: s.invocationNamespace,
    action: s.action,
    revision: s.revision,
    invoker,
    containerId,
  };
}

/** Parses key 8; `undefined` when `key` is not one. */
export function parseInvokerKey(
  key: string,
  cluster = DEFAULT_CLUSTER,
): InvokerKeyParts | undefined {
  const prefix = invokersPrefix(cluster);
  if (!key.startsWith(prefix)) return undefined;
  const [n, uniqueName, displayedName, ...rest] = key.slice(prefix.length).split("/");
  const instance = invokerNumber(n);
  if (instance === undefined || rest.length > 0 || uniqueName === "" || displayedName === "") {
    return undefined;
  }
  return {
    instance,
    ...(uniqueName === undefined ? {} : { uniqueName }),
    ...(displayedName === undefined ? {} : { displayedName }),
  };
}

/** The creation id of key 5, or `undefined`. */
export function creationIdOf(key: string, cluster = DEFAULT_CLUSTER): string | undefined {
  return parseInProgressContainerKey(key, cluster)?.creationId;
}

/** The container id of key 6 or 7, or `undefined`. */
export function containerIdOf(key: string, cluster = DEFAULT_CLUSTER): string | undefined {
  return (parseExistingContainerKey(key, cluster) ?? parseWarmedContainerKey(key, cluster))
    ?.containerId;
}

/** The invoker id of key 6, 7 or 8, or `undefined`. */
export function invokerIdOf(key: string, cluster = DEFAULT_CLUSTER): number | undefined {
  return (parseExistingContainerKey(key, cluster) ?? parseWarmedContainerKey(key, cluster))
    ?.invoker ??
    parseInvokerKey(key, cluster)?.instance;
}
