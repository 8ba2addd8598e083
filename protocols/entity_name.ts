/**
 * Entity names and fully qualified names (`ns/pkg/action`), their string forms and
 * their wire form.
 *
 * Mirrors `common/scala/.../core/entity/FullyQualifiedEntityName.scala`,
 * `EntityPath.scala` and `EntityName`; differences: names are plain strings checked by
 * {@link isValidEntityName}, not value classes.
 *
 * @module
 */

import { type At, child, fail, invalid, object, opt, optional, own, string } from "./_decode.ts";

/** A slash-separated namespace path, e.g. `guest` or `guest/pkg` (no leading slash). */
export type EntityPath = string;

/** Longest entity name upstream accepts. */
export const ENTITY_NAME_MAX_LENGTH = 256;

const ENTITY_NAME = /^(?:\w|\w[\w@ .&-]{0,254}[\w@.&-])$/;

/** Whether `name` is a valid entity name (upstream's `EntityName` pattern, at most 256 chars). */
export function isValidEntityName(name: string): boolean {
  return ENTITY_NAME.test(name);
}

/** A fully qualified entity name. */
export interface FullyQualifiedEntityName {
  /** Namespace path, `ns` or `ns/pkg`. */
  readonly path: EntityPath;
  /** The entity's own name. */
  readonly name: string;
  /** Semantic version `x.y.z`, when known. */
  readonly version?: string;
  /** The package binding it was resolved through, `ns2/pkg`. */
  readonly binding?: EntityPath;
}

/** Wire form of a fully qualified name. */
export interface FqnJson {
  readonly path: string;
  readonly name: string;
  readonly version?: string;
  readonly binding?: string;
}

/** Builds a fully qualified name. */
export function fqn(path: EntityPath, name: string, version?: string): FullyQualifiedEntityName {
  return { path, name, ...opt("version", version) };
}

/**
 * The string form without version, `path/name`: the form every etcd key and doc id uses.
 *
 * @example
 * ```ts
 * import { fqn, fqnString } from "./mod.ts";
 * fqnString(fqn("guest/pkg", "hello", "0.0.1")); // "guest/pkg/hello"
 * ```
 */
export function fqnString(f: FullyQualifiedEntityName): string {
  return `${f.path}/${f.name}`;
}

/** Upstream's `asString`: `path/name`, plus `@version` when there is one. */
export function fqnAsString(f: FullyQualifiedEntityName): string {
  return f.version === undefined ? fqnString(f) : `${fqnString(f)}@${f.version}`;
}

/** `/path/name`, as `__OW_ACTION_NAME` and sequence components show it. */
export function fqnWithLeadingSlash(f: FullyQualifiedEntityName): string {
  return `/${fqnString(f)}`;
}

/** The root namespace, the first segment of the path. */
export function rootNamespace(f: FullyQualifiedEntityName): string {
  const slash = f.path.indexOf("/");
  return slash < 0 ? f.path : f.path.slice(0, slash);
}

/** Drops version and binding: the identity of the entity, as etcd keys use it. */
export function withoutVersion(f: FullyQualifiedEntityName): FullyQualifiedEntityName {
  return { path: f.path, name: f.name };
}

/**
 * Parses `ns/name`, `ns/pkg/name` or the same with a leading slash.
 *
 * @returns the name, or `undefined` when there are not 2 or 3 valid segments
 * @example
 * ```ts
 * import { parseFqn } from "./mod.ts";
 * parseFqn("/guest/pkg/hello"); // { path: "guest/pkg", name: "hello" }
 * ```
 */
export function parseFqn(s: string): FullyQualifiedEntityName | undefined {
  const parts = (s.startsWith("/") ? s.slice(1) : s).split("/");
  if (parts.length < 2 || parts.length > 3 || !parts.every(isValidEntityName)) return undefined;
  const name = parts.pop() as string;
  return { path: parts.join("/"), name };
}

/** Encodes the wire object. */
export function encodeFqn(f: FullyQualifiedEntityName): FqnJson {
  return {
    path: f.path,
    name: f.name,
    ...opt("version", f.version),
    ...opt("binding", f.binding),
  };
}

function pathAt(value: unknown, at: At): EntityPath {
  const path = string(value, at);
  if (!path.split("/").every(isValidEntityName)) return invalid(at, `is not a valid entity path`);
  return path;
}

function nameAt(value: unknown, at: At): string {
  const name = string(value, at);
  return isValidEntityName(name) ? name : invalid(at, `is not a valid entity name`);
}

/** Decodes `{path, name, version?, binding?}`, or a `ns/pkg/name` doc id string. */
export function decodeFqnAt(value: unknown, at: At): FullyQualifiedEntityName {
  if (typeof value === "string") {
    return parseFqn(value) ?? invalid(at, `is not a fully qualified name`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(at, "an object {path, name} or a string", value);
  }
  const rec = object(value, at);
  const path = pathAt(own(rec, "path"), child(at, "path"));
  const name = nameAt(own(rec, "name"), child(at, "name"));
  return {
    path,
    name,
    ...opt("version", optional(rec, at, "version", string)),
    ...opt("binding", optional(rec, at, "binding", pathAt)),
  };
}
