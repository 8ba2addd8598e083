/**
 * Exec kinds and the `exec` part of an action: the runtimes this platform ships
 * (`nodejs:20`, `python:3`, `deno:2`, each with a `<family>:default` alias), `blackbox`,
 * and `sequence` (reserved: sequences run in the controller, never in a container).
 *
 * Mirrors `common/scala/.../core/entity/Exec.scala` and `ExecManifest.scala`;
 * differences: a fixed manifest instead of `runtimes.json`, and the full and metadata
 * forms are two unions instead of a class hierarchy.
 *
 * @module
 */

import {
  array,
  type At,
  boolean,
  child,
  invalid,
  object,
  opt,
  optional,
  own,
  string,
} from "./_decode.ts";

/** Kinds that run in one of our runtime proxies. */
export const RUNTIME_KINDS = ["nodejs:20", "python:3", "deno:2"] as const;

/** A runtime kind. */
export type RuntimeKind = typeof RUNTIME_KINDS[number];

/** Every concrete kind a stored action can have. */
export type ExecKind = RuntimeKind | "blackbox" | "sequence";

/** Every concrete kind, in the order the 400 message lists them. */
export const EXEC_KINDS: readonly ExecKind[] = [...RUNTIME_KINDS, "blackbox", "sequence"];

/** The `<family>:default` aliases and the concrete kind each stands for. */
export const DEFAULT_KIND_ALIASES: Readonly<Record<string, RuntimeKind>> = {
  "nodejs:default": "nodejs:20",
  "python:default": "python:3",
  "deno:default": "deno:2",
};

/**
 * Resolves a requested kind to the concrete kind stored in the document.
 *
 * @returns the concrete kind, or `undefined` for an unknown kind
 * @example
 * ```ts
 * import { resolveKind } from "./mod.ts";
 * resolveKind("nodejs:default"); // "nodejs:20"
 * resolveKind("nodejs:18"); // undefined
 * ```
 */
export function resolveKind(kind: string): ExecKind | undefined {
  if (Object.hasOwn(DEFAULT_KIND_ALIASES, kind)) return DEFAULT_KIND_ALIASES[kind];
  return (EXEC_KINDS as readonly string[]).includes(kind) ? kind as ExecKind : undefined;
}

/** Whether `kind` runs in one of our runtime proxies. */
export function isRuntimeKind(kind: string): kind is RuntimeKind {
  return (RUNTIME_KINDS as readonly string[]).includes(kind);
}

/** Upstream's 400 message for an unknown kind (`Messages.invalidRuntimeError`). */
export function unsupportedKindMessage(kind: string): string {
  const valid = [...Object.keys(DEFAULT_KIND_ALIASES), ...EXEC_KINDS].sort();
  return `The specified runtime '${kind}' is not supported by this platform. ` +
    `Valid values are: '${valid.join("', '")}'.`;
}

/** Code that runs in a runtime proxy. */
export interface CodeExec {
  readonly kind: RuntimeKind;
  /** Source text, or base64 of a zip/tar.gz archive when `binary`. */
  readonly code: string;
  readonly binary: boolean;
  /** Entry point, when not `main`. */
  readonly main?: string;
}

/** A user-supplied image (kept for compatibility; runs only where a factory supports it). */
export interface BlackboxExec {
  readonly kind: "blackbox";
  readonly image: string;
  readonly binary: boolean;
  readonly code?: string;
  readonly main?: string;
}

/** A sequence of actions, each `/ns/pkg/name`. */
export interface SequenceExec {
  readonly kind: "sequence";
  readonly components: readonly string[];
}

/** The `exec` of a full action document. */
export type Exec = CodeExec | BlackboxExec | SequenceExec;

/** The `exec` of action metadata (no code). */
export type ExecMetaData =
  | { readonly kind: RuntimeKind; readonly binary: boolean; readonly main?: string }
  | {
    readonly kind: "blackbox";
    readonly image: string;
    readonly binary: boolean;
    readonly main?: string;
  }
  | SequenceExec;

/** The metadata form of an exec (drops the code). */
export function execMetaData(e: Exec): ExecMetaData {
  switch (e.kind) {
    case "sequence":
      return e;
    case "blackbox":
      return { kind: e.kind, image: e.image, binary: e.binary, ...opt("main", e.main) };
    default:
      return { kind: e.kind, binary: e.binary, ...opt("main", e.main) };
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Upstream's guess whether code is a base64 archive: trimmed, non-empty, length % 4 = 0, base64. */
export function isBinaryCode(code: string): boolean {
  const t = code.trim();
  return t.length > 0 && t.length % 4 === 0 && BASE64.test(t);
}

function kindAt(value: unknown, at: At): ExecKind {
  const kind = string(value, at);
  return resolveKind(kind) ?? invalid(at, `must be a supported kind, got "${kind}"`);
}

/** Decodes a full `exec` (aliases resolve to the concrete kind; `binary` defaults to the guess). */
export function decodeExecAt(value: unknown, at: At): Exec {
  const rec = object(value, at);
  const kind = kindAt(own(rec, "kind"), child(at, "kind"));
  if (kind === "sequence") {
    return { kind, components: array(own(rec, "components"), child(at, "components"), string) };
  }
  const main = optional(rec, at, "main", string);
  if (kind === "blackbox") {
    const code = optional(rec, at, "code", string);
    return {
      kind,
      image: string(own(rec, "image"), child(at, "image")),
      binary: optional(rec, at, "binary", boolean) ?? (code !== undefined && isBinaryCode(code)),
      ...opt("code", code),
      ...opt("main", main),
    };
  }
  const code = string(own(rec, "code"), child(at, "code"));
  return {
    kind,
    code,
    binary: optional(rec, at, "binary", boolean) ?? isBinaryCode(code),
    ...opt("main", main),
  };
}

/** Decodes a metadata `exec` (any `code` present is ignored). */
export function decodeExecMetaDataAt(value: unknown, at: At): ExecMetaData {
  const rec = object(value, at);
  const kind = kindAt(own(rec, "kind"), child(at, "kind"));
  if (kind === "sequence") {
    return { kind, components: array(own(rec, "components"), child(at, "components"), string) };
  }
  const binary = optional(rec, at, "binary", boolean) ?? false;
  const main = optional(rec, at, "main", string);
  if (kind === "blackbox") {
    return {
      kind,
      image: string(own(rec, "image"), child(at, "image")),
      binary,
      ...opt("main", main),
    };
  }
  return { kind, binary, ...opt("main", main) };
}
