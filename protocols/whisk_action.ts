/**
 * The action document (`WhiskAction`), its metadata form (`WhiskActionMetaData`, no
 * code: what queues and container messages carry), and the `{key, value}` lists used
 * for parameters and annotations.
 *
 * Mirrors `common/scala/.../core/entity/WhiskAction.scala` and `Parameter.scala`;
 * differences: parameter encryption is not modelled.
 *
 * @module
 */

import {
  array,
  type At,
  boolean,
  child,
  integer,
  invalid,
  json,
  type JsonValue,
  object,
  opt,
  optional,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";
import { type ActionLimits, decodeActionLimitsAt } from "./action_limits.ts";
import {
  type EntityPath,
  type FullyQualifiedEntityName,
  isValidEntityName,
} from "./entity_name.ts";
import {
  decodeExecAt,
  decodeExecMetaDataAt,
  type Exec,
  type ExecMetaData,
  execMetaData,
} from "./exec.ts";

/** One parameter or annotation. */
export interface KeyValue {
  readonly key: string;
  readonly value: JsonValue;
  /** Parameters only: passed to `/init` as environment instead of to `/run`. */
  readonly init?: boolean;
}

/** Fields shared by the full and the metadata form. */
interface ActionCommon {
  /** Namespace path, `guest` or `guest/pkg`. */
  readonly namespace: EntityPath;
  readonly name: string;
  readonly parameters: readonly KeyValue[];
  readonly limits: ActionLimits;
  /** Semantic version, `0.0.1` on create, patch + 1 per update. */
  readonly version: string;
  readonly publish: boolean;
  readonly annotations: readonly KeyValue[];
  /** Epoch ms of the last update. */
  readonly updated?: number;
}

/** The full action document. */
export interface WhiskAction extends ActionCommon {
  readonly exec: Exec;
}

/** The action without its code. */
export interface WhiskActionMetaData extends ActionCommon {
  readonly exec: ExecMetaData;
  /** The package binding the action was resolved through. */
  readonly binding?: EntityPath;
}

/** The value of annotation `key`, or `undefined`. */
export function annotationValue(list: readonly KeyValue[], key: string): JsonValue | undefined {
  return list.find((kv) => kv.key === key)?.value;
}

/** The action's fully qualified name, with its version. */
export function actionFqn(a: ActionCommon): FullyQualifiedEntityName {
  return { path: a.namespace, name: a.name, version: a.version };
}

/** Drops the code: the metadata form of an action. */
export function actionMetaData(a: WhiskAction): WhiskActionMetaData {
  return { ...a, exec: execMetaData(a.exec) };
}

function encodeKeyValues(list: readonly KeyValue[]): KeyValue[] {
  return list.map((kv) => ({ key: kv.key, value: kv.value, ...(kv.init ? { init: true } : {}) }));
}

/** Wire/API form of a full action, in upstream's field order. */
export function encodeWhiskAction(a: WhiskAction): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    exec: { ...a.exec },
    parameters: encodeKeyValues(a.parameters),
    limits: { ...a.limits },
    version: a.version,
    publish: a.publish,
    annotations: encodeKeyValues(a.annotations),
    ...opt("updated", a.updated),
  };
}

/** Wire form of action metadata. */
export function encodeActionMetaData(a: WhiskActionMetaData): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    exec: { ...a.exec },
    parameters: encodeKeyValues(a.parameters),
    limits: { ...a.limits },
    version: a.version,
    publish: a.publish,
    annotations: encodeKeyValues(a.annotations),
    ...opt("updated", a.updated),
    ...opt("binding", a.binding),
  };
}

function keyValueAt(value: unknown, at: At): KeyValue {
  const rec = object(value, at);
  const v = own(rec, "value");
  const init = optional(rec, at, "init", boolean);
  return {
    key: string(own(rec, "key"), child(at, "key")),
    value: v === undefined ? null : json(v, child(at, "value")),
    ...(init ? { init } : {}),
  };
}

/** Decodes a `[{key, value}]` list (absent → empty). */
export function decodeKeyValuesAt(value: unknown, at: At): KeyValue[] {
  return value === undefined || value === null ? [] : array(value, at, keyValueAt);
}

function nameAt(value: unknown, at: At): string {
  const name = string(value, at);
  return isValidEntityName(name) ? name : invalid(at, "is not a valid entity name");
}

function commonAt(rec: Readonly<Record<string, unknown>>, at: At): ActionCommon {
  return {
    namespace: string(own(rec, "namespace"), child(at, "namespace")),
    name: nameAt(own(rec, "name"), child(at, "name")),
    parameters: decodeKeyValuesAt(own(rec, "parameters"), child(at, "parameters")),
    limits: decodeActionLimitsAt(own(rec, "limits"), child(at, "limits")),
    version: optional(rec, at, "version", string) ?? "0.0.1",
    publish: optional(rec, at, "publish", boolean) ?? false,
    annotations: decodeKeyValuesAt(own(rec, "annotations"), child(at, "annotations")),
    ...opt("updated", optional(rec, at, "updated", (v, a) => integer(v, a, 0))),
  };
}

/** Decodes a full action document at `at`. */
export function decodeWhiskActionAt(value: unknown, at: At): WhiskAction {
  const rec = object(value, at);
  return { ...commonAt(rec, at), exec: decodeExecAt(own(rec, "exec"), child(at, "exec")) };
}

/**
 * Decodes a full action document from JSON text, bytes or a parsed value.
 *
 * @throws {SyntaxError} on bad JSON; {TypeError} on a bad shape
 */
export function decodeWhiskAction(input: unknown): WhiskAction {
  return decodeWhiskActionAt(parseInput("WhiskAction", input), root("WhiskAction"));
}

/** Decodes action metadata at `at` (a full document decodes too; its code is dropped). */
export function decodeActionMetaDataAt(value: unknown, at: At): WhiskActionMetaData {
  const rec = object(value, at);
  return {
    ...commonAt(rec, at),
    exec: decodeExecMetaDataAt(own(rec, "exec"), child(at, "exec")),
    ...opt("binding", optional(rec, at, "binding", string)),
  };
}
