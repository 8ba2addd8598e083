/**
 * The package document (`WhiskPackage`): a package, or a binding to another namespace's
 * package with its own parameters; its stored and API forms, its list entry, and the
 * pure part of `PUT /packages/{name}`. Mirrors `common/scala/.../core/entity/WhiskPackage.scala`
 * and `create` / `update` of `core/controller/.../Packages.scala`; differences: the
 * document is a plain object, validated when read back.
 *
 * @module
 */
import { isValidEntityName, type KeyValue } from "../../../protocols/mod.ts";
import type { StoredEntity } from "../../../runtime/store/mod.ts";
import {
  encodeKeyValues,
  type EntityCommon,
  entitySummary,
  putKeyValues,
  putPublish,
  putVersion,
  storedCommon,
} from "./entity_put.ts";
import { ApiError } from "./errors.ts";

/** The package a binding refers to. */
export interface PackageBinding {
  readonly namespace: string;
  readonly name: string;
}

/** A package or a package binding. */
export interface WhiskPackage extends EntityCommon {
  readonly parameters: readonly KeyValue[];
  readonly binding?: PackageBinding;
}

/** Upstream's messages about packages and bindings. */
export const PackageMessages = {
  bindingDoesNotExist: "Binding references a package that does not exist.",
  packageCannotBecomeBinding: "Resource is a package and cannot be converted into a binding.",
  bindingCannotReferenceBinding: "Cannot bind to another package binding.",
  nameReserved: (name: string) => `Package name '${name}' is reserved.`,
  notEmpty: (count: number) =>
    `Package not empty (contains ${count} ${count === 1 ? "entity" : "entities"})`,
} as const;

/** Names no package may take (`default` is the namespace's own "no package"). */
export const RESERVED_PACKAGE_NAMES: ReadonlySet<string> = new Set(["default"]);

/** The binding of a raw `binding` field; `{}`, `false` and absent mean none. */
export function parseBinding(raw: unknown, callerNamespace: string): PackageBinding | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ApiError(400, "The binding of the package must be an object {namespace, name}.");
  }
  const rec = raw as Record<string, unknown>;
  if (Object.keys(rec).length === 0) return undefined;
  const { namespace, name } = rec;
  if (
    typeof namespace !== "string" || typeof name !== "string" || !isValidEntityName(name) ||
    !isValidEntityName(namespace)
  ) {
    throw new ApiError(400, "The binding of the package must be an object {namespace, name}.");
  }
  return { namespace: namespace === "_" ? callerNamespace : namespace, name };
}

/** A stored package, decoded with the store's `updated`; `undefined` when it does not decode. */
export function storedPackage(entity: StoredEntity): WhiskPackage | undefined {
  const doc = entity.doc;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const rec = doc as Record<string, unknown>;
  try {
    const binding = parseBinding(rec.binding, String(rec.namespace ?? ""));
    return {
      ...storedCommon(rec, entity.updated),
      parameters: putKeyValues("package", "parameters", rec.parameters, []),
      ...(binding ? { binding } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The package document as the API shows it (`binding: {}` when it is not a binding). */
export function apiPackage(pkg: WhiskPackage): Record<string, unknown> {
  return {
    namespace: pkg.namespace,
    name: pkg.name,
    version: pkg.version,
    publish: pkg.publish,
    annotations: encodeKeyValues(pkg.annotations),
    parameters: encodeKeyValues(pkg.parameters),
    binding: pkg.binding ? { ...pkg.binding } : {},
    ...(pkg.updated === undefined ? {} : { updated: pkg.updated }),
  };
}

/** A package list entry: the summary plus `binding` (false or the binding). */
export function packageSummary(pkg: WhiskPackage): Record<string, unknown> {
  return { ...entitySummary(pkg), binding: pkg.binding ? { ...pkg.binding } : false };
}

/** What {@link buildPackageForPut} needs. */
export interface PackagePutInput {
  readonly namespace: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly existing?: WhiskPackage;
  readonly now: number;
  readonly maxParameterBytes: number;
}

/**
 * Builds the package a PUT writes (the binding's target is checked by the caller).
 *
 * @throws {ApiError} 400 on a reserved name or malformed field, 409 when a package
 *   would become a binding, 413 when parameters are too large
 *
 * @example
 * ```ts
 * import { buildPackageForPut } from "./package_document.ts";
 * const pkg = buildPackageForPut({
 *   namespace: "guest", name: "utils", body: { publish: true }, now: 1, maxParameterBytes: 1024,
 * });
 * console.assert(pkg.version === "0.0.1" && pkg.publish);
 * ```
 */
export function buildPackageForPut(input: PackagePutInput): WhiskPackage {
  const { body, existing } = input;
  if (RESERVED_PACKAGE_NAMES.has(input.name)) {
    throw new ApiError(400, PackageMessages.nameReserved(input.name));
  }
  const requested = parseBinding(body.binding, input.namespace);
  if (requested && existing && !existing.binding) {
    throw new ApiError(409, PackageMessages.packageCannotBecomeBinding);
  }
  const binding = requested ?? existing?.binding;
  const annotations = putKeyValues(
    "package",
    "annotations",
    body.annotations,
    existing?.annotations,
  )
    .filter((kv) => kv.key !== "binding");
  if (binding) annotations.push({ key: "binding", value: { ...binding } });
  return {
    namespace: input.namespace,
    name: input.name,
    version: putVersion("package", body.version, existing?.version),
    publish: putPublish("package", body.publish, existing?.publish),
    annotations,
    parameters: putKeyValues(
      "package",
      "parameters",
      body.parameters,
      existing?.parameters,
      input.maxParameterBytes,
    ),
    ...(binding ? { binding } : {}),
    updated: input.now,
  };
}
