/**
 * The PUT rules every non-action entity (package, trigger, rule) shares: fields not
 * sent keep their stored values, `version` bumps its patch on update, `publish` is a
 * boolean, parameters and annotations are `{key, value}` lists, parameters have a size
 * ceiling; plus the common fields of a stored document. Mirrors `WhiskPackagePut`,
 * `WhiskTriggerPut` and `WhiskRulePut` of `common/scala/.../core/entity/` and the
 * `update` helpers of `Packages.scala`, `Triggers.scala` and `Rules.scala`.
 *
 * @module
 */
import { decodeKeyValuesAt, type JsonValue, type KeyValue } from "../../../protocols/mod.ts";
import { upPatch } from "./action_put.ts";
import { ApiError, Messages } from "./errors.ts";

const SEMVER = /^\d+\.\d+\.\d+$/;

/** The fields every entity document carries besides its own. */
export interface EntityCommon {
  /** The namespace path, `guest`. */
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
  readonly publish: boolean;
  readonly annotations: readonly KeyValue[];
  /** Epoch ms of the last write. */
  readonly updated?: number;
}

function at(what: string, field: string) {
  return { what, path: field };
}

/** Runs a decoder, turning its TypeError into a 400 with the decoder's message. */
export function badRequestOnTypeError<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof TypeError) throw new ApiError(400, error.message);
    throw error;
  }
}

/**
 * A `{key, value}` list field of a PUT body; absent keeps `old` (or empty).
 *
 * @throws {ApiError} 400 when malformed, 413 when parameters pass `maxBytes`
 */
export function putKeyValues(
  what: string,
  field: "parameters" | "annotations",
  raw: unknown,
  old: readonly KeyValue[] | undefined,
  maxBytes = Infinity,
): KeyValue[] {
  if (raw === undefined || raw === null) return [...(old ?? [])];
  const list = badRequestOnTypeError(() => decodeKeyValuesAt(raw, at(what, field)));
  const size = new TextEncoder().encode(JSON.stringify(list)).byteLength;
  if (size > maxBytes) throw new ApiError(413, Messages.entityTooBig("Parameters", size, maxBytes));
  return list;
}

/** The `version` of a PUT: the given one, else `0.0.1` on create and the next patch on update. */
export function putVersion(what: string, raw: unknown, old: string | undefined): string {
  if (raw === undefined || raw === null) return old === undefined ? "0.0.1" : upPatch(old);
  if (typeof raw !== "string" || !SEMVER.test(raw)) {
    throw new ApiError(400, `The version of the ${what} is not a valid semantic version.`);
  }
  return raw;
}

/** The `publish` flag of a PUT. */
export function putPublish(what: string, raw: unknown, old: boolean | undefined): boolean {
  if (raw === undefined || raw === null) return old ?? false;
  if (typeof raw !== "boolean") {
    throw new ApiError(400, `The publish flag of the ${what} must be a boolean.`);
  }
  return raw;
}

/** Reads the common fields of a stored document (lenient: defaults for what is missing). */
export function storedCommon(
  doc: Readonly<Record<string, unknown>>,
  updated: number,
): EntityCommon {
  const list = (value: unknown) => {
    try {
      return decodeKeyValuesAt(value, at("entity", "annotations"));
    } catch {
      return [];
    }
  };
  return {
    namespace: String(doc.namespace ?? ""),
    name: String(doc.name ?? ""),
    version: typeof doc.version === "string" ? doc.version : "0.0.1",
    publish: doc.publish === true,
    annotations: list(doc.annotations),
    updated,
  };
}

/** Wire form of a `{key, value}` list. */
export function encodeKeyValues(list: readonly KeyValue[]): { key: string; value: JsonValue }[] {
  return list.map((kv) => ({ key: kv.key, value: kv.value }));
}

/** An entity list entry: `{namespace, name, version, publish, annotations, updated}`. */
export function entitySummary(entity: EntityCommon): Record<string, unknown> {
  return {
    namespace: entity.namespace,
    name: entity.name,
    version: entity.version,
    publish: entity.publish,
    annotations: encodeKeyValues(entity.annotations),
    ...(entity.updated === undefined ? {} : { updated: entity.updated }),
  };
}

/** Overlays `top` on `base` by key (a key of `top` replaces the same key of `base`). */
export function overlayKeyValues(
  base: readonly KeyValue[],
  top: readonly KeyValue[],
): KeyValue[] {
  const keys = new Set(top.map((kv) => kv.key));
  return [...base.filter((kv) => !keys.has(kv.key)), ...top];
}
