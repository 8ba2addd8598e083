/**
 * The pure part of `PUT /actions/{name}`: a request body (upstream's `WhiskActionPut`)
 * plus the stored action, if any, become the document to write, or a 400/413 with
 * upstream's message. Mirrors `make`, `update` and `updateWhiskAction` of
 * `core/controller/.../Actions.scala` and `WhiskActionPut` of `core/entity/WhiskAction.scala`;
 * differences: annotations merge on update (after `delAnnotations`), as later upstream
 * versions do, and sequence components are only checked for form here.
 *
 * @module
 */
import {
  type ActionLimits,
  decodeExecAt,
  decodeKeyValuesAt,
  type Exec,
  isBinaryCode,
  type JsonValue,
  type KeyValue,
  type LimitBounds,
  parseFqn,
  resolveKind,
  unsupportedKindMessage,
  validateActionLimits,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import type { ActionRef } from "./entity_names.ts";
import { Messages } from "./errors.ts";

/** What {@link buildActionForPut} needs. */
export interface ActionPutInput {
  readonly ref: ActionRef;
  /** The parsed request body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The stored action on update; absent on create. */
  readonly existing?: WhiskAction;
  /** Epoch ms, the new `updated`. */
  readonly now: number;
  readonly bounds: LimitBounds;
  /** The namespace's concurrency limit, the ceiling of `limits.instances`. */
  readonly namespaceConcurrency?: number;
  readonly maxParameterBytes: number;
}

/** The document to write, or the error answer. */
export type ActionPutResult =
  | { readonly ok: true; readonly action: WhiskAction }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

class PutRejected extends Error {
  override readonly name = "PutRejected";
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

const at = (field: string) => ({ what: "WhiskActionPut", path: field });
const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** The next patch version: `0.0.1` → `0.0.2`. */
export function upPatch(version: string): string {
  const m = SEMVER.exec(version);
  return m ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : "0.0.1";
}

/**
 * Builds the action document a PUT writes.
 *
 * @example
 * ```ts
 * import { buildActionForPut } from "./action_put.ts";
 * import { parseActionRef } from "./entity_names.ts";
 * import { DEFAULT_LIMIT_BOUNDS } from "../../../protocols/mod.ts";
 * const result = buildActionForPut({
 *   ref: parseActionRef("guest", "hello"),
 *   body: { exec: { kind: "nodejs:default", code: "function main() {}" } },
 *   now: 1, bounds: DEFAULT_LIMIT_BOUNDS, maxParameterBytes: 1 << 20,
 * });
 * console.assert(result.ok && result.action.exec.kind === "nodejs:20");
 * ```
 */
export function buildActionForPut(input: ActionPutInput): ActionPutResult {
  try {
    return { ok: true, action: build(input) };
  } catch (error) {
    if (error instanceof PutRejected) {
      return { ok: false, status: error.status, message: error.message };
    }
    if (error instanceof TypeError) return { ok: false, status: 400, message: error.message };
    throw error;
  }
}

function build(input: ActionPutInput): WhiskAction {
  const { body, existing, ref } = input;
  const exec = putExec(body.exec, existing?.exec);
  return {
    namespace: ref.path,
    name: ref.name,
    exec,
    parameters: putParameters(body.parameters, existing?.parameters, input.maxParameterBytes),
    limits: putLimits(body.limits, existing?.limits, input),
    version: putVersion(body.version, existing?.version),
    publish: putPublish(body.publish, existing?.publish),
    annotations: putAnnotations(body, existing, exec.kind),
    updated: input.now,
  };
}

function putExec(raw: unknown, old: Exec | undefined): Exec {
  if (raw === undefined || raw === null) {
    if (old) return old;
    throw new PutRejected(400, Messages.execUndefined);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new PutRejected(400, "The exec of the action is malformed.");
  }
  const { binary: _clientGuess, ...fields } = raw as Record<string, unknown>;
  const kind = fields.kind;
  if (typeof kind !== "string") throw new PutRejected(400, "The exec of the action has no kind.");
  if (resolveKind(kind) === undefined) throw new PutRejected(400, unsupportedKindMessage(kind));
  const exec = decodeExecAt(fields, at("exec"));
  if (exec.kind === "sequence") checkComponents(exec.components);
  if (exec.kind !== "sequence" && exec.code !== undefined) {
    return { ...exec, binary: isBinaryCode(exec.code) };
  }
  return exec;
}

function checkComponents(components: readonly string[]): void {
  if (components.length === 0) {
    throw new PutRejected(400, "No component specified for the sequence.");
  }
  for (const component of components) {
    if (!parseFqn(component)) {
      throw new PutRejected(
        400,
        "The fully qualified name of the entity must contain at least the namespace and the name of the entity.",
      );
    }
  }
}

function putParameters(raw: unknown, old: readonly KeyValue[] | undefined, maxBytes: number) {
  if (raw === undefined || raw === null) return old ?? [];
  const parameters = decodeKeyValuesAt(raw, at("parameters"));
  const size = new TextEncoder().encode(JSON.stringify(parameters)).byteLength;
  if (size > maxBytes) {
    throw new PutRejected(413, Messages.entityTooBig("Parameters", size, maxBytes));
  }
  return parameters;
}

function putLimits(raw: unknown, old: ActionLimits | undefined, input: ActionPutInput) {
  const checked = validateActionLimits(raw, {
    ...(old ? { base: old } : {}),
    bounds: input.bounds,
    ...(input.namespaceConcurrency === undefined
      ? {}
      : { namespaceConcurrency: input.namespaceConcurrency }),
  });
  if (!checked.ok) throw new PutRejected(400, checked.message);
  return checked.limits;
}

function putVersion(raw: unknown, old: string | undefined): string {
  if (raw === undefined || raw === null) return old === undefined ? "0.0.1" : upPatch(old);
  if (typeof raw !== "string" || !SEMVER.test(raw)) {
    throw new PutRejected(400, "The version of the action is not a valid semantic version.");
  }
  return raw;
}

function putPublish(raw: unknown, old: boolean | undefined): boolean {
  if (raw === undefined || raw === null) return old ?? false;
  if (typeof raw !== "boolean") throw new PutRejected(400, "The publish flag must be a boolean.");
  return raw;
}

function stringList(raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((item) => typeof item === "string")) {
    throw new PutRejected(400, "The delAnnotations of the action must be a list of names.");
  }
  return raw;
}

function setAnnotation(list: KeyValue[], key: string, value: JsonValue): void {
  const index = list.findIndex((kv) => kv.key === key);
  if (index >= 0) list[index] = { key, value };
  else list.push({ key, value });
}

function putAnnotations(
  body: Readonly<Record<string, unknown>>,
  existing: WhiskAction | undefined,
  kind: string,
): KeyValue[] {
  const given = body.annotations === undefined || body.annotations === null
    ? undefined
    : decodeKeyValuesAt(body.annotations, at("annotations"));
  let out: KeyValue[];
  if (existing) {
    const removed = body.delAnnotations === undefined || body.delAnnotations === null
      ? []
      : stringList(body.delAnnotations);
    out = existing.annotations.filter((kv) => !removed.includes(kv.key)).map((kv) => ({ ...kv }));
    for (const kv of given ?? []) setAnnotation(out, kv.key, kv.value);
  } else {
    out = (given ?? []).map((kv) => ({ key: kv.key, value: kv.value }));
    if (!out.some((kv) => kv.key === "provide-api-key")) {
      out.push({ key: "provide-api-key", value: false });
    }
  }
  setAnnotation(out, "exec", kind);
  return out;
}
