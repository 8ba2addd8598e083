/**
 * Instance ids of controllers, schedulers and invokers, and their wire forms:
 * `{"asString":"0","instanceType":"controller"}`, `{"asString":"0"}` (a scheduler
 * has no `instanceType`), and the invoker object with memory, tags and namespaces.
 *
 * Mirrors `common/scala/.../core/entity/InstanceId.scala`; differences: in memory every
 * id is tagged by `instanceType`, including the scheduler's.
 *
 * @module
 */

import {
  array,
  type At,
  child,
  fail,
  integer,
  invalid,
  nonEmptyString,
  object,
  opt,
  optional,
  own,
  string,
} from "./_decode.ts";

/** A controller instance. */
export interface ControllerInstanceId {
  readonly instanceType: "controller";
  readonly asString: string;
}

/** A scheduler instance. */
export interface SchedulerInstanceId {
  readonly instanceType: "scheduler";
  readonly asString: string;
}

/** An invoker instance, with what the scheduler needs to place containers on it. */
export interface InvokerInstanceId {
  readonly instanceType: "invoker";
  readonly instance: number;
  /** A byte size string such as `"1024 MB"`. */
  readonly userMemory: string;
  readonly busyMemory?: string;
  readonly tags: readonly string[];
  readonly dedicatedNamespaces: readonly string[];
  readonly uniqueName?: string;
  readonly displayedName?: string;
}

/** Any instance id. */
export type InstanceId = ControllerInstanceId | SchedulerInstanceId | InvokerInstanceId;

/** A controller id. */
export function controllerInstance(id: string | number): ControllerInstanceId {
  return { instanceType: "controller", asString: String(id) };
}

/** A scheduler id. */
export function schedulerInstance(id: string | number): SchedulerInstanceId {
  return { instanceType: "scheduler", asString: String(id) };
}

/** An invoker id with `userMemoryMb` of memory for actions and no tags. */
export function invokerInstance(instance: number, userMemoryMb = 1024): InvokerInstanceId {
  return {
    instanceType: "invoker",
    instance,
    userMemory: `${userMemoryMb} MB`,
    tags: [],
    dedicatedNamespaces: [],
  };
}

/**
 * Upstream's `toString` of an instance: `controller0`, `scheduler0`, or
 * `invoker0[/uniqueName[/displayedName]]` (the form the lease key uses).
 */
export function instanceString(id: InstanceId): string {
  if (id.instanceType !== "invoker") return `${id.instanceType}${id.asString}`;
  return [`invoker${id.instance}`, id.uniqueName, id.displayedName]
    .filter((s) => s !== undefined).join("/");
}

/** Wire form of an instance id. */
export function encodeInstanceId(id: InstanceId): Record<string, unknown> {
  switch (id.instanceType) {
    case "scheduler":
      return { asString: id.asString };
    case "controller":
      return { asString: id.asString, instanceType: "controller" };
    default:
      return {
        instance: id.instance,
        userMemory: id.userMemory,
        ...opt("busyMemory", id.busyMemory),
        instanceType: "invoker",
        tags: [...id.tags],
        dedicatedNamespaces: [...id.dedicatedNamespaces],
        ...opt("uniqueName", id.uniqueName),
        ...opt("displayedName", id.displayedName),
      };
  }
}

/** Decodes a controller id. */
export function decodeControllerInstanceAt(value: unknown, at: At): ControllerInstanceId {
  const id = decodeInstanceIdAt(value, at);
  return id.instanceType === "controller"
    ? id
    : invalid(child(at, "instanceType"), `must be "controller", got "${id.instanceType}"`);
}

/** Decodes a scheduler id (`{"asString":"0"}`; an `instanceType` of `scheduler` is tolerated). */
export function decodeSchedulerInstanceAt(value: unknown, at: At): SchedulerInstanceId {
  const id = decodeInstanceIdAt(value, at);
  return id.instanceType === "scheduler"
    ? id
    : invalid(child(at, "instanceType"), `must be absent, got "${id.instanceType}"`);
}

/** Decodes an invoker id. */
export function decodeInvokerInstanceAt(value: unknown, at: At): InvokerInstanceId {
  const id = decodeInstanceIdAt(value, at);
  return id.instanceType === "invoker"
    ? id
    : invalid(child(at, "instanceType"), `must be "invoker", got "${id.instanceType}"`);
}

/** Decodes any instance id, told apart by `instanceType` (absent → scheduler). */
export function decodeInstanceIdAt(value: unknown, at: At): InstanceId {
  const rec = object(value, at);
  const type = own(rec, "instanceType");
  if (type === "invoker") {
    return {
      instanceType: "invoker",
      instance: integer(own(rec, "instance"), child(at, "instance"), 0),
      userMemory: string(own(rec, "userMemory"), child(at, "userMemory")),
      ...opt("busyMemory", optional(rec, at, "busyMemory", string)),
      tags: optional(rec, at, "tags", (v, a) => array(v, a, string)) ?? [],
      dedicatedNamespaces: optional(rec, at, "dedicatedNamespaces", (v, a) =>
        array(v, a, string)) ??
        [],
      ...opt("uniqueName", optional(rec, at, "uniqueName", string)),
      ...opt("displayedName", optional(rec, at, "displayedName", string)),
    };
  }
  const asString = nonEmptyString(own(rec, "asString"), child(at, "asString"));
  if (type === "controller") return { instanceType: "controller", asString };
  if (type === undefined || type === "scheduler") return { instanceType: "scheduler", asString };
  return fail(child(at, "instanceType"), '"controller", "invoker", "scheduler" or absent', type);
}
