/**
 * A tiny hand-written validation kit for the protocol decoders: it reads untrusted
 * values field by field, tracks the path it is at, and throws std-style errors
 * (`TypeError` for a bad shape, `SyntaxError` for bad JSON) that name the message,
 * the field and what was expected, e.g.
 * `Cannot decode ActivationMessage: "action.path" must be a string, got number`.
 *
 * Private to `protocols/` (not exported by `mod.ts`). No upstream counterpart:
 * OpenWhisk leans on spray-json's `deserializationError`.
 *
 * @module
 */

/** JSON value, as produced by `JSON.parse`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** Where a decoder is: the message being decoded and the dotted path inside it. */
export interface At {
  /** Name of the message or value being decoded, e.g. `ActivationMessage`. */
  readonly what: string;
  /** Dotted path of the current field, `""` at the root. */
  readonly path: string;
}

/** A plain record read from untrusted input. */
export type Rec = Readonly<Record<string, unknown>>;

/** Starts decoding `what` at its root. */
export function root(what: string): At {
  return { what, path: "" };
}

/**
 * A position below another one. The dotted path is built only when read (by an error
 * message): decoding a valid message visits every field and never needs it.
 */
class ChildAt implements At {
  readonly what: string;
  #path: string | undefined;
  constructor(readonly parent: At, readonly key: string | number) {
    this.what = parent.what;
  }

  get path(): string {
    if (this.#path === undefined) {
      const above = this.parent.path;
      this.#path = typeof this.key === "number"
        ? `${above}[${this.key}]`
        : above === ""
        ? this.key
        : `${above}.${this.key}`;
    }
    return this.#path;
  }
}

/** The position of `key` (a field name or array index) below `at`. */
export function child(at: At, key: string | number): At {
  return new ChildAt(at, key);
}

/** Names the JSON kind of a value for error messages. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Throws the standard `TypeError` for a value that is not what was expected. */
export function fail(at: At, expected: string, got: unknown): never {
  const where = at.path === "" ? "value" : `"${at.path}"`;
  throw new TypeError(`Cannot decode ${at.what}: ${where} must be ${expected}, got ${kindOf(got)}`);
}

/** Throws a `TypeError` with a free-form reason about the field at `at`. */
export function invalid(at: At, reason: string): never {
  const where = at.path === "" ? "value" : `"${at.path}"`;
  throw new TypeError(`Cannot decode ${at.what}: ${where} ${reason}`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Turns a wire input into a parsed value: strings and bytes are parsed as JSON
 * (`SyntaxError` when they are not valid UTF-8 JSON), anything else is returned as is.
 */
export function parseInput(what: string, input: unknown): unknown {
  let text: string;
  if (typeof input === "string") text = input;
  else if (input instanceof Uint8Array) {
    try {
      text = utf8.decode(input);
    } catch {
      throw new SyntaxError(`Cannot decode ${what}: the bytes are not valid UTF-8`);
    }
  } else return input;
  try {
    return JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new SyntaxError(`Cannot decode ${what}: invalid JSON (${detail})`);
  }
}

/** Asserts a plain (non-array) object. */
export function object(value: unknown, at: At): Rec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(at, "an object", value);
  }
  return value as Rec;
}

/** Reads an own property only, so inherited members (`toString`, ...) never count. */
export function own(rec: Rec, key: string): unknown {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** Asserts a string. */
export function string(value: unknown, at: At): string {
  return typeof value === "string" ? value : fail(at, "a string", value);
}

/** Asserts a non-empty string. */
export function nonEmptyString(value: unknown, at: At): string {
  if (typeof value !== "string") return fail(at, "a non-empty string", value);
  return value.length > 0 ? value : invalid(at, "must be a non-empty string, got an empty string");
}

/** Asserts a boolean. */
export function boolean(value: unknown, at: At): boolean {
  return typeof value === "boolean" ? value : fail(at, "a boolean", value);
}

/** Asserts a finite number. */
export function number(value: unknown, at: At): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fail(at, "a number", value);
}

/** Asserts a safe integer, optionally not below `min`. */
export function integer(value: unknown, at: At, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    return fail(at, "an integer", value);
  }
  return value >= min ? value : invalid(at, `must be an integer >= ${min}, got ${value}`);
}

/** Asserts an array and decodes each item with `item`. */
export function array<T>(value: unknown, at: At, item: (v: unknown, at: At) => T): T[] {
  if (!Array.isArray(value)) return fail(at, "an array", value);
  return value.map((v, i) => item(v, child(at, i)));
}

/** Asserts an object whose values are all strings. */
export function stringMap(value: unknown, at: At): Readonly<Record<string, string>> {
  const rec = object(value, at);
  const out: Record<string, string> = {};
  for (const key of Object.keys(rec)) out[key] = string(rec[key], child(at, key));
  return out;
}

/** Asserts one of the given string literals. */
export function oneOf<T extends string>(value: unknown, at: At, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  const list = allowed.map((a) => `"${a}"`).join(", ");
  if (typeof value === "string") return invalid(at, `must be one of ${list}, got "${value}"`);
  return fail(at, `one of ${list}`, value);
}

/**
 * Any JSON value: the input came from `JSON.parse`, so anything but `undefined`,
 * functions, symbols and bigints is JSON already. Never recurses.
 */
export function json(value: unknown, at: At): JsonValue {
  const t = typeof value;
  if (
    value === null || t === "string" || t === "boolean" ||
    (t === "number" && Number.isFinite(value)) ||
    (t === "object")
  ) return value as JsonValue;
  return fail(at, "a JSON value", value);
}

/** A JSON object (not an array). */
export function jsonObject(value: unknown, at: At): JsonObject {
  return object(value, at) as JsonObject;
}

/** Reads the required field `key` of `rec` with `decode`. */
export function field<T>(
  rec: Rec,
  at: At,
  key: string,
  decode: (v: unknown, at: At) => T,
): T {
  return decode(own(rec, key), child(at, key));
}

/** Reads the optional field `key` (absent or `null` → `undefined`). */
export function optional<T>(
  rec: Rec,
  at: At,
  key: string,
  decode: (v: unknown, at: At) => T,
): T | undefined {
  const v = own(rec, key);
  return v === undefined || v === null ? undefined : decode(v, child(at, key));
}

/**
 * Returns `{ [key]: value }` when `value` is defined, `{}` otherwise, so optional
 * fields stay absent (not `undefined`) under `exactOptionalPropertyTypes`.
 */
export function opt<K extends string, V>(
  key: K,
  value: V | undefined,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
